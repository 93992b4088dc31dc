namespace Packster.Handlers;

/// <summary>
/// Copies one file so that the copy shares nothing writable with the original: a copy-on-write clone
/// (FICLONE) when the file system allows, else a kernel copy (<see cref="File.Copy(string, string)"/>).
/// The first refused clone turns cloning off for the rest of the tree: one file system, one answer.
/// </summary>
internal sealed class FileCloner
{
    private volatile bool _cloneAllowed = OperatingSystem.IsLinux();
    private int _cloned;

    public int Cloned => _cloned;

    /// <summary>Copies content, permission bits and modification time of <paramref name="source"/> (as scanned).</summary>
    public void Copy(FileInfo source, string destination)
    {
        if (source.Length == 0)
        {
            // Never open an empty-looking source: FIFOs and devices report length 0 and opening one can block forever.
            File.WriteAllBytes(destination, []);
        }
        else if (_cloneAllowed && TryClone(source.FullName, destination))
        {
            Interlocked.Increment(ref _cloned);
        }
        else
        {
            // File.Copy keeps permission bits and modification time itself (one kernel copy, no extra calls).
            File.Copy(source.FullName, destination, overwrite: true);
            return;
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(destination, source.UnixFileMode);
        File.SetLastWriteTimeUtc(destination, source.LastWriteTimeUtc);
    }

    private bool TryClone(string source, string destination)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        if (LibC.TryClone((int)output.SafeFileHandle.DangerousGetHandle(), (int)input.SafeFileHandle.DangerousGetHandle()))
        {
            return true;
        }
        _cloneAllowed = false;
        return false;
    }
}
