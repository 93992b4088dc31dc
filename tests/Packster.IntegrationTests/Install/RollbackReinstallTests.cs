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
}
