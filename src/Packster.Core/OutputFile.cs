using Packster.Packaging;

namespace Packster;

/// <summary>
/// A file named on the command line to receive a command's output (<c>export -o</c>, <c>sbom -o</c>, <c>--bom</c>).
/// A regular file, or a name not taken yet, is replaced atomically (<see cref="AtomicFile"/>); a symbolic link is
/// followed and the regular file it names is replaced, the link kept; a FIFO or a character device (<c>/dev/stdout</c>,
/// a pipe a reader waits on, <c>/dev/null</c>) is written into as a stream, because renaming over it would take it
/// from its reader or from the system. Anything else (a folder, a socket, a block device) is refused before anything
/// is written. Never renames over something that is not a regular file.
/// </summary>
public static class OutputFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> (already a full path) as described above.</summary>
    public static void Write(string path, byte[] content, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(content);
        // stat, not lstat: /dev/stdout is a link to /proc/self/fd/1, which names a pipe or a terminal by no path.
        var kind = FileKinds.OfTarget(path);
        switch (kind)
        {
            case FileKind.Fifo or FileKind.CharacterDevice:
                FileSystemErrors.At(path, $"cannot write the {what} into", () =>
                {
                    using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
                    stream.Write(content);
                    stream.Flush();
                    return 0;
                });
                return;
            case FileKind.Missing or FileKind.Regular:
                var target = FinalTarget(path);
                FileSystemErrors.At(target, $"cannot write the {what} to", () =>
                {
                    AtomicFile.Write(target, content);
                    return 0;
                });
                return;
            default:
                throw new PacksterException(ErrorCode.OutputTargetUnsupported,
                    $"cannot write the {what} to '{path}': it is {kind.Describe()}",
                    "name a regular file (replaced atomically), a FIFO or a character device such as /dev/stdout");
        }
    }

    /// <summary>
    /// The file a chain of symbolic links at <paramref name="path"/> ends at (a dangling link: the name it points to,
    /// which is then created), or <paramref name="path"/> when it is no link: what the atomic rename replaces.
    /// </summary>
    internal static string FinalTarget(string path) => FileKinds.Of(path) != FileKind.Symlink ? path
        : FileSystemErrors.At(path, "cannot follow the link", () => File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path);
}
