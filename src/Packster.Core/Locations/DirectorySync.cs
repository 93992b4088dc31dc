using System.Runtime.InteropServices;

namespace Packster.Locations;

/// <summary>
/// Makes a rename durable on POSIX by fsync-ing the directory that holds it (a rename is only on disk once its
/// directory is). .NET cannot open a directory as a file, hence the P/Invoke. Best effort: a failure is ignored,
/// because the rename itself is already atomic; only its durability across power loss is at stake. No-op on Windows,
/// where MoveFileEx is already durable enough for our purpose.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            var fd = Open(directory, ReadOnly);
            if (fd < 0) return;
            _ = FSync(fd);
            _ = Close(fd);
        }
        catch (DllNotFoundException)
        {
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
