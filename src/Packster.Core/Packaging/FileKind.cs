using System.Runtime.InteropServices;

namespace Packster.Packaging;

/// <summary>What a directory entry is, as <c>lstat</c> (or <c>stat</c>) reports it: asked before a file is opened.</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    Unknown,
}

/// <summary>
/// The type of a file from its metadata alone. Opening a FIFO blocks until a writer appears and reading a device
/// never ends, so the packer checks the type first; .NET's <see cref="FileSystemInfo"/> does not say it on Unix.
/// </summary>
public static class FileKinds
{
    // The runtime's own portable stat (src/native/libs/System.Native/pal_io.h, FileStatus): Mode is the second
    // 32-bit field and holds st_mode with the POSIX S_IFMT type bits, on every Unix the runtime supports.
    private const int ModeOffset = 4;
    private const int StatusBufferSize = 512;
    private const int TypeMask = 0xF000;

    /// <summary>The kind of <paramref name="path"/> itself (a symlink is <see cref="FileKind.Symlink"/>, not followed).</summary>
    public static FileKind Of(string path) => Query(path, follow: false);

    /// <summary>
    /// The kind of what <paramref name="path"/> names after following symlinks; <see cref="FileKind.Missing"/> for a
    /// link that leads to nothing (<see cref="Of"/> tells it from no entry at all).
    /// </summary>
    public static FileKind OfTarget(string path) => Query(path, follow: true);

    /// <summary>
    /// The kind of the file open as <paramref name="handle"/> (fstat): what was opened, whatever its path names by now.
    /// Unix only; <see cref="FileKind.Unknown"/> where the call cannot be made.
    /// </summary>
    public static FileKind OfOpen(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (OperatingSystem.IsWindows()) return FileKind.Unknown;
        var status = new byte[StatusBufferSize];
        try
        {
            return NativeFStat(handle, status) == 0 ? KindOf(status) : FileKind.Unknown;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return FileKind.Unknown;
        }
    }

    /// <summary>How users read the kind in messages.</summary>
    public static string Describe(this FileKind kind) => kind switch
    {
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Directory => "a folder",
        FileKind.Symlink => "a symbolic link",
        FileKind.Regular => "a regular file",
        FileKind.Missing => "missing",
        _ => "a special file of unknown type",
    };

    private static FileKind Query(string path, bool follow)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows()) return FromInfo(path, follow);
        var status = new byte[StatusBufferSize];
        int result;
        try
        {
            result = follow ? NativeStat(path, status) : NativeLStat(path, status);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return FromInfo(path, follow);
        }
        if (result != 0) return FromInfo(path, follow);
        return KindOf(status);
    }

    private static FileKind KindOf(byte[] status) =>
        (BitConverter.ToInt32(status, ModeOffset) & TypeMask) switch
        {
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x4000 => FileKind.Directory,
            0x6000 => FileKind.BlockDevice,
            0x8000 => FileKind.Regular,
            0xA000 => FileKind.Symlink,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };

    /// <summary>
    /// Where stat cannot be asked (Windows, or the call failed): what .NET knows, which has no special kinds. Followed,
    /// a symbolic link that leads to nothing (its target missing, or a loop) is <see cref="FileKind.Missing"/>, as
    /// <c>stat</c> says (ENOENT, ELOOP); not followed, it is the <see cref="FileKind.Symlink"/> it is.
    /// </summary>
    private static FileKind FromInfo(string path, bool follow)
    {
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists)
        {
            info = new DirectoryInfo(path);
            if (!info.Exists && (follow || info.LinkTarget is null)) return FileKind.Missing;
        }
        if (info.LinkTarget is not null)
        {
            if (!follow) return FileKind.Symlink;
            // .NET says a link exists when its target does not (it falls back to lstat): that is no file to open.
            if (!LeadsSomewhere(info)) return FileKind.Missing;
        }
        if (info is DirectoryInfo) return FileKind.Directory;
        return (info.Attributes & FileAttributes.Device) != 0 ? FileKind.CharacterDevice : FileKind.Regular;
    }

    /// <summary>Whether the chain of links from <paramref name="link"/> ends at a file or folder that exists (not in a loop).</summary>
    private static bool LeadsSomewhere(FileSystemInfo link)
    {
        try
        {
            var final = link.ResolveLinkTarget(returnFinalTarget: true);
            return final is not null && (File.Exists(final.FullName) || Directory.Exists(final.FullName)) && final.LinkTarget is null;
        }
        catch (IOException)
        {
            return false; // too many links: a loop
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

#pragma warning disable CA2101, SYSLIB1054 // paths are UTF-8 on Unix; LibraryImport needs unsafe code, which this project does not allow
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int NativeLStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int NativeStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_FStat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int NativeFStat(SafeHandle fd, [Out] byte[] status);
#pragma warning restore CA2101, SYSLIB1054
}
