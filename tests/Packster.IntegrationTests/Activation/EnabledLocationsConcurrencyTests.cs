using System.Diagnostics;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Activation;

/// <summary>
/// spec/resources.md §4 across processes: two enabled locations may not share a shim, whatever runs at the same time,
/// and a write of the enabled set in flight (AtomicFile's temp file) is never taken for a record.
/// </summary>
public sealed class EnabledLocationsConcurrencyTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public EnabledLocationsConcurrencyTests()
    {
        _f.Packster.Ok("location", "create", _f.Temp["loc2"], "--id", "ops");
        Directory.CreateDirectory(_f.Temp["home"]);
        File.WriteAllText(Path.Combine(_f.Temp["home"], ".bashrc"), "# mine\n");
    }

    public void Dispose() => _f.Dispose();

    private Dictionary<string, string> WithHome => new() { ["HOME"] = _f.Temp["home"] };

    private string EnabledFolder => _f.Temp["data/enabled"];

    // §4: "Enabling checks the location against the enabled ones and records it under the enabled set's lock: of two
    // conflicting locations enabled at once exactly one is enabled, the other is refused (PST6000)".
    [Fact]
    public async Task Of_two_conflicting_locations_enabled_at_once_exactly_one_is_enabled()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("hello");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "port=9301");
        _f.Packster.Ok("install-file", package, "--location", "ops", "-p", "port=9302");
        for (var round = 0; round < 3; round++)
        {
            var results = await _f.Packster.RunTogether([["location", "enable", "dev", "--user"], ["location", "enable", "ops", "--user"]], WithHome);
            var enabled = Assert.Single(results, r => r.ExitCode == 0);
            var refused = Assert.Single(results, r => r.ExitCode != 0);
            Assert.True(refused.ExitCode == 6 && refused.Stderr.Contains("PST6000", StringComparison.Ordinal), refused.ToString());
            Assert.Single(Directory.GetFiles(EnabledFolder));
            foreach (var id in new[] { "dev", "ops" }) Run("location", "disable", id);
        }
    }

    // §4: "A commit into a location that is not enabled takes no lock but its own: … commits into locations nobody
    // enabled never wait for one another here." The enabled set's lock is held by this test (an advisory lock, as
    // packster takes it) while an install goes into a location that is not enabled, with no time to wait for a lock.
    [Fact]
    public void A_commit_into_a_location_nobody_enabled_does_not_wait_for_the_enabled_set()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("hello");
        Directory.CreateDirectory(_f.Temp["data/locks"]);
        using (new FileStream(Path.Combine(_f.Temp["data/locks"], "enabled.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var r = _f.Packster.Run(["install-file", package, "--location", "ops", "-p", "port=9341"], new Dictionary<string, string> { ["PACKSTER_LOCK_TIMEOUT"] = "0" });
            Assert.True(r.ExitCode == 0, r.ToString());
        }
        Assert.Contains("\"hello\"", _f.Packster.Ok("list", "--location", "ops", "--json"), StringComparison.Ordinal);
    }

    // §4: "a commit into an enabled location judges the claims it gains against the other enabled locations under that
    // lock". The install into ops is paused (test seam PACKSTER_PAUSE_AT=install.layout-read) after its own check found
    // ops not enabled; ops is enabled in that moment (it holds nothing yet, so that is allowed). The install's commit must
    // then refuse the shim dev's hello already has, or two enabled locations would own it.
    [Fact]
    public async Task An_install_into_a_location_enabled_meanwhile_is_judged_at_its_commit()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("hello");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "port=9311");
        Run("location", "enable", "dev", "--user");
        var signal = _f.Temp["paused"];
        // Without the extracted-file store, which would give it dev's files without reading the package (and so no pause).
        var pause = new Dictionary<string, string>(WithHome)
        {
            ["PACKSTER_PAUSE_AT"] = "install.layout-read",
            ["PACKSTER_PAUSE_FILE"] = signal,
            ["PACKSTER_NO_STORE"] = "1",
        };

        using var install = Start(["install-file", package, "--location", "ops", "-p", "port=9312"], pause);
        var installOut = install.StandardOutput.ReadToEndAsync();
        var installErr = install.StandardError.ReadToEndAsync();
        Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || install.HasExited, TimeSpan.FromMinutes(2)));
        if (!File.Exists(signal)) Assert.Fail($"the install never reached the pause point: {await installErr}");

        using var enable = Start(["location", "enable", "ops", "--user"], WithHome);
        var enableOut = enable.StandardOutput.ReadToEndAsync();
        // Either the enable finishes or it says it waits for the install's lock: both are the moment to resume.
        var waitingLine = enable.StandardError.ReadLineAsync();
        await Task.WhenAny(enable.WaitForExitAsync(), waitingLine).WaitAsync(TimeSpan.FromMinutes(2));
        File.Delete(signal);
        await Task.WhenAll(install.WaitForExitAsync(), enable.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(2));
        var enableErr = await waitingLine + await enable.StandardError.ReadToEndAsync();

        var results = new[] { new ProcessResult(install.ExitCode, await installOut, await installErr), new ProcessResult(enable.ExitCode, await enableOut, enableErr) };
        var refused = Assert.Single(results, r => r.ExitCode != 0);
        Assert.True(refused.ExitCode == 6 && refused.Stderr.Contains("PST6000", StringComparison.Ordinal), refused.ToString());
        var opsEnabled = File.Exists(Path.Combine(EnabledFolder, "ops"));
        var opsHasHello = _f.Packster.Ok("list", "--location", "ops", "--json").Contains("\"hello\"", StringComparison.Ordinal);
        Assert.False(opsEnabled && opsHasHello, $"ops enabled with hello active: {string.Join("\n", results.AsEnumerable())}");
    }

    // §4: "Only a file named by a location id is a record: `<id>.<random>.tmp`, another process's write in flight, is not
    // read" — here one held open (and locked) by its writer, naming a location that is not enabled.
    [Fact]
    public void A_write_of_the_enabled_set_in_flight_is_not_taken_for_a_record()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("hello");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "port=9331");
        _f.Packster.Ok("install-file", package, "--location", "ops", "-p", "port=9332");
        Run("location", "enable", "dev", "--user");
        Run("location", "disable", "dev");
        var temp = Path.Combine(EnabledFolder, "ops.0123456789abcdef0123456789abcdef.tmp");
        using (var writing = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            writing.Write(System.Text.Encoding.UTF8.GetBytes(_f.Temp["loc2"] + "\n"));
            writing.Flush();

            Run("location", "enable", "dev", "--user");
            _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "port=9333");
        }
        Assert.Equal(["dev"], Directory.GetFiles(EnabledFolder).Select(Path.GetFileName).Where(n => !n!.EndsWith(".tmp", StringComparison.Ordinal)));
    }

    private void Run(params string[] args)
    {
        var r = _f.Packster.Run(args, WithHome);
        Assert.True(r.ExitCode == 0, $"packster {string.Join(' ', args)}: {r}");
    }

    private Process Start(string[] args, IReadOnlyDictionary<string, string> env)
    {
        var process = Process.Start(_f.Packster.StartInfo(args, env))!;
        process.StandardInput.Close();
        return process;
    }
}
