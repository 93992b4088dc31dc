using Packster.Model;

namespace Packster.Sources;

/// <summary>The package a requirement resolved to and the source that offers it.</summary>
public sealed record ResolvedPackage(PackageEntry Entry, IPackageSource Source)
{
    public PackageFileName File => Entry.File;

    /// <summary>Other sources that list exactly this file (same name, so same sha256), in consultation order: where a failed download falls through to.</summary>
    public IReadOnlyList<IPackageSource> Alternatives { get; init; } = [];

    /// <summary>
    /// When the winning source offers the version as several files (builds for several platforms, spec/sources.md §
    /// Platform builds): every one of them, this one first; empty when there is one.
    /// </summary>
    public IReadOnlyList<ResolvedPackage> Builds { get; init; } = [];
}

/// <summary>
/// Picks, across sources, the highest version that satisfies a requirement (spec/sources.md §5). Equal versions in
/// several sources go to the source with the lowest priority number (then the earlier one in the list). A source that
/// fails fails the resolution: silently skipping it could pick an older version than the user would get tomorrow.
/// </summary>
public static class SourceResolver
{
    /// <summary>Resolves a <see cref="VersionRange"/> (null: any stable version, see the other overload).</summary>
    public static Task<ResolvedPackage> ResolveAsync(PackageId id, VersionRange? range, IReadOnlyList<IPackageSource> sources,
        CancellationToken cancellationToken = default) =>
        ResolveAsync(id, range is null ? null : VersionFilter.From(range), sources, cancellationToken);

    /// <summary>
    /// <paramref name="range"/> null means "any": the highest stable version, or <c>latest</c> when published, or the
    /// highest pre-release when nothing else exists.
    /// </summary>
    public static async Task<ResolvedPackage> ResolveAsync(PackageId id, IVersionFilter? range, IReadOnlyList<IPackageSource> sources,
        CancellationToken cancellationToken = default)
    {
        if (sources.Count == 0) throw new PacksterException(ErrorCode.SourceNotFound, $"no sources to resolve '{id}' from",
            SourceErrors.AddSourceHint);
        var ordered = sources.Select((s, i) => (Source: s, Index: i)).OrderBy(x => x.Source.Priority).ThenBy(x => x.Index).Select(x => x.Source).ToList();
        var candidates = new List<(PackageEntry Entry, IPackageSource Source, int Rank)>();
        for (var rank = 0; rank < ordered.Count; rank++)
        {
            foreach (var entry in await ordered[rank].ListVersionsAsync(id, cancellationToken))
            {
                if (entry.Id == id) candidates.Add((entry, ordered[rank], rank));
            }
        }
        if (candidates.Count == 0) throw SourceErrors.PackageNotFound(id, ordered.Select(s => s.Name));

        var accepted = range is null ? Default(candidates.Select(c => c.Entry.Version)) : candidates.Select(c => c.Entry.Version).Where(range.Satisfies);
        var best = accepted.Distinct().OrderDescending().FirstOrDefault()
            ?? throw SourceErrors.NoMatchingVersion(id, range?.Text ?? "*", candidates.Select(c => c.Entry.Version).Distinct());
        var winners = candidates.Where(c => c.Entry.Version == best).OrderBy(c => c.Rank).ThenBy(c => c.Entry.File.FileName, StringComparer.Ordinal).ToList();
        var first = winners[0];
        ResolvedPackage Resolved((PackageEntry Entry, IPackageSource Source, int Rank) w) => new(w.Entry, w.Source)
        {
            Alternatives = [.. candidates.Where(c => c.Entry.File == w.Entry.File && c.Rank != w.Rank).OrderBy(c => c.Rank).Select(c => c.Source).Distinct()],
        };
        // Several files of one version in the winning source are builds for several platforms: the caller picks by manifest.
        var builds = winners.Where(w => w.Rank == first.Rank).DistinctBy(w => w.Entry.File).ToList();
        return Resolved(first) with { Builds = builds.Count > 1 ? [.. builds.Select(Resolved)] : [] };
    }

    private static List<PackageVersion> Default(IEnumerable<PackageVersion> versions)
    {
        var all = versions.ToList();
        var stable = all.Where(v => v.IsLatest || !v.SemVer!.IsPrerelease).ToList();
        return stable.Count > 0 ? stable : all;
    }
}
