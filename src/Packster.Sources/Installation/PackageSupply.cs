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

    /// <summary>The machine a version's platform builds are chosen for (<c>--platform</c>); null: this one.</summary>
    public Manifest.MachinePlatform? Platform { get; init; }

    /// <summary>The highest version of <paramref name="id"/> satisfying <paramref name="range"/> (null: any stable), verified.</summary>
    public async Task<SuppliedPackage> ResolveAsync(PackageId id, VersionRange? range, CancellationToken cancellationToken = default)
    {
        return await OpenAsync(() => PackageAcquisition.AcquireAsync(id, range, Sources, Cache, Offline, Warnings, Platform, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// The package <paramref name="acquire"/> puts in the cache, opened and verified; a cached file that fails that is
    /// taken out (and fetched once more when its bytes changed), as <see cref="PackageAcquisition.OpenAsync{T}"/> says.
    /// </summary>
    private Task<SuppliedPackage> OpenAsync(Func<Task<AcquiredPackage>> acquire) =>
        PackageAcquisition.OpenAsync(acquire, Supplied, Cache, Offline, Warnings);

    private static SuppliedPackage Supplied(AcquiredPackage acquired) =>
        new(PackageFile.Open(acquired.Path), acquired.Source) { SignatureRules = acquired.SignatureRules };

    /// <summary>
    /// Every version of <paramref name="id"/> the sources (offline: the cache) list, from all of them; PST8004 when none
    /// has the id. A source that fails fails the listing, as it fails a resolution (spec/sources.md §5).
    /// </summary>
    public async Task<IReadOnlyList<PackageVersion>> ListVersionsAsync(PackageId id, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<IPackageSource> sources = Offline ? [Cache.AsSource()] : Sources;
        if (sources.Count == 0) throw new PacksterException(ErrorCode.SourceNotFound, $"no sources to resolve '{id}' from",
            SourceErrors.AddSourceHint);
        var versions = new HashSet<PackageVersion>();
        foreach (var source in sources)
        {
            foreach (var entry in await source.ListVersionsAsync(id, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Id == id) versions.Add(entry.Version);
            }
        }
        if (versions.Count == 0) throw Offline ? SourceErrors.OfflineCacheMiss(id, Cache.Root) : SourceErrors.PackageNotFound(id, sources.Select(s => s.Name));
        return [.. versions.Order()];
    }

    /// <summary>
    /// As <see cref="ResolveAsync"/>, passing over versions <paramref name="deny"/> refuses: the highest version that
    /// satisfies the range and is not denied. When only denied versions satisfy it, PST4060 naming the highest and its rule.
    /// </summary>
    public async Task<SuppliedPackage> ResolveAllowedAsync(PackageId id, VersionRange? range, Deny.DenyList deny, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deny);
        if (!deny.Rules.Any(r => r.Id == id)) return await ResolveAsync(id, range, cancellationToken).ConfigureAwait(false);
        var listed = await ListVersionsAsync(id, cancellationToken).ConfigureAwait(false);
        var stable = listed.Where(v => v.IsLatest || !v.SemVer!.IsPrerelease).ToList();
        var candidates = range is not null ? listed.Where(range.Satisfies).ToList() : stable.Count > 0 ? stable : [.. listed];
        if (candidates.Count == 0) return await ResolveAsync(id, range, cancellationToken).ConfigureAwait(false); // its usual error
        var allowed = candidates.Where(v => deny.Rule(id, v) is null).ToList();
        if (allowed.Count == 0) throw Deny.DenyList.Denied(id, candidates.Max()!, deny.Rule(id, candidates.Max()!)!);
        return await VersionAsync(id, allowed.Max()!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Exactly <paramref name="version"/> of <paramref name="id"/>, verified: what the resolver fetches to read one version's manifest.</summary>
    public Task<SuppliedPackage> VersionAsync(PackageId id, PackageVersion version, CancellationToken cancellationToken = default) =>
        ResolveAsync(id, VersionRange.Exactly(version), cancellationToken);

    /// <summary>Exactly <paramref name="file"/> (a pin from a lockfile), verified.</summary>
    public async Task<SuppliedPackage> ExactAsync(PackageFileName file, CancellationToken cancellationToken = default)
    {
        return await OpenAsync(() => PackageAcquisition.AcquireExactAsync(file, Sources, Cache, Offline, Warnings, cancellationToken)).ConfigureAwait(false);
    }
}

/// <summary>A verified package file in the cache, the name of the source it came from and that source's trust rules.</summary>
public sealed record SuppliedPackage(PackageFile File, string Source)
{
    public IReadOnlyList<Trust.TrustRules> SignatureRules { get; init; } = [];
}
