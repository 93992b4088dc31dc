using Packster.Manifest;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// What <see cref="PubGrubResolver"/> asks of the world: the versions of a package (asked once per package) and the
/// <c>[dependencies]</c> of one version (asked only for versions the resolver tries).
/// </summary>
public interface IResolverCatalogue
{
    /// <summary>
    /// Every version of <paramref name="id"/> that could be installed. Throws PST8004 (or PST8011 offline) when
    /// nothing offers the package; other failures (an unreachable source) stop the resolution.
    /// </summary>
    Task<IReadOnlyList<PackageVersion>> VersionsAsync(PackageId id, CancellationToken cancellationToken);

    /// <summary>The <c>[dependencies]</c> of <paramref name="id"/> <paramref name="version"/>.</summary>
    Task<IReadOnlyList<PackageRequirement>> DependenciesAsync(PackageId id, PackageVersion version, CancellationToken cancellationToken);
}

/// <summary>What to resolve: the package being installed (its version is fixed) and its own <c>[dependencies]</c>.</summary>
public sealed record ResolutionRequest(PackageId RootId, PackageVersion RootVersion, IReadOnlyList<PackageRequirement> RootDependencies)
{
    /// <summary>
    /// Versions to try first, per package, in order (the location's deployments: the active one, then the highest). A
    /// preferred version is chosen whenever the requirements allow it, before any higher one.
    /// </summary>
    public IReadOnlyDictionary<PackageId, IReadOnlyList<PackageVersion>> Preferred { get; init; } = new Dictionary<PackageId, IReadOnlyList<PackageVersion>>();

    /// <summary>Versions that are never chosen (spec/resolver.md § Deny list).</summary>
    public Deny.DenyList Deny { get; init; } = Packster.Deny.DenyList.None;
}

/// <summary>One version per package, for every package the root needs transitively (the root itself not included).</summary>
public sealed record Resolution(IReadOnlyDictionary<PackageId, PackageVersion> Versions)
{
    /// <summary>How many versions were chosen and then given up (the backtracking a greedy planner does not do).</summary>
    public int Conflicts { get; init; }

    public int Decisions { get; init; }
}
