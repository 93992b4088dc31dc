using Packster.Model;

namespace Packster.Resources;

/// <summary>Who holds a claim: one deployment (package, version, deployment hash) in one location.</summary>
public sealed record ResourceOwner(string LocationId, PackageId PackageId, PackageVersion Version, Sha256Digest DeploymentHash)
{
    /// <summary>Same deployment in the same location: re-claiming its own resources is never a conflict.</summary>
    public bool IsSameDeployment(ResourceOwner other) =>
        string.Equals(LocationId, other.LocationId, StringComparison.Ordinal) && DeploymentHash == other.DeploymentHash;

    /// <summary><c>conflict-a 1.0.0 (deployment 1a2b3c4d…) in location dev</c>.</summary>
    public string Describe() => $"{PackageId.Value} {Version} (deployment {DeploymentHash.Hex[..8]}…) in location {LocationId}";

    public override string ToString() => Describe();
}
