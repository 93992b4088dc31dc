using Packster.Locations;
using Packster.Resources;

namespace Packster.Deployments;

/// <summary>
/// <c>packster use id@version</c>: makes one deployment the active one of its package, in one lockfile commit,
/// after the resource guard agreed (the claims of the version it replaces are released first).
/// </summary>
public sealed class Switcher
{
    private readonly Location _location;
    private readonly InstallerOptions _options;

    public Switcher(Location location, InstallerOptions options)
    {
        _location = location;
        _options = options;
    }

    public DeploymentEntry Use(string selector, CancellationToken cancellationToken = default)
    {
        using var session = LocationSession.Open(_location, _options.Messages, cancellationToken);
        var state = session.State;
        var target = DeploymentSelector.Single(state, selector, _location.Id.Value);
        if (target.Active) return target;
        session.Commit(state, [Activate(_location, state, target, _options.Clock)]);
        return target;
    }

    /// <summary>
    /// Makes <paramref name="target"/> the active deployment of its package in <paramref name="state"/> (not committed:
    /// the caller commits, alone or in a transaction) once the resource guard agreed, inside the location and with the
    /// locations enabled with it; the claims of the deployment it replaces are released first. Returns the <c>use</c> event.
    /// </summary>
    public static HistoryEntry Activate(Location location, LocationState state, DeploymentEntry target, TimeProvider? clock)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(target);
        var current = state.OfPackage(target.Id).FirstOrDefault(d => d.Active && d != target);
        var resources = DeployedPackage.Load(location, target).Resources;
        var release = current?.Claims.Select(ClaimText.Parse).ToList() ?? [];
        EnsureCanActivate(location, LocationActivation.Owners(state), new ResourceChange(LocationActivation.OwnerOf(state, target), resources.Claims, release));

        if (current is not null)
        {
            current.Active = false;
            current.Claims.Clear();
        }
        target.Active = true;
        target.Claims.Clear();
        foreach (var c in resources.Claims) target.Claims.Add(ClaimText.Format(c));
        return HistoryEntry.Now(clock, "use", target, current);
    }

    /// <summary>
    /// The resource guard's judgement of <see cref="Activate"/>: <paramref name="change"/> against <paramref name="owners"/>
    /// (the location's claims), then against the locations enabled with it. Also for a dry run that plays several
    /// activations in turn on owners of its own (<c>sync --dry-run</c>), so it refuses as the run would.
    /// </summary>
    public static void EnsureCanActivate(Location location, IReadOnlyDictionary<ResourceClaim, ResourceOwner> owners, ResourceChange change)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(change);
        ResourceGuard.EnsureNoConflicts(owners, change);
        var enabled = new EnabledLocations(location.Paths);
        if (enabled.IsEnabled(location)) ResourceGuard.EnsureNoConflicts(enabled.OwnersOutside(location), change with { Release = [] });
    }

    /// <summary>Pins (or unpins) a deployment so installing a newer version does not take over.</summary>
    /// <remarks>
    /// A deployment already so is left as it is: nothing is committed and no event is appended, as <see cref="Use"/>
    /// does for the active one (spec/lockfile.md). <c>Changed</c> says which it was.
    /// </remarks>
    public (DeploymentEntry Entry, bool Changed) SetPinned(string selector, bool pinned, CancellationToken cancellationToken = default)
    {
        using var session = LocationSession.Open(_location, _options.Messages, cancellationToken);
        var state = session.State;
        var matches = DeploymentSelector.Match(state, selector);
        var target = matches.Count > 1 ? matches.FirstOrDefault(m => m.Active) ?? DeploymentSelector.Single(state, selector, _location.Id.Value)
            : DeploymentSelector.Single(state, selector, _location.Id.Value);
        if (target.Pinned == pinned) return (target, false);
        target.Pinned = pinned;
        session.Commit(state, [HistoryEntry.Now(_options.Clock, pinned ? "pin" : "unpin", target)]);
        return (target, true);
    }
}
