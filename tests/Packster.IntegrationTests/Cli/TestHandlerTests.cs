using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/handlers.md § When (test) and § packster test, through the real executable: a package's test handler runs after
/// its install handler, in staging, before the deployment is published; a failing test leaves the location as it was;
/// <c>packster test</c> runs it again in the deployment and fails with PST7012 once the deployment is broken.
/// </summary>
public sealed class TestHandlerTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Runs => _f.Temp["runs.txt"];

    /// <summary>
    /// A package whose handlers append "action|$1|working directory" to the file the <c>runs</c> parameter names; its
    /// test passes while <c>bin/tool</c> exists (or always fails with <paramref name="failTest"/>).
    /// </summary>
    private string Package(string id, string version = "1.0.0", bool failTest = false, bool withTest = true)
    {
        var dir = _f.Temp[$"{id}-{version}-src"];
        Directory.CreateDirectory(Path.Combine(dir, "scripts"));
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "bin", "tool"), "#!/bin/sh\necho tool\n");
        const string record = "printf '%s|%s|%s\\n' \"$PACKSTER_ACTION\" \"$1\" \"$PWD\" >> \"$PACKSTER_PARAM_RUNS\"\n";
        File.WriteAllText(Path.Combine(dir, "scripts", "any.sh"), "#!/bin/sh\n" + record);
        File.WriteAllText(Path.Combine(dir, "scripts", "install.sh"), "#!/bin/sh\n" + record);
        File.WriteAllText(Path.Combine(dir, "scripts", "test.sh"), "#!/bin/sh\n" + record
            + (failTest ? "echo 'tool does not answer' >&2\nexit 1\n" : "test -f bin/tool || { echo 'bin/tool is missing' >&2; exit 4; }\n"));
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"""
            id = "{id}"
            version = "{version}"

            [parameters.runs]
            type = "string"
            default = "{Runs}"

            [handlers]
            any = "scripts/any.sh"
            install = "scripts/install.sh"
            {(withTest ? "test = \"scripts/test.sh\"" : "")}
            """);
        return _f.Pack(dir);
    }

    private string[] RunLines() => File.Exists(Runs) ? File.ReadAllLines(Runs) : [];

    private Dictionary<string, string> LocationWithoutLogs() =>
        _f.Snapshot().Where(kv => !kv.Key.StartsWith("logs", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void A_failing_test_handler_fails_the_install_and_leaves_the_location_unchanged()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(_f.PackSample("hello"));
        var package = Package("tool", failTest: true);
        File.Delete(Runs); // `any` ran at pack
        var before = LocationWithoutLogs();

        var r = _f.Packster.Run("install-file", package, "--location", "dev");
        Assert.Equal(7, r.ExitCode);
        Assert.Contains("error[PST7012]: test handler scripts/test.sh of tool 1.0.0 exited with code 1", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("[tool test] tool does not answer", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, LocationWithoutLogs());
        Assert.DoesNotContain(_f.List().EnumerateArray(), d => d.GetProperty("id").GetString() == "tool");
        // The install handler ran, then `any` with "test", then the test — all in staging — and nothing was published.
        Assert.Equal(["install|install|", "install||", "test|test|", "test||"], RunLines().Select(l => l[..(l.LastIndexOf('|') + 1)]));
        Assert.All(RunLines(), l => Assert.Contains(Path.Combine(".packster", "staging"), l, StringComparison.Ordinal));
        Assert.True(File.Exists(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "logs"), "tool-1.0.0-*-test.log").Single()));
    }

    // spec/lockfile.md § Transactions: a test failing in the second package of a bundle undoes the first one too.
    [Fact]
    public void A_failing_test_inside_a_bundle_undoes_the_whole_transaction()
    {
        if (OperatingSystem.IsWindows()) return;
        Package("alpha");
        Package("beta", failTest: true);
        _f.Packster.Ok("source", "add", "shelf", "--type", "folder", "--url", _f.Dist);
        File.WriteAllText(_f.Temp["bundle.toml"], "[packages]\nalpha = \"^1\"\nbeta = \"^1\"\n");
        var before = LocationWithoutLogs();

        var r = _f.Packster.Run("bundle", "install", _f.Temp["bundle.toml"], "--location", "dev");
        Assert.Equal(7, r.ExitCode);
        Assert.Contains("PST7012", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, LocationWithoutLogs());
    }

    [Fact]
    public void A_passing_test_installs_and_packster_test_runs_it_again_until_the_deployment_breaks()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = Package("tool");
        File.Delete(Runs); // `any` ran at pack
        var installed = _f.InstallJson(package);
        var path = installed.GetProperty("path").GetString()!;
        Assert.True(File.Exists(Path.Combine(path, "bin", "tool")));
        Assert.Equal(4, RunLines().Length);
        File.Delete(Runs);

        using (var passed = JsonDocument.Parse(_f.Packster.Ok("test", "tool", "--location", "dev", "--json")))
        {
            Assert.Equal("passed", passed.RootElement.GetProperty("status").GetString());
            Assert.Equal(installed.GetProperty("deployment").GetString(), passed.RootElement.GetProperty("deployment").GetString());
        }
        // It ran again, as `test`, in the deployment directory itself, after `any test`.
        Assert.Equal([$"test|test|{path}", $"test||{path}"], RunLines());
        Assert.Contains("tool 1.0.0", _f.Packster.Ok("test", "tool@1.0.0", "--location", "dev"), StringComparison.Ordinal);

        File.Delete(Path.Combine(path, "bin", "tool"));
        var before = LocationWithoutLogs();
        var r = _f.Packster.Run("test", "tool", "--location", "dev");
        Assert.Equal(7, r.ExitCode);
        Assert.Contains("error[PST7012]: test handler scripts/test.sh of tool 1.0.0 exited with code 4", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("[tool test] bin/tool is missing", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, LocationWithoutLogs());
    }

    [Fact]
    public void Packster_test_honours_the_handler_timeout()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = _f.InstallJson(Package("tool")).GetProperty("path").GetString()!;
        File.AppendAllText(Path.Combine(path, "scripts", "test.sh"), "sleep 30\n");
        var r = _f.Packster.Run("test", "tool", "--location", "dev", "--handler-timeout", "1s");
        Assert.Equal(7, r.ExitCode);
        Assert.Contains("PST7001", r.Stderr, StringComparison.Ordinal);
    }

    // spec/handlers.md § packster test: no test handler is not a failure; it says so (and JSON says "no-test").
    [Fact]
    public void Packster_test_on_a_package_without_a_test_handler_says_so_and_passes()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(Package("tool", withTest: false));
        File.Delete(Runs);
        var r = _f.Packster.Run("test", "tool", "--location", "dev");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("tool 1.0.0 declares no test handler", r.Stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(_f.Packster.Ok("test", "tool", "--location", "dev", "--json"));
        Assert.Equal("no-test", json.RootElement.GetProperty("status").GetString());
        // Its `any` handler is not called with an action it never declared.
        Assert.Empty(RunLines());
        Assert.Equal(5, _f.Packster.Run("test", "nothing", "--location", "dev").ExitCode);
    }

    [Fact]
    public void The_dry_run_lists_the_test_handler_in_its_plan()
    {
        if (OperatingSystem.IsWindows()) return;
        using var plan = JsonDocument.Parse(_f.Packster.Ok("install-file", Package("tool"), "--location", "dev", "--dry-run", "--json"));
        Assert.Equal(
            ["any handler scripts/any.sh (install)", "install handler scripts/install.sh", "any handler scripts/any.sh (test)", "test handler scripts/test.sh"],
            plan.RootElement.GetProperty("plan").GetProperty("handlers").EnumerateArray().Select(h => h.GetString()));
        Assert.Contains("test handler scripts/test.sh", _f.Packster.Ok("install-file", Package("tool"), "--location", "dev", "--dry-run"), StringComparison.Ordinal);
    }
}
