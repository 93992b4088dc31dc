using Packster.Locations;
using Packster.Resources;

namespace Packster.Deployments;

/// <summary>What a rollback did (or, dry, would do): the generation restored and each deployment whose state changed.</summary>
public sealed record RollbackResult(Generation Target, IReadOnlyList<DeploymentEntry> Activated, IReadOnlyList<DeploymentEntry> Deactivated, bool DryRun)
{
    /// <summary>Deployments the generation had active that were removed since, installed again (inactive first) by this rollback.</summary>
    public IReadOnlyList<DeploymentEntry> Reinstalled { get; init; } = [];
}

/// <summary>
/// <c>packster rollback --to N|TIME</c> (spec/lockfile.md § Generations): makes an earlier generation's active set,
/// pins and bundle current again, in one lockfile commit (itself a new generation, so a rollback can be rolled back).
/// Deployments still on disk are re-activated with the claims they had; one removed since fails the whole rollback,
/// naming each, before anything changes. Handlers do not run: the deployments are the same directories, already set
/// up. The cross-location resource guard still applies.
/// </summary>
public sealed class Rollback(Location location, InstallerOptions options)
{
    public RollbackResult To(string selector, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return To(HistoryReplay.FindOrRebuild(location, selector), dryRun, cancellationToken);
    }

    /// <summary>
    /// As <see cref="To(string, bool, CancellationToken)"/>, to a generation the caller has read already (a generation's
    /// state never changes once recorded; a summary's is rebuilt from the history, which is not worth doing twice).
    /// </summary>
    public RollbackResult To(Generation target, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        // A dry run takes no lock and runs no recovery or activation, as the dry runs of install, gc and sync: it judges
        // the committed lockfile (replaced atomically, so safe to read unlocked) and changes nothing.
        if (dryRun) return Judge(location.ReadState(), target, dryRun: true);
        return Locked(target, orNone: false, cancellationToken)!;
    }

    /// <summary>
    /// As <see cref="To(Generation, bool, CancellationToken)"/> (not dry), but null, with nothing changed, when under
    /// the lock a deployment the generation had active is gone: one removed while this command waited for the lock
    /// (a <c>gc</c> that held it), which the caller brings back (spec/lockfile.md § Generations) rather than refuse.
    /// </summary>
    public RollbackResult? ToUnlessRemoved(Generation target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Locked(target, orNone: true, cancellationToken);
    }

    private RollbackResult? Locked(Generation target, bool orNone, CancellationToken cancellationToken)
    {
        using var session = LocationSession.Open(location, options.Messages, cancellationToken);
        var state = session.State;
        if (orNone && target.State.ActiveDeployments.Any(w => state.Find(w.Hash) is null)) return null;
        var before = Lockfile.Serialize(state);
        var result = Judge(state, target, dryRun: false);
        // Already that active set, those pins and that bundle: there is nothing to commit.
        if (before.AsSpan().SequenceEqual(Lockfile.Serialize(state))) return result;
        session.Commit(state, History(result, options.Clock));
        return result;
    }

    /// <summary>Makes <paramref name="state"/> (in memory) the generation's; PST5016 when a deployment it needs is gone.</summary>
    private RollbackResult Judge(LocationState state, Generation target, bool dryRun)
    {
        var wanted = target.State;

        var missing = wanted.ActiveDeployments.Where(w => state.Find(w.Hash) is null).ToList();
        if (missing.Count > 0)
        {
            throw new PacksterException(ErrorCode.RollbackIncomplete,
                $"generation {target.Number} of location {location.Id} needs deployments removed since: {string.Join(", ", missing.Select(m => $"{m.Id} {m.Version} ({m.Hash.Hex[..12]})"))}; nothing was changed",
                $"reinstall them (same package file and parameters give the same deployment), then roll back again; 'packster history --at {target.Number}' shows their parameters");
        }

        var (activated, deactivated) = Apply(location, state, target);
        return new RollbackResult(target, activated, deactivated, dryRun);
    }

    /// <summary>
    /// Makes <paramref name="state"/> hold <paramref name="target"/>'s active set (with the claims it had), pins and
    /// bundle; every deployment the target had active must be in <paramref name="state"/>. The cross-location
    /// resource guard is asked about each re-activated deployment. Returns those activated and those deactivated.
    /// </summary>
    public static (List<DeploymentEntry> Activated, List<DeploymentEntry> Deactivated) Apply(Location location, LocationState state, Generation target)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(target);
        var wanted = target.State;
        var activated = new List<DeploymentEntry>();
        var deactivated = new List<DeploymentEntry>();
        foreach (var d in state.Deployments)
        {
            var then = wanted.Find(d.Hash);
            var active = then?.Active ?? false;
            if (active && !d.Active) activated.Add(d);
            if (!active && d.Active) deactivated.Add(d);
            d.Active = active;
            d.Pinned = then?.Pinned ?? false;
            d.Claims.Clear();
            if (active) d.Claims.UnionWith(then!.Claims);
        }
        state.Bundle.Clear();
        foreach (var (id, requirement) in wanted.Bundle) state.Bundle[id] = requirement;

        // Inside the location the claims are those the generation held together; other enabled locations may have
        // taken some since.
        var enabled = new EnabledLocations(location.Paths);
        if (enabled.IsEnabled(location))
        {
            var outside = enabled.OwnersOutside(location);
            foreach (var d in activated)
            {
                ResourceGuard.EnsureNoConflicts(outside, new ResourceChange(LocationActivation.OwnerOf(state, d), [.. d.Claims.Select(ClaimText.Parse)], []));
            }
        }
        return (activated, deactivated);
    }

    /// <summary>The events of a rollback: <c>rollback</c> per re-activated deployment, <c>rollback-deactivate</c> per package left with none.</summary>
    public static List<HistoryEntry> History(RollbackResult result, TimeProvider? clock)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.Activated.Select(d => HistoryEntry.Now(clock, "rollback", d, result.Deactivated.FirstOrDefault(x => x.Id == d.Id)))
            .Concat(result.Deactivated.Where(x => !result.Activated.Any(a => a.Id == x.Id)).Select(d => HistoryEntry.Now(clock, "rollback-deactivate", d)))];
    }
}
