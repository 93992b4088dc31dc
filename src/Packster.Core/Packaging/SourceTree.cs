using System.Text;

namespace Packster.Packaging;

/// <summary>One thing the packer will store: a file, a symlink (never followed) or an empty directory.</summary>
internal sealed record SourceEntry(string RelativePath, string FullPath, PackageEntryKind Kind, int Mode, long Size, string? LinkTarget)
{
    public byte[] NameBytes { get; } = Encoding.UTF8.GetBytes(Kind == PackageEntryKind.Directory ? RelativePath + "/" : RelativePath);
}

/// <summary>
/// Walks a package source folder top-down, applying <see cref="PackageIgnore"/>, never following symlinked folders,
/// and returns the entries in package order: the manifest first, then ordinal (UTF-8 byte) order of the paths.
/// </summary>
internal static class SourceTree
{
    public static List<SourceEntry> Enumerate(string sourceDir, PackageIgnore ignore, string? excludedDir)
    {
        var entries = new List<SourceEntry>();
        Walk(new DirectoryInfo(sourceDir), "", ignore, excludedDir, entries);
        entries.Sort(static (a, b) =>
        {
            var aIsManifest = a.RelativePath == Packer.ManifestFileName;
            var bIsManifest = b.RelativePath == Packer.ManifestFileName;
            if (aIsManifest != bIsManifest) return aIsManifest ? -1 : 1;
            return a.NameBytes.AsSpan().SequenceCompareTo(b.NameBytes);
        });
        return entries;
    }

    /// <summary>Adds the entries under <paramref name="directory"/>; returns how many it added.</summary>
    private static int Walk(DirectoryInfo directory, string prefix, PackageIgnore ignore, string? excludedDir, List<SourceEntry> entries)
    {
        var added = 0;
        var children = FileSystemErrors.At(directory.FullName, "cannot list package source folder", () => directory.GetFileSystemInfos("*", new EnumerationOptions
        {
            RecurseSubdirectories = false,
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
            ReturnSpecialDirectories = false,
        }));
        foreach (var info in children)
        {
            var relative = prefix + info.Name;
            var isLink = info.LinkTarget is not null;
            var isDirectory = !isLink && info is DirectoryInfo;
            if (ignore.IsIgnored(relative, isDirectory)) continue;
            RequireUtf8Name(info, relative, directory.FullName);
            if (isLink)
            {
                // Packages store '/'-separated targets; Windows reports them with backslashes.
                var target = OperatingSystem.IsWindows() ? info.LinkTarget!.Replace('\\', '/') : info.LinkTarget!;
                entries.Add(new SourceEntry(relative, info.FullName, PackageEntryKind.Symlink, ZipFormat.ModeSymlink, 0, target));
                added++;
            }
            else if (isDirectory)
            {
                if (excludedDir is not null && PathsEqual(info.FullName, excludedDir)) continue;
                var inside = Walk((DirectoryInfo)info, relative + "/", ignore, excludedDir, entries);
                if (inside == 0)
                {
                    entries.Add(new SourceEntry(relative, info.FullName, PackageEntryKind.Directory, ZipFormat.ModeDirectory, 0, null));
                    inside = 1;
                }
                added += inside;
            }
            else if (info is FileInfo file && FileKinds.Of(file.FullName) == FileKind.Regular)
            {
                entries.Add(new SourceEntry(relative, file.FullName, PackageEntryKind.File, ModeOf(file), file.Length, null));
                added++;
            }
            else
            {
                // Checked by type, never by opening: a FIFO would block pack until a writer came, a device never ends.
                throw SpecialFile(relative, directory.FullName, FileKinds.Of(info.FullName));
            }
        }
        return added;
    }

    /// <summary>PST4005: packages hold regular files, folders and symlinks only (spec/package-format.md).</summary>
    internal static PacksterException SpecialFile(string relative, string folder, FileKind kind) =>
        new(ErrorCode.ArchiveUnsupportedEntry,
            $"'{relative}' in '{folder}' is {kind.Describe()}; a package holds only regular files, folders and symbolic links",
            SpecialFileHint);

    /// <summary>What to do about a special file in a folder being packed.</summary>
    internal const string SpecialFileHint = $"remove it or list it in {PackageIgnore.FileName}";

    /// <summary>What to do about a name that is not UTF-8 in a folder being packed.</summary>
    internal const string NotUtf8Hint = $"rename it, or list it in {PackageIgnore.FileName}";

    /// <summary>
    /// PST4003 when <paramref name="info"/>'s name is not UTF-8 (spec/package-format.md §3): .NET lists such a name with
    /// U+FFFD in place of its bytes, and by that text the entry cannot be found again.
    /// </summary>
    internal static void RequireUtf8Name(FileSystemInfo info, string relative, string folder)
    {
        if (info.Name.Contains('\uFFFD', StringComparison.Ordinal) && FileKinds.Of(info.FullName) == FileKind.Missing) throw NotUtf8(relative, folder);
    }

    private static PacksterException NotUtf8(string relative, string folder) =>
        new(ErrorCode.ArchiveUnsafePath,
            $"'{relative}' in '{folder}' has a name that is not valid UTF-8 (its undecodable bytes show as U+FFFD); package names are UTF-8",
            NotUtf8Hint);

    private static int ModeOf(FileInfo file)
    {
        if (OperatingSystem.IsWindows()) return ZipFormat.ModeFile;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (file.UnixFileMode & anyExecute) != 0 ? ZipFormat.ModeExecutable : ZipFormat.ModeFile;
    }

    private static bool PathsEqual(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b),
            OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
}
