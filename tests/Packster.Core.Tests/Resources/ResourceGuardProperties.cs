using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Packster.Resources;

namespace Packster.Core.Tests.Resources;

/// <summary>spec/resources.md §3 invariant: after any sequence of accepted changes, no resource has two owners.</summary>
public class ResourceGuardProperties
{
    private static readonly ResourceOwner[] OwnerPool =
    [
        Owners.Make("pkg-a", hashFill: 'a'), Owners.Make("pkg-b", hashFill: 'b'),
        Owners.Make("pkg-a", "2.0.0", hashFill: 'c'), Owners.Make("pkg-c", location: "ops", hashFill: 'd'),
    ];

    // Small universes so collisions (including case-only differences and nested paths) are frequent.
    private static readonly ResourceClaim[] ClaimPool =
    [
        ResourceClaim.Shim("tool"), ResourceClaim.Shim("TOOL"), ResourceClaim.Shim("other"),
        ResourceClaim.EnvKey("HOME_DIR", windows: false), ResourceClaim.EnvKey("home_dir", windows: false),
        ResourceClaim.Port(80), ResourceClaim.Port(8080),
        ResourceClaim.SharedDir("/srv/data"), ResourceClaim.SharedFile("/srv/data/db"), ResourceClaim.SharedFile("/srv/data2"),
        ResourceClaim.SharedDir("/srv"),
    ];

    private static Gen<ResourceChange> ChangeGen =>
        from owner in Gen.Elements(OwnerPool)
        from claims in Gen.SubListOf(ClaimPool)
        from release in Gen.SubListOf(ClaimPool)
        from releaseSome in Gen.Elements(true, false, false)
        select new ResourceChange(owner, claims.ToArray(), releaseSome ? release.ToArray() : []);

    [Property]
    public Property No_claim_ever_has_two_owners()
    {
        return Prop.ForAll(Gen.ListOf(ChangeGen).ToArbitrary(), changes =>
        {
            var table = new Dictionary<ResourceClaim, ResourceOwner>();
            foreach (var change in changes)
            {
                var before = table.ToList();
                var expectedConflict = OracleConflicts(table, change);
                try
                {
                    table = ResourceGuard.Apply(table, change);
                    if (expectedConflict) return false;
                }
                catch (PacksterException ex) when (ex.Code == ErrorCode.ResourceConflict)
                {
                    if (!expectedConflict || !before.SequenceEqual(table)) return false;
                }
                if (!Invariant(table)) return false;
            }
            return true;
        });
    }

    // An independent, brute-force statement of the rule: same kind and key (or overlapping paths), different deployment.
    private static bool OracleConflicts(Dictionary<ResourceClaim, ResourceOwner> table, ResourceChange change)
    {
        var remaining = table.Where(p => !change.Release.Contains(p.Key));
        return change.Claims.Any(c => remaining.Any(p => !p.Value.IsSameDeployment(change.Owner) && Overlap(c, p.Key)));
    }

    private static bool Invariant(Dictionary<ResourceClaim, ResourceOwner> table)
    {
        var rows = table.ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            for (var j = i + 1; j < rows.Count; j++)
            {
                if (Overlap(rows[i].Key, rows[j].Key) && !rows[i].Value.IsSameDeployment(rows[j].Value)) return false;
            }
        }
        return true;
    }

    private static bool Overlap(ResourceClaim x, ResourceClaim y)
    {
        bool IsPath(ResourceClaim c) => c.Kind is ResourceKind.SharedDir or ResourceKind.SharedFile;
        if (IsPath(x) && IsPath(y))
        {
            return x.Value == y.Value
                || (y.Kind == ResourceKind.SharedDir && x.Value.StartsWith(y.Value + "/", StringComparison.Ordinal))
                || (x.Kind == ResourceKind.SharedDir && y.Value.StartsWith(x.Value + "/", StringComparison.Ordinal));
        }
        if (x.Kind != y.Kind) return false;
        return x.Kind == ResourceKind.Shim
            ? string.Equals(x.Value, y.Value, StringComparison.OrdinalIgnoreCase)
            : string.Equals(x.Value, y.Value, StringComparison.Ordinal);
    }
}
