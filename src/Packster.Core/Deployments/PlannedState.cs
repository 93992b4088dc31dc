using Packster.Locations;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// What the installs a dry run has planned so far would leave (spec/lockfile.md § Dry run): the location's state, read
/// once, with their entries and claims added in memory, and which deployments they are. A dry run of several installs
/// plans each against it, as the real run's transaction does each against the state the earlier ones changed, so it
/// meets the same refusals. Nothing here is ever written.
/// </summary>
public sealed class PlannedState
{
    private readonly HashSet<Sha256Digest> _planned = [];

    public PlannedState(LocationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        State = state;
    }

    /// <summary>The location's state as the installs planned so far would leave it.</summary>
    public LocationState State { get; }

    /// <summary>Deployment <paramref name="hash"/> is one a planned install builds.</summary>
    internal void Add(Sha256Digest hash) => _planned.Add(hash);

    /// <summary>Whether deployment <paramref name="hash"/> is one an install planned so far builds (as <see cref="LocationTransaction.Installed"/>).</summary>
    public bool Installed(Sha256Digest hash) => _planned.Contains(hash);
}
