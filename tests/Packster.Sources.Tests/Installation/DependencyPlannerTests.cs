using System.Text.Json.Nodes;
using Packster.Deny;
using Packster.Locations;
using Packster.Model;
using Packster.Sources.Cache;
using Packster.Sources.Installation;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Installation;

/// <summary>
/// spec/sources.md § install by id step 2 with spec/resolver.md: the plan is the resolver's choice in install order,
/// deployed versions reused, cycles refused as before, a denied root refused before its dependencies are installed.
/// </summary>
public sealed class DependencyPlannerTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-plan");

    public void Dispose() => _temp.Dispose();

    private string Publish(string id, string version, params string[] dependencies) =>
        TestPackages.Create(_temp["repo"], id, version, $"{id} {version}",
            dependencies.Length == 0 ? "" : "[dependencies]\n" + string.Concat(dependencies.Select(d => $"{d.Split(' ')[0]} = \"{d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..]}\"\n")));

    private PackageSupply Supply() => new([new FolderSource("local", _temp["repo"])], new PackageCache(_temp["cache"]));

    private async Task<InstallPlan> PlanAsync(string id, string version, LocationState? state = null, DenyList? deny = null)
    {
        var supply = Supply();
        var root = await supply.VersionAsync(PackageId.Parse(id), PackageVersion.Parse(version));
        return await DependencyPlanner.PlanAsync(root, state ?? new LocationState(LocationId.Parse("dev")), supply, deny: deny);
    }

    private static string[] Order(InstallPlan plan) =>
        [.. plan.Dependencies.Select(s => s.Existing is { } e ? $"{e.Id} {e.Version} (deployed)" : $"{s.Package!.File.Manifest.Id} {s.Package.File.Manifest.Version}")];

    [Fact]
    public async Task The_plan_installs_the_resolved_versions_dependencies_first()
    {
        // Greedy depth first took foo 1.1.0 (the highest) and then failed on bar; the resolver backtracks to foo 1.0.0.
        Publish("foo", "1.0.0", "bar ^1.0");
        Publish("foo", "1.1.0", "bar ^2.0");
        Publish("bar", "1.0.0");
        Publish("bar", "2.0.0");
        Publish("app", "1.0.0", "foo ^1.0", "bar ^1.0");
        Assert.Equal(["bar 1.0.0", "foo 1.0.0"], Order(await PlanAsync("app", "1.0.0")));
    }

    [Fact]
    public async Task A_deployed_version_that_fits_is_reused_and_not_fetched()
    {
        Publish("lib", "1.0.0");
        var newer = Publish("lib", "1.5.0");
        Publish("app", "1.0.0", "lib ^1.0");
        var state = new LocationState(LocationId.Parse("dev"));
        var deployed = new DeploymentEntry(PackageFileName.Parse(Path.GetFileName(TestPackages.Create(_temp["elsewhere"], "lib", "1.0.0", "lib 1.0.0"))),
            Sha256Digest.Compute("d"u8.ToArray()), []) { Active = true };
        state.Deployments.Add(deployed);
        var plan = await PlanAsync("app", "1.0.0", state);
        Assert.Equal(["lib 1.0.0 (deployed)"], Order(plan));
        Assert.Same(deployed, plan.Dependencies[0].Existing);
        Assert.False(new PackageCache(_temp["cache"]).Contains(TestPackages.NameOf(newer)));
    }

    [Fact]
    public async Task A_cycle_is_still_refused_naming_it()
    {
        // spec/errors.md PST8010: dependency cycle: b -> c -> b.
        Publish("a", "1.0.0", "b ^1");
        Publish("b", "1.0.0", "c ^1");
        Publish("c", "1.0.0", "b ^1");
        var e = await Assert.ThrowsAsync<PacksterException>(() => PlanAsync("a", "1.0.0"));
        Assert.Equal(ErrorCode.DependencyCycle, e.Code);
        Assert.Equal("dependency cycle: b -> c -> b", e.Message);
    }

    [Fact]
    public async Task A_denied_dependency_version_is_skipped_and_a_denied_root_refused_before_planning()
    {
        Publish("lib", "1.0.0");
        Publish("lib", "1.1.0");
        Publish("app", "1.0.0", "lib ^1.0");
        var rules = new DenyList([DenyRule.TryParse("lib@1.1.0", "config.toml", out _)!, DenyRule.TryParse("app", "packster-policy.toml", out _)!]);
        var e = await Assert.ThrowsAsync<PacksterException>(() => PlanAsync("app", "1.0.0", deny: rules));
        Assert.Equal(ErrorCode.PackageDenied, e.Code);
        Assert.Equal("app 1.0.0 is denied by 'app' (packster-policy.toml)", e.Message);

        var libOnly = new DenyList([rules.Rules[0]]);
        Assert.Equal(["lib 1.0.0"], Order(await PlanAsync("app", "1.0.0", deny: libOnly)));
    }

    [Fact]
    public async Task The_package_named_on_the_command_line_skips_denied_versions_too()
    {
        // spec/resolver.md § Deny list: install tool@^1.4 with tool@1.4.2 denied installs 1.4.1, not a refusal.
        Publish("tool", "1.4.1");
        Publish("tool", "1.4.2");
        var supply = Supply();
        var tool = PackageId.Parse("tool");
        var deny = new DenyList([DenyRule.TryParse("tool@1.4.2", "config.toml", out _)!]);
        Assert.Equal("1.4.1", (await supply.ResolveAllowedAsync(tool, VersionRange.Parse("^1.4"), deny)).File.Manifest.Version.ToString());
        Assert.Equal("1.4.1", (await supply.ResolveAllowedAsync(tool, null, deny)).File.Manifest.Version.ToString());
        Assert.Equal("1.4.2", (await supply.ResolveAllowedAsync(tool, null, DenyList.None)).File.Manifest.Version.ToString());

        var all = new DenyList([DenyRule.TryParse("tool@^1.4", "config.toml", out _)!]);
        var e = await Assert.ThrowsAsync<PacksterException>(() => supply.ResolveAllowedAsync(tool, VersionRange.Parse("^1.4"), all));
        Assert.Equal(ErrorCode.PackageDenied, e.Code);
        Assert.Equal("tool 1.4.2 is denied by 'tool@^1.4' (config.toml)", e.Message);
    }
}
