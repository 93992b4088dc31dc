using Packster.Model;
using Packster.Sources.Cache;

namespace Packster.Sources;

/// <summary>One package file a mirror run copied, found already there, or could not copy (with why).</summary>
public sealed record MirrorItem(PackageFileName File, MirrorStatus Status, string? Detail = null);

public enum MirrorStatus
{
    Copied,
    Present,
    Failed,
}

/// <summary>
/// <c>packster mirror &lt;from&gt; &lt;to&gt;</c> (spec/sources.md § Mirror): copies every package file (and its detached
/// signature) the target lacks, by file name — so by sha256 — through the download cache, where each download is
/// verified; then publishes it as <c>packster publish</c> would. A second run copies nothing. Each copy is its own
/// atomic publish, so a run killed half-way is completed by running it again.
/// </summary>
public sealed class SourceMirror
{
    private readonly IPackageSource _from;
    private readonly IPackageSource _to;
    private readonly PackageCache _cache;

    public SourceMirror(IPackageSource from, IPackageSource to, PackageCache cache)
    {
        _from = from;
        _to = to;
        _cache = cache;
        // Between two repositories of one registry the package blob is mounted, not uploaded again.
        if (to is Oci.OciSource target && from is Oci.OciSource origin && target.SameRegistry(origin)) target.MountFrom = file => origin.RepositoryOf(file.Id);
    }

    /// <summary>Where a cached file taken out and fetched again is reported.</summary>
    public TextWriter? Warnings { get; init; }

    /// <summary><c>id</c> or <c>id@range</c> filters; empty: everything the source offers.</summary>
    public IReadOnlyList<(PackageId Id, VersionRange? Range)> Filters { get; init; } = [];

    /// <summary>What the source offers that passes the filters, each with whether the target already has it.</summary>
    public async Task<IReadOnlyList<MirrorItem>> PlanAsync(CancellationToken cancellationToken = default)
    {
        if (!_to.CanPublish) throw SourceErrors.PublishNotSupported(_to.Name);
        var offered = await OfferedAsync(_from, cancellationToken);
        var present = (await OfferedAsync(_to, cancellationToken)).Select(e => e.File).ToHashSet();
        return [.. offered.Select(e => e.File).Distinct().Where(Wanted)
            .OrderBy(f => f.Id).ThenBy(f => f.Version).ThenBy(f => f.FileName, StringComparer.Ordinal)
            .Select(f => new MirrorItem(f, present.Contains(f) ? MirrorStatus.Present : MirrorStatus.Copied))];
    }

    /// <summary>Copies what <see cref="PlanAsync"/> found missing; a file that fails is reported and the others still copied.</summary>
    public async Task<IReadOnlyList<MirrorItem>> RunAsync(IProgress<MirrorItem>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new List<MirrorItem>();
        foreach (var item in await PlanAsync(cancellationToken))
        {
            var result = item.Status == MirrorStatus.Present ? item : await CopyAsync(item.File, cancellationToken);
            progress?.Report(result);
            results.Add(result);
        }
        return results;
    }

    private async Task<MirrorItem> CopyAsync(PackageFileName file, CancellationToken cancellationToken)
    {
        try
        {
            // Opened as a package before it is kept, as publish opens it: a file that is not the package its name says
            // (another package's bytes renamed, or no package at all) fails here and stays out of the cache. One the cache
            // already held is opened there: changed on disk since, it is taken out and fetched again, as install does.
            PackageFileCheck? fresh = null;
            var (path, verified) = await PackageAcquisition.OpenAsync(async () =>
            {
                fresh = null;
                var fetched = await _cache.GetOrFetchAsync(file, _from, offline: false,
                    accept: staged => fresh = PackageFileCheck.VerifyPackage(staged, _to.PublishesSha1AndMd5), cancellationToken);
                return new AcquiredPackage(file, fetched, _from.Name);
            }, acquired => (acquired.Path, fresh ?? PackageFileCheck.VerifyPackage(acquired.Path, _to.PublishesSha1AndMd5)), _cache, offline: false, Warnings);
            // Judged before it is kept: a signature the target would refuse must not stay in the cache for later installs.
            await _cache.FetchSignatureAsync(file, _from, requireSigns: true, cancellationToken);
            // Opened as a package just now, under the same inode, in packster's own cache: what that found is what
            // publishing would find again.
            var published = await _to.PublishVerifiedAsync(path, verified, cancellationToken);
            return new MirrorItem(file, MirrorStatus.Copied, published.Signed ? "with its signature" : null);
        }
        catch (PacksterException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new MirrorItem(file, MirrorStatus.Failed, $"{ExitCodes.Format(e.Code)}: {e.Message}");
        }
    }

    /// <summary>With filters, only the filtered ids are listed (which needs no catalog, e.g. on GHCR); without, everything.</summary>
    private async Task<IReadOnlyList<PackageEntry>> OfferedAsync(IPackageSource source, CancellationToken cancellationToken)
    {
        if (Filters.Count == 0) return await source.SearchAsync("*", cancellationToken);
        var lists = new List<PackageEntry>();
        foreach (var id in Filters.Select(f => f.Id).Distinct()) lists.AddRange(await source.ListVersionsAsync(id, cancellationToken));
        return lists;
    }

    private bool Wanted(PackageFileName file) =>
        Filters.Count == 0 || Filters.Any(f => f.Id == file.Id && (f.Range is null || f.Range.Satisfies(file.Version)));
}
