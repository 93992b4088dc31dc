using Packster.Deployments;
using Packster.Model;
using Packster.Sources.Cache;

namespace Packster.Sources.Installation;

/// <summary>
/// Where install-by-id gets package files: the sources in consultation order and the download cache (offline: the cache
/// only). Every file it hands out has been fetched into the cache and verified (name, sha256, manifest).
/// </summary>
public sealed record PackageSupply(IReadOnlyList<IPackageSource> Sources, PackageCache Cache, bool Offline = false)
{
    /// <summary>Where a download that falls through to another source is reported.</summary>
    public TextWriter? Warnings { get; init; }

    /// <summary>The highest version of <paramref name="id"/> satisfying <paramref name="range"/> (null: any stable), verified.</summary>
    public async Task<SuppliedPackage> ResolveAsync(PackageId id, VersionRange? range, CancellationToken cancellationToken = default)
    {
        var acquired = await PackageAcquisition.AcquireAsync(id, range, Sources, Cache, Offline, Warnings, cancellationToken).ConfigureAwait(false);
        return new SuppliedPackage(PackageFile.Open(acquired.Path), acquired.Source) { SignatureRules = acquired.SignatureRules };
    }

    /// <summary>Exactly <paramref name="file"/> (a pin from a lockfile), verified.</summary>
    public async Task<SuppliedPackage> ExactAsync(PackageFileName file, CancellationToken cancellationToken = default)
    {
        var acquired = await PackageAcquisition.AcquireExactAsync(file, Sources, Cache, Offline, Warnings, cancellationToken).ConfigureAwait(false);
        return new SuppliedPackage(PackageFile.Open(acquired.Path), acquired.Source) { SignatureRules = acquired.SignatureRules };
    }
}

/// <summary>A verified package file in the cache, the name of the source it came from and that source's trust rules.</summary>
public sealed record SuppliedPackage(PackageFile File, string Source)
{
    public IReadOnlyList<Trust.TrustRules> SignatureRules { get; init; } = [];
}
