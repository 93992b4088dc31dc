using System.Diagnostics;
using System.Text.Json;

namespace Packster.IntegrationTests.Install;

/// <summary>
/// spec/lockfile.md § Generations: "a deployment the generation had active that was removed since is installed again
/// from the download cache or the sources … all in one commit"; one that cannot be brought back fails the whole
/// rollback, nothing changed.
/// </summary>
public sealed class RollbackReinstallTests : IDisposable
{
    private readonly SourceFixture _f = new();
    private readonly string _repo;
    private readonly string _marker;

    public RollbackReinstallTests()
    {
        _repo = _f.AddFolderSource("local");
        _marker = _f.Temp["refuse-install"];
        // The install handler fails while the marker file exists: a reinstall that fails half-way.
        var handler = $"#!/bin/sh\n[ ! -e '{_marker}' ] || {{ echo refused >&2; exit 1; }}\n";
        foreach (var version in new[] { "1.0.0", "2.0.0" })
        {
            _f.Publish(_repo, "tool", version, "[parameters.greeting]\ntype = \"string\"\ndefault = \"hello\"\n[shims]\ntool = \"bin/tool\"\n[handlers]\ninstall = \"install.sh\"",
                ("bin/tool", $"#!/bin/sh\necho tool {version}\n"), ("install.sh", handler));
        }
    }

    public void Dispose() => _f.Dispose();

    private int GenerationCount()
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("generations", "--location", "dev", "--json"));
        return doc.RootElement.GetArrayLength();
    }

    private string RunShim()
    {
        using var p = Process.Start(new ProcessStartInfo(Path.Combine(_f.LocationPath, "shims", "tool")) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    /// <summary>tool 1.0.0 with greeting=hey (generation 2), then 2.0.0 (generation 3), then gc removes 1.0.0 (generation 4).</summary>
    private void InstallUpgradeAndCollect()
    {
        _f.Install("tool@1.0.0", "-p", "greeting=hey");
        _f.Install("tool@2.0.0");
        Assert.Contains("removed tool 1.0.0", _f.Run("gc", "--location", "dev").Stdout, StringComparison.Ordinal);
        Assert.Equal(4, GenerationCount());
    }

    // spec/lockfile.md § Generations: "What is missing is judged again once the location's lock is held … a deployment
    // a gc (or uninstall) removed while the rollback waited for the lock is brought back like any other". The rollback
    // is held (test seam PACKSTER_PAUSE_AT=rollback.before-lock) after it found nothing missing; gc removes tool 1.0.0
    // in that moment; the rollback then reinstalls it instead of refusing with PST5016.
    [Fact]
    public async Task A_deployment_gc_removes_while_the_rollback_waits_is_reinstalled()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Install("tool@1.0.0", "-p", "greeting=hey");
        _f.Install("tool@2.0.0");
        Assert.Equal(3, GenerationCount());
        var signal = _f.Temp["paused"];
        var pause = new Dictionary<string, string> { ["PACKSTER_PAUSE_AT"] = "rollback.before-lock", ["PACKSTER_PAUSE_FILE"] = signal };

        using var rollback = Process.Start(_f.Packster.StartInfo(["rollback", "--location", "dev", "--to", "2"], pause))!;
        rollback.StandardInput.Close();
        var rollbackOut = Task.Run(rollback.StandardOutput.ReadToEnd);
        var rollbackErr = Task.Run(rollback.StandardError.ReadToEnd);
        Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || rollback.HasExited, TimeSpan.FromMinutes(2)));
        if (!File.Exists(signal)) Assert.Fail($"the rollback never reached the pause point: {await rollbackErr}");

        Assert.Contains("removed tool 1.0.0", _f.Run("gc", "--location", "dev").Stdout, StringComparison.Ordinal);
        File.Delete(signal);

        Assert.True(rollback.WaitForExit(TimeSpan.FromMinutes(2)));
        var (stdout, stderr) = (await rollbackOut, await rollbackErr);
        Assert.True(rollback.ExitCode == 0, $"{stdout} {stderr}");
        Assert.Contains("reinstall tool 1.0.0", stdout, StringComparison.Ordinal);
        Assert.Contains("activate tool 1.0.0", stdout, StringComparison.Ordinal);
        Assert.Equal(5, GenerationCount()); // gc's, then the rollback's one commit
        Assert.Equal("tool 1.0.0", RunShim());
        var active = _f.Lockfile().GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("active").GetBoolean());
        Assert.Equal("hey", active.GetProperty("parameters").GetProperty("greeting").GetString());
    }

    [Fact]
    public void A_removed_deployment_is_reinstalled_with_its_parameters_in_the_rollbacks_one_commit()
    {
        if (OperatingSystem.IsWindows()) return;
        InstallUpgradeAndCollect();
        var was = _f.Lockfile().GetProperty("deployments").EnumerateArray().Single();
        Assert.Equal("2.0.0", was.GetProperty("version").GetString());

        var before = _f.Snapshot();
        var dry = _f.Packster.Run("rollback", "--location", "dev", "--to", "2", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("would reinstall tool 1.0.0", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("would activate tool 1.0.0", dry.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        using var done = JsonDocument.Parse(_f.Packster.Ok("rollback", "--location", "dev", "--to", "2", "--json"));
        Assert.Equal(["tool@1.0.0"], done.RootElement.GetProperty("reinstalled").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["tool@1.0.0"], done.RootElement.GetProperty("activated").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(5, GenerationCount()); // one commit: the reinstall and the switch together
        Assert.Equal("tool 1.0.0", RunShim());
        var active = _f.Lockfile().GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("active").GetBoolean());
        Assert.Equal("hey", active.GetProperty("parameters").GetProperty("greeting").GetString());
        Assert.Contains("replays to its lockfile", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reinstall_that_fails_leaves_the_location_as_it_was()
    {
        if (OperatingSystem.IsWindows()) return;
        InstallUpgradeAndCollect();
        File.WriteAllText(_marker, "");
        var before = _f.Snapshot();
        var failed = _f.Packster.Run("rollback", "--location", "dev", "--to", "2");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("refused", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal(before.Where(kv => !kv.Key.StartsWith("logs", StringComparison.Ordinal)), _f.Snapshot().Where(kv => !kv.Key.StartsWith("logs", StringComparison.Ordinal)));
        Assert.Equal(4, GenerationCount());
        Assert.Equal("tool 2.0.0", RunShim());
    }

    // § Generations: "One that cannot be brought back (…, or needing a required secret parameter, which is never
    // recorded and which rollback … cannot be given) fails the whole rollback before anything changes — --dry-run too —
    // with PST5016 (exit 5) naming each and why"; the hint's install, then rollback, works.
    [Fact]
    public void A_removed_deployment_with_a_required_secret_cannot_be_brought_back_and_the_hint_says_what_works()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Publish(_repo, "rsec", "1.0.0", "[parameters.token]\ntype = \"string\"\nsecret = true\nrequired = true\n[shims]\nrsec = \"bin/rsec\"",
            ("bin/rsec", "#!/bin/sh\necho rsec\n"));
        _f.Install("rsec@1.0.0", "-p", "token=abcd");
        _f.Packster.Ok("uninstall", "rsec", "--location", "dev");

        var before = _f.Snapshot();
        foreach (var dryRun in new[] { true, false })
        {
            var refused = _f.Packster.Run(["rollback", "--location", "dev", "--to", "2", .. dryRun ? new[] { "--dry-run" } : []]);
            Assert.Equal(5, refused.ExitCode);
            Assert.StartsWith("error[PST5016]: generation 2 of location dev needs deployments removed since that cannot be brought back: rsec 1.0.0 (", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("parameter 'token' is required and has no default; it is secret, and packster keeps no copy of a secret", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("hint: install them again with the parameters they had (secret ones too), e.g. 'packster install rsec@1.0.0 --inactive -p <parameter>=…'", refused.Stderr, StringComparison.Ordinal);
            // rollback has no -p: the hint must not offer one to it.
            Assert.DoesNotContain("--parameters '{", refused.Stderr, StringComparison.Ordinal);
            Assert.Equal(before, _f.Snapshot());
        }

        _f.Install("rsec@1.0.0", "--inactive", "-p", "token=abcd");
        using var done = JsonDocument.Parse(_f.Packster.Ok("rollback", "--location", "dev", "--to", "2", "--json"));
        Assert.Equal(["rsec@1.0.0"], done.RootElement.GetProperty("activated").EnumerateArray().Select(e => e.GetString()));
    }
}
