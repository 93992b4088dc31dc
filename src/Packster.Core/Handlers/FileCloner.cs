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

    /// <summary>Copies content, permission bits and modification time; returns the byte count.</summary>
    public long Copy(string source, string destination)
    {
        long length;
        if (_cloneAllowed && TryClone(source, destination, out length))
        {
            Interlocked.Increment(ref _cloned);
        }
        else
        {
            length = new FileInfo(source).Length;
            if (length == 0)
            {
                // Never open an empty-looking source: FIFOs and devices report length 0 and opening one can block forever.
                File.WriteAllBytes(destination, []);
            }
            else
            {
                File.Copy(source, destination, overwrite: true);
            }
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(destination, File.GetUnixFileMode(source));
        File.SetLastWriteTimeUtc(destination, File.GetLastWriteTimeUtc(source));
        return length;
    }

    private bool TryClone(string source, string destination, out long length)
    {
        length = 0;
        var info = new FileInfo(source);
        if (info.Length == 0) return false;
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        if (LibC.TryClone((int)output.SafeFileHandle.DangerousGetHandle(), (int)input.SafeFileHandle.DangerousGetHandle()))
        {
            length = input.Length;
            return true;
        }
        _cloneAllowed = false;
        return false;
    }
}
