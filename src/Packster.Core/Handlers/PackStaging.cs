namespace Packster.Handlers;

/// <summary>
/// A private copy of a package source folder for pack handlers, so a handler that edits, deletes or creates
/// files never touches the user's folder. Files are copy-on-write clones where the file system supports them
/// (Linux FICLONE on btrfs/xfs), otherwise real copies — never hard links, which would share content with the
/// source. Execute bits, modification times and relative in-tree symbolic links are preserved.
/// </summary>
public static class PackStaging
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0b111_111_111;

    /// <summary>Copies <paramref name="sourceDir"/> into <paramref name="stagingDir"/>, which must not exist or be empty.</summary>
    /// <exception cref="PacksterException">PST7008 when a link is absolute or leaves the source (it would reach the original).</exception>
    public static PackStagingResult Create(string sourceDir, string stagingDir, CancellationToken cancellationToken = default)
    {
        var source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sourceDir));
        var staging = Path.TrimEndingDirectorySeparator(Path.GetFullPath(stagingDir));
        if (!Directory.Exists(source)) throw new PacksterException(ErrorCode.NotADirectory, $"package source {source} is not a directory");
        if (IsSameOrInside(staging, source) || IsSameOrInside(source, staging))
        {
            throw new PacksterException(ErrorCode.InvalidArgument, $"pack staging directory {staging} overlaps the package source {source}",
                "stage outside the source folder");
        }
        if (Directory.Exists(staging) && Directory.EnumerateFileSystemEntries(staging).Any())
        {
            throw new PacksterException(ErrorCode.InvalidArgument, $"pack staging directory {staging} is not empty");
        }

        var tree = Scan(source, cancellationToken);
        Directory.CreateDirectory(staging);
        foreach (var directory in tree.Directories) Directory.CreateDirectory(Path.Combine(staging, directory));
        foreach (var (link, target) in tree.Links) File.CreateSymbolicLink(Path.Combine(staging, link), target);

        var cloner = new FileCloner();
        long bytes = 0;
        Parallel.ForEach(
            tree.Files,
            new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount * 2) },
            file =>
            {
                cloner.Copy(file, Path.Combine(staging, Path.GetRelativePath(source, file.FullName)));
                Interlocked.Add(ref bytes, file.Length);
            });

        // Directories last (deepest first): creating their entries changed their times.
        foreach (var directory in tree.Directories.AsEnumerable().Reverse()) CopyMetadata(Path.Combine(source, directory), Path.Combine(staging, directory));
        return new PackStagingResult(staging, tree.Files.Count, cloner.Cloned, tree.Directories.Count, tree.Links.Count, bytes);
    }

    // Files keep the FileInfo of the scan: its cached stat gives length, mode and time without asking again.
    private sealed record Tree(List<string> Directories, List<FileInfo> Files, List<(string Link, string Target)> Links);

    private static Tree Scan(string source, CancellationToken cancellationToken)
    {
        var tree = new Tree([], [], []);
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.TryPop(out var relativeDir))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var directory = new DirectoryInfo(Path.Combine(source, relativeDir));
            foreach (var entry in directory.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }))
            {
                var relative = Path.Join(relativeDir, entry.Name);
                Packaging.SourceTree.RequireUtf8Name(entry, relative.Replace('\\', '/'), directory.FullName);
                if (entry.LinkTarget is { } target)
                {
                    CheckLink(source, relative, target);
                    tree.Links.Add((relative, target));
                }
                else if (entry is DirectoryInfo)
                {
                    tree.Directories.Add(relative);
                    pending.Push(relative);
                }
                else
                {
                    // By type before copying: a FIFO would block the copy, a device never ends (spec/package-format.md).
                    var kind = Packaging.FileKinds.Of(entry.FullName);
                    if (kind != Packaging.FileKind.Regular) throw Packaging.SourceTree.SpecialFile(relative.Replace('\\', '/'), directory.FullName, kind);
                    tree.Files.Add((FileInfo)entry);
                }
            }
        }
        // Parents before children, so creating them in order works.
        tree.Directories.Sort(StringComparer.Ordinal);
        return tree;
    }

    private static void CheckLink(string source, string relative, string target)
    {
        if (Path.IsPathRooted(target)) throw HandlerErrors.UnsafeLink(relative.Replace('\\', '/'), target);
        var resolved = Path.GetFullPath(Path.Combine(source, Path.GetDirectoryName(relative) ?? "", target));
        if (!IsSameOrInside(resolved, source)) throw HandlerErrors.UnsafeLink(relative.Replace('\\', '/'), target);
    }

    internal static void CopyMetadata(string from, string to)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(to, File.GetUnixFileMode(from) & (PermissionBits | UnixFileMode.SetGroup | UnixFileMode.StickyBit));
        Directory.SetLastWriteTimeUtc(to, Directory.GetLastWriteTimeUtc(from));
    }

    private static bool IsSameOrInside(string path, string root) =>
        path.Equals(root, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase)
        || path.StartsWith(root + Path.DirectorySeparatorChar, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
}
