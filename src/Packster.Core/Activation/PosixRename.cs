using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Packster.Activation;

/// <summary>
/// rename(2) without .NET's checks: it replaces a symlink (even one pointing at a folder) in one atomic step,
/// which <see cref="File.Move(string, string, bool)"/> refuses when the destination resolves to a directory.
/// </summary>
internal static partial class PosixRename
{
    public static void Replace(string source, string destination)
    {
        if (NativeMethods.rename(source, destination) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot rename '{source}' to '{destination}': {new Win32Exception(errno).Message}");
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable CA2101, SYSLIB1054 // paths are UTF-8 on POSIX; Ansi marshals as UTF-8 there, and LibraryImport needs unsafe code
        internal static extern int rename(string oldpath, string newpath);
#pragma warning restore CA2101, SYSLIB1054
    }
}
