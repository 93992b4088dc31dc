using System.Runtime.InteropServices;

namespace Packster.Handlers;

/// <summary>
/// The two POSIX calls .NET does not expose: <c>kill(-pgid, sig)</c> for a whole process group and the Linux
/// <c>FICLONE</c> ioctl. Bound at run time through <see cref="NativeLibrary"/> so a missing libc only disables them.
/// </summary>
internal static class LibC
{
    public const int SigKill = 9;

    /// <summary>_IOW(0x94, 9, int): make the destination file share the source's extents (btrfs, xfs, bcachefs).</summary>
    public const uint FiClone = 0x40049409;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int KillFunction(int pid, int signal);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IoctlFunction(int fd, nuint request, int argument);

    private static readonly Lazy<KillFunction?> KillExport = new(() => Bind<KillFunction>("kill"));
    private static readonly Lazy<IoctlFunction?> IoctlExport = new(() => OperatingSystem.IsLinux() ? Bind<IoctlFunction>("ioctl") : null);

    public static bool CanSignalGroups => KillExport.Value is not null;

    /// <summary>Sends <paramref name="signal"/> to every process in group <paramref name="processGroup"/>; false if none was signalled.</summary>
    public static bool KillGroup(int processGroup, int signal)
    {
        if (processGroup <= 1 || KillExport.Value is not { } kill) return false;
        return kill(-processGroup, signal) == 0;
    }

    /// <summary>Whether the group still has a member (a zombie counts until it is reaped).</summary>
    public static bool GroupExists(int processGroup) =>
        processGroup > 1 && KillExport.Value is { } kill && kill(-processGroup, 0) == 0;

    /// <summary>Clones <paramref name="sourceFd"/>'s content into <paramref name="destinationFd"/>; false when the file system cannot.</summary>
    public static bool TryClone(int destinationFd, int sourceFd) =>
        IoctlExport.Value is { } ioctl && ioctl(destinationFd, FiClone, sourceFd) == 0;

    private static T? Bind<T>(string name) where T : Delegate
    {
        if (OperatingSystem.IsWindows()) return null;
        foreach (var library in (string[])["libc.so.6", "libc", "/usr/lib/libSystem.dylib"])
        {
            if (NativeLibrary.TryLoad(library, out var handle) && NativeLibrary.TryGetExport(handle, name, out var address))
            {
                return Marshal.GetDelegateForFunctionPointer<T>(address);
            }
        }
        return null;
    }
}
