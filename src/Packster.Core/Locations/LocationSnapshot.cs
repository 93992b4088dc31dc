using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// What read-only commands (<c>list</c>, <c>which</c>, <c>locate</c>, <c>verify</c>) see: one committed lockfile state,
/// read once without the lock, and the files of its deployments wherever a writer working meanwhile has put them
/// (spec/lockfile.md § Readers). A recorded deployment whose directory a writer has renamed into
/// <c>.packster/trash/</c> since (uninstall, gc, <c>--force</c>, recovery) is <see cref="DeploymentPresence.Removing"/>, read
/// from there; one whose removal the writer has committed since makes the whole read start again on the newer state.
/// </summary>
public sealed class LocationSnapshot
{
    /// <summary>Each further attempt means another commit landed while reading; after these, report rather than retry.</summary>
    private const int Attempts = 8;

    private bool _changed;

    private LocationSnapshot(Location location, LocationState state)
    {
        Location = location;
        State = state;
    }

    public Location Location { get; }

    /// <summary>The committed state every answer comes from.</summary>
    public LocationState State { get; }

    /// <summary>
    /// Runs <paramref name="read"/> on one committed state; when a deployment of that state has been removed and the
    /// removal committed while reading, runs it again on the newer state. Never takes the lock. <paramref name="read"/> must only compute (no output):
    /// an attempt's result may be discarded.
    /// </summary>
    public static T Read<T>(Location location, Func<LocationSnapshot, T> read)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(read);
        for (var attempt = 1; ; attempt++)
        {
            var snapshot = new LocationSnapshot(location, location.ReadState());
            var result = read(snapshot);
            // A newer committed state exists: answer from it instead (the last attempt answers as it is).
            if (!snapshot._changed || attempt == Attempts) return result;
        }
    }

    /// <summary>
    /// Reads the files of <paramref name="entry"/> with <paramref name="read"/> (given the directory holding them):
    /// in <c>deployments/&lt;hash&gt;</c> (<see cref="DeploymentPresence.Deployed"/>); else, when
    /// <paramref name="fromTrash"/>, in its copy in the trash (<see cref="DeploymentPresence.Removing"/>). A directory
    /// that vanishes while <paramref name="read"/> runs is looked for again; an exception while it still exists is
    /// a real one and propagates. Gone everywhere while the lockfile still records it: <see cref="DeploymentPresence.Missing"/>.
    /// </summary>
    public DeploymentFiles<T> Files<T>(DeploymentEntry entry, Func<string, T> read, bool fromTrash = true)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(read);
        var home = Location.DeploymentDirectory(entry.Hash);
        for (var round = 0; round < 3; round++)
        {
            if (TryRead(home, read, out var value)) return new(DeploymentPresence.Deployed, value);
            var inTrash = false;
            foreach (var aside in TrashCopies(entry.Hash))
            {
                inTrash = true;
                if (!fromTrash) return new(DeploymentPresence.Removing, default);
                if (TryRead(aside, read, out value)) return new(DeploymentPresence.Removing, value);
            }
            // Gone from both places. A commit that no longer records it came first (the trash is emptied after it).
            if (Location.ReadState().Find(entry.Hash) is null)
            {
                _changed = true;
                return new(DeploymentPresence.Removing, default);
            }
            // Still recorded: a --force reinstall may have published it again meanwhile; else it is really missing.
            if (!inTrash && !Directory.Exists(home)) return new(DeploymentPresence.Missing, default);
        }
        return new(DeploymentPresence.Missing, default);
    }

    /// <summary>Where the trash holds <paramref name="hash"/>'s directory (renamed aside as <c>&lt;hash&gt;.&lt;random&gt;</c>).</summary>
    private List<string> TrashCopies(Sha256Digest hash)
    {
        try
        {
            return Directory.Exists(Location.TrashDirectory)
                ? Directory.EnumerateDirectories(Location.TrashDirectory, hash.Hex + ".*").Order(StringComparer.Ordinal).ToList()
                : [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    private static bool TryRead<T>(string directory, Func<string, T> read, out T? value)
    {
        value = default;
        if (!Directory.Exists(directory)) return false;
        try
        {
            value = read(directory);
            // Read, but perhaps partly after the directory was moved away (a listing cut short): not an answer.
            if (Directory.Exists(directory)) return true;
        }
        catch (Exception e) when ((e is IOException or PacksterException) && !Directory.Exists(directory))
        {
        }
        return false;
    }
}

/// <summary>Where a reader found a recorded deployment's files.</summary>
public enum DeploymentPresence
{
    /// <summary>In <c>deployments/&lt;hash&gt;</c>.</summary>
    Deployed,

    /// <summary>Being removed: renamed into the trash by a writer working now, or by one that was interrupted (the next writer completes the removal).</summary>
    Removing,

    /// <summary>Recorded, but its directory is nowhere: deleted by hand (the next writer drops it from the lockfile).</summary>
    Missing,
}

/// <summary>A recorded deployment's files as a reader found them; <see cref="Value"/> is what was read, when anything was.</summary>
public sealed record DeploymentFiles<T>(DeploymentPresence Presence, T? Value);
