using System.Text.Json;
using Packster.IntegrationTests.Install;

namespace Packster.IntegrationTests.Upgrade;

/// <summary><c>packster gc</c> through the real executable (spec/lockfile.md § Garbage collection).</summary>
public sealed class GcTests : IDisposable
{
    private readonly SourceFixture _f = new();

    public void Dispose() => _f.Dispose();

    private JsonElement Gc(params string[] args)
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok(["gc", .. args, "--location", "dev", "--json"]));
        return doc.RootElement.Clone();
    }

    private List<string> Versions(string id) =>
        [.. _f.List().EnumerateArray().Where(d => d.GetProperty("id").GetString() == id).Select(d => d.GetProperty("version").GetString()!).Order()];

    [Fact]
    public void Gc_removes_only_inactive_unpinned_deployments_outside_the_bundle()
    {
        // § Garbage collection: active, pinned and bundle-referenced deployments stay; every other one goes.
        var repo = _f.AddFolderSource("local");
        foreach (var v in new[] { "1.0.0", "1.1.0", "1.2.0", "2.0.0" }) _f.Publish(repo, "hello", v);
        _f.Publish(repo, "tool", "1.0.0");
        _f.Publish(repo, "tool", "2.0.0");
        var bundle = _f.Temp.Write(Path.Combine("bundles", "b.toml"), "[packages]\ntool = \"1.0.0\"\n");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "dev");
        _f.Install("tool@2.0.0");                              // tool 1.0.0: inactive, but the bundle's resolution
        foreach (var v in new[] { "1.0.0", "1.1.0", "1.2.0", "2.0.0" }) _f.Install($"hello@{v}");
        _f.Packster.Ok("pin", "hello@1.1.0", "--location", "dev");   // pinned while inactive

        var plan = Gc("--dry-run");
        Assert.Equal(["1.0.0", "1.2.0"], plan.GetProperty("removed").EnumerateArray().Select(d => d.GetProperty("version").GetString()).Order());
        Assert.Equal(["1.0.0", "1.1.0", "1.2.0", "2.0.0"], Versions("hello"));

        var done = Gc();

        Assert.Equal(["1.0.0", "1.2.0"], done.GetProperty("removed").EnumerateArray().Select(d => d.GetProperty("version").GetString()).Order());
        Assert.All(done.GetProperty("removed").EnumerateArray(), d => Assert.False(Directory.Exists(d.GetProperty("path").GetString())));
        Assert.Equal(["1.1.0", "2.0.0"], Versions("hello"));
        Assert.Equal(["1.0.0", "2.0.0"], Versions("tool"));
        Assert.Contains("nothing to remove", _f.Packster.Ok("gc", "--location", "dev"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_uninstall_handler_keeps_that_deployment_with_a_warning_and_gc_goes_on()
    {
        // § Garbage collection: removal goes through uninstall, handlers run; a failing one skips that deployment.
        var repo = _f.AddFolderSource("local");
        const string Failing = """
            [handlers]
            uninstall = "scripts/uninstall.sh"
            """;
        _f.Publish(repo, "stuck", "1.0.0", Failing, ("scripts/uninstall.sh", "#!/bin/sh\necho refusing >&2\nexit 3\n"));
        _f.Publish(repo, "stuck", "2.0.0");
        _f.Publish(repo, "fine", "1.0.0", """
            [handlers]
            uninstall = "scripts/uninstall.sh"
            """, ("scripts/uninstall.sh", "#!/bin/sh\ntouch \"$PACKSTER_LOCATION_PATH/../fine-uninstalled\"\n"));
        _f.Publish(repo, "fine", "2.0.0");
        _f.Install("stuck@1.0.0");
        _f.Install("stuck@2.0.0");
        _f.Install("fine@1.0.0");
        _f.Install("fine@2.0.0");

        var r = _f.Run("gc", "--location", "dev");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("warning: kept stuck 1.0.0", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("removed fine 1.0.0", r.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_f.LocationPath, "..", "fine-uninstalled")));
        Assert.Equal(["1.0.0", "2.0.0"], Versions("stuck"));
        Assert.Equal(["2.0.0"], Versions("fine"));
    }
}
