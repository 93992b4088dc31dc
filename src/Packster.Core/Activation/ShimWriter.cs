using System.Text;

namespace Packster.Activation;

/// <summary>
/// Regenerates a location's shims folder so that readers only ever see the old complete set or the new complete
/// set (spec/activation.md §2). The caller holds the location lock; stale generations from a crash are removed.
/// </summary>
public static class ShimWriter
{
    private const string GenerationPrefix = ".shims-gen-";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Makes <paramref name="shimsDir"/> hold exactly <paramref name="shims"/> (nothing else), each as the kind
    /// <see cref="ShimKinds.Choose"/> picks: a symlink to its target, or launcher scripts. POSIX:
    /// <paramref name="shimsDir"/> is a symlink to a generation folder and is replaced by rename(2) — atomic.
    /// Windows: the folder is renamed aside and the new one renamed in (a brief window without the folder).
    /// </summary>
    public static void WriteAll(string shimsDir, IEnumerable<ShimDefinition> shims, ShimPlatform platform) => WriteAll(shimsDir, shims, platform, keepIfHeld: false);

    /// <summary>
    /// As <see cref="WriteAll(string, IEnumerable{ShimDefinition}, ShimPlatform)"/>; with <paramref name="keepIfHeld"/>
    /// (the caller knows the current generation was made durable), a generation folder that already holds exactly these
    /// files — the same names, link targets, texts and execute bits — is kept as it is (POSIX): nothing is written, synced
    /// or swapped (spec/activation.md §2).
    /// </summary>
    public static void WriteAll(string shimsDir, IEnumerable<ShimDefinition> shims, ShimPlatform platform, bool keepIfHeld)
    {
        ArgumentNullException.ThrowIfNull(shims);
        var list = shims.ToList();
        CheckSet(list);
        shimsDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(shimsDir));
        var files = FilesOf(list.Select(s => (s, ShimKinds.Choose(s, platform))), platform, ParentOf(shimsDir));
        if (keepIfHeld && !OperatingSystem.IsWindows() && HeldBy(shimsDir, files) is { } held)
        {
            RemoveStaleGenerations(ParentOf(shimsDir), PrefixOf(shimsDir), keep: held);
            return;
        }
        WriteGeneration(shimsDir, files, durable: true);
    }

    /// <summary>
    /// The generation folder <paramref name="shimsDir"/> links to when it holds exactly <paramref name="files"/>, else
    /// null. Only a shims folder as this writer makes it counts: a relative link to a generation folder beside it.
    /// </summary>
    private static string? HeldBy(string shimsDir, IReadOnlyDictionary<string, ShimFile> files)
    {
        var prefix = PrefixOf(shimsDir);
        if (new FileInfo(shimsDir).LinkTarget is not { } target || !target.StartsWith(prefix, StringComparison.Ordinal) || target.Contains('/', StringComparison.Ordinal)) return null;
        var generation = new DirectoryInfo(Path.Combine(ParentOf(shimsDir), target));
        if (!generation.Exists || generation.LinkTarget is not null) return null;
        var held = 0;
        foreach (var entry in generation.EnumerateFileSystemInfos())
        {
            if (!files.TryGetValue(entry.Name, out var file) || !file.IsHeldBy(entry)) return null;
            held++;
        }
        return held == files.Count ? generation.FullName : null;
    }

    /// <summary>Makes a generation folder holding <paramref name="files"/> and swaps it in as <paramref name="shimsDir"/> (a full path); returns the folder.</summary>
    private static string WriteGeneration(string shimsDir, IReadOnlyDictionary<string, ShimFile> files, bool durable)
    {
        var parent = ParentOf(shimsDir);
        Directory.CreateDirectory(parent);
        var prefix = PrefixOf(shimsDir);
        var generation = Path.Combine(parent, prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(generation);
        try
        {
            foreach (var file in files.Values.OrderBy(f => f.Name, StringComparer.Ordinal)) file.Create(Path.Combine(generation, file.Name));
            // Durable before the swap makes them the shims (spec/lockfile.md § Durability).
            if (durable) Packster.Locations.DirectorySync.FlushTree(generation);
        }
        catch
        {
            Directory.Delete(generation, recursive: true);
            throw;
        }

        if (OperatingSystem.IsWindows())
        {
            SwapByRename(shimsDir, generation, parent, prefix);
            generation = shimsDir;
        }
        else
        {
            SwapSymlink(shimsDir, generation);
        }
        RemoveStaleGenerations(parent, prefix, keep: generation);
        return generation;
    }

    /// <summary>The name every generation folder of <paramref name="shimsDir"/> starts with.</summary>
    private static string PrefixOf(string shimsDir) => GenerationPrefix + Path.GetFileName(shimsDir) + "-";

    private static string ParentOf(string shimsDir) =>
        Path.GetDirectoryName(shimsDir) ?? throw new ArgumentException("the shims folder needs a parent", nameof(shimsDir));

    /// <summary>The files <paramref name="shims"/> are in a generation folder, by name: a symlink each, or its launcher scripts.</summary>
    private static Dictionary<string, ShimFile> FilesOf(IEnumerable<(ShimDefinition Shim, ShimKind Kind)> shims, ShimPlatform platform, string location)
    {
        var files = new Dictionary<string, ShimFile>(StringComparer.Ordinal);
        foreach (var (shim, kind) in shims)
        {
            if (kind == ShimKind.Symlink)
            {
                files[shim.Name] = new ShimFile(shim.Name, LinkTarget(shim.TargetPath, location), null, false);
                continue;
            }
            foreach (var (fileName, text, executable) in ShimScripts.Files(shim, platform)) files[fileName] = new ShimFile(fileName, null, text, executable);
        }
        return files;
    }

    /// <summary>One file of a generation folder: a symbolic link to <see cref="LinkTarget"/>, or <see cref="Text"/>.</summary>
    private sealed record ShimFile(string Name, string? LinkTarget, string? Text, bool Executable)
    {
        public void Create(string path)
        {
            if (LinkTarget is not null) File.CreateSymbolicLink(path, LinkTarget);
            else WriteFile(path, Text!, Executable);
        }

        /// <summary>Whether <paramref name="entry"/> is what <see cref="Create"/> makes: the same link target, or a regular file with the same bytes and execute bit.</summary>
        public bool IsHeldBy(FileSystemInfo entry)
        {
            if (LinkTarget is not null) return string.Equals(entry.LinkTarget, LinkTarget, StringComparison.Ordinal);
            if (entry is not FileInfo file || file.LinkTarget is not null) return false;
            if (((file.UnixFileMode & UnixFileMode.UserExecute) != 0) != Executable) return false;
            var bytes = Utf8.GetBytes(Text!);
            return file.Length == bytes.Length && File.ReadAllBytes(file.FullName).AsSpan().SequenceEqual(bytes);
        }
    }

    /// <summary>
    /// The shims a transaction writes ahead of its commit (spec/lockfile.md § Multi-deployment transactions), one
    /// instance per transaction. The first <see cref="Write"/> makes a generation folder as <see cref="WriteAll"/> does
    /// (not made durable: no lockfile records these shims); each later one changes only the shims that differ, in that
    /// same folder, while the shims folder still points at it (POSIX): a new shim is created under a hidden temporary
    /// name and renamed to its own, a changed one renamed over, a gone one removed. A bundle of N packages with shims
    /// so writes N shims, not N²/2.
    /// </summary>
    public sealed class Ahead
    {
        private string? _generation;
        private Dictionary<string, ShimFile> _files = [];

        public void Write(string shimsDir, IReadOnlyList<(ShimDefinition Shim, ShimKind Kind)> shims, ShimPlatform platform)
        {
            ArgumentNullException.ThrowIfNull(shims);
            CheckSet(shims.Select(s => s.Shim));
            shimsDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(shimsDir));
            var files = FilesOf(shims, platform, ParentOf(shimsDir));
            if (_generation is null || OperatingSystem.IsWindows() || !string.Equals(CurrentGeneration(shimsDir), _generation, StringComparison.Ordinal))
            {
                _generation = WriteGeneration(shimsDir, files, durable: false);
                _files = files;
                return;
            }
            var had = _files;
            // Until this call ends the folder is neither set: the next call starts over with a generation of its own.
            var generation = _generation;
            _generation = null;
            foreach (var name in had.Keys.Where(n => !files.ContainsKey(n)).Order(StringComparer.Ordinal)) File.Delete(Path.Combine(generation, name));
            foreach (var file in files.Values.Where(f => !had.TryGetValue(f.Name, out var old) || old != f).OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                var temp = Path.Combine(generation, "." + file.Name + "." + Guid.NewGuid().ToString("N") + ".tmp");
                file.Create(temp);
                PosixRename.Replace(temp, Path.Combine(generation, file.Name));
            }
            _generation = generation;
            _files = files;
        }
    }

    /// <summary>Refuses a set holding two shims whose names are equal ignoring case (they would be one file on Windows and macOS).</summary>
    public static void CheckSet(IEnumerable<ShimDefinition> shims)
    {
        ArgumentNullException.ThrowIfNull(shims);
        var duplicate = shims.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new PacksterException(ErrorCode.ResourceConflict, $"shim '{duplicate.Key}' is defined twice in one shim set",
                "shim names are compared case-insensitively; the resource guard should have refused this");
        }
    }

    /// <summary>The folder the shims really live in (the symlink target on POSIX), or null when there is none yet.</summary>
    public static string? CurrentGeneration(string shimsDir)
    {
        var info = new DirectoryInfo(shimsDir);
        if (info.LinkTarget is { } target) return Path.GetFullPath(target, Path.GetDirectoryName(Path.GetFullPath(shimsDir))!);
        return info.Exists ? info.FullName : null;
    }

    /// <summary>
    /// The kind of the shim <paramref name="name"/> as it is in <paramref name="shimsDir"/> now, or null when the folder
    /// does not hold it (the shims lag the lockfile until the next command that changes the location).
    /// </summary>
    public static ShimKind? KindOf(string shimsDir, string name, ShimPlatform platform)
    {
        var file = Path.Combine(shimsDir, platform == ShimPlatform.Windows ? name + ".cmd" : name);
        return Packaging.FileKinds.Of(file) switch
        {
            Packaging.FileKind.Symlink => ShimKind.Symlink,
            Packaging.FileKind.Regular => ShimKind.Script,
            _ => null,
        };
    }

    /// <summary>
    /// A target inside the location (always, for a deployment's shim) is linked relative to the generation folder,
    /// <c>../deployments/&lt;hash&gt;/…</c>, like <c>shims</c> itself: the location keeps working when it is moved or
    /// mounted at another path. A target elsewhere keeps its absolute path, since <c>..</c> resolves physically.
    /// </summary>
    private static string LinkTarget(string target, string location)
    {
        var relative = Path.GetRelativePath(location, target);
        var inside = !Path.IsPathRooted(relative) && relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return inside ? Path.Combine("..", relative) : target;
    }

    private static void SwapSymlink(string shimsDir, string generation)
    {
        var link = generation + ".link";
        // Relative target: the location stays valid when its folder is moved or mounted elsewhere.
        File.CreateSymbolicLink(link, Path.GetFileName(generation));
        var existing = new DirectoryInfo(shimsDir);
        if (existing.Exists && existing.LinkTarget is null)
        {
            // First regeneration over a plain folder: move it aside once; from now on the swap is a rename.
            Directory.Move(shimsDir, generation + ".old");
        }
        PosixRename.Replace(link, shimsDir);
    }

    private static void SwapByRename(string shimsDir, string generation, string parent, string prefix)
    {
        var aside = Path.Combine(parent, prefix + "old-" + Guid.NewGuid().ToString("N"));
        if (Directory.Exists(shimsDir)) Directory.Move(shimsDir, aside);
        Directory.Move(generation, shimsDir);
    }

    private static void RemoveStaleGenerations(string parent, string prefix, string keep)
    {
        foreach (var entry in new DirectoryInfo(parent).EnumerateFileSystemInfos(prefix + "*"))
        {
            if (string.Equals(entry.FullName, keep, StringComparison.Ordinal)) continue;
            try
            {
                if (entry is DirectoryInfo dir && dir.LinkTarget is null) dir.Delete(recursive: true);
                else entry.Delete();
            }
            catch (IOException)
            {
                // A shim still running from an old generation on Windows keeps its folder; the next write retries.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static void WriteFile(string path, string text, bool executable)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = executable
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }
        using (var stream = new FileStream(path, options))
        {
            var bytes = Utf8.GetBytes(text);
            stream.Write(bytes);
        }
        if (!OperatingSystem.IsWindows() && executable)
        {
            // The umask may have masked bits at creation; shims are 0755 regardless.
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
    }
}
