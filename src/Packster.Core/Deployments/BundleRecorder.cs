using Packster.Locations;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// Changes a location's bundle (spec/bundle.md) under the location's lock, in one lockfile commit: either every
/// entry of a call is recorded or none is.
/// </summary>
public static class BundleRecorder
{
    /// <summary>Adds <paramref name="entries"/> to the bundle, replacing any requirement with the same id.</summary>
    public static LocationState Record(Location location, IEnumerable<BundleRequirement> entries, TextWriter? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(entries);
        using var session = LocationSession.Open(location, messages, cancellationToken);
        var state = session.State;
        foreach (var entry in entries) state.Bundle[entry.Id] = entry;
        session.Commit(state);
        return state;
    }

    /// <summary>Removes the requirements of <paramref name="ids"/> from the bundle; ids not in it are ignored.</summary>
    public static LocationState Remove(Location location, IEnumerable<PackageId> ids, TextWriter? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(ids);
        using var session = LocationSession.Open(location, messages, cancellationToken);
        var state = session.State;
        var changed = false;
        foreach (var id in ids) changed |= state.Bundle.Remove(id);
        if (changed) session.Commit(state);
        return state;
    }
}
