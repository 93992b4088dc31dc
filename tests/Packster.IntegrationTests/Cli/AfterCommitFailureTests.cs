using System.Text.Json;
using Packster.IntegrationTests.Install;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/lockfile.md § Derived state: after the lockfile commit, a failure to write shims, activation scripts or the
/// history line is one <c>warning:</c> line and exit 0 with the outcome the command really had; the next command that
/// takes the lock writes what is missing, from the lockfile and the history journal, once.
/// </summary>
public sealed class AfterCommitFailureTests : IDisposable
{
    private const string Shim = """
        [shims]
        hello = "bin/hello"

        [provides]
        env = { HELLO_HOME = "{deployment}" }
        """;

    private readonly SourceFixture _f = new();

    public AfterCommitFailureTests()
    {
        var repo = _f.AddFolderSource("local");
        foreach (var v in new[] { "1.0.0", "2.0.0" }) _f.Publish(repo, "hello", v, Shim, ("bin/hello", $"#!/bin/sh\necho hello {v}\n"));
    }

    public void Dispose() => _f.Dispose();

    private string ActivateScript => Path.Combine(_f.LocationPath, "activate", "activate.sh");

    private string[] DerivedTargets => [Path.Combine(_f.LocationPath, "activate"), Path.Combine(_f.LocationPath, "history.jsonl")];

    private static Dictionary<string, string> FailAt(string point) => new() { [CrashPoint.FailVariable] = point };

    private List<(string Action, string Version)> History()
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("history", "dev", "--json"));
        return [.. doc.RootElement.EnumerateArray().Select(e => (e.GetProperty("action").GetString()!, e.GetProperty("version").GetString()!))];
    }

    private JsonElement Deployment(string version) =>
        _f.List().EnumerateArray().Single(d => d.GetProperty("version").GetString() == version);

    /// <summary>Exit 0, and exactly one warning line on stderr, naming what was not written and who writes it.</summary>
    private static void AssertSavedWithOneWarning(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        var warnings = result.Stderr.Split('\n').Where(l => l.StartsWith("warning:", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains("saved", warning, StringComparison.Ordinal);
        Assert.Contains("next packster command", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("error", result.Stderr, StringComparison.Ordinal);
    }

    [FullDiskFact]
    public void Install_on_a_disk_that_fills_after_the_commit_says_installed_and_the_retry_completes_it()
    {
        // § Derived state: the change is saved, so install exits 0 as "installed"; the retry finds it "unchanged" and
        // the history line the full disk refused is written then, once.
        ProcessResult result;
        using (new FullDisk(_f.Temp, DerivedTargets))
        {
            result = _f.Run("install", "hello@1.0.0", "--location", "dev", "--json");
        }

        AssertSavedWithOneWarning(result);
        using (var doc = JsonDocument.Parse(result.Stdout)) Assert.Equal("installed", doc.RootElement.GetProperty("status").GetString());
        Assert.True(Deployment("1.0.0").GetProperty("active").GetBoolean());

        Assert.Equal("unchanged", _f.Install("hello@1.0.0").GetProperty("status").GetString());
        Assert.Equal([("install", "1.0.0")], History());
        Assert.Contains(Deployment("1.0.0").GetProperty("path").GetString()!, File.ReadAllText(ActivateScript), StringComparison.Ordinal);
    }

    [FullDiskFact]
    public void Use_on_a_disk_that_fills_after_the_commit_says_using_and_the_next_command_completes_it()
    {
        _f.Install("hello@1.0.0");
        _f.Install("hello@2.0.0");
        ProcessResult result;
        using (new FullDisk(_f.Temp, DerivedTargets))
        {
            result = _f.Run("use", "hello@1.0.0", "--location", "dev");
        }

        AssertSavedWithOneWarning(result);
        Assert.Contains("using hello 1.0.0", result.Stdout, StringComparison.Ordinal);
        Assert.True(Deployment("1.0.0").GetProperty("active").GetBoolean());

        _f.Packster.Ok("use", "hello@1.0.0", "--location", "dev");
        Assert.Equal([("install", "1.0.0"), ("upgrade", "2.0.0"), ("use", "1.0.0")], History());
        Assert.Contains(Deployment("1.0.0").GetProperty("path").GetString()!, File.ReadAllText(ActivateScript), StringComparison.Ordinal);
    }

    [FullDiskFact]
    public void Gc_on_a_disk_that_fills_after_the_commit_says_removed_and_the_removal_stands()
    {
        _f.Install("hello@1.0.0");
        _f.Install("hello@2.0.0");
        var old = Deployment("1.0.0").GetProperty("path").GetString()!;
        ProcessResult result;
        using (new FullDisk(_f.Temp, DerivedTargets))
        {
            result = _f.Run("gc", "--location", "dev");
        }

        AssertSavedWithOneWarning(result);
        Assert.Contains("removed hello 1.0.0", result.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(old));

        Assert.Contains("nothing to remove", _f.Packster.Ok("gc", "--location", "dev"), StringComparison.Ordinal);
        Assert.Equal([("install", "1.0.0"), ("upgrade", "2.0.0"), ("uninstall", "1.0.0")], History());
        _f.Packster.Ok("verify", "dev");
    }

    [FullDiskFact]
    public void Pin_on_a_full_disk_says_pinned_and_the_next_command_writes_its_history_line()
    {
        _f.Install("hello@1.0.0");
        // A pin leaves the activation scripts as they are (they hold their text already), so what the full disk refuses
        // is the history line: blank lines (which readers skip) fill the history's last 4 KiB page, leaving no room.
        var history = Path.Combine(_f.LocationPath, "history.jsonl");
        File.AppendAllText(history, new string('\n', (int)((4096 - (new FileInfo(history).Length % 4096)) % 4096)));
        var scripts = File.ReadAllText(ActivateScript);
        ProcessResult result;
        using (new FullDisk(_f.Temp, DerivedTargets))
        {
            result = _f.Run("pin", "hello", "--location", "dev");
        }

        AssertSavedWithOneWarning(result);
        Assert.Contains("history line", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("activation scripts", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("pinned hello 1.0.0", result.Stdout, StringComparison.Ordinal);
        Assert.True(_f.Lockfile().GetProperty("deployments")[0].GetProperty("pinned").GetBoolean());
        Assert.Equal(scripts, File.ReadAllText(ActivateScript));

        _f.Packster.Ok("use", "hello@1.0.0", "--location", "dev");
        Assert.Equal([("install", "1.0.0"), ("pin", "1.0.0")], History());
    }

    [FullDiskFact]
    public void Lines_owed_to_the_history_survive_a_second_command_on_a_still_full_disk()
    {
        // § History journal: a line not yet appended is carried by every later commit until it can be written.
        _f.Install("hello@1.0.0");
        _f.Install("hello@2.0.0");
        using (new FullDisk(_f.Temp, DerivedTargets))
        {
            AssertSavedWithOneWarning(_f.Run("use", "hello@1.0.0", "--location", "dev"));
            AssertSavedWithOneWarning(_f.Run("pin", "hello", "--location", "dev"));
        }

        _f.Packster.Ok("unpin", "hello", "--location", "dev");
        Assert.Equal([("install", "1.0.0"), ("upgrade", "2.0.0"), ("use", "1.0.0"), ("pin", "1.0.0"), ("unpin", "1.0.0")], History());
    }

    public static TheoryData<string, string> CommandsAndFailures => new()
    {
        { "install", "activation.write" }, { "install", "history.append" },
        { "use", "activation.write" }, { "use", "history.append" },
        { "gc", "activation.write" }, { "gc", "history.append" },
        { "pin", "activation.write" }, { "pin", "history.append" },
    };

    [Theory]
    [MemberData(nameof(CommandsAndFailures))]
    public void An_injected_write_failure_after_the_commit_is_a_warning_and_the_next_command_repairs(string command, string point)
    {
        // Test hook PACKSTER_FAIL_AT (spec/lockfile.md § Crash consistency): an IOException at a named point, so the
        // same path as a full disk runs on machines where a tmpfs cannot be mounted.
        if (command != "install") _f.Install("hello@1.0.0");
        if (command is "use" or "gc") _f.Install("hello@2.0.0");
        string[] args = command switch
        {
            "install" => ["install", "hello@1.0.0"],
            "use" => ["use", "hello@1.0.0"],
            "gc" => ["gc"],
            _ => ["pin", "hello"],
        };
        var before = History();

        var result = _f.Packster.Run([.. args, "--location", "dev"], FailAt(point));

        AssertSavedWithOneWarning(result);
        Assert.Contains(point == "history.append" ? "history" : "activation scripts", result.Stderr, StringComparison.Ordinal);
        var expected = command switch { "install" => "install", "use" => "use", "gc" => "uninstall", _ => "pin" };
        var afterFailure = History();
        if (point == "history.append") Assert.Equal(before, afterFailure);

        // The next command that commits repairs: an unpin after the pin, else a pin (one that changes nothing commits nothing).
        var next = command == "pin" ? "unpin" : "pin";
        _f.Packster.Ok(next, "hello", "--location", "dev");
        var after = History();
        var active = _f.List().EnumerateArray().Single(d => d.GetProperty("active").GetBoolean());
        Assert.Equal([.. before, (expected, "1.0.0"), (next, active.GetProperty("version").GetString()!)], after);
        Assert.Contains(active.GetProperty("path").GetString()!, File.ReadAllText(ActivateScript), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("commit.lockfile-written")]
    [InlineData("history.appended")]
    public void A_kill_after_the_commit_loses_no_history_line_and_writes_none_twice(string point)
    {
        // § History journal: written before the commit, settled by the next command: the line appears exactly once.
        if (OperatingSystem.IsWindows()) return;
        _f.Install("hello@1.0.0");
        _f.Install("hello@2.0.0");

        var crashed = _f.Packster.Run(["use", "hello@1.0.0", "--location", "dev"], new Dictionary<string, string> { [CrashPoint.Variable] = point });
        Assert.Equal(137, crashed.ExitCode);

        _f.Packster.Ok("pin", "hello", "--location", "dev");
        Assert.Equal([("install", "1.0.0"), ("upgrade", "2.0.0"), ("use", "1.0.0"), ("pin", "1.0.0")], History());
    }

    [Fact]
    public void A_kill_before_the_commit_writes_no_history_line()
    {
        // § History journal: the journal of an operation that never committed is dropped, not appended.
        if (OperatingSystem.IsWindows()) return;
        _f.Install("hello@1.0.0");
        _f.Install("hello@2.0.0");

        var crashed = _f.Packster.Run(["use", "hello@1.0.0", "--location", "dev"], new Dictionary<string, string> { [CrashPoint.Variable] = "commit.journal-written" });
        Assert.Equal(137, crashed.ExitCode);

        _f.Packster.Ok("pin", "hello", "--location", "dev");
        Assert.Equal([("install", "1.0.0"), ("upgrade", "2.0.0"), ("pin", "2.0.0")], History());
        Assert.True(Deployment("2.0.0").GetProperty("active").GetBoolean());
    }

    // spec/lockfile.md § Generations, Writing: "A commit that fails before its lockfile is written (a full disk, a
    // refused write) deletes its pending generation itself and puts `history.pending` back as it was", so the failed
    // command leaves the location as it found it.
    [Theory]
    [InlineData("commit.generation-pending")]
    [InlineData("commit.journal-written")]
    public void A_commit_that_fails_before_its_lockfile_takes_back_its_generation_and_journal(string point)
    {
        _f.Install("hello@1.0.0");
        _f.Install("hello@2.0.0");
        var before = _f.Snapshot();

        var failed = _f.Packster.Run(["pin", "hello", "--location", "dev"], FailAt(point));
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("injected failure", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "generations"), "*.pending.json"));
        Assert.False(File.Exists(Path.Combine(_f.LocationPath, ".packster", "history.pending")));

        _f.Packster.Ok("pin", "hello", "--location", "dev");
        Assert.Equal([("install", "1.0.0"), ("upgrade", "2.0.0"), ("pin", "2.0.0")], History());
    }

    [Fact]
    public void A_generation_marker_a_crash_left_empty_or_stale_makes_the_next_command_regenerate()
    {
        // § Derived state: `.generation` is written last and not flushed; after a crash it may be the old marker or an
        // empty file. Either matches no hash of the lockfile, and the next command that takes the lock regenerates.
        _f.Install("hello@1.0.0");
        _f.Install("hello@2.0.0");
        var marker = Path.Combine(_f.LocationPath, "activate", ".generation");
        var written = File.ReadAllText(marker);
        using (var lockfile = JsonDocument.Parse(File.ReadAllText(Path.Combine(_f.LocationPath, "packster-location.json"))))
        {
            Assert.Equal(lockfile.RootElement.GetProperty("hash").GetString() + "\n", written);
        }
        var script = File.ReadAllText(ActivateScript);
        Assert.Contains(Deployment("2.0.0").GetProperty("path").GetString()!, script, StringComparison.Ordinal);

        foreach (var left in new[] { "", "0000000000000000000000000000000000000000000000000000000000000000\n" })
        {
            File.WriteAllText(marker, left);
            File.WriteAllText(ActivateScript, "# not what the lockfile says\n");
            // A command that changes nothing still takes the lock, finds the marker not the lockfile's, and regenerates.
            Assert.Equal("unchanged", _f.Install("hello@2.0.0").GetProperty("status").GetString());
            Assert.Equal(script, File.ReadAllText(ActivateScript));
            Assert.Equal(written, File.ReadAllText(marker));
        }
    }
}
