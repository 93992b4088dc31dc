using Packster.Locations;

namespace Packster.Deployments;

/// <summary>
/// A mutating command's hold on a location: the OS lock taken, leftovers of an interrupted command repaired,
/// the lockfile read, and derived files (shims, activation scripts) brought up to date. Dispose releases the lock.
/// </summary>
public sealed class LocationSession : IDisposable
{
    private readonly IDisposable _work;

    private LocationSession(Location location, LocationLock heldLock, LocationState state, RecoveryReport recovery, IDisposable work)
    {
        _work = work;
        Location = location;
        Lock = heldLock;
        State = state;
        Recovery = recovery;
    }

    public Location Location { get; }
    public LocationLock Lock { get; }

    /// <summary>The lockfile as read after recovery; mutate a copy via <see cref="Commit"/>.</summary>
    public LocationState State { get; private set; }

    public RecoveryReport Recovery { get; }

    /// <summary>Takes the lock (waiting, with a message on <paramref name="waiting"/>, up to the timeout), then recovers.</summary>
    public static LocationSession Open(Location location, TextWriter? waiting, CancellationToken cancellationToken = default)
    {
        // From the lock on, an interrupt lets the command roll back (and release the lock) rather than end the process.
        var work = UnfinishedWork.Begin();
        LocationLock heldLock;
        try
        {
            heldLock = LocationLock.Acquire(location, LocationLock.TimeoutFrom(location.Paths), waiting, cancellationToken);
        }
        catch
        {
            work.Dispose();
            throw;
        }
        try
        {
            var report = Packster.Locations.Recovery.Run(location, heldLock, waiting);
            // Recovery read (and, when it repaired something, rewrote) the lockfile under this lock: reuse its state.
            var state = report.State;
            LocationActivation.RefreshIfStale(location, state, heldLock);
            return new LocationSession(location, heldLock, state, report, work);
        }
        catch
        {
            heldLock.Dispose();
            work.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="state"/> as the lockfile, then regenerates shims and activation scripts from it.</summary>
    public void Commit(LocationState state)
    {
        Location.Commit(state, Lock);
        UnfinishedWork.Committed();
        CrashPoint.Hit("commit.lockfile-written");
        State = state;
        LocationActivation.Refresh(Location, state, Lock);
    }

    public void Dispose()
    {
        Lock.Dispose();
        _work.Dispose();
    }
}
