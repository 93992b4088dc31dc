using System.IO.Enumeration;
using System.Text;
using Packster.Locations;

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
        Walk(sourceDir, "", ignore, excludedDir, entries, depth: 0);
        entries.Sort(static (a, b) =>
        {
            var aIsManifest = a.RelativePath == Packer.ManifestFileName;
            var bIsManifest = b.RelativePath == Packer.ManifestFileName;
            if (aIsManifest != bIsManifest) return aIsManifest ? -1 : 1;
            return a.NameBytes.AsSpan().SequenceCompareTo(b.NameBytes);
        });
        return entries;
    }

    /// <summary>
    /// Adds the entries under <paramref name="directory"/>; returns how many it added. The top <see cref="ParallelLevels"/>
    /// levels of the tree have their children walked on every core, each into a list of its own, joined in listing order;
    /// the first child in that order whose walk fails gives the error, as a walk on one core would.
    /// </summary>
    private static int Walk(string directory, string prefix, PackageIgnore ignore, string? excludedDir, List<SourceEntry> entries, int depth)
    {
        var children = FileSystemErrors.At(directory, "cannot list package source folder", () => List(directory));
        var added = 0;
        if (depth >= ParallelLevels || children.Count < 2 || Environment.ProcessorCount < 2)
        {
            foreach (var child in children) added += Add(child, directory, prefix, ignore, excludedDir, entries, depth);
            return added;
        }
        var parts = new List<SourceEntry>[children.Count];
        var counts = new int[children.Count];
        var failures = new System.Runtime.ExceptionServices.ExceptionDispatchInfo?[children.Count];
        Parallel.For(0, children.Count, i =>
        {
            parts[i] = [];
            try
            {
                counts[i] = Add(children[i], directory, prefix, ignore, excludedDir, parts[i], depth);
            }
            catch (Exception e)
            {
                failures[i] = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        });
        for (var i = 0; i < children.Count; i++)
        {
            failures[i]?.Throw();
            entries.AddRange(parts[i]);
            added += counts[i];
        }
        return added;
    }

    /// <summary>How many levels of folders, from the top, are walked on every core: the most a package's top spreads its files over.</summary>
    private const int ParallelLevels = 2;

    /// <summary>
    /// Adds <paramref name="child"/> of <paramref name="directory"/>, and what is under it; returns how many entries that
    /// was. It is looked at by one <c>lstat</c> of its name (a link's target read only for a link); where that cannot be
    /// had (Windows, an entry gone or named in bytes that are not UTF-8) it is judged as .NET sees it (<see cref="AddAsListed"/>).
    /// </summary>
    private static int Add((string Name, bool IsDirectory, FileSystemInfo? Info) child, string directory, string prefix, PackageIgnore ignore,
        string? excludedDir, List<SourceEntry> entries, int depth)
    {
        if (child.Info is not null || !FileStamp.TryStatus(directory, child.Name, out var type, out var permissions, out var size))
        {
            return AddAsListed(child.Info ?? InfoOf(Path.Join(directory, child.Name), child.IsDirectory), directory, prefix, ignore, excludedDir, entries, depth);
        }
        var relative = prefix + child.Name;
        switch (type)
        {
            case SymlinkType:
                if (ignore.IsIgnored(relative, isDirectory: false)) return 0;
                var full = Path.Join(directory, child.Name);
                if (new FileInfo(full).LinkTarget is not { } target) break;
                entries.Add(new SourceEntry(relative, full, PackageEntryKind.Symlink, ZipFormat.ModeSymlink, 0, target));
                return 1;
            case DirectoryType:
                if (ignore.IsIgnored(relative, isDirectory: true)) return 0;
                return AddDirectory(Path.Join(directory, child.Name), relative, ignore, excludedDir, entries, depth);
            case RegularType:
                if (ignore.IsIgnored(relative, isDirectory: false)) return 0;
                entries.Add(new SourceEntry(relative, Path.Join(directory, child.Name), PackageEntryKind.File, ModeOf(permissions), size, null));
                return 1;
        }
        // A special file, or a link that is gone by now: judged, and refused, in .NET's view of it.
        return AddAsListed(InfoOf(Path.Join(directory, child.Name), child.IsDirectory), directory, prefix, ignore, excludedDir, entries, depth);
    }

    /// <summary>
    /// <paramref name="directory"/>'s children by name, as its listing gives them (no entry looked at): on Windows with
    /// what the listing knows of each, which is all a look would tell there.
    /// </summary>
    private static List<(string Name, bool IsDirectory, FileSystemInfo? Info)> List(string directory) =>
        [.. new FileSystemEnumerable<(string, bool, FileSystemInfo?)>(directory,
            (ref FileSystemEntry entry) => (entry.FileName.ToString(), entry.IsDirectory, OperatingSystem.IsWindows() ? entry.ToFileSystemInfo() : null),
            new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false, ReturnSpecialDirectories = false })];

    private static FileSystemInfo InfoOf(string path, bool isDirectory) => isDirectory ? new DirectoryInfo(path) : new FileInfo(path);

    /// <summary>A folder's entries, or the folder itself when nothing in it is packed (none when it is the output folder).</summary>
    private static int AddDirectory(string path, string relative, PackageIgnore ignore, string? excludedDir, List<SourceEntry> entries, int depth)
    {
        if (excludedDir is not null && PathsEqual(path, excludedDir)) return 0;
        var inside = Walk(path, relative + "/", ignore, excludedDir, entries, depth + 1);
        if (inside > 0) return inside;
        entries.Add(new SourceEntry(relative, path, PackageEntryKind.Directory, ZipFormat.ModeDirectory, 0, null));
        return 1;
    }

    /// <summary>One entry judged by what .NET's <paramref name="info"/> says of it; returns how many entries it added.</summary>
    private static int AddAsListed(FileSystemInfo info, string directory, string prefix, PackageIgnore ignore, string? excludedDir, List<SourceEntry> entries,
        int depth)
    {
        var relative = prefix + info.Name;
        var isLink = info.LinkTarget is not null;
        var isDirectory = !isLink && info is DirectoryInfo;
        if (ignore.IsIgnored(relative, isDirectory)) return 0;
        RequireUtf8Name(info, relative, directory);
        if (isLink)
        {
            // Packages store '/'-separated targets; Windows reports them with backslashes.
            var target = OperatingSystem.IsWindows() ? info.LinkTarget!.Replace('\\', '/') : info.LinkTarget!;
            entries.Add(new SourceEntry(relative, info.FullName, PackageEntryKind.Symlink, ZipFormat.ModeSymlink, 0, target));
            return 1;
        }
        if (isDirectory) return AddDirectory(info.FullName, relative, ignore, excludedDir, entries, depth);
        if (info is FileInfo file && FileKinds.Of(file.FullName) == FileKind.Regular)
        {
            entries.Add(new SourceEntry(relative, file.FullName, PackageEntryKind.File, ModeOf(file), file.Length, null));
            return 1;
        }
        // Checked by type, never by opening: a FIFO would block pack until a writer came, a device never ends.
        throw SpecialFile(relative, directory, FileKinds.Of(info.FullName));
    }

    private const int RegularType = 0x8000;
    private const int DirectoryType = 0x4000;
    private const int SymlinkType = 0xA000;

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

    private static int ModeOf(FileInfo file) => OperatingSystem.IsWindows() ? ZipFormat.ModeFile : ModeOf((int)file.UnixFileMode);

    /// <summary>0755 when any execute bit is set, else 0644: a package keeps nothing else of a file's mode.</summary>
    private static int ModeOf(int permissions) => (permissions & 0b001_001_001) != 0 ? ZipFormat.ModeExecutable : ZipFormat.ModeFile;

    private static bool PathsEqual(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b),
            OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
}
