using Packster.Locations;
using Packster.Resources;

namespace Packster.Deployments;

/// <summary>What a rollback did (or, dry, would do): the generation restored and each deployment whose state changed.</summary>
public sealed record RollbackResult(Generation Target, IReadOnlyList<DeploymentEntry> Activated, IReadOnlyList<DeploymentEntry> Deactivated, bool DryRun);

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
        using var session = LocationSession.Open(location, options.Messages, cancellationToken);
        var target = Generations.Find(location, selector);
        var state = session.State;
        var wanted = target.State;
        var before = Lockfile.Serialize(state);

        var missing = wanted.ActiveDeployments.Where(w => state.Find(w.Hash) is null).ToList();
        if (missing.Count > 0)
        {
            throw new PacksterException(ErrorCode.RollbackIncomplete,
                $"generation {target.Number} of location {location.Id} needs deployments removed since: {string.Join(", ", missing.Select(m => $"{m.Id} {m.Version} ({m.Hash.Hex[..12]})"))}; nothing was changed",
                $"reinstall them (same package file and parameters give the same deployment), then roll back again; 'packster history --at {target.Number}' shows their parameters");
        }

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
        var result = new RollbackResult(target, activated, deactivated, dryRun);
        // Already that active set, those pins and that bundle: there is nothing to commit.
        if (dryRun || before.AsSpan().SequenceEqual(Lockfile.Serialize(state))) return result;

        var history = activated.Select(d => HistoryEntry.Now(options.Clock, "rollback", d, deactivated.FirstOrDefault(x => x.Id == d.Id)))
            .Concat(deactivated.Where(x => !activated.Any(a => a.Id == x.Id)).Select(d => HistoryEntry.Now(options.Clock, "rollback-deactivate", d)))
            .ToList();
        session.Commit(state, history);
        return result;
    }
}
