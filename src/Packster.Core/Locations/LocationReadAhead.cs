using Packster.Deployments;
using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// What a mutating command reads of a location before it holds the lock, on another core while it still reads its
/// package: the lockfile parsed, <c>deployments/</c> listed and each recorded deployment's record looked up (recovery's
/// check, spec/lockfile.md § Recovery), and <c>generations/</c> listed. Under the lock each part is used only when what
/// it was read from is still what it was (the same <c>lstat</c> stamp before and after the reading and under the lock:
/// inode, size, modification and status-change times), and only once; otherwise it is read again there, as without this.
/// At 1,000 deployments these readings are most of what a location's size adds to an install (spec/lockfile.md
/// § Reading ahead of the lock). POSIX only: elsewhere a stamp has no inode and no status-change time to trust.
/// </summary>
internal sealed class LocationReadAhead
{
    private readonly Location _location;
    private readonly Task<Parts?> _reading;
    private int _lockfileTaken;
    private int _generationsTaken;

    private LocationReadAhead(Location location)
    {
        _location = location;
        _reading = Task.Run(() => Read(location));
    }

    /// <summary>Starts reading <paramref name="location"/>; null where stamps cannot be trusted (Windows).</summary>
    public static LocationReadAhead? Start(Location location) => OperatingSystem.IsWindows() ? null : new LocationReadAhead(location);

    /// <summary>
    /// The lockfile as read ahead and recovery's look at <c>deployments/</c> made against it, when both are still what
    /// is on disk; null when either changed, the reading failed, or it was taken before. Call under the lock.
    /// </summary>
    public (LockfileRead Lockfile, DeploymentsRead Deployments)? TakeLockfile()
    {
        if (Interlocked.Exchange(ref _lockfileTaken, 1) != 0 || Finished() is not { } parts) return null;
        if (!IsCurrent(_location.LockfilePath, parts.Lockfile.Stamp) || parts.Deployments is not { } deployments
            || !IsCurrent(_location.DeploymentsDirectory, deployments.Stamp))
        {
            return null;
        }
        return (parts.Lockfile, deployments);
    }

    /// <summary>The listing of <c>generations/</c> read ahead, while the folder is unchanged; null otherwise, or when taken before. Call under the lock.</summary>
    public GenerationsRead? TakeGenerations()
    {
        if (Interlocked.Exchange(ref _generationsTaken, 1) != 0 || Finished() is not { } parts) return null;
        return parts.Generations is { } generations && IsCurrent(Generations.DirectoryOf(_location), generations.Stamp) ? generations : null;
    }

    /// <summary>The reading, running or done.</summary>
    internal Task Reading => _reading;

    /// <summary>The reading's result, waited for: it does what the caller would otherwise do itself.</summary>
    private Parts? Finished() => _reading.GetAwaiter().GetResult();

    private static Parts? Read(Location location)
    {
        // The folders are looked at on one more core while this one reads the lockfile: neither needs the other.
        var folders = Task.Run(() => (Count(location), ListGenerations(location)));
        var lockfile = ReadLockfile(location);
        var (counted, generations) = folders.GetAwaiter().GetResult();
        if (lockfile is null) return null;
        // deployments/ is listed only when it does not hold as many folders as the lockfile records (spec/lockfile.md
        // § Recovery, step 5): rarely, after a hand or a crash, and then here, after the lockfile.
        var deployments = counted is { Count: var count } && count == lockfile.State.Deployments.Count
            ? new DeploymentsRead(counted.Stamp, null)
            : Survey(location);
        return new Parts(lockfile, deployments, generations);
    }

    // Whatever goes wrong in these readings is met again, and reported, when the same reading is made under the lock.
    private static LockfileRead? ReadLockfile(Location location) => Guarded(location.LockfilePath, () =>
    {
        var (state, bytes, layout) = location.ReadStateWithLayout();
        // The location hash, which the session asks for to know whether activation is current: kept with the state.
        _ = state.Hash;
        // What a commit compares the lockfile with: hashed here rather than on the way to the commit.
        return (state, bytes, layout, sha: Sha256Digest.Compute(bytes));
    }, (stamp, read) => new LockfileRead(stamp, read.state, read.bytes, read.layout, read.sha));

    private static FolderCount? Count(Location location) =>
        Guarded(location.DeploymentsDirectory, () => PosixFiles.FolderCount(location.DeploymentsDirectory), (stamp, count) => new FolderCount(stamp, count));

    private static DeploymentsRead? Survey(Location location) =>
        Guarded(location.DeploymentsDirectory, () => Recovery.Survey(location, records: false), (stamp, entries) => new DeploymentsRead(stamp, entries));

    private static GenerationsRead? ListGenerations(Location location) =>
        Guarded(Generations.DirectoryOf(location), () => Generations.Listing(location), (stamp, listed) => new GenerationsRead(stamp, listed.Committed, listed.Pending));

    /// <summary>
    /// <paramref name="read"/>, made into a part by <paramref name="make"/> when <paramref name="path"/> had the same
    /// trustworthy stamp before and after it (else it changed meanwhile, and what was read may be of either state);
    /// null then, or when the reading failed.
    /// </summary>
    private static TPart? Guarded<T, TPart>(string path, Func<T> read, Func<FileStamp, T, TPart> make)
        where TPart : class
    {
        try
        {
            if (FileStamp.ForChanges(path) is not { } before) return null;
            var value = read();
            return FileStamp.ForChanges(path) == before ? make(before, value) : null;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static bool IsCurrent(string path, FileStamp stamp) => FileStamp.ForChanges(path) == stamp;

    /// <summary>How many folders <c>deployments/</c> holds (<see cref="PosixFiles.FolderCount"/>), with its stamp.</summary>
    private sealed record FolderCount(FileStamp Stamp, int? Count);

    private sealed record Parts(LockfileRead Lockfile, DeploymentsRead? Deployments, GenerationsRead? Generations);
}

/// <summary>A lockfile as read ahead of the lock, with the stamp it had.</summary>
internal sealed record LockfileRead(FileStamp Stamp, LocationState State, byte[] Bytes, LockfileLayout? Layout, Sha256Digest Sha256);

/// <summary>
/// What <c>deployments/</c> holds (<see cref="Recovery.Survey"/>), with the folder's stamp; no entries when it was not
/// listed, holding as many folders as the lockfile read with it records.
/// </summary>
internal sealed record DeploymentsRead(FileStamp Stamp, (string Name, bool HasRecord)[]? Entries);

/// <summary>A listing of <c>generations/</c>: committed and pending numbers, ascending, with the folder's stamp.</summary>
internal sealed record GenerationsRead(FileStamp Stamp, List<int> Committed, List<int> Pending);
