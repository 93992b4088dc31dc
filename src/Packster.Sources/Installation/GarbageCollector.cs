using Packster.Deployments;
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

    /// <summary>What <see cref="CollectAsync"/> would remove, in lockfile order.</summary>
    public IReadOnlyList<DeploymentEntry> Candidates()
    {
        var state = _location.ReadState();
        var kept = KeptByGenerations();
        return state.Deployments.Where(d => IsGarbage(d, state, kept)).ToList();
    }

    /// <summary>The deployments active in one of the last <see cref="KeepGenerations"/> generations.</summary>
    private HashSet<Sha256Digest> KeptByGenerations() => KeepGenerations <= 1 ? []
        : [.. Generations.List(_location).TakeLast(KeepGenerations).SelectMany(g => g.State.ActiveDeployments.Select(d => d.Hash))];

    /// <summary>Inactive, unpinned, not the resolution of a bundle entry, and not needed by a kept generation.</summary>
    private static bool IsGarbage(DeploymentEntry deployment, LocationState state, HashSet<Sha256Digest> kept) =>
        !deployment.Active && !deployment.Pinned && !kept.Contains(deployment.Hash)
        && !state.Bundle.Values.Any(b => b.Resolved?.Deployment == deployment.Hash);

    /// <summary>Deletes the records of all but the last <see cref="KeepGenerations"/> generations, under the lock; returns how many.</summary>
    public int DropGenerations(CancellationToken cancellationToken = default)
    {
        using var session = LocationSession.Open(_location, _options.Messages, cancellationToken);
        return Generations.Drop(_location, KeepGenerations);
    }

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
                var gone = await uninstaller.UninstallIfAsync(candidate.Hash.Hex, force: false, (d, state) => IsGarbage(d, state, kept), handlerTimeout, cancellationToken).ConfigureAwait(false);
                if (gone is not null) removed.Add(gone.Removed);
                else skipped.Add(new GcSkip(candidate, "it became active, pinned or part of the bundle meanwhile"));
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

    /// <summary>Handler failures (7xxx) skip one deployment; Ctrl-C and location errors stop the collection.</summary>
    private static bool IsHandlerFailure(ErrorCode code) => (int)code / 1000 == 7 && code != ErrorCode.HandlerCancelled;
}

/// <summary>What a collection removed (or, for a dry run, would remove) and what it kept because a handler failed.</summary>
public sealed record GcResult(IReadOnlyList<DeploymentEntry> Removed, IReadOnlyList<GcSkip> Skipped);

/// <summary>A deployment gc kept, and why.</summary>
public sealed record GcSkip(DeploymentEntry Deployment, string Reason);
