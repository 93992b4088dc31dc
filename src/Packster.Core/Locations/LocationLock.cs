using System.Globalization;
using System.Text;

namespace Packster.Locations;

/// <summary>
/// The exclusive lock of one location: <c>.packster/lock</c> held open with <see cref="FileShare.None"/>. On Windows
/// that is a sharing lock; on Linux and macOS it is an explicit <c>flock(LOCK_EX|LOCK_NB)</c> on the descriptor, taken
/// here rather than left to .NET (which ignores every flock error but EWOULDBLOCK and skips locking altogether under
/// <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>), so other processes (packster or any <c>flock</c> user) see it, and any
/// other failure (ENOLCK) is an error rather than a lock silently not taken. Either way the OS drops it when the process
/// dies — a crashed holder never leaves a stale lock. Dispose releases it. Not re-entrant: a second Acquire in the same
/// process waits.
/// </summary>
public sealed class LocationLock : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(500);

    private readonly Location _location;
    private FileStream? _stream;

    private LocationLock(Location location, FileStream stream)
    {
        _location = location;
        _stream = stream;
        // A holder that ends cleanly removes its pid file before releasing: finding one means it did not.
        PreviousHolderDied = File.Exists(HolderPath(location));
        if (PreviousHolderDied) PreviousHolderToken = ReadHolder(location).Token;
    }

    /// <summary>
    /// The token of the handler runs of a previous holder that died (<see cref="PreviousHolderDied"/>), from its
    /// <c>lock.holder</c>; null when it recorded none (an earlier packster) or the file could not be read.
    /// </summary>
    public string? PreviousHolderToken { get; }

    /// <summary>
    /// True when the previous holder did not release the lock cleanly (killed, crashed, power cut): its
    /// <c>lock.holder</c> was still there. Recovery then also checks the recorded deployments' file sizes.
    /// </summary>
    public bool PreviousHolderDied { get; }

    /// <summary>Where the holder's pid is written for waiters (the lock file itself cannot be read by them: it is locked).</summary>
    public static string HolderPath(Location location) => location.LockPath + ".holder";

    /// <summary>
    /// Takes the lock, waiting while another process holds it: the first failed try writes one line to
    /// <paramref name="waiting"/> naming the holder's pid, then polls with backoff (10 ms doubling to 500 ms) until
    /// <paramref name="timeout"/> (null: <c>PACKSTER_LOCK_TIMEOUT</c> seconds, else 60 s) has passed → LockTimeout.
    /// A zero timeout tries once. <paramref name="cancellationToken"/> aborts the wait.
    /// </summary>
    public static LocationLock Acquire(Location location, TimeSpan? timeout = null, TextWriter? waiting = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? TimeoutFrom(location.Paths);
        location.EnsureNoLinks();
        location.EnsureNotWritableByOthers();
        Directory.CreateDirectory(location.InternalDirectory);
        var stream = LockExclusiveWaiting(location.LockPath, limit,
            () =>
            {
                var pid = ReadHolderPid(location);
                waiting?.WriteLine($"waiting for another packster process{(pid is { } p ? $" (pid {p})" : "")} to release location {location.Id}…");
            },
            () => LocationErrors.LockTimeout(location.Id, location.Path, ReadHolderPid(location), limit),
            cancellationToken);
        return Held(location, stream);
    }

    /// <summary>
    /// <see cref="TryLockExclusive"/> until it takes the lock: the first failed try calls <paramref name="announce"/>
    /// (not with a zero <paramref name="limit"/>, which tries once), then it polls with backoff (10 ms doubling to 500 ms)
    /// until <paramref name="limit"/> has passed and throws what <paramref name="timedOut"/> makes.
    /// <paramref name="cancellationToken"/> aborts the wait. The wait of every packster lock (<see cref="FileLock"/> too).
    /// </summary>
    internal static FileStream LockExclusiveWaiting(string path, TimeSpan limit, Action announce, Func<PacksterException> timedOut,
        CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var delay = FirstPoll;
        var announced = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryLockExclusive(path) is { } stream) return stream;
            if (!announced && limit > TimeSpan.Zero)
            {
                announce();
                announced = true;
            }
            var left = limit - clock.Elapsed;
            if (left <= TimeSpan.Zero) throw timedOut();
            cancellationToken.WaitHandle.WaitOne(delay < left ? delay : left);
            delay = delay * 2 < LongestPoll ? delay * 2 : LongestPoll;
        }
    }

    /// <summary>Takes the lock only if it is free right now; null when another process holds it.</summary>
    public static LocationLock? TryAcquire(Location location)
    {
        location.EnsureNoLinks();
        location.EnsureNotWritableByOthers();
        Directory.CreateDirectory(location.InternalDirectory);
        return TryLockExclusive(location.LockPath) is { } stream ? Held(location, stream) : null;
    }

    private static LocationLock Held(Location location, FileStream stream)
    {
        var held = new LocationLock(location, stream);
        try
        {
            // Before anything else under the lock, and before its file is replaced: what the handlers of a holder that
            // died left running would go on writing into the location recovery is about to clean (spec/lockfile.md § Recovery).
            held.KillPreviousHolderHandlers();
            held.WriteHolder();
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary><c>PACKSTER_LOCK_TIMEOUT</c> in seconds (fractions allowed, 0 = do not wait), else 60 s.</summary>
    public static TimeSpan TimeoutFrom(PacksterPaths paths)
    {
        if (paths.Get(PacksterPaths.LockTimeoutVariable) is not { } text) return DefaultTimeout;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : throw new PacksterException(ErrorCode.InvalidArgument,
                $"{PacksterPaths.LockTimeoutVariable}='{text}' is not a number of seconds between 0 and 86400");
    }

    public bool IsHeldFor(Location location) => _stream is not null && string.Equals(_location.Path, location.Path, StringComparison.Ordinal);

    public void Dispose()
    {
        if (_stream is null) return;
        try
        {
            // Removed while still held, so it never erases the pid of the next holder.
            File.Delete(HolderPath(_location));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        _stream.Dispose();
        _stream = null;
    }

    /// <summary>
    /// Opens <paramref name="path"/> and takes an exclusive OS lock on it, or returns null while another process holds
    /// it. On POSIX the lock is packster's own <c>flock</c>, never only .NET's <see cref="FileShare.None"/>, which is
    /// skipped under <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> and ignores ENOLCK; any failure other than contention is
    /// PST5013. Every lock packster takes goes through here (the location lock, the shell-profile locks).
    /// </summary>
    internal static FileStream? TryLockExclusive(string path)
    {
        FileStream stream;
        try
        {
            Location.RefuseLink(path);
            stream = FileSystemErrors.OpeningFile(path, () => new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
        }
        catch (IOException e) when (IsContention(e))
        {
            return null;
        }
        if (OperatingSystem.IsWindows()) return stream;
        int errno;
        try
        {
            errno = PosixFiles.Flock(stream.SafeFileHandle, PosixFiles.LockExclusive | PosixFiles.LockNonBlocking);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            stream.Dispose();
            throw LocationErrors.LockUnavailable(path, "flock is not available on this system");
        }
        if (errno == 0) return stream;
        stream.Dispose();
        if (errno == PosixFiles.WouldBlock) return null;
        throw LocationErrors.LockUnavailable(path, PosixFiles.Describe(errno));
    }

    // Windows: ERROR_SHARING_VIOLATION (32) or ERROR_LOCK_VIOLATION (33) in the HRESULT. Unix: .NET reports flock's
    // EWOULDBLOCK with the raw errno as HResult (11 on Linux, 35 on macOS and the BSDs).
    internal static bool IsContention(IOException e) => OperatingSystem.IsWindows()
        ? (e.HResult & 0xFFFF) is 32 or 33
        : e.HResult is 11 or 35 || (e.HResult & 0xFFFF) is 11 or 35;

    /// <summary>How long the next holder looks for a dead holder's handler processes to be gone before it goes on.</summary>
    private static readonly TimeSpan KillLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Linux: when the previous holder died, kills the processes of its handler runs — those whose environment carries
    /// the token its <c>lock.holder</c> recorded, and their descendants — and returns once they are gone. The holder's
    /// own process is never this one (a holder in this process that did not release the lock is no dead one).
    /// </summary>
    private void KillPreviousHolderHandlers()
    {
        if (PreviousHolderToken is not { } token || token == Handlers.HandlerRunProcesses.HolderToken) return;
        Handlers.HandlerRunProcesses.KillRunsOf(token, KillLimit);
    }

    private void WriteHolder()
    {
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var line = Encoding.ASCII.GetBytes(pid + "\n");
        try
        {
            // In the lock file for people (`cat .packster/lock`), and beside it for waiting packster processes, with the
            // token every handler this process runs carries, for the next holder should this one die.
            _stream!.SetLength(0);
            _stream.Write(line);
            _stream.Flush();
            Location.RefuseLink(HolderPath(_location));
            // Anything but a regular file in its place (a FIFO, whose open for writing waits for a reader) is not one
            // packster wrote: it goes, under the lock, and the file is written anew.
            if (Packaging.FileKinds.Of(HolderPath(_location)) is not (Packaging.FileKind.Regular or Packaging.FileKind.Missing)) File.Delete(HolderPath(_location));
            File.WriteAllBytes(HolderPath(_location), Encoding.ASCII.GetBytes($"{pid}\n{Handlers.HandlerRunProcesses.HolderToken}\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The lock is held either way; without the file a waiter names no pid, and should this holder die, the next
            // one neither knows it died nor whose handlers to kill.
        }
    }

    private static int? ReadHolderPid(Location location) => ReadHolder(location).Pid;

    /// <summary><c>lock.holder</c>: the holder's pid on its first line, the token of its handler runs on the second (none from an earlier packster).</summary>
    private static (int? Pid, string? Token) ReadHolder(Location location)
    {
        string[] lines;
        try
        {
            // Not a regular file (a FIFO would wait for a writer): it names no holder, as a file that cannot be read.
            if (RegularFile.TryReadAllBytes(HolderPath(location), out _) is not { } bytes) return (null, null);
            lines = System.Text.Encoding.UTF8.GetString(bytes).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
        int? pid = int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;
        var token = lines.Length > 1 && Handlers.HandlerRunProcesses.IsToken(lines[1].Trim()) ? lines[1].Trim() : null;
        return (pid, token);
    }
}
