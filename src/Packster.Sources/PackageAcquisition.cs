using Packster.Model;
using Packster.Sources.Cache;

namespace Packster.Sources;

/// <summary>
/// A package file resolved and present, verified, in the download cache (with its detached signature beside it when
/// the source has one), and the trust rules of the source it came from.
/// </summary>
public sealed record AcquiredPackage(PackageFileName File, string Path, string Source)
{
    public IReadOnlyList<Trust.TrustRules> SignatureRules { get; init; } = [];
}

/// <summary>
/// Resolve, then fetch into the cache: what <c>packster install &lt;id&gt;@&lt;range&gt;</c> needs from sources, in one call.
/// Offline, the cache itself is the only source, so a range resolves among the files already downloaded.
/// </summary>
public static class PackageAcquisition
{
    public static async Task<AcquiredPackage> AcquireAsync(PackageId id, VersionRange? range, IReadOnlyList<IPackageSource> sources,
        PackageCache cache, bool offline = false, TextWriter? warnings = null, Manifest.MachinePlatform? platform = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ResolvedPackage resolved;
        try
        {
            resolved = await SourceResolver.ResolveAsync(id, range, offline ? [cache.AsSource()] : sources, cancellationToken);
        }
        catch (PacksterException e) when (offline && e.Code == ErrorCode.PackageNotFound)
        {
            // Offline the cache is the only source: not finding the package there is a cache miss (spec/sources.md §4).
            throw SourceErrors.OfflineCacheMiss(id, cache.Root);
        }
        if (resolved.Builds.Count > 1) return await PickBuildAsync(resolved.Builds, platform ?? Manifest.MachinePlatform.Current, cache, offline, warnings, cancellationToken);
        return await FetchFromAnyAsync(resolved.File, [resolved.Source, .. resolved.Alternatives], cache, offline, warnings, cancellationToken);
    }

    /// <summary>
    /// One version offered as several builds (spec/sources.md § Platform builds): each is fetched and verified, and the
    /// one whose <c>[platform]</c> allows <paramref name="machine"/> is used; when several do, the most specific (the one
    /// that allows the fewest machines), then the first file name — named on <paramref name="warnings"/> as the default.
    /// None that runs there is PST4010 naming each build's platform.
    /// </summary>
    private static async Task<AcquiredPackage> PickBuildAsync(IReadOnlyList<ResolvedPackage> builds, Manifest.MachinePlatform machine, PackageCache cache,
        bool offline, TextWriter? warnings, CancellationToken cancellationToken)
    {
        var fitting = new List<(AcquiredPackage Package, Manifest.PlatformConstraint Platform)>();
        var refused = new List<string>();
        foreach (var build in builds)
        {
            var (acquired, platform) = await OpenAsync(() => FetchFromAnyAsync(build.File, [build.Source, .. build.Alternatives], cache, offline, warnings, cancellationToken),
                a => (a, Deployments.PackageFile.Open(a.Path).Manifest.Platform), cache, offline, warnings);
            if (platform.Refusal(machine) is { } why) refused.Add($"{build.File.FileName} ({platform}: {why})");
            else fitting.Add((acquired, platform));
        }
        var first = builds[0].File;
        if (fitting.Count == 0)
        {
            throw new PacksterException(ErrorCode.PlatformUnsupported,
                $"{first.Id} {first.Version} has {builds.Count} builds and none runs on {machine}: {string.Join("; ", refused)}",
                "spec/sources.md § Platform builds; --platform with --dry-run checks for another machine");
        }
        var chosen = fitting.OrderBy(f => Specificity(f.Platform)).ThenBy(f => f.Package.File.FileName, StringComparer.Ordinal).First();
        warnings?.WriteLine($"note: {first.Id} {first.Version} has {builds.Count} builds, {fitting.Count} for {machine}; using {chosen.Package.File.FileName} ({chosen.Platform})"
            + (fitting.Count > 1 ? ", the default: the most specific" : ""));
        return chosen.Package;
    }

    /// <summary>
    /// What <paramref name="open"/> makes of the package <paramref name="acquire"/> puts in the cache, which it opens and
    /// so verifies. The cache holds complete, verified files only (spec/sources.md §4): a cached file whose bytes no
    /// longer hash to its name (PST4001: changed on disk since) is taken out and fetched once more (not offline), one
    /// whose manifest names another package (PST4000) is taken out and refused — either way it never wedges the next
    /// install, fetch or mirror, whichever build of a version it is.
    /// </summary>
    public static async Task<T> OpenAsync<T>(Func<Task<AcquiredPackage>> acquire, Func<AcquiredPackage, T> open, PackageCache cache, bool offline,
        TextWriter? warnings)
    {
        ArgumentNullException.ThrowIfNull(acquire);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(cache);
        var acquired = await acquire().ConfigureAwait(false);
        try
        {
            return open(acquired);
        }
        catch (PacksterException e) when (e.Code is ErrorCode.ChecksumMismatch or ErrorCode.PackageFileNameInvalid && cache.Holds(acquired.Path))
        {
            cache.Remove(acquired.File);
            if (e.Code != ErrorCode.ChecksumMismatch || offline) throw;
            warnings?.WriteLine($"warning: the cached {acquired.File.FileName} no longer hashes to its name; it was removed and is fetched again");
            return open(await acquire().ConfigureAwait(false));
        }
    }

    /// <summary>Lower is more specific: an empty list allows every value, so it counts as many.</summary>
    private static int Specificity(Manifest.PlatformConstraint platform) =>
        (platform.Os.Count == 0 ? 100 : platform.Os.Count) + (platform.Arch.Count == 0 ? 100 : platform.Arch.Count)
        + (platform.Libc.Count == 0 ? 100 : platform.Libc.Count) - platform.Os.Count(o => o.IndexOfAny(['<', '>', '=']) >= 0);

    /// <summary>
    /// Fetches from the first of <paramref name="sources"/> that delivers verified bytes (spec/sources.md § Fall-through):
    /// a source that is unreachable, times out, breaks the protocol, no longer has the file or serves bytes of another
    /// sha256 is named in a warning and the next one that lists the same file is tried. When all fail, the error names
    /// each source's failure.
    /// </summary>
    private static async Task<AcquiredPackage> FetchFromAnyAsync(PackageFileName file, List<IPackageSource> sources, PackageCache cache,
        bool offline, TextWriter? warnings, CancellationToken cancellationToken)
    {
        var failures = new List<(IPackageSource Source, PacksterException Error)>();
        foreach (var source in sources)
        {
            try
            {
                return await FetchAsync(file, source, cache, offline, cancellationToken);
            }
            catch (PacksterException e) when (FallsThrough(e.Code) && !cancellationToken.IsCancellationRequested)
            {
                failures.Add((source, e));
                if (failures.Count < sources.Count)
                    warnings?.WriteLine($"warning: {e.Message}; trying source '{sources[failures.Count].Name}', which lists the same file");
            }
        }
        if (failures.Count == 1) throw failures[0].Error;
        throw new PacksterException(failures[^1].Error.Code,
            $"every source that lists {file.FileName} failed: {string.Join("; ", failures.Select(f => $"'{f.Source.Name}': {f.Error.Message}"))}",
            failures[^1].Error.Hint);
    }

    private static bool FallsThrough(ErrorCode code) =>
        code is ErrorCode.SourceUnreachable or ErrorCode.ChecksumMismatch or ErrorCode.SourceProtocol or ErrorCode.PackageNotFound;

    /// <summary>The package into the cache, then its signature (each time: a signature may be added or replaced later).</summary>
    private static async Task<AcquiredPackage> FetchAsync(PackageFileName file, IPackageSource source, PackageCache cache, bool offline, CancellationToken cancellationToken)
    {
        var path = await cache.GetOrFetchAsync(file, source, offline, cancellationToken: cancellationToken);
        if (!offline && source.Name != PackageCache.SourceName) await cache.FetchSignatureAsync(file, source, cancellationToken: cancellationToken);
        return new AcquiredPackage(file, path, source.Name) { SignatureRules = source.SignatureRules };
    }

    /// <summary>
    /// The rules for a file from the cache, which may have come from any configured source: all their rules at once, as
    /// one table with the strictest mode and the keys any of them trusts (spec/signing.md § Transport).
    /// </summary>
    public static IReadOnlyList<Trust.TrustRules> Combined(IEnumerable<Trust.TrustRules> sourceRules)
    {
        ArgumentNullException.ThrowIfNull(sourceRules);
        var rules = sourceRules.ToList();
        if (rules.Count == 0) return [];
        var mode = rules.Select(r => r.Mode).Where(m => m is not null).DefaultIfEmpty(null).Max();
        return [new Trust.TrustRules("the sources' rules (a file from the cache may have come from any of them)", mode,
            [.. rules.SelectMany(r => r.TrustedKeys).Distinct(StringComparer.Ordinal)], [])];
    }

    /// <summary>Fetches an exact, already pinned file (e.g. from a lockfile) from the first source that has it.</summary>
    public static async Task<AcquiredPackage> AcquireExactAsync(PackageFileName file, IReadOnlyList<IPackageSource> sources,
        PackageCache cache, bool offline = false, TextWriter? warnings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (cache.Contains(file) || offline) return await FetchAsync(file, cache.AsSource(), cache, offline: true, cancellationToken);
        if (sources.Count == 0) throw SourceErrors.NoSources($"{file.FileName}");
        var offering = new List<IPackageSource>();
        foreach (var source in sources.OrderBy(s => s.Priority))
        {
            var versions = await source.ListVersionsAsync(file.Id, cancellationToken);
            if (versions.Any(v => v.File == file)) offering.Add(source);
        }
        if (offering.Count == 0) throw SourceErrors.PackageFileNotOffered(file.FileName, sources.Select(s => s.Name));
        return await FetchFromAnyAsync(file, offering, cache, offline: false, warnings, cancellationToken);
    }
}
