using System.Runtime.InteropServices;

namespace Packster.Handlers;

/// <summary>
/// The POSIX calls .NET does not expose: <c>kill</c> of a process group or of a process it did not start, the Linux
/// <c>FICLONE</c> ioctl, <c>prctl(PR_SET_CHILD_SUBREAPER)</c> and <c>waitpid</c> for a child .NET did not start. Bound at
/// run time through <see cref="NativeLibrary"/> so a missing libc only disables them.
/// </summary>
internal static class LibC
{
    public const int SigKill = 9;

    /// <summary>_IOW(0x94, 9, int): make the destination file share the source's extents (btrfs, xfs, bcachefs).</summary>
    public const uint FiClone = 0x40049409;

    /// <summary>prctl option: orphans among this process's descendants become its children instead of init's.</summary>
    private const int PrSetChildSubreaper = 36;

    /// <summary>waitpid option: return at once when the child has not exited.</summary>
    private const int WNoHang = 1;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int KillFunction(int pid, int signal);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IoctlFunction(int fd, nuint request, int argument);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int PrctlFunction(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int WaitPidFunction(int pid, IntPtr status, int options);

    private static readonly Lazy<KillFunction?> KillExport = new(() => Bind<KillFunction>("kill"));
    private static readonly Lazy<IoctlFunction?> IoctlExport = new(() => OperatingSystem.IsLinux() ? Bind<IoctlFunction>("ioctl") : null);
    private static readonly Lazy<PrctlFunction?> PrctlExport = new(() => OperatingSystem.IsLinux() ? Bind<PrctlFunction>("prctl") : null);
    private static readonly Lazy<WaitPidFunction?> WaitPidExport = new(() => OperatingSystem.IsLinux() ? Bind<WaitPidFunction>("waitpid") : null);

    public static bool CanSignalGroups => KillExport.Value is not null;

    /// <summary>Sends <paramref name="signal"/> to every process in group <paramref name="processGroup"/>; false if none was signalled.</summary>
    public static bool KillGroup(int processGroup, int signal)
    {
        if (processGroup <= 1 || KillExport.Value is not { } kill) return false;
        return kill(-processGroup, signal) == 0;
    }

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; false if it was not signalled.</summary>
    public static bool KillProcess(int pid, int signal) =>
        pid > 1 && KillExport.Value is { } kill && kill(pid, signal) == 0;

    /// <summary>Linux: makes this process the child subreaper of its descendants; false when it could not.</summary>
    public static bool BecomeChildSubreaper() =>
        PrctlExport.Value is { } prctl && prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    public static bool CanReap => WaitPidExport.Value is not null;

    /// <summary>
    /// Reaps <paramref name="pid"/> if it is an exited child of this process, without waiting; true when it was reaped.
    /// Only for children .NET did not start: reaping one of those would take its exit code from <see cref="System.Diagnostics.Process"/>.
    /// </summary>
    public static bool TryReap(int pid) =>
        pid > 1 && WaitPidExport.Value is { } waitpid && waitpid(pid, IntPtr.Zero, WNoHang) == pid;

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
