using Packster.Locations;
using Packster.Manifest;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// Plans a package's <c>[dependencies]</c>, transitively, into install order (spec/sources.md § install by id,
/// spec/resolver.md): <see cref="PubGrubResolver"/> chooses one version per package for the whole graph, preferring
/// versions already deployed in the location (those are reused, not reinstalled) and never a denied one; the plan then
/// lists every chosen package after its own dependencies. A cycle fails naming it (<c>a -> b -> a</c>); a graph no
/// choice satisfies fails with the resolver's explanation, before anything is installed.
/// </summary>
public sealed class DependencyPlanner
{
    private readonly SupplyCatalogue _catalogue;
    private readonly LocationState _state;
    private readonly Resolution _resolution;
    private readonly List<DependencyStep> _order = [];
    private readonly HashSet<PackageId> _planned = [];

    private DependencyPlanner(SupplyCatalogue catalogue, LocationState state, Resolution resolution)
    {
        _catalogue = catalogue;
        _state = state;
        _resolution = resolution;
    }

    /// <summary>
    /// The full plan for installing <paramref name="root"/> into a location whose lockfile reads <paramref name="state"/>.
    /// <paramref name="location"/>, when given, lets deployed versions' dependencies be read from their deployments
    /// instead of fetched; <paramref name="deny"/> is the user's and the location's deny rules together.
    /// </summary>
    public static async Task<InstallPlan> PlanAsync(SuppliedPackage root, LocationState state, PackageSupply supply,
        Location? location = null, Deny.DenyList? deny = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(state);
        var manifest = root.File.Manifest;
        deny ??= Deny.DenyList.None;
        // Refused before its dependencies are installed, not after (the installer checks again, as for install-file).
        deny.Require(manifest);
        var catalogue = new SupplyCatalogue(supply, state, location);
        var request = new ResolutionRequest(manifest.Id, manifest.Version, manifest.Dependencies)
        {
            Preferred = state.Deployments.GroupBy(d => d.Id).ToDictionary(g => g.Key,
                g => (IReadOnlyList<PackageVersion>)[.. g.OrderByDescending(d => d.Active).ThenByDescending(d => d.Version).Select(d => d.Version).Distinct()]),
            Deny = deny,
        };
        var resolution = await PubGrubResolver.ResolveAsync(request, catalogue, cancellationToken).ConfigureAwait(false);
        var planner = new DependencyPlanner(catalogue, state, resolution);
        await planner.VisitAsync(manifest.Dependencies, [manifest.Id], cancellationToken).ConfigureAwait(false);
        return new InstallPlan(root, planner._order);
    }

    /// <summary>Depth first, dependencies before dependents; a package already on <paramref name="path"/> is a cycle.</summary>
    private async Task VisitAsync(IReadOnlyList<PackageRequirement> requirements, List<PackageId> path, CancellationToken cancellationToken)
    {
        foreach (var requirement in requirements)
        {
            var start = path.IndexOf(requirement.Id);
            if (start >= 0) throw InstallErrors.Cycle([.. path.Skip(start), requirement.Id]);
            if (_planned.Contains(requirement.Id)) continue;
            var version = _resolution.Versions[requirement.Id];
            path.Add(requirement.Id);
            await VisitAsync(await _catalogue.DependenciesAsync(requirement.Id, version, cancellationToken).ConfigureAwait(false), path, cancellationToken).ConfigureAwait(false);
            path.RemoveAt(path.Count - 1);
            _planned.Add(requirement.Id);
            _order.Add(Deployed(requirement.Id, version) is { } existing
                ? new DependencyStep(requirement, null, existing)
                : new DependencyStep(requirement, await _catalogue.PackageAsync(requirement.Id, version, cancellationToken).ConfigureAwait(false), null));
        }
    }

    /// <summary>The deployment of exactly that version to reuse: the active one when it is, else any.</summary>
    private DeploymentEntry? Deployed(PackageId id, PackageVersion version) =>
        _state.OfPackage(id).Where(d => d.Version == version).OrderByDescending(d => d.Active).FirstOrDefault();
}

/// <summary>
/// The resolver's view of the sources and the location: versions listed once per package (the location's deployed
/// versions included, so a deployment is reusable even when no source lists it any more), and a version's
/// dependencies read from its deployment when it is deployed, else from its package file, fetched once.
/// </summary>
internal sealed class SupplyCatalogue(PackageSupply supply, LocationState state, Location? location) : IResolverCatalogue
{
    private readonly Dictionary<(PackageId, PackageVersion), SuppliedPackage> _fetched = [];
    private readonly Dictionary<(PackageId, PackageVersion), IReadOnlyList<PackageRequirement>> _dependencies = [];

    public async Task<IReadOnlyList<PackageVersion>> VersionsAsync(PackageId id, CancellationToken cancellationToken)
    {
        var deployed = state.OfPackage(id).Select(d => d.Version).ToList();
        try
        {
            return [.. (await supply.ListVersionsAsync(id, cancellationToken).ConfigureAwait(false)).Union(deployed)];
        }
        catch (PacksterException e) when (e.Code == ErrorCode.PackageNotFound && deployed.Count > 0)
        {
            return deployed;
        }
    }

    public async Task<IReadOnlyList<PackageRequirement>> DependenciesAsync(PackageId id, PackageVersion version, CancellationToken cancellationToken)
    {
        if (_dependencies.TryGetValue((id, version), out var known)) return known;
        var deployment = state.OfPackage(id).FirstOrDefault(d => d.Version == version);
        var manifest = deployment is not null && location is not null
            ? ManifestReader.ReadFromDirectory(location.DeploymentDirectory(deployment.Hash))
            : (await PackageAsync(id, version, cancellationToken).ConfigureAwait(false)).File.Manifest;
        return _dependencies[(id, version)] = manifest.Dependencies;
    }

    public async Task<SuppliedPackage> PackageAsync(PackageId id, PackageVersion version, CancellationToken cancellationToken)
    {
        if (_fetched.TryGetValue((id, version), out var known)) return known;
        return _fetched[(id, version)] = await supply.VersionAsync(id, version, cancellationToken).ConfigureAwait(false);
    }
}
