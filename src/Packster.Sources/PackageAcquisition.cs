using Packster.Model;
using Packster.Sources.Cache;

namespace Packster.Sources;

/// <summary>A package file resolved and present, verified, in the download cache.</summary>
public sealed record AcquiredPackage(PackageFileName File, string Path, string Source);

/// <summary>
/// Resolve, then fetch into the cache: what <c>packster install &lt;id&gt;@&lt;range&gt;</c> needs from sources, in one call.
/// Offline, the cache itself is the only source, so a range resolves among the files already downloaded.
/// </summary>
public static class PackageAcquisition
{
    public static async Task<AcquiredPackage> AcquireAsync(PackageId id, VersionRange? range, IReadOnlyList<IPackageSource> sources,
        PackageCache cache, bool offline = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        IReadOnlyList<IPackageSource> candidates = offline ? [cache.AsSource()] : sources;
        var resolved = await SourceResolver.ResolveAsync(id, range, candidates, cancellationToken);
        var path = await cache.GetOrFetchAsync(resolved.File, resolved.Source, offline, cancellationToken);
        return new AcquiredPackage(resolved.File, path, resolved.Source.Name);
    }

    /// <summary>Fetches an exact, already pinned file (e.g. from a lockfile) from the first source that has it.</summary>
    public static async Task<AcquiredPackage> AcquireExactAsync(PackageFileName file, IReadOnlyList<IPackageSource> sources,
        PackageCache cache, bool offline = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (cache.Contains(file) || offline) return new AcquiredPackage(file, await cache.GetOrFetchAsync(file, cache.AsSource(), offline, cancellationToken), PackageCache.SourceName);
        foreach (var source in sources.OrderBy(s => s.Priority))
        {
            var versions = await source.ListVersionsAsync(file.Id, cancellationToken);
            if (versions.Any(v => v.File == file)) return new AcquiredPackage(file, await cache.GetOrFetchAsync(file, source, false, cancellationToken), source.Name);
        }
        throw SourceErrors.PackageFileNotOffered(file.FileName, sources.Select(s => s.Name));
    }
}
