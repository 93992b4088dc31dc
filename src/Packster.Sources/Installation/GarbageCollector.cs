using Packster.Deployments;
using Packster.Manifest;
using Packster.Locations;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// <c>packster gc</c> (spec/lockfile.md § Garbage collection): removes the deployments nothing needs — inactive, not
/// pinned, not the resolution of a bundle entry — one by one through the <see cref="Uninstaller"/>, so their uninstall
/// handlers run. A deployment whose handler fails is kept and reported; the others are still removed.
/// </summary>
public sealed class GarbageCollector
{
    private readonly Location _location;
    private readonly InstallerOptions _options;

    public GarbageCollector(Location location, InstallerOptions options)
    {
        _location = location;
        _options = options;
    }

    /// <summary>
    /// How many of the latest generations keep their active deployments (spec/lockfile.md § Generations): 1, the
    /// default, keeps only what the current state needs; more keeps what a rollback to those generations needs.
    /// </summary>
    public int KeepGenerations { get; init; } = 1;

    /// <summary>
    /// Also remove orphans (spec/lockfile.md § Garbage collection): deployments installed only as dependencies that no
    /// deployment in use needs any more, active or not; their uninstall handlers run, dependents before dependencies.
    /// </summary>
    public bool Orphans { get; init; }

    /// <summary>What <see cref="CollectAsync"/> would remove: garbage in lockfile order, then orphans, latest installed first.</summary>
    public IReadOnlyList<DeploymentEntry> Candidates()
    {
        var state = _location.ReadState();
        var kept = KeptByGenerations();
        var needed = Needed(_location, state);
        var garbage = state.Deployments.Where(d => IsGarbage(d, state, kept) && !needed.Contains(d.Hash)).ToList();
        if (!Orphans) return garbage;
        return [.. garbage, .. Enumerable.Reverse(state.Deployments).Where(d => !garbage.Contains(d) && IsOrphan(d, kept, needed))];
    }

    /// <summary>Marked as a dependency, not pinned, not kept by a generation, and needed by no deployment in use.</summary>
    private static bool IsOrphan(DeploymentEntry deployment, HashSet<Sha256Digest> kept, HashSet<Sha256Digest> needed) =>
        deployment.Dependency && !deployment.Pinned && !kept.Contains(deployment.Hash) && !needed.Contains(deployment.Hash);

    /// <summary>
    /// The deployments in use and everything they need: from the roots (active or pinned deployments the user asked for,
    /// and the bundle's resolutions) through each manifest's <c>[dependencies]</c>, a requirement being met by the active
    /// deployment of that id when its version is in range, else by the highest one in range. A manifest that cannot be
    /// read keeps everything: what it needs is unknown.
    /// </summary>
    internal static HashSet<Sha256Digest> Needed(Location location, LocationState state)
    {
        var needed = new HashSet<Sha256Digest>();
        var bundle = state.Bundle.Values.Select(b => b.Resolved?.Deployment).OfType<Sha256Digest>().ToHashSet();
        var queue = new Queue<DeploymentEntry>(state.Deployments.Where(d => (!d.Dependency && (d.Active || d.Pinned)) || bundle.Contains(d.Hash)));
        while (queue.TryDequeue(out var deployment))
        {
            if (!needed.Add(deployment.Hash)) continue;
            Manifest.Manifest manifest;
            try
            {
                manifest = ManifestReader.ReadFromDirectory(location.DeploymentDirectory(deployment.Hash));
            }
            catch (PacksterException)
            {
                return [.. state.Deployments.Select(d => d.Hash)];
            }
            foreach (var requirement in manifest.Dependencies)
            {
                var inRange = state.OfPackage(requirement.Id).Where(d => requirement.Range.Satisfies(d.Version)).ToList();
                if ((inRange.FirstOrDefault(d => d.Active) ?? inRange.MaxBy(d => d.Version)) is { } met) queue.Enqueue(met);
            }
        }
        return needed;
    }

    /// <summary>The deployments active in one of the last <see cref="KeepGenerations"/> generations.</summary>
    private HashSet<Sha256Digest> KeptByGenerations() => KeepGenerations <= 1 ? []
        : [.. Generations.LastSummaries(_location, KeepGenerations).SelectMany(g => g.Active.Select(d => d.Hash))];

    /// <summary>
    /// Inactive, unpinned, not the resolution of a bundle entry, and not needed by a kept generation. Garbage only when
    /// also not <see cref="Needed"/>: an inactive deployment can be what a deployment in use needs (the highest in range
    /// of a requirement the active one does not meet).
    /// </summary>
    private static bool IsGarbage(DeploymentEntry deployment, LocationState state, HashSet<Sha256Digest> kept) =>
        !deployment.Active && !deployment.Pinned && !kept.Contains(deployment.Hash)
        && !state.Bundle.Values.Any(b => b.Resolved?.Deployment == deployment.Hash);

    /// <summary>Deletes the records of all but the last <see cref="KeepGenerations"/> generations, under the lock; returns how many.</summary>
    public int DropGenerations(CancellationToken cancellationToken = default)
    {
        using var session = LocationSession.Open(_location, _options.Messages, cancellationToken);
        return Generations.Drop(_location, KeepGenerations);
    }

    /// <summary>
    /// How many records <see cref="DropGenerations"/> would delete after <paramref name="removals"/> removals (each its
    /// own commit, so its own generation): what <c>gc --drop-generations --dry-run</c> reports.
    /// </summary>
    public int GenerationsToDrop(int removals) => Generations.WouldDrop(_location, KeepGenerations, removals);

    public async Task<GcResult> CollectAsync(bool dryRun, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        var candidates = Candidates();
        if (dryRun) return new GcResult(candidates, []);
        var kept = KeptByGenerations();
        var removed = new List<DeploymentEntry>();
        var skipped = new List<GcSkip>();
        var uninstaller = new Uninstaller(_location, _options);
        foreach (var candidate in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // Chosen before the lock: judged again under it, so a concurrent `use` or `pin` keeps its deployment.
                var gone = await uninstaller.UninstallIfAsync(candidate.Hash.Hex, force: false,
                    (d, state) => (IsGarbage(d, state, kept) || (Orphans && d.Dependency && !d.Pinned && !kept.Contains(d.Hash))) && !Needed(_location, state).Contains(d.Hash),
                    handlerTimeout, cancellationToken).ConfigureAwait(false);
                if (gone is not null) removed.Add(gone.Removed);
                else skipped.Add(new GcSkip(candidate, "it became active, pinned, needed or part of the bundle meanwhile"));
            }
            catch (PacksterException e) when (e.Code == ErrorCode.DeploymentNotFound)
            {
                skipped.Add(new GcSkip(candidate, "another command removed it meanwhile"));
            }
            catch (PacksterException e) when (IsHandlerFailure(e.Code))
            {
                _options.Messages.WriteLine($"warning: kept {candidate.Id} {candidate.Version} ({candidate.Hash.Hex[..12]}): {e.Message}");
                skipped.Add(new GcSkip(candidate, e.Message));
            }
        }
        return new GcResult(removed, skipped);
    }

    /// <summary>
    /// Deletes the extracted-file store's objects that no recorded deployment holds, and the indexes of packages no
    /// deployment came from (spec/lockfile.md § Extracted-file store); returns how many objects went and their bytes.
    /// </summary>
    public (int Objects, long Bytes) PruneStore(CancellationToken cancellationToken = default)
    {
        var store = ExtractedFileStore.Of(_location);
        if (!Directory.Exists(store.Root)) return (0, 0);
        // The lock and the committed lockfile are all it needs: what recovery or a catch-up would repair is the
        // business of the commands that change deployments, which gc's uninstalls just were.
        using var heldLock = LocationLock.Acquire(_location, LocationLock.TimeoutFrom(_location.Paths), _options.Messages, cancellationToken);
        var recorded = _location.ReadState().Deployments.Select(d => (d.Package.Sha256, FilesOf(d))).ToList();
        return store.Prune(recorded);
    }

    /// <summary>
    /// What <see cref="PruneStore"/> would remove once the collection's <paramref name="removed"/> deployments are gone
    /// (<c>gc --dry-run</c>), counted without the lock and without deleting anything.
    /// </summary>
    public (int Objects, long Bytes) CountStorePrune(IReadOnlyCollection<DeploymentEntry> removed)
    {
        ArgumentNullException.ThrowIfNull(removed);
        var store = ExtractedFileStore.Of(_location);
        if (!Directory.Exists(store.Root)) return (0, 0);
        var gone = removed.Select(d => d.Hash).ToHashSet();
        var recorded = _location.ReadState().Deployments.Where(d => !gone.Contains(d.Hash)).Select(d => (d.Package.Sha256, FilesOf(d))).ToList();
        return store.Prune(recorded, dryRun: true);
    }

    /// <summary>
    /// What a deployment's record lists. A record that cannot be read (verify reports it) keeps no object: deleting a
    /// store object never changes a deployment, whose own hardlinks keep the bytes; it only stops sharing them.
    /// </summary>
    private IEnumerable<DeploymentFile> FilesOf(DeploymentEntry deployment)
    {
        try
        {
            return DeploymentRecord.ReadFrom(_location.DeploymentDirectory(deployment.Hash)).Files;
        }
        catch (Exception e) when (e is PacksterException or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Handler failures (7xxx) skip one deployment; Ctrl-C and location errors stop the collection.</summary>
    private static bool IsHandlerFailure(ErrorCode code) => (int)code / 1000 == 7 && code != ErrorCode.HandlerCancelled;
}

/// <summary>What a collection removed (or, for a dry run, would remove) and what it kept because a handler failed.</summary>
public sealed record GcResult(IReadOnlyList<DeploymentEntry> Removed, IReadOnlyList<GcSkip> Skipped);

/// <summary>A deployment gc kept, and why.</summary>
public sealed record GcSkip(DeploymentEntry Deployment, string Reason);
