using Packster.Packaging;

namespace Packster;

/// <summary>
/// Reads a file that is small by contract — a signature, a key, a CA bundle — judged by the bytes actually read, never
/// by the size the file system reports: a link to <c>/dev/zero</c> reports nothing and never ends, a sparse file
/// reports gigabytes it would take memory to hold. What is not a regular file once links are followed (a FIFO, a
/// device, a socket, a folder) is refused before it is opened: opening a FIFO waits for a writer that may never come.
/// The open itself cannot wait either (<see cref="RegularFile"/>), should the path be swapped for one after the check.
/// </summary>
public static class SmallFile
{
    /// <summary>
    /// The bytes of <paramref name="path"/> when it is a regular file of at most <paramref name="maxBytes"/>; otherwise
    /// the error <paramref name="refused"/> makes of the reason in words ("it is a FIFO (named pipe), not a regular
    /// file", "it holds more than 4096 bytes"). At most <paramref name="maxBytes"/> + 1 bytes are read. A refusal of the
    /// OS (missing, permission denied …) is classified as reading <paramref name="path"/> (PST9xxx).
    /// </summary>
    public static byte[] Read(string path, int maxBytes, Func<string, PacksterException> refused)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(refused);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var kind = FileKinds.OfTarget(path);
        if (kind is not (FileKind.Regular or FileKind.Missing)) throw NotRegular(kind);
        return ReadAtMost(path, () => new FileStream(RegularFile.Open(path, NotRegular), FileAccess.Read, bufferSize: 0), maxBytes, refused, $"{maxBytes} bytes");

        PacksterException NotRegular(FileKind kind) => refused($"it is {kind.Describe()}, not a regular file");
    }

    /// <summary>
    /// The bytes of a file the user named on the command line (an environment, bundle or secrets file): a pipe or a
    /// process substitution (<c>&lt;(vault read …)</c>) is read like a file, and whatever it is, at most
    /// <paramref name="maxBytes"/> + 1 bytes are read, so an endless source (<c>/dev/zero</c>, a pipe that never ends, a
    /// sparse file of gigabytes) is refused with <paramref name="refused"/>("it holds more than … bytes") instead of
    /// read until memory runs out. The buffer grows with what was read, not with <paramref name="maxBytes"/>.
    /// </summary>
    public static byte[] ReadGiven(string path, int maxBytes, Func<string, PacksterException> refused)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(refused);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        return ReadAtMost(path, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0), maxBytes, refused, Describe(maxBytes));
    }

    /// <summary>At most <paramref name="maxBytes"/> + 1 bytes of <paramref name="path"/> (opened by <paramref name="open"/>), in a buffer that grows with what was read; more is refused as holding more than <paramref name="limit"/>.</summary>
    private static byte[] ReadAtMost(string path, Func<Stream> open, int maxBytes, Func<string, PacksterException> refused, string limit)
    {
        var (buffer, length) = FileSystemErrors.AtFile(path, "cannot read", () =>
        {
            using var stream = open();
            var bytes = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
            var filled = 0;
            int read;
            while ((read = stream.Read(bytes, filled, bytes.Length - filled)) > 0)
            {
                filled += read;
                if (filled > maxBytes) break;
                if (filled == bytes.Length) Array.Resize(ref bytes, (int)Math.Min(maxBytes + 1L, bytes.Length * 2L));
            }
            return (bytes, filled);
        });
        if (length > maxBytes) throw refused($"it holds more than {limit}");
        return buffer[..length];
    }

    private static string Describe(int bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes} bytes";
}
