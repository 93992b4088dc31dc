using Packster.Resources;

namespace Packster.Core.Tests.Resources;

/// <summary>spec/resources.md §3–§5: the guard refuses two owners for one resource and names the owner.</summary>
public class ResourceGuardTests
{
    private static readonly ResourceOwner A = Owners.Hashed("conflict-a", "1a2b3c4d" + new string('0', 56));
    private static readonly ResourceOwner B = Owners.Hashed("conflict-b", "ffeeddcc" + new string('1', 56));

    private static Dictionary<ResourceClaim, ResourceOwner> Table(params (ResourceClaim Claim, ResourceOwner Owner)[] rows) =>
        rows.ToDictionary(r => r.Claim, r => r.Owner);

    [Fact]
    public void A_shim_owned_by_another_deployment_is_refused_with_the_owner_named()
    {
        // spec/resources.md §5: message shape
        var current = Table((ResourceClaim.Shim("tool"), A));
        var ex = Assert.Throws<PacksterException>(() => ResourceGuard.Apply(current, new ResourceChange(B, [ResourceClaim.Shim("tool")])));
        Assert.Equal(ErrorCode.ResourceConflict, ex.Code);
        Assert.StartsWith("shim 'tool' is already owned by conflict-a 1.0.0 (deployment 1a2b3c4d…) in location dev", ex.Message);
        Assert.Contains("requested by conflict-b 1.0.0", ex.Message);
        Assert.NotNull(ex.Hint);
    }

    [Fact]
    public void A_refusal_leaves_the_table_unchanged()
    {
        var current = Table((ResourceClaim.Shim("tool"), A));
        var before = current.ToList();
        Assert.Throws<PacksterException>(() => ResourceGuard.Apply(current, new ResourceChange(B, [ResourceClaim.Port(8080), ResourceClaim.Shim("TOOL")])));
        Assert.Equal(before, current.ToList());
    }

    [Fact]
    public void Reclaiming_own_resources_is_not_a_conflict()
    {
        var current = Table((ResourceClaim.Shim("tool"), A), (ResourceClaim.Port(8080), A));
        var next = ResourceGuard.Apply(current, new ResourceChange(A, [ResourceClaim.Shim("tool"), ResourceClaim.Port(8080), ResourceClaim.Port(9090)]));
        Assert.Equal(3, next.Count);
        Assert.All(next.Values, o => Assert.Equal(A, o));
    }

    [Fact]
    public void Released_claims_can_be_taken_in_the_same_change()
    {
        // spec/resources.md §3: `use` swaps versions: release the old deployment's claims, claim the new ones.
        var current = Table((ResourceClaim.Shim("tool"), A), (ResourceClaim.EnvKey("TOOL_HOME"), A));
        var next = ResourceGuard.Apply(current, new ResourceChange(B, [ResourceClaim.Shim("tool")], [ResourceClaim.Shim("tool"), ResourceClaim.EnvKey("TOOL_HOME")]));
        Assert.Equal(B, next[ResourceClaim.Shim("tool")]);
        Assert.False(next.ContainsKey(ResourceClaim.EnvKey("TOOL_HOME")));
    }

    [Fact]
    public void Every_conflict_is_reported_in_a_stable_order_and_counted_in_the_message()
    {
        var current = Table((ResourceClaim.Shim("zeta"), A), (ResourceClaim.Port(80), A), (ResourceClaim.Shim("alpha"), A));
        var change = new ResourceChange(B, [ResourceClaim.Port(80), ResourceClaim.Shim("zeta"), ResourceClaim.Shim("alpha")]);
        var conflicts = ResourceGuard.FindConflicts(current, change);
        Assert.Equal(["shim 'alpha'", "shim 'zeta'", "port '80'"], conflicts.Select(c => c.Claim.ToString()));
        var ex = Assert.Throws<PacksterException>(() => ResourceGuard.EnsureNoConflicts(current, change));
        Assert.EndsWith("(and 2 more conflicts)", ex.Message);
    }

    [Fact]
    public void Same_package_different_deployment_is_a_different_owner()
    {
        var a2 = Owners.Hashed("conflict-a", new string('9', 64));
        var current = Table((ResourceClaim.Shim("tool"), A));
        Assert.Single(ResourceGuard.FindConflicts(current, new ResourceChange(a2, [ResourceClaim.Shim("tool")])));
    }

    [Fact]
    public void A_shared_file_inside_another_owners_shared_dir_conflicts()
    {
        if (OperatingSystem.IsWindows()) return;
        var current = Table((ResourceClaim.SharedDir("/srv/var/hello"), A));
        var conflicts = ResourceGuard.FindConflicts(current, new ResourceChange(B, [ResourceClaim.SharedFile("/srv/var/hello/x.db")]));
        var c = Assert.Single(conflicts);
        Assert.StartsWith("shared file '/srv/var/hello/x.db' overlaps shared directory '/srv/var/hello', owned by conflict-a", c.Describe());
        // a sibling with a common prefix is not inside
        Assert.Empty(ResourceGuard.FindConflicts(current, new ResourceChange(B, [ResourceClaim.SharedFile("/srv/var/hello2")])));
        // a shared dir above an owned file conflicts too
        var fileOwned = Table((ResourceClaim.SharedFile("/srv/etc/hello.conf"), A));
        Assert.Single(ResourceGuard.FindConflicts(fileOwned, new ResourceChange(B, [ResourceClaim.SharedDir("/srv")])));
        // two shared files side by side do not
        Assert.Empty(ResourceGuard.FindConflicts(fileOwned, new ResourceChange(B, [ResourceClaim.SharedFile("/srv/etc/other.conf")])));
    }

    [Fact]
    public void Locations_enabled_together_conflict_on_shims_env_keys_ports_and_shared_paths()
    {
        // spec/resources.md §4
        var dev = Owners.Hashed("tool-a", new string('a', 64), location: "dev");
        var ops = Owners.Hashed("tool-b", new string('b', 64), location: "ops");
        var devClaims = Table((ResourceClaim.Shim("tool"), dev), (ResourceClaim.EnvKey("TOOL_HOME"), dev), (ResourceClaim.Port(8080), dev), (ResourceClaim.Shim("only-dev"), dev));
        var opsClaims = Table((ResourceClaim.Shim("TOOL"), ops), (ResourceClaim.EnvKey("TOOL_HOME"), ops), (ResourceClaim.Port(8080), ops), (ResourceClaim.Shim("only-ops"), ops));
        var conflicts = ResourceGuard.FindCrossLocationConflicts([devClaims, opsClaims]);
        Assert.Equal(3, conflicts.Count);
        Assert.All(conflicts, c => Assert.Equal(("ops", "dev"), (c.Requested.LocationId, c.Owner.LocationId)));
        var ex = Assert.Throws<PacksterException>(() => ResourceGuard.EnsureLocationsCompatible([devClaims, opsClaims]));
        Assert.Contains("in location dev", ex.Message);
    }

    [Fact]
    public void Locations_without_overlap_are_compatible()
    {
        if (OperatingSystem.IsWindows()) return;
        var dev = Owners.Hashed("tool-a", new string('a', 64), location: "dev");
        var ops = Owners.Hashed("tool-b", new string('b', 64), location: "ops");
        var devClaims = Table((ResourceClaim.Shim("a"), dev), (ResourceClaim.SharedDir("/srv/a"), dev));
        var opsClaims = Table((ResourceClaim.Shim("b"), ops), (ResourceClaim.SharedDir("/srv/b"), ops));
        ResourceGuard.EnsureLocationsCompatible([devClaims, opsClaims]);
        Assert.Single(ResourceGuard.FindCrossLocationConflicts([devClaims, opsClaims, Table((ResourceClaim.SharedFile("/srv/a/f"), ops))]));
    }
}
