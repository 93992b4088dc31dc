using System.Text;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// A deployment's identity: SHA-256 over the UTF-8 bytes of <c>{packageSha}\n{canonicalParameters}</c>, where
/// packageSha is the 64 lowercase hex characters of the package and canonicalParameters is the canonical JSON of
/// the effective parameters (spec/parameters.md §Deployment hash).
/// </summary>
public static class DeploymentHash
{
    public static Sha256Digest Compute(Sha256Digest packageSha, string canonicalParameters)
    {
        ArgumentNullException.ThrowIfNull(canonicalParameters);
        return Sha256Digest.Compute(Encoding.UTF8.GetBytes($"{packageSha.Hex}\n{canonicalParameters}"));
    }

    public static Sha256Digest Compute(Sha256Digest packageSha, EffectiveParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Compute(packageSha, parameters.Canonical);
    }
}
