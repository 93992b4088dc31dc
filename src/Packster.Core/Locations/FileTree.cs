namespace Packster.Locations;

/// <summary>
/// Deletes directory trees that may hold read-only files and folders (payloads keep their modes). A link is removed
/// itself, never followed: nothing outside the tree is ever deleted (spec/lockfile.md § What a location may contain).
/// </summary>
internal static class FileTree
{
    public static void Delete(string directory)
    {
        var info = new FileInfo(directory);
        if (info.LinkTarget is not null)
        {
            // A Windows directory link is removed as a directory (non-recursively: the link only).
            if (OperatingSystem.IsWindows() && info.Attributes.HasFlag(FileAttributes.Directory)) Directory.Delete(directory);
            else File.Delete(directory);
            return;
        }
        if (!Directory.Exists(directory)) return;
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            MakeDeletable(directory);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Deletes every entry of <paramref name="directory"/> and returns their paths; an entry that resists is skipped.</summary>
    public static IReadOnlyList<string> DeleteChildren(string directory)
    {
        var removed = new List<string>();
        if (!Directory.Exists(directory)) return removed;
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            try
            {
                Delete(entry);
                if (File.Exists(entry)) File.Delete(entry);
                removed.Add(entry);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                // Left for the next recovery: a leftover in staging or trash never changes what the location holds.
            }
        }
        return removed;
    }

    // Top-down, fixing a folder's mode before listing it: a folder without r/x cannot be listed until then.
    private static void MakeDeletable(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            File.SetAttributes(dir, FileAttributes.Directory);
            foreach (var file in Directory.EnumerateFiles(dir)) File.SetAttributes(file, FileAttributes.Normal);
        }
        else
        {
            File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        foreach (var child in Directory.EnumerateDirectories(dir))
        {
            if (!new DirectoryInfo(child).Attributes.HasFlag(FileAttributes.ReparsePoint)) MakeDeletable(child);
        }
    }
}
