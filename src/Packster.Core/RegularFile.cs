using Microsoft.Win32.SafeHandles;
using Packster.Locations;
using Packster.Packaging;

namespace Packster;

/// <summary>
/// Opens a file that must be a regular one — a config or policy file, a key, a signature, a manifest — so that the open
/// itself cannot wait. A type check by path before the open (<see cref="FileKinds.OfTarget"/>) leaves a moment in
/// which the path can be swapped for a FIFO, whose open would wait for a writer that may never come, or for a device.
/// On Linux and macOS the file is opened with O_NONBLOCK (a FIFO without a writer opens at once), and what was opened
/// is asked its kind by its descriptor (fstat): anything but a regular file is closed unread and refused in the words
/// of the caller's type check. O_NONBLOCK has no effect on reading a regular file. Windows has no FIFOs: there the
/// file is opened as .NET opens it.
/// </summary>
public static class RegularFile
{
    private const int NoEntry = 2;
    private const int NoDeviceOrAddress = 6; // what open(2) says of a socket
    private const int NoDevice = 19;
    private const int NotPermitted = 1;
    private const int PermissionDenied = 13;
    private const int IsADirectory = 21;

    /// <summary>
    /// <paramref name="path"/> opened for reading when what is there at the open is a regular file (links followed);
    /// null, with its <paramref name="kind"/>, when it is something else (a FIFO, a device, a socket, a folder), which is
    /// then closed unread. A refusal of the OS (missing, permission denied …) is thrown as .NET throws it (an
    /// <see cref="IOException"/> whose HResult is the errno, <see cref="FileNotFoundException"/> for a missing file), so
    /// <see cref="FileSystemErrors"/> classifies it.
    /// </summary>
    public static SafeFileHandle? TryOpen(string path, out FileKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        kind = FileKind.Regular;
        var errno = 0;
        var fd = OperatingSystem.IsWindows() ? null : PosixFiles.OpenForReadingNonBlocking(path, out errno);
        if (fd is null) return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (fd < 0)
        {
            // A socket cannot be opened at all: it is refused as what it is, as the type check would have.
            if (errno is NoDeviceOrAddress or NoDevice && FileKinds.OfTarget(path) is var there and not (FileKind.Regular or FileKind.Missing))
            {
                kind = there;
                return null;
            }
            var words = $"{PosixFiles.Describe(errno)} : '{path}'";
            throw errno == NoEntry ? new FileNotFoundException(words, path) { HResult = errno } : new IOException(words, errno);
        }
        var handle = new SafeFileHandle(fd.Value, ownsHandle: true);
        kind = FileKinds.OfOpen(handle);
        if (kind == FileKind.Regular) return handle;
        handle.Dispose();
        return null;
    }

    /// <summary>
    /// As <see cref="TryOpen"/>; what is not a regular file at the open is refused with <paramref name="refused"/>(its
    /// kind), the error the caller's type check gives for it.
    /// </summary>
    public static SafeFileHandle Open(string path, Func<FileKind, Exception> refused)
    {
        ArgumentNullException.ThrowIfNull(refused);
        return TryOpen(path, out var kind) ?? throw refused(kind);
    }

    /// <summary>
    /// <paramref name="path"/> opened for reading and writing, created when missing, and locked as FileShare.None locks
    /// it (an exclusive advisory lock; an <see cref="IOException"/> when another process holds it), never through a
    /// symbolic link (O_NOFOLLOW) nor through a hard link. Null, with its <paramref name="kind"/>, when what is there is
    /// not a regular file (a link, a FIFO, a folder, a device, a socket), which is left unopened or closed unwritten; null
    /// too, with <see cref="FileKind.Regular"/>, when it is a regular file with other names (its link count, asked of the
    /// descriptor, above one): writing it would change another file, which may be anyone's. Another refusal of the OS is
    /// thrown as .NET throws it. Windows: the file is opened as .NET opens it.
    /// </summary>
    public static FileStream? TryOpenForUpdate(string path, out FileKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        kind = FileKind.Regular;
        var fd = PosixFiles.OpenForUpdateNoFollow(path, out var errno);
        if (fd is null) return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        if (fd < 0)
        {
            if (errno == PosixFiles.LinkLoop || errno is IsADirectory or NoDeviceOrAddress or NoDevice)
            {
                kind = FileKinds.Of(path) is var there and not (FileKind.Regular or FileKind.Missing) ? there : FileKind.Unknown;
                return null;
            }
            var words = $"{PosixFiles.Describe(errno)} : '{path}'";
            throw errno is PermissionDenied or NotPermitted ? new UnauthorizedAccessException(words) : new IOException(words, errno);
        }
        var handle = new SafeFileHandle(fd.Value, ownsHandle: true);
        kind = FileKinds.OfOpen(handle);
        if (kind != FileKind.Regular || PosixFiles.LinkCount(handle) > 1)
        {
            handle.Dispose();
            return null;
        }
        var locked = PosixFiles.Flock(handle, PosixFiles.LockExclusive | PosixFiles.LockNonBlocking);
        if (locked != 0)
        {
            handle.Dispose();
            throw new IOException($"{PosixFiles.Describe(locked)} : '{path}'", locked);
        }
        return new FileStream(handle, FileAccess.ReadWrite, 1);
    }

    /// <summary>The whole of <paramref name="path"/>, opened by <see cref="Open"/>.</summary>
    public static byte[] ReadAllBytes(string path, Func<FileKind, Exception> refused)
    {
        using var handle = Open(path, refused);
        return ReadAll(handle);
    }

    /// <summary>The whole of <paramref name="path"/>, opened by <see cref="TryOpen"/>; null, with its <paramref name="kind"/>, when it is not a regular file.</summary>
    public static byte[]? TryReadAllBytes(string path, out FileKind kind)
    {
        using var handle = TryOpen(path, out kind);
        return handle is null ? null : ReadAll(handle);
    }

    private static byte[] ReadAll(SafeFileHandle handle)
    {
        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        using var bytes = new MemoryStream((int)Math.Min(RandomAccess.GetLength(handle), 1 << 20));
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
