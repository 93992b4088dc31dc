namespace Packster.Locations;

/// <summary>Deletes directory trees that may hold read-only files and folders (payloads keep their modes).</summary>
internal static class FileTree
{
    public static void Delete(string directory)
    {
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
                if (Directory.Exists(entry) && !new DirectoryInfo(entry).Attributes.HasFlag(FileAttributes.ReparsePoint)) Delete(entry);
                else File.Delete(entry);
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
