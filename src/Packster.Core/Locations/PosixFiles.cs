using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace Packster.Locations;

/// <summary>
/// The POSIX file calls a location needs and .NET does not expose: <c>flock</c> on a descriptor (the location lock,
/// independent of .NET's own optional locking), <c>fsync</c> of a directory, and Linux's <c>syncfs</c> (one call
/// flushes a whole staging tree). Unused on Windows.
/// </summary>
internal static class PosixFiles
{
    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;
    public const int Interrupted = 4;

    /// <summary>EWOULDBLOCK: 11 on Linux, 35 on macOS and the BSDs.</summary>
    public static int WouldBlock => OperatingSystem.IsLinux() ? 11 : 35;

    /// <summary>The OS's words for <paramref name="errno"/> (strerror), e.g. "No locks available".</summary>
    public static string Describe(int errno) => new Win32Exception(errno).Message;

    /// <summary>fsync(2) of the file or directory at <paramref name="path"/>; false with the errno when it fails.</summary>
    public static bool TrySync(string path, out int errno)
    {
        var fd = NativeMethods.open(path, 0);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        try
        {
            if (NativeMethods.fsync(fd) == 0)
            {
                errno = 0;
                return true;
            }
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    /// <summary>
    /// syncfs(2) on the file system holding <paramref name="path"/> (Linux only): false when unavailable, so the caller
    /// falls back to one fsync per file.
    /// </summary>
    public static bool TrySyncFileSystem(string path)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var fd = NativeMethods.open(path, 0);
            if (fd < 0) return false;
            try
            {
                return NativeMethods.syncfs(fd) == 0;
            }
            finally
            {
                _ = NativeMethods.close(fd);
            }
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// open(2) of <paramref name="path"/> for reading with O_NONBLOCK, O_NOCTTY and O_CLOEXEC (Linux and macOS): a FIFO
    /// without a writer opens at once instead of waiting for one, and a terminal does not become this process's. The
    /// descriptor, or -1 with the errno; null where the flags are not known (another OS).
    /// </summary>
    public static int? OpenForReadingNonBlocking(string path, out int errno) =>
        Open(path, linuxFlags: 0x800 | 0x100 | 0x80000, macFlags: 0x4 | 0x20000 | 0x1000000, mode: 0, out errno);

    /// <summary>
    /// open(2) of <paramref name="path"/> for reading and writing, created (mode 0666 less the umask) when missing, with
    /// O_NOFOLLOW (a symbolic link there fails with <see cref="LinkLoop"/> instead of being followed), O_NONBLOCK (a FIFO
    /// opens at once) and O_CLOEXEC (Linux and macOS). The descriptor, or -1 with the errno; null on another OS.
    /// </summary>
    public static int? OpenForUpdateNoFollow(string path, out int errno) =>
        Open(path, linuxFlags: 0x2 | 0x40 | 0x800 | 0x20000 | 0x80000, macFlags: 0x2 | 0x200 | 0x4 | 0x100 | 0x1000000, mode: 0x1B6, out errno);

    /// <summary>
    /// open(2) of <paramref name="path"/> for appending, created with <paramref name="mode"/> (less the umask) when
    /// missing, with O_NONBLOCK, O_NOFOLLOW, O_NOCTTY and O_CLOEXEC (Linux and macOS): a FIFO opens at once or fails
    /// (ENXIO without a reader) instead of waiting for a reader, and a link is refused (ELOOP) rather than followed.
    /// O_NONBLOCK has no effect on writing a regular file. The descriptor, or -1 with the errno; null where the flags
    /// are not known (another OS).
    /// </summary>
    public static int? OpenForAppendingNonBlocking(string path, int mode, out int errno) =>
        Open(path, linuxFlags: 0x1 | 0x40 | 0x400 | 0x800 | 0x100 | 0x20000 | 0x80000, macFlags: 0x1 | 0x200 | 0x8 | 0x4 | 0x100 | 0x20000 | 0x1000000, mode, out errno);

    /// <summary>
    /// open(2) of <paramref name="path"/> with the flags of this OS (Linux's are the same on x86-64 and arm64) and
    /// <paramref name="mode"/> for a file it creates, again when a signal interrupts it. The descriptor, or -1 with the
    /// errno; null on another OS, whose flags are not known.
    /// </summary>
    private static int? Open(string path, int linuxFlags, int macFlags, int mode, out int errno)
    {
        errno = 0;
        int flags;
        if (OperatingSystem.IsLinux()) flags = linuxFlags;
        else if (OperatingSystem.IsMacOS()) flags = macFlags;
        else return null;
        while (true)
        {
            var fd = NativeMethods.open(path, flags, mode);
            if (fd >= 0) return fd;
            errno = Marshal.GetLastPInvokeError();
            if (errno != Interrupted) return -1;
        }
    }

    /// <summary>ELOOP: what open(2) with O_NOFOLLOW says of a symbolic link.</summary>
    public static int LinkLoop => OperatingSystem.IsLinux() ? 40 : 62;

    /// <summary>
    /// Tells the kernel that <paramref name="handle"/> will be read front to back (posix_fadvise(2),
    /// <c>POSIX_FADV_SEQUENTIAL</c>: a larger read-ahead), the hint <see cref="FileOptions.SequentialScan"/> gives a file
    /// .NET opens by path. Linux only (64-bit, where <c>off_t</c> is a <c>long</c>), and best effort: where it cannot
    /// be given, or the kernel declines, the file reads as before.
    /// </summary>
    public static void AdviseSequential(SafeHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess || s_noFadvise) return;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            _ = NativeMethods.posix_fadvise((int)handle.DangerousGetHandle(), 0, 0, FadviseSequential);
        }
        catch (EntryPointNotFoundException)
        {
            s_noFadvise = true;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private const int FadviseSequential = 2;

    private static bool s_noFadvise;

    /// <summary>Creates <paramref name="newPath"/> as a hardlink of <paramref name="existing"/>; 0, or the errno.</summary>
    public static int Link(string existing, string newPath)
    {
        if (OperatingSystem.IsWindows()) return -1;
        return NativeMethods.link(existing, newPath) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Creates the directory <paramref name="path"/> with <paramref name="mode"/> (less the umask); 0, or the errno. Fails
    /// with EEXIST on anything already there, a link included, so a 0 means this call made a real directory.
    /// </summary>
    public static int MakeDirectory(string path, int mode)
    {
        if (OperatingSystem.IsWindows()) return -1;
        return NativeMethods.mkdir(path, mode) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// As <see cref="MakeDirectory"/>, for <paramref name="relative"/> under the open directory <paramref name="directory"/>
    /// (mkdirat(2): the names below it looked up, not the whole path from <c>/</c>); by <paramref name="path"/>, its whole
    /// path, where no directory is open.
    /// </summary>
    public static int MakeDirectoryAt(int directory, string relative, string path, int mode)
    {
        if (directory < 0 || !OperatingSystem.IsLinux()) return MakeDirectory(path, mode);
        return NativeMethods.mkdirat(directory, NameOf(relative, ref t_path), mode) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Gives <paramref name="path"/> (not following a link) group <paramref name="gid"/>, keeping its owner; 0, or the errno.</summary>
    public static int ChangeGroup(string path, uint gid)
    {
        if (OperatingSystem.IsWindows()) return -1;
        return NativeMethods.lchown(path, uint.MaxValue, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Creates <paramref name="path"/> for writing, failing if anything is there (a link included: O_CREAT|O_EXCL), with
    /// <paramref name="mode"/> less the umask: Linux only, and only the open(2) itself, where .NET's FileStream adds an
    /// fstatfs, two flocks and two lseeks to every file. Null when it cannot (another OS, or any error): the caller then
    /// goes the .NET way, which fails in .NET's words where this failed.
    /// </summary>
    public static NewFile? TryCreateNew(string path, int mode)
    {
        if (!OperatingSystem.IsLinux()) return null;
        const int WriteOnlyCreateExclusiveCloseOnExec = 0x1 | 0x40 | 0x80 | 0x80000;
        var fd = NativeMethods.open(path, WriteOnlyCreateExclusiveCloseOnExec, mode);
        return fd < 0 ? null : new NewFile(fd, path);
    }

    /// <summary>
    /// A file <see cref="TryCreateNew"/> made, written front to back by write(2). Failures are thrown as .NET
    /// throws them (an <see cref="IOException"/> whose HResult is the errno, naming the path), so
    /// <see cref="FileSystemErrors"/> classifies them alike.
    /// </summary>
    public sealed class NewFile : IDisposable
    {
        private readonly string _path;
        private int _fd;

        internal NewFile(int fd, string path)
        {
            _fd = fd;
            _path = path;
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                var written = NativeMethods.write(_fd, ref MemoryMarshal.GetReference(bytes), (nuint)bytes.Length);
                if (written < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Interrupted) continue;
                    throw Failed(errno);
                }
                bytes = bytes[(int)written..];
            }
        }

        /// <summary>fchmod(2): the mode the umask may have narrowed at creation.</summary>
        public void SetMode(int mode)
        {
            if (NativeMethods.fchmod(_fd, (uint)mode) != 0) throw Failed(Marshal.GetLastPInvokeError());
        }

        private IOException Failed(int errno) => new($"{Describe(errno)} : '{_path}'", errno);

        public void Dispose()
        {
            if (_fd < 0) return;
            _ = NativeMethods.close(_fd);
            _fd = -1;
        }
    }

    /// <summary>Sets this process's file mode creation mask; returns the previous one.</summary>
    public static int SetUmask(int mask) => OperatingSystem.IsWindows() ? 0 : NativeMethods.umask(mask);

    /// <summary>flock(2) on an open descriptor; returns 0 or the errno.</summary>
    public static int Flock(SafeHandle handle, int operation)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            while (true)
            {
                if (NativeMethods.flock((int)handle.DangerousGetHandle(), operation) == 0) return 0;
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Interrupted) return errno;
            }
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>
    /// How many names (hard links) the file open as <paramref name="handle"/> has, asked of the descriptor (statx(2) on
    /// Linux, fstat(2) on macOS), so what was opened is counted, whatever its path names by now. Null elsewhere, or when
    /// the call fails.
    /// </summary>
    public static long? LinkCount(SafeHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return null;
        var status = new byte[StatxSize];
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            if (OperatingSystem.IsMacOS())
            {
                // struct stat (64-bit inodes, x86-64 and arm64 alike): st_dev (i32), st_mode (u16), st_nlink (u16) at 6.
                return NativeMethods.fstat(fd, status) == 0 ? BitConverter.ToUInt16(status, MacLinkCountOffset) : null;
            }
            if (NativeMethods.statx(fd, EmptyPath, EmptyPathFlag, StatxLinkCount, status) != 0) return null;
            return (BitConverter.ToUInt32(status, 0) & StatxLinkCount) != 0 ? BitConverter.ToUInt32(status, StatxLinkCountOffset) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>AT_EMPTY_PATH: statx of the descriptor itself, given with an empty path.</summary>
    private const int EmptyPathFlag = 0x1000;
    private static readonly byte[] EmptyPath = [0];
    private const int MacLinkCountOffset = 6;

    /// <summary>
    /// The directory <paramref name="path"/> opened for <see cref="ExistsAt"/> (to be given to <see cref="Close"/>); -1 on
    /// Windows or when it cannot be opened.
    /// </summary>
    public static int OpenDirectory(string path) =>
        OperatingSystem.IsWindows() ? -1 : NativeMethods.open(path, OperatingSystem.IsLinux() ? DirectoryOnlyCloseOnExec : 0);

    /// <summary>O_DIRECTORY | O_CLOEXEC, as Linux numbers them on x86-64 and arm64.</summary>
    private const int DirectoryOnlyCloseOnExec = 0x10000 | 0x80000;

    public static void Close(int fd)
    {
        if (fd >= 0) _ = NativeMethods.close(fd);
    }

    /// <summary>
    /// Whether <c>first/second</c> exists under the open directory <paramref name="directory"/> (faccessat(2), F_OK,
    /// links followed): a lookup of two names, without a path string. Thread-safe.
    /// </summary>
    public static bool ExistsAt(int directory, string first, string second) =>
        NativeMethods.faccessat(directory, PathOf(first, second), 0, 0) == 0;

    /// <summary>
    /// Whether <c>first/second</c> under the open directory <paramref name="directory"/> is there and not a directory, links
    /// followed (a dangling link is there) — what <see cref="File.Exists"/> answers for the whole path — by one statx(2)
    /// of two names. Null where that call is not to be had (not Linux, no directory, a C library without it): the caller
    /// asks <see cref="File.Exists"/>. Thread-safe.
    /// </summary>
    public static bool? FileExistsAt(int directory, string first, string second)
    {
        if (!OperatingSystem.IsLinux() || directory < 0 || s_noStatx) return null;
        var status = t_statx ??= new byte[StatxSize];
        try
        {
            var path = PathOf(first, second);
            // As File.Exists: a link that leads nowhere is there, and not a directory.
            if (NativeMethods.statx(directory, path, 0, StatxType, status) != 0
                && NativeMethods.statx(directory, path, SymlinkNoFollow, StatxType, status) != 0)
            {
                return false;
            }
        }
        catch (EntryPointNotFoundException)
        {
            s_noStatx = true;
            return null;
        }
        var mode = BitConverter.ToUInt16(status, StatxModeOffset);
        return (mode & FileTypeMask) != DirectoryType;
    }

    /// <summary>
    /// The stamp of <paramref name="name"/> under the open directory <paramref name="directory"/> (itself: a link is not
    /// followed) and the user id owning it — what <see cref="FileStamp.Of(string, out uint?)"/> gives for the whole path —
    /// by one statx(2) of one name. Null where that call is not to be had (not Linux, no directory, a C library without
    /// it): the caller asks by path; false when it is not there or cannot be looked at. Thread-safe.
    /// </summary>
    public static bool? TryStampAt(int directory, string name, out FileStamp stamp, out uint owner)
    {
        stamp = default;
        owner = 0;
        if (!OperatingSystem.IsLinux() || directory < 0 || s_noStatx) return null;
        var status = t_statx ??= new byte[StatxSize];
        try
        {
            if (NativeMethods.statx(directory, NameOf(name, ref t_path), SymlinkNoFollow, StatxBasicStats, status) != 0) return false;
        }
        catch (EntryPointNotFoundException)
        {
            s_noStatx = true;
            return null;
        }
        owner = BitConverter.ToUInt32(status, StatxOwnerOffset);
        stamp = FileStamp.FromStatus(BitConverter.ToUInt16(status, StatxModeOffset), BitConverter.ToInt64(status, StatxSizeOffset),
            StatxTicks(status, StatxModifiedOffset), StatxTicks(status, StatxChangedOffset), BitConverter.ToUInt64(status, StatxInodeOffset));
        return true;
    }

    /// <summary>
    /// linkat(2): <paramref name="newName"/> under the open directory <paramref name="newDirectory"/> made a hardlink of
    /// <paramref name="existing"/> under <paramref name="existingDirectory"/> (a link itself, never what it leads to);
    /// 0, or the errno. Linux only (callers look with <see cref="TryStampAt"/> first).
    /// </summary>
    public static int LinkAt(int existingDirectory, string existing, int newDirectory, string newName) =>
        NativeMethods.linkat(existingDirectory, NameOf(existing, ref t_path), newDirectory, NameOf(newName, ref t_otherPath), 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// How many folders <paramref name="directory"/> holds, as its link count tells it (two plus one per folder in it)
    /// on the file systems known to keep that count (ext2/3/4, XFS, tmpfs): one statfs(2) and one statx(2), nothing
    /// listed. Null elsewhere — not Linux, another file system (btrfs says 1 whatever it holds), a folder too full for
    /// the count (ext4 gives 1 past 65,000), not a folder, or the calls failed — where only a listing tells.
    /// </summary>
    public static int? FolderCount(string directory)
    {
        if (!OperatingSystem.IsLinux() || s_noStatx) return null;
        var path = NameOf(directory, ref t_path);
        var fileSystem = t_statfs ??= new byte[StatfsSize];
        // f_type is the first field of struct statfs, a long, on every 64-bit Linux C library.
        if (NativeMethods.statfs(path, fileSystem) != 0 || !KeepsFolderCounts(BitConverter.ToInt64(fileSystem, 0))) return null;
        var status = t_statx ??= new byte[StatxSize];
        try
        {
            if (NativeMethods.statx(AtCurrentDirectory, path, SymlinkNoFollow, StatxType | StatxLinkCount, status) != 0) return null;
        }
        catch (EntryPointNotFoundException)
        {
            s_noStatx = true;
            return null;
        }
        var links = BitConverter.ToUInt32(status, StatxLinkCountOffset);
        var given = BitConverter.ToUInt32(status, 0);
        var isFolder = (BitConverter.ToUInt16(status, StatxModeOffset) & FileTypeMask) == DirectoryType;
        return isFolder && (given & StatxLinkCount) != 0 && links >= 2 ? (int)(links - 2) : null;
    }

    /// <summary>ext2/3/4 (one magic), XFS and tmpfs: a folder's link count is two plus its folders.</summary>
    private static bool KeepsFolderCounts(long magic) => magic is 0xEF53 or 0x58465342 or 0x01021994;

    /// <summary>Seconds (i64) and nanoseconds (u32) of a <c>struct statx_timestamp</c> as UTC ticks, as <see cref="FileStamp"/> counts them.</summary>
    private static long StatxTicks(byte[] status, int offset) => FileStamp.Ticks(BitConverter.ToInt64(status, offset), BitConverter.ToUInt32(status, offset + 8));

    /// <summary><c>struct statx</c> is the same on every Linux architecture: 256 bytes, <c>stx_mode</c> (u16) at 28.</summary>
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    private const int StatxOwnerOffset = 20;
    private const int StatxInodeOffset = 32;
    private const int StatxSizeOffset = 40;
    private const int StatxChangedOffset = 96;
    private const int StatxModifiedOffset = 112;
    private const uint StatxBasicStats = 0x7FF;
    private const uint StatxType = 0x1;
    private const uint StatxLinkCount = 0x4;
    private const int StatxLinkCountOffset = 16;
    private const int AtCurrentDirectory = -100;
    private const int StatfsSize = 256;
    private const int SymlinkNoFollow = 0x100;
    private const int FileTypeMask = 0xF000;
    private const int DirectoryType = 0x4000;

    private static bool s_noStatx;

    [ThreadStatic]
    private static byte[]? t_statx;

    [ThreadStatic]
    private static byte[]? t_statfs;

    [ThreadStatic]
    private static byte[]? t_otherPath;

    /// <summary><c>first/second</c> as a NUL-terminated UTF-8 path, in this thread's buffer.</summary>
    private static byte[] PathOf(string first, string second) => NameOf(first, second, ref t_path);

    /// <summary><paramref name="name"/> as a NUL-terminated UTF-8 path, in <paramref name="buffer"/> (a thread's own).</summary>
    private static byte[] NameOf(string name, ref byte[]? buffer) => NameOf(name, null, ref buffer);

    /// <summary>
    /// <paramref name="first"/>, then <c>/</c> and <paramref name="second"/> when given, as a NUL-terminated UTF-8 path in
    /// <paramref name="buffer"/>, grown when short.
    /// </summary>
    private static byte[] NameOf(string first, string? second, ref byte[]? buffer)
    {
        var length = Encoding.UTF8.GetByteCount(first) + (second is null ? 0 : 1 + Encoding.UTF8.GetByteCount(second)) + 1;
        var path = buffer is { } held && held.Length >= length ? held : buffer = new byte[Math.Max(length, 256)];
        var at = Encoding.UTF8.GetBytes(first, path);
        if (second is not null)
        {
            path[at++] = (byte)'/';
            at += Encoding.UTF8.GetBytes(second, path.AsSpan(at));
        }
        path[at] = 0;
        return path;
    }

    /// <summary>
    /// Has the kernel map every page of <paramref name="array"/> at once (Linux 5.14+, <c>MADV_POPULATE_WRITE</c>), before
    /// it is written: a large array just allocated lies on pages never touched, and one fault per page, each a trap,
    /// cost a large lockfile ~20 µs a page on a VM. Best effort: elsewhere, or when the kernel declines, the writes fault as before.
    /// </summary>
    public static void Populate(byte[] array)
    {
        if (!OperatingSystem.IsLinux() || array.Length < PopulateAtLeast) return;
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            var start = handle.AddrOfPinnedObject();
            var page = (nint)Environment.SystemPageSize;
            var first = start & ~(page - 1);
            _ = NativeMethods.madvise(first, (nuint)(start + array.Length - first), PopulateWrite);
        }
        finally
        {
            handle.Free();
        }
    }

    private const int PopulateWrite = 23;

    /// <summary>Below this an array lies on a few pages, and their faults cost less than the call.</summary>
    private const int PopulateAtLeast = 64 * 1024;

    [ThreadStatic]
    private static byte[]? t_path;

#pragma warning disable CA2101, SYSLIB1054 // paths are UTF-8 on POSIX; Ansi marshals as UTF-8 there, and LibraryImport needs unsafe code
    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int madvise(IntPtr address, nuint length, int advice);

        /// <summary>Returns the error number itself (0 on success), not through errno.</summary>
        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int posix_fadvise(int fd, long offset, long length, int advice);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int open(string path, int flags);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true, EntryPoint = "open")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int open(string path, int flags, int mode);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int close(int fd);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern nint write(int fd, ref byte buffer, nuint count);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int fchmod(int fd, uint mode);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int link(string existing, string newPath);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int mkdir(string path, int mode);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int lchown(string path, uint owner, uint group);

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int umask(int mask);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int syncfs(int fd);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int flock(int fd, int operation);

        /// <summary><paramref name="path"/>: UTF-8, NUL-terminated.</summary>
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int faccessat(int dirfd, byte[] path, int mode, int flags);

        /// <summary><paramref name="path"/>: UTF-8, NUL-terminated; <paramref name="status"/>: 256 bytes.</summary>
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] status);

        /// <summary><paramref name="status"/>: at least the 144 bytes of macOS's struct stat.</summary>
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int fstat(int fd, byte[] status);

        /// <summary><paramref name="path"/>: UTF-8, NUL-terminated; <paramref name="status"/>: at least the 120 bytes of a 64-bit struct statfs.</summary>
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int statfs(byte[] path, byte[] status);

        /// <summary><paramref name="path"/>: UTF-8, NUL-terminated.</summary>
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int mkdirat(int dirfd, byte[] path, int mode);

        /// <summary>The paths: UTF-8, NUL-terminated.</summary>
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);
    }
#pragma warning restore CA2101, SYSLIB1054
}
