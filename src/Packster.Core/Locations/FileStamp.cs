using System.Runtime.InteropServices;

namespace Packster.Locations;

/// <summary>
/// What one <c>lstat</c> says about a directory entry without reading it: its kind, size, modification and status-change
/// times, inode and permission bits. <c>verify --quick</c> trusts a file whose stamp is the one it had when it was last
/// proven (spec/lockfile.md § Quick verify). On Windows, and wherever the call fails, it holds what .NET's
/// <see cref="FileSystemInfo"/> knows: no status-change time and no inode (both 0), no mode.
/// </summary>
internal readonly record struct FileStamp(FileStampKind Kind, long Size, long ModifiedTicks, long ChangedTicks, ulong Inode, UnixFileMode? Mode)
{
    // The runtime's own portable stat (src/native/libs/System.Native/pal_io.h, FileStatus), as Packaging/FileKinds
    // reads it: the same layout on every Unix the runtime supports; the offsets are pinned by FileStampTests.
    private const int ModeOffset = 4;
    private const int OwnerOffset = 8;
    private const int SizeOffset = 16;
    private const int ModifiedOffset = 40;
    private const int ChangedOffset = 56;
    private const int InodeOffset = 104;
    private const int StatusBufferSize = 512;
    private const int TypeMask = 0xF000;
    private const int PermissionMask = 0xFFF;

    [ThreadStatic]
    private static byte[]? t_status;

    [ThreadStatic]
    private static byte[]? t_path;

    /// <summary>
    /// The stamp of <paramref name="path"/> itself (a link is <see cref="FileStampKind.Link"/>, not followed);
    /// <paramref name="directory"/> says what a directory listing called it, which Windows needs to open it.
    /// </summary>
    public static FileStamp Of(string path, bool directory = false) => Of(path.AsSpan(), [], directory);

    /// <summary>
    /// The stamp of <paramref name="directory"/>/<paramref name="name"/> (<paramref name="name"/> may be empty), from a
    /// per-thread buffer: a directory walk stats each entry without making a string of its path.
    /// </summary>
    public static FileStamp Of(ReadOnlySpan<char> directory, ReadOnlySpan<char> name, bool isDirectory) => Of(directory, name, isDirectory, out _);

    /// <summary>As <see cref="Of(string, bool)"/>, with the user id owning it from the same lstat (null where <see cref="OwnerOf"/> gives null).</summary>
    public static FileStamp Of(string path, out uint? owner) => Of(path.AsSpan(), [], false, out owner);

    private static FileStamp Of(ReadOnlySpan<char> directory, ReadOnlySpan<char> name, bool isDirectory, out uint? owner)
    {
        owner = null;
        if (OperatingSystem.IsWindows() || LStat(directory, name) is not { } status) return FromInfo(Join(directory, name), isDirectory);
        owner = BitConverter.ToUInt32(status, OwnerOffset);
        return FromStatus(BitConverter.ToInt32(status, ModeOffset), BitConverter.ToInt64(status, SizeOffset),
            Ticks(BitConverter.ToInt64(status, ModifiedOffset), BitConverter.ToInt64(status, ModifiedOffset + 8)),
            Ticks(BitConverter.ToInt64(status, ChangedOffset), BitConverter.ToInt64(status, ChangedOffset + 8)),
            unchecked((ulong)BitConverter.ToInt64(status, InodeOffset)));
    }

    /// <summary>The stamp a POSIX status gives: kind and permission bits from <paramref name="mode"/>, times as <see cref="Ticks"/> makes them.</summary>
    internal static FileStamp FromStatus(int mode, long size, long modifiedTicks, long changedTicks, ulong inode)
    {
        var kind = (mode & TypeMask) switch
        {
            0x4000 => FileStampKind.Directory,
            0xA000 => FileStampKind.Link,
            0x1000 or 0x2000 or 0x6000 or 0xC000 => FileStampKind.Special,
            _ => FileStampKind.File,
        };
        return new FileStamp(kind, size, modifiedTicks, changedTicks, inode, (UnixFileMode)(mode & PermissionMask));
    }

    /// <summary>
    /// The stamp of <paramref name="path"/> when it tells every change of what it names (an inode and a status-change
    /// time, which no one can set back: a rename in or out of a directory, a write to a file, a replacement all move
    /// it); null when it is not there, is a link, or its stamp lacks them (Windows, or the call failed).
    /// </summary>
    public static FileStamp? ForChanges(string path)
    {
        var stamp = Of(path);
        return stamp.Inode != 0 && stamp.ChangedTicks != 0 && stamp.Kind != FileStampKind.Link ? stamp : null;
    }

    /// <summary>
    /// The type bits (<c>S_IFMT</c>), permission bits and size of <paramref name="directory"/>/<paramref name="name"/>
    /// itself (a link not followed), by one <c>lstat</c>; false when it cannot be had (Windows, the entry is gone, the name
    /// does not encode back to the entry's bytes): the caller then asks .NET, which says why in its own words.
    /// </summary>
    public static bool TryStatus(ReadOnlySpan<char> directory, ReadOnlySpan<char> name, out int type, out int permissions, out long size)
    {
        type = permissions = 0;
        size = 0;
        if (OperatingSystem.IsWindows() || LStat(directory, name) is not { } status) return false;
        var mode = BitConverter.ToInt32(status, ModeOffset);
        type = mode & TypeMask;
        permissions = mode & PermissionMask;
        size = BitConverter.ToInt64(status, SizeOffset);
        return true;
    }

    /// <summary>The user id owning <paramref name="path"/> itself (links not followed); null on Windows or when it cannot be read.</summary>
    public static uint? OwnerOf(string path) =>
        !OperatingSystem.IsWindows() && LStat(path, []) is { } status ? BitConverter.ToUInt32(status, OwnerOffset) : null;

    /// <summary>
    /// lstat of <paramref name="directory"/>/<paramref name="name"/> into this thread's status buffer (paths encoded in a
    /// per-thread buffer too); null when it fails or the runtime's System.Native cannot be reached.
    /// </summary>
    private static byte[]? LStat(ReadOnlySpan<char> directory, ReadOnlySpan<char> name)
    {
        var path = t_path ??= new byte[1024];
        var length = System.Text.Encoding.UTF8.GetMaxByteCount(directory.Length + name.Length + 1) + 1;
        if (path.Length < length) path = t_path = new byte[length];
        var used = System.Text.Encoding.UTF8.GetBytes(directory, path);
        if (!name.IsEmpty)
        {
            path[used++] = (byte)'/';
            used += System.Text.Encoding.UTF8.GetBytes(name, path.AsSpan(used));
        }
        path[used] = 0;
        var status = t_status ??= new byte[StatusBufferSize];
        try
        {
            return NativeLStat(path, status) == 0 ? status : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static string Join(ReadOnlySpan<char> directory, ReadOnlySpan<char> name) =>
        name.IsEmpty ? directory.ToString() : System.IO.Path.Join(directory, name);

    /// <summary>Seconds and nanoseconds since the Unix epoch as UTC <see cref="DateTime"/> ticks, as .NET computes LastWriteTimeUtc.</summary>
    internal static long Ticks(long seconds, long nanoseconds) =>
        DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100);

    private static FileStamp FromInfo(string path, bool directory)
    {
        FileSystemInfo info = directory ? new DirectoryInfo(path) : new FileInfo(path);
        var kind = info.LinkTarget is not null ? FileStampKind.Link : info is DirectoryInfo ? FileStampKind.Directory : FileStampKind.File;
        var size = info is FileInfo { Exists: true } file ? file.Length : 0;
        UnixFileMode? mode = OperatingSystem.IsWindows() || !info.Exists ? null : info.UnixFileMode;
        return new FileStamp(kind, size, info.Exists ? info.LastWriteTimeUtc.Ticks : 0, 0, 0, mode);
    }

#pragma warning disable CA2101, SYSLIB1054 // paths are UTF-8 on Unix; LibraryImport needs unsafe code, which this project does not allow
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int NativeLStat(byte[] nulTerminatedUtf8Path, [Out] byte[] status);
#pragma warning restore CA2101, SYSLIB1054
}

/// <summary>
/// What a deployment holds at a path: a directory to walk, a link to record (never follow), a file, or something no
/// deployment may hold and nothing may open (a FIFO, whose open waits for a writer; a socket; a device).
/// </summary>
internal enum FileStampKind
{
    File,
    Directory,
    Link,
    Special,
}
