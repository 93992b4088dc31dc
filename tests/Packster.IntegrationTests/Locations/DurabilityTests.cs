using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Locations;

/// <summary>
/// spec/lockfile.md § Durability and § Recovery: "when the previous holder of the lock did not release it (its
/// lock.holder is still there: killed, crashed, power cut), recovery also checks that every file recorded in each
/// packster-deployment.json has its recorded size; a deployment that fails is dropped with a warning". A power cut's
/// zero-length file is simulated by truncating one; the interrupted holder is a real process killed mid-install.
/// </summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void After_an_interrupted_writer_a_recorded_file_that_lost_its_data_drops_the_deployment()
    {
        if (OperatingSystem.IsWindows()) return;
        var hello = _f.PackSample("hello");
        // Its own files, not the store's: a lost inode shared through the store would damage both deployments.
        var damaged = Deployment(_f.Packster.Run(["install-file", hello, "-p", "port=9001", "--inactive", "--location", "dev", "--json"],
            new Dictionary<string, string> { ["PACKSTER_NO_STORE"] = "1" }));
        var intact = _f.InstallJson(hello).GetProperty("deployment").GetString()!;
        File.WriteAllBytes(Path.Combine(_f.LocationPath, "deployments", damaged, "bin", "hello"), []);

        var crashed = _f.Packster.Run(["install-file", hello, "-p", "port=9002", "--location", "dev"], new Dictionary<string, string> { ["PACKSTER_CRASH_AT"] = "install.extracted" });
        Assert.Equal(137, crashed.ExitCode);
        Assert.True(File.Exists(Path.Combine(_f.LocationPath, ".packster", "lock.holder")));

        var next = _f.Packster.Run("pin", intact, "--location", "dev");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Contains($"warning: deployment hello@1.0.0 ({damaged}) was dropped from packster-location.json: its file bin/hello has 0 bytes", next.Stderr, StringComparison.Ordinal);
        var left = Assert.Single(_f.List().EnumerateArray());
        Assert.Equal(intact, left.GetProperty("deployment").GetString());
        Assert.False(Directory.Exists(Path.Combine(_f.LocationPath, "deployments", damaged)));
        _f.Packster.Ok("verify", "dev");
    }

    [Fact]
    public void After_a_clean_writer_recovery_does_not_read_the_records()
    {
        if (OperatingSystem.IsWindows()) return;
        var hello = _f.PackSample("hello");
        var damaged = _f.InstallJson(hello, "-p", "port=9001", "--inactive").GetProperty("deployment").GetString()!;
        var intact = _f.InstallJson(hello).GetProperty("deployment").GetString()!;
        File.WriteAllBytes(Path.Combine(_f.LocationPath, "deployments", damaged, "bin", "hello"), []);

        // No holder died: the cheap check only (a damaged file is verify's to find, not every command's).
        var next = _f.Packster.Run("pin", intact, "--location", "dev");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.DoesNotContain("dropped", next.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, _f.List().GetArrayLength());
        Assert.Equal(5, _f.Packster.Run("verify", "dev").ExitCode);
    }

    /// <summary>
    /// spec/lockfile.md § Recovery, step 2: "When the previous holder of the lock did not release it, also the other temp
    /// files of § Atomic write it may have left inside the location: generations/*.&lt;32 hex&gt;.tmp …,
    /// activate/*.&lt;32 hex&gt;.tmp … and .packster/history.pending.&lt;32 hex&gt;.tmp … — names of exactly that shape,
    /// nothing else there." A real kill leaves the generation record's temp file (the first atomic write of a pin).
    /// </summary>
    [Fact]
    public void After_an_interrupted_writer_its_abandoned_temp_files_are_removed_and_nothing_else()
    {
        if (OperatingSystem.IsWindows()) return;
        var hello = _f.PackSample("hello");
        var deployment = _f.InstallJson(hello).GetProperty("deployment").GetString()!;
        var generations = Path.Combine(_f.LocationPath, "generations");

        var crashed = _f.Packster.Run(["pin", deployment, "--location", "dev"], new Dictionary<string, string> { ["PACKSTER_CRASH_AT"] = "atomic-write.before-rename" });
        Assert.Equal(137, crashed.ExitCode);
        var left = Assert.Single(Directory.GetFiles(generations, "*.tmp"));
        var planted = new[]
        {
            Path.Combine(_f.LocationPath, "activate", "env.sh.0123456789abcdef0123456789abcdef.tmp"),
            Path.Combine(_f.LocationPath, ".packster", "history.pending.0123456789abcdef0123456789abcdef.tmp"),
        };
        foreach (var file in planted) File.WriteAllText(file, "torn");
        // Not of the shape packster names its temp files: someone else's, left alone.
        var foreign = new[]
        {
            Path.Combine(generations, "notes.tmp"),
            Path.Combine(_f.LocationPath, "activate", "env.sh.0123456789ABCDEF0123456789ABCDEF.tmp"),
            Path.Combine(_f.LocationPath, ".packster", "other.0123456789abcdef0123456789abcdef.tmp"),
        };
        foreach (var file in foreign) File.WriteAllText(file, "mine");

        var next = _f.Packster.Run("pin", deployment, "--location", "dev");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.False(File.Exists(left), left);
        foreach (var file in planted) Assert.False(File.Exists(file), file);
        foreach (var file in foreign) Assert.True(File.Exists(file), file);
        _f.Packster.Ok("verify", "dev");
    }

    [Fact]
    public void After_a_clean_writer_temp_files_are_not_looked_for()
    {
        if (OperatingSystem.IsWindows()) return;
        var hello = _f.PackSample("hello");
        var deployment = _f.InstallJson(hello).GetProperty("deployment").GetString()!;
        var planted = Path.Combine(_f.LocationPath, "generations", "9.pending.json.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(planted, "torn");

        var next = _f.Packster.Run("pin", deployment, "--location", "dev");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.True(File.Exists(planted));
    }

    private static string Deployment(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(result.Stdout);
        return doc.RootElement.GetProperty("deployment").GetString()!;
    }
}
