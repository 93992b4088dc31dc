using System.Text;
using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// An exclusive lock held while one packster process reads, changes and replaces a file that other processes edit too
/// (the user config, <c>trusted-configs.json</c>, the key store, a shell profile, the set of enabled locations): a lock
/// file locked exactly as <see cref="LocationLock"/> locks (<see cref="LocationLock.TryLockExclusive"/>), so the OS drops
/// it when its holder dies. Lock files are never deleted (deleting one lets two holders lock two files). A second
/// process waits as for a location's lock (<see cref="LocationLock.LockExclusiveWaiting"/>), with one line to <c>waiting</c>, then fails with PST5004. Not re-entrant.
/// </summary>
public sealed class FileLock : IDisposable
{
    private FileStream? _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <summary>Where the locks of the user's files live: <c>&lt;data home&gt;/locks</c>.</summary>
    public static string Directory(PacksterPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Path.Combine(paths.DataHome, "locks");
    }

    /// <summary>
    /// Locks the user-level file <paramref name="file"/> for an edit: <c>&lt;data home&gt;/locks/file-&lt;hash&gt;.lock</c>,
    /// the hash of the path of the file a link there ends at, so every way of naming one file takes one lock and nothing is
    /// left beside the file itself (a config.toml linked into a dotfiles repository). Waits up to
    /// <c>PACKSTER_LOCK_TIMEOUT</c> (default 60 s).
    /// </summary>
    public static FileLock ForUserFile(PacksterPaths paths, string file, TextWriter? waiting, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var target = Path.GetFullPath(OutputFile.FinalTarget(Path.GetFullPath(file)));
        return Acquire(Path.Combine(Directory(paths), $"file-{KeyOf(target)}.lock"), $"'{target}'", LocationLock.TimeoutFrom(paths), waiting, cancellationToken);
    }

    /// <summary>The first 32 hex digits of the SHA-256 of <paramref name="text"/>: a file name for a path of any length.</summary>
    public static string KeyOf(string text) => Sha256Digest.Compute(Encoding.UTF8.GetBytes(text)).Hex[..32];

    /// <summary>
    /// Takes the lock on <paramref name="lockPath"/> (its folder made when missing), waiting while another process holds
    /// it; after <paramref name="timeout"/> (zero: try once) PST5004 naming <paramref name="what"/> was being edited.
    /// </summary>
    public static FileLock Acquire(string lockPath, string what, TimeSpan timeout, TextWriter? waiting, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lockPath);
        FileSystemErrors.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(lockPath))!, "lock folder");
        return new FileLock(LocationLock.LockExclusiveWaiting(lockPath, timeout,
            () => waiting?.WriteLine($"waiting for another packster process to finish editing {what}…"),
            () => new PacksterException(ErrorCode.LockTimeout,
                $"another packster process kept editing {what} for more than {timeout.TotalSeconds:0.###} s; nothing was changed",
                $"run the command again when it has finished, or raise {PacksterPaths.LockTimeoutVariable} (seconds) (lock: {lockPath})"),
            cancellationToken));
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
