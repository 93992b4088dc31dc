using Packster.Locations;
using Packster.Manifest;

namespace Packster.Sources.Installation;

/// <summary>
/// What installing one package takes: its dependencies in the order they must be installed (every package after all of
/// its own dependencies), then the package. Built completely before anything is installed.
/// </summary>
public sealed record InstallPlan(SuppliedPackage Root, IReadOnlyList<DependencyStep> Dependencies);

/// <summary>
/// One dependency: either already deployed in the location in a version that satisfies the requirement
/// (<see cref="Existing"/>), or a package to install (<see cref="Package"/>).
/// </summary>
public sealed record DependencyStep(PackageRequirement Requirement, SuppliedPackage? Package, DeploymentEntry? Existing);
