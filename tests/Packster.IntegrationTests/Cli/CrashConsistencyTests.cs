using System.Diagnostics;
using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/lockfile.md § Crash consistency: a real <c>packster</c> killed with SIGKILL at any moment of an install or
/// uninstall leaves a location that the next ordinary command finds consistent — leftovers removed, the lockfile
/// parses, every recorded deployment complete and every deployment directory recorded.
/// </summary>
public sealed class CrashConsistencyTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    public static TheoryData<string> InstallPoints => new()
    {
        "install.extracted", "install.recorded", "install.handlers-done", "install.published",
        "atomic-write.before-rename", "commit.lockfile-written", "install.committed",
    };

    public static TheoryData<string> UninstallPoints => new()
    {
        "uninstall.trashed", "atomic-write.before-rename", "commit.lockfile-written", "uninstall.committed",
    };

    [Theory]
    [MemberData(nameof(InstallPoints))]
    public void Install_killed_at_a_crash_point_leaves_a_consistent_location(string point)
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("greeter-service");
        var crashed = _f.Packster.Run(["install-file", package, "--location", "dev", "-p", "port=9191"], Crash(point));
        Assert.Equal(137, crashed.ExitCode);

        // The next ordinary command repairs and completes the work.
        var again = _f.InstallJson(package, "-p", "port=9191");
        Assert.Contains(again.GetProperty("status").GetString(), new[] { "installed", "unchanged" });
        AssertConsistent(expectedDeployments: 1);
    }

    // § Extracted-file store "Crash safety": hello has no handlers, so its files go through the store. A single
    // install fills it while the staged tree is synced, before the commit: a kill there leaves objects no index
    // lists (and, once they are all linked, the index in tmp/), and the install is rolled back by the next command.
    [Theory]
    [InlineData("store.object-linked", false)]
    [InlineData("install.published", true)]
    public void Install_killed_while_filling_the_store_before_its_commit_is_rolled_back_and_gc_deletes_what_it_stored(string point, bool indexInTemp)
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("hello");
        var crashed = _f.Packster.Run(["install-file", package, "--location", "dev", "-p", "port=9192"], Crash(point));
        Assert.Equal(137, crashed.ExitCode);
        var store = Path.Combine(_f.LocationPath, ".packster", "store");
        var left = Directory.GetFiles(Path.Combine(store, "objects"), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(left);
        Assert.Equal(indexInTemp, Directory.EnumerateFileSystemEntries(Path.Combine(store, "tmp")).Any());
        Assert.False(Directory.Exists(Path.Combine(store, "packages")) && Directory.EnumerateFileSystemEntries(Path.Combine(store, "packages")).Any());

        // Recovery removes the unrecorded deployment and leaves the store to gc, which deletes the objects no deployment holds.
        _f.Packster.Ok("location", "repair", "dev");
        Assert.Equal(left.Length, Directory.GetFiles(Path.Combine(store, "objects"), "*", SearchOption.AllDirectories).Length);
        using (var gc = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--json")))
        {
            Assert.Equal(left.Length, gc.RootElement.GetProperty("storeObjectsRemoved").GetInt32());
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(store, "objects"), "*", SearchOption.AllDirectories));
        AssertConsistent(expectedDeployments: 0);

        Assert.Equal("installed", _f.InstallJson(package, "-p", "port=9192").GetProperty("status").GetString());
        AssertConsistent(expectedDeployments: 1);
        _f.Packster.Ok("verify", "dev");
    }

    // The same kill, the next command an install: it rolls the killed one back and installs afresh, proving each object
    // left (SHA-256) before linking to it.
    [Fact]
    public void Install_killed_while_filling_the_store_is_installed_afresh_by_the_next_install()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("hello");
        Assert.Equal(137, _f.Packster.Run(["install-file", package, "--location", "dev", "-p", "port=9192"], Crash("store.object-linked")).ExitCode);

        Assert.Equal("installed", _f.InstallJson(package, "-p", "port=9192").GetProperty("status").GetString());
        AssertConsistent(expectedDeployments: 1);
        _f.InstallJson(package, "-p", "port=9193", "--inactive");
        _f.Packster.Ok("verify", "dev");
    }

    // After the commit only the index is left to write: a kill there leaves the deployment standing and a temporary
    // that recovery deletes.
    [Fact]
    public void Install_killed_while_writing_the_store_index_stands_and_leaves_a_consistent_store()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("hello");
        var crashed = _f.Packster.Run(["install-file", package, "--location", "dev", "-p", "port=9192"], Crash("store.index-in-tmp"));
        Assert.Equal(137, crashed.ExitCode);
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(Path.Combine(_f.LocationPath, ".packster", "store", "tmp")));

        Assert.Equal("unchanged", _f.InstallJson(package, "-p", "port=9192").GetProperty("status").GetString());
        AssertConsistent(expectedDeployments: 1);
        // What the killed install did not index is extracted again by the next deployment, which verifies.
        _f.InstallJson(package, "-p", "port=9193", "--inactive");
        _f.Packster.Ok("verify", "dev");
    }

    [Theory]
    [MemberData(nameof(UninstallPoints))]
    public void Uninstall_killed_at_a_crash_point_leaves_a_consistent_location(string point)
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(_f.PackSample("hello"));
        var crashed = _f.Packster.Run(["uninstall", "hello", "--location", "dev"], Crash(point));
        Assert.Equal(137, crashed.ExitCode);

        var after = _f.Packster.Run("uninstall", "hello", "--location", "dev");
        // Either the crash came after the commit (nothing left to remove) or the retry removed it.
        Assert.True(after.ExitCode is 0 or 5, after.ToString());
        _f.Packster.Ok("location", "show", "dev");
        AssertConsistent(expectedDeployments: 0);
    }

    [Fact]
    public void Installs_killed_at_arbitrary_moments_leave_a_consistent_location()
    {
        if (OperatingSystem.IsWindows()) return;
        var source = _f.Temp["big"];
        InstallFileTests.CopyDirectory(RepoFiles.Sample("hello"), source);
        var random = new Random(1234);
        for (var i = 0; i < 400; i++)
        {
            var data = new byte[random.Next(1_000, 60_000)];
            random.NextBytes(data);
            File.WriteAllBytes(Path.Combine(source, "data", $"{i % 7}", $"f{i}.bin").Also(p => Directory.CreateDirectory(Path.GetDirectoryName(p)!)), data);
        }
        var package = _f.Pack(source);

        // Kill points spread over startup, extraction and commit; whatever moment each lands on is a valid test.
        foreach (var delayMs in new[] { 0, 40, 80, 120, 160, 200, 260, 320, 400, 500, 650, 800 })
        {
            using var process = Process.Start(_f.Packster.StartInfo(["install-file", package, "--location", "dev", "-p", $"port={9000 + delayMs}"]))!;
            process.StandardInput.Close();
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            process.WaitForExit(delayMs);
            if (!process.HasExited) process.Kill();
            process.WaitForExit();

            _f.Packster.Ok("install-file", package, "--location", "dev", "-p", $"port={9000 + delayMs}");
        }
        AssertConsistent(expectedDeployments: 12);
    }

    private static Dictionary<string, string> Crash(string point) => new() { [CrashPoint.Variable] = point };

    private void AssertConsistent(int expectedDeployments)
    {
        var loc = _f.LocationPath;
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(loc, ".packster", "staging")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(loc, ".packster", "trash")));
        Assert.Empty(Directory.EnumerateFiles(loc, "*.tmp"));
        var storeTemp = Path.Combine(loc, ".packster", "store", "tmp");
        Assert.True(!Directory.Exists(storeTemp) || !Directory.EnumerateFileSystemEntries(storeTemp).Any(), "the store's tmp/ holds leftovers");

        using var lockfile = JsonDocument.Parse(File.ReadAllBytes(_f.LockfilePath));
        var list = _f.List();
        Assert.Equal(expectedDeployments, list.GetArrayLength());
        var recorded = list.EnumerateArray().Select(d => d.GetProperty("deployment").GetString()!).Order().ToList();
        var onDisk = Directory.GetDirectories(Path.Combine(loc, "deployments")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(recorded, onDisk!);
        _f.Packster.Ok("verify", "dev");
        if (expectedDeployments > 0)
        {
            var shims = list.EnumerateArray().Where(d => d.GetProperty("active").GetBoolean())
                .SelectMany(d => d.GetProperty("shims").EnumerateArray().Select(s => s.GetString()!)).ToList();
            Assert.NotEmpty(shims);
            Assert.All(shims, s => Assert.True(File.Exists(Path.Combine(loc, "shims", s)), $"shim {s} missing"));
        }
        else
        {
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(loc, "shims")));
        }
    }
}

internal static class FluentExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
