using System.Diagnostics;
using Packster.Packaging;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// A FIFO, or a folder, where a location keeps one of its small files — a journal, a generation record, a deployment
/// record, a quick verify index — through the real executable (spec/errors.md PST9005): such a file is never opened,
/// which for a FIFO would wait for a writer while the command holds the location's lock. Every command here is killed
/// after a minute, so a test fails instead of hanging.
/// </summary>
public sealed class LocationSpecialFileTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    private static void AssertRefused(ProcessResult r, string path, string reason)
    {
        Assert.True(r.ExitCode == 9, r.ToString());
        var first = r.Stderr.Split('\n')[0];
        Assert.Equal($"error[PST9005]: cannot read '{path}': {reason}", first);
    }

    /// <summary>hello installed into dev, then pinned and unpinned: generations 1 to 4.</summary>
    private void InstallWithFourGenerations()
    {
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev");
        _f.Packster.Ok("pin", "hello", "--location", "dev");
        _f.Packster.Ok("unpin", "hello", "--location", "dev");
    }

    // spec/lockfile.md § Lock, § Derived state: `lock.holder` and the activation marker are packster's own notes,
    // rewritten by every holder and commit. A FIFO in their place is not opened (a FIFO would wait for a writer or a
    // reader while the command holds the lock): it names no holder, marks nothing current, and is replaced.
    [Theory]
    [InlineData(".packster/lock.holder")]
    [InlineData("activate/.generation")]
    public void A_FIFO_where_packster_keeps_a_note_is_replaced_never_waited_on(string relative)
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev");
        var fifo = Path.Combine(_f.LocationPath, relative);
        File.Delete(fifo);
        MakeFifo(fifo);

        var r = _f.Packster.RunWithin("pin", "hello", "--location", "dev");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(FileKinds.Of(fifo), new[] { FileKind.Missing, FileKind.Regular });
    }

    // spec/lockfile.md § Compatibility: a lockfile that cannot be read is PST5002, and "every command fails with the
    // error above and leaves the file … as it was". A FIFO in its place is never opened: every command, reading or
    // changing, waited on it forever (a mutating one holding the lock).
    [Theory]
    [InlineData("list")]
    [InlineData("pin")]
    public void A_FIFO_where_the_lockfile_belongs_is_refused_unopened(string command)
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev");
        var lockfile = _f.LockfilePath;
        File.Move(lockfile, lockfile + ".aside");
        MakeFifo(lockfile);

        var r = command == "list" ? _f.Packster.RunWithin("list", "--location", _f.LocationPath) : _f.Packster.RunWithin("pin", "hello", "--location", _f.LocationPath);

        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.StartsWith($"error[PST5002]: {lockfile}: it is a FIFO (named pipe), not a regular file", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(FileKind.Fifo, FileKinds.Of(lockfile));
    }

    // errors.md PST9005: "a FIFO, socket or device there … is never opened, which for a FIFO would wait for a writer";
    // spec/lockfile.md § History journal, § Recovery (policy), § Generations (writing): what a mutating command reads
    // under the lock before anything else. It waited there forever, and every other writer failed with PST5004.
    [Theory]
    [InlineData(".packster/policy.pending")]
    [InlineData(".packster/history.pending")]
    [InlineData("generations/5.pending.json")]
    public void A_FIFO_where_a_commit_journal_or_pending_record_belongs_stops_a_mutating_command(string relative)
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        InstallWithFourGenerations();
        var before = _f.Snapshot(); // taken without the FIFO, which the snapshot would wait on
        var fifo = Path.Combine(_f.LocationPath, relative);
        MakeFifo(fifo);
        AssertRefused(_f.Packster.RunWithin("pin", "hello", "--location", "dev"), fifo, "it is a FIFO (named pipe), not a regular file");
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));
        File.Delete(fifo);
        Assert.Equal(before, _f.Snapshot());
    }

    // spec/lockfile.md § Generations: "a record that cannot be read is skipped" by the listing and gc; errors.md PST9005
    // for the one generation a command names: a FIFO there is refused unopened.
    [Fact]
    public void A_FIFO_generation_record_is_skipped_by_the_listing_and_gc_and_refused_by_history_at_and_rollback_to()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        InstallWithFourGenerations();
        var record = Path.Combine(_f.LocationPath, "generations", "3.json");
        File.Delete(record);
        MakeFifo(record);

        var listed = _f.Packster.RunWithin("generations", "--location", "dev", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        using (var doc = System.Text.Json.JsonDocument.Parse(listed.Stdout))
        {
            Assert.Equal([1, 2, 4], doc.RootElement.EnumerateArray().Select(g => g.GetProperty("generation").GetInt32()));
        }
        var gc = _f.Packster.RunWithin("gc", "--keep-generations", "3", "--dry-run", "--location", "dev");
        Assert.True(gc.ExitCode == 0, gc.ToString());
        AssertRefused(_f.Packster.RunWithin("history", "--at", "3", "--location", "dev"), record, "it is a FIFO (named pipe), not a regular file");
        AssertRefused(_f.Packster.RunWithin("rollback", "--to", "3", "--dry-run", "--location", "dev"), record, "it is a FIFO (named pipe), not a regular file");
        Assert.Equal(FileKind.Fifo, FileKinds.Of(record));
    }

    // errors.md PST9005: "a folder where packster opens a file … is '<path>': it is a folder, not a file, never
    // 'permission denied'"; the listing still skips it (spec/lockfile.md § Generations).
    [Fact]
    public void A_folder_generation_record_is_said_to_be_a_folder_not_permission_denied()
    {
        InstallWithFourGenerations();
        var record = Path.Combine(_f.LocationPath, "generations", "3.json");
        File.Delete(record);
        Directory.CreateDirectory(record);
        foreach (var args in new[] { new[] { "history", "--at", "3", "--location", "dev" }, ["rollback", "--to", "3", "--dry-run", "--location", "dev"] })
        {
            var r = _f.Packster.RunWithin(args);
            AssertRefused(r, record, "it is a folder, not a file");
            Assert.DoesNotContain("permission denied", r.Stderr, StringComparison.Ordinal);
        }
        Assert.Contains("unpin hello", _f.Packster.Ok("generations", "--location", "dev"), StringComparison.Ordinal);
    }

    // errors.md PST9005 (a FIFO is never opened); spec/lockfile.md § Quick verify: a record that cannot be read is the
    // deployment's problem, reported as verify reports a damaged record; gc (which holds the lock) keeps going.
    [Fact]
    public void A_FIFO_deployment_record_is_reported_by_verify_and_does_not_hold_gc()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev");
        var deployment = Directory.GetDirectories(Path.Combine(_f.LocationPath, "deployments")).Single();
        var record = Path.Combine(deployment, "packster-deployment.json");
        File.Delete(record);
        MakeFifo(record);

        foreach (var args in new[] { new[] { "verify", "dev" }, ["verify", "dev", "--quick"] })
        {
            var r = _f.Packster.RunWithin(args);
            Assert.True(r.ExitCode == 5, r.ToString());
            Assert.Contains("packster-deployment.json: it is a FIFO (named pipe), not a regular file", r.Stdout, StringComparison.Ordinal);
        }
        var gc = _f.Packster.RunWithin("gc", "--location", "dev");
        Assert.True(gc.ExitCode == 0, gc.ToString());
        Assert.Equal(FileKind.Fifo, FileKinds.Of(record));
    }

    // spec/lockfile.md § Quick verify: the index is "a cache, not an authority"; one that cannot be used means every
    // file is read, as without it. A FIFO there is not opened (errors.md PST9005) and the run reads everything.
    [Fact]
    public void A_FIFO_quick_verify_index_is_no_index()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev");
        var hash = Path.GetFileName(Directory.GetDirectories(Path.Combine(_f.LocationPath, "deployments")).Single());
        var index = Path.Combine(_f.LocationPath, ".packster", "verify-index", hash);
        Directory.CreateDirectory(Path.GetDirectoryName(index)!);
        MakeFifo(index);

        var r = _f.Packster.RunWithin("verify", "dev", "--quick");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("all intact", r.Stdout + r.Stderr, StringComparison.Ordinal);
    }

    // spec/errors.md PST9005: "The files a location keeps for itself are never opened either when a folder, FIFO,
    // socket or device is there"; spec/handlers.md § Logs. A FIFO where an install's handler log belongs was opened for
    // appending, which waits for a reader: install hung forever, its staging copy and lock held, deaf to SIGTERM.
    [Fact]
    public void A_FIFO_where_an_install_log_belongs_is_refused_unopened_and_the_install_rolled_back()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        var package = _f.PackSample("motd");
        _f.Packster.Ok("install-file", package, "--location", "dev");
        _f.Packster.Ok("uninstall", "motd", "--location", "dev");
        var log = Directory.GetFiles(Path.Combine(_f.LocationPath, "logs"), "motd-1.0.0-*-install.log").Single();
        File.Delete(log);
        MakeFifo(log);

        var r = _f.Packster.RunWithin("install-file", package, "--location", "dev");

        Assert.True(r.ExitCode == 9, r.ToString());
        Assert.StartsWith($"error[PST9005]: cannot write the handler log '{log}': it is a FIFO (named pipe), not a regular file", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(FileKind.Fifo, FileKinds.Of(log));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_f.LocationPath, ".packster", "staging")));
        Assert.False(File.Exists(Path.Combine(_f.LocationPath, ".packster", "lock.holder")));
        Assert.Empty(_f.List().EnumerateArray());
    }

    /// <summary>A source folder whose pack handler exits 0, and a temp folder of its own for packster's staging copy.</summary>
    private (string Source, string Temp) PackHandlerSource()
    {
        var source = _f.Temp["h"];
        Directory.CreateDirectory(Path.Combine(source, "scripts"));
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), "id = \"h\"\nversion = \"1.0.0\"\n\n[handlers]\npack = \"scripts/p.sh\"\n");
        File.WriteAllText(Path.Combine(source, "scripts", "p.sh"), "exit 0\n");
        var temp = Directory.CreateDirectory(_f.Temp["tmp"]).FullName;
        _f.Packster.With("TMPDIR", temp);
        Directory.CreateDirectory(Path.Combine(_f.Temp["data"], "logs"));
        return (source, temp);
    }

    // The same for the pack log (spec/handlers.md § Logs: `<data>/logs/<id>-<version>-pack.log`): pack hung, and the
    // kill that ended it left its staging copy and parameters file in the temp folder for good.
    [Fact]
    public void A_FIFO_where_the_pack_log_belongs_is_refused_unopened_and_the_staging_copy_removed()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        var (source, temp) = PackHandlerSource();
        var log = Path.Combine(_f.Temp["data"], "logs", "h-1.0.0-pack.log");
        MakeFifo(log);

        var r = _f.Packster.RunWithin("pack", source, "-o", _f.Dist);

        Assert.True(r.ExitCode == 9, r.ToString());
        Assert.StartsWith($"error[PST9005]: cannot write the pack log '{log}': it is a FIFO (named pipe), not a regular file", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(FileKind.Fifo, FileKinds.Of(log));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
    }

    // spec/handlers.md § Logs: the pack log is in packster's data folder, which is no location. A link there is
    // refused in its own words (PST9005) and never written through — not PST5012, whose words and hint speak of a
    // location.
    [Fact]
    public void A_link_where_the_pack_log_belongs_is_refused_in_its_own_words()
    {
        if (OperatingSystem.IsWindows()) return; // the test makes a symbolic link as POSIX does
        var (source, temp) = PackHandlerSource();
        var log = Path.Combine(_f.Temp["data"], "logs", "h-1.0.0-pack.log");
        var target = _f.Temp.Write("elsewhere.log", "mine\n");
        File.CreateSymbolicLink(log, target);

        var r = _f.Packster.RunWithin("pack", source, "-o", _f.Dist);

        Assert.True(r.ExitCode == 9, r.ToString());
        Assert.StartsWith($"error[PST9005]: cannot write the pack log '{log}': it is a symbolic link (to '{target}'); packster never writes its logs through a link", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("PST5012", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("mine\n", File.ReadAllText(target));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
    }
}
