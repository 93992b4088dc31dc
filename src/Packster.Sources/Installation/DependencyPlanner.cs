using Packster.Locations;
using Packster.Manifest;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// Resolves a package's <c>[dependencies]</c>, transitively, into install order (spec/sources.md § install by id).
/// A requirement already met by a deployment in the location, or by a package planned earlier in the same run, is not
/// resolved again; side-by-side versions are allowed, so an unmet requirement gets its own version. A cycle fails
/// naming it (<c>a -> b -> a</c>); a requirement no source can meet fails naming the package that needs it.
/// </summary>
public sealed class DependencyPlanner
{
    private readonly PackageSupply _supply;
    private readonly LocationState _state;
    private readonly List<DependencyStep> _order = [];
    private readonly List<PackageFileName> _planned = [];

    private DependencyPlanner(PackageSupply supply, LocationState state)
    {
        _supply = supply;
        _state = state;
    }

    /// <summary>The full plan for installing <paramref name="root"/> into a location whose lockfile reads <paramref name="state"/>.</summary>
    public static async Task<InstallPlan> PlanAsync(SuppliedPackage root, LocationState state, PackageSupply supply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        var planner = new DependencyPlanner(supply, state);
        await planner.VisitAsync(root.File.Manifest, [root.File.Manifest.Id], cancellationToken).ConfigureAwait(false);
        return new InstallPlan(root, planner._order);
    }

    private async Task VisitAsync(Manifest.Manifest manifest, List<PackageId> path, CancellationToken cancellationToken)
    {
        foreach (var requirement in manifest.Dependencies)
        {
            var start = path.IndexOf(requirement.Id);
            if (start >= 0) throw InstallErrors.Cycle([.. path.Skip(start), requirement.Id]);
            if (_planned.Any(p => p.Id == requirement.Id && requirement.Range.Satisfies(p.Version))) continue;
            if (Deployed(requirement) is { } existing)
            {
                if (!_order.Any(s => s.Existing == existing)) _order.Add(new DependencyStep(requirement, null, existing));
                continue;
            }

            SuppliedPackage package;
            try
            {
                package = await _supply.ResolveAsync(requirement.Id, requirement.Range, cancellationToken).ConfigureAwait(false);
            }
            catch (PacksterException e) when (e.Code is ErrorCode.PackageNotFound or ErrorCode.NoMatchingVersion or ErrorCode.OfflineCacheMiss)
            {
                throw InstallErrors.DependencyUnavailable(manifest.Id, manifest.Version, requirement, e);
            }
            path.Add(requirement.Id);
            await VisitAsync(package.File.Manifest, path, cancellationToken).ConfigureAwait(false);
            path.RemoveAt(path.Count - 1);
            _planned.Add(package.File.Name);
            _order.Add(new DependencyStep(requirement, package, null));
        }
    }

    /// <summary>The deployment that already meets <paramref name="requirement"/>: the active one when it does, else the highest.</summary>
    private DeploymentEntry? Deployed(PackageRequirement requirement) =>
        _state.OfPackage(requirement.Id).Where(d => requirement.Range.Satisfies(d.Version))
            .OrderByDescending(d => d.Active).ThenByDescending(d => d.Version).FirstOrDefault();
}
