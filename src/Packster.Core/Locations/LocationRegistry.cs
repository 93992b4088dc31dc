namespace Packster.Locations;

/// <summary>
/// Maps location ids to directories: one file <c>&lt;data home&gt;/registry/&lt;id&gt;</c> per id whose whole content is
/// the location's absolute path and a newline, so a shell script can <c>read -r dir &lt; "$registry/dev"</c>.
/// </summary>
public sealed class LocationRegistry
{
    private readonly PacksterPaths _paths;

    public LocationRegistry(PacksterPaths paths) => _paths = paths;

    public string Directory => _paths.RegistryDirectory;

    public string FileOf(LocationId id) => Path.Combine(Directory, id.Value);

    /// <summary>The registered path of <paramref name="id"/>, or null when the id is not registered.</summary>
    public string? Lookup(LocationId id)
    {
        try
        {
            var text = File.ReadAllText(FileOf(id)).Trim('\r', '\n', ' ', '\t');
            return text.Length == 0 ? null : text;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Registers <paramref name="id"/> → <paramref name="path"/>. Refuses (LocationIdTaken) an id registered to a different
    /// directory that still holds a location; a registration whose directory no longer holds one is stale and replaced.
    /// </summary>
    public void Register(LocationId id, string path)
    {
        EnsureAvailable(id, path);
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.Write(FileOf(id), System.Text.Encoding.UTF8.GetBytes(path + "\n"));
    }

    /// <summary>Throws LocationIdTaken when <see cref="Register"/> would refuse; changes nothing.</summary>
    public void EnsureAvailable(LocationId id, string path)
    {
        var existing = Lookup(id);
        if (existing is not null && !SamePath(existing, path) && File.Exists(Path.Combine(existing, Lockfile.FileName)))
        {
            throw LocationErrors.IdTaken(id, existing, path);
        }
    }

    public void Unregister(LocationId id) => File.Delete(FileOf(id));

    /// <summary>Every registered id and its path, sorted by id; files that are not valid ids are ignored.</summary>
    public IReadOnlyList<(LocationId Id, string Path)> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var list = new List<(LocationId, string)>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(file);
            if (IsTempFile(name)) continue;
            if (LocationId.TryParse(name, out var id) && Lookup(id) is { } path) list.Add((id, path));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    // "<id>.<32 hex>.tmp" is a registry write interrupted by a crash (AtomicFile), and would otherwise pass for an id.
    private static bool IsTempFile(string name)
    {
        if (!name.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal)) return false;
        var stem = name[..^AtomicFile.TempSuffix.Length];
        var dot = stem.LastIndexOf('.');
        return dot >= 0 && stem.Length - dot - 1 == 32 && stem[(dot + 1)..].All(char.IsAsciiHexDigitLower);
    }

    public bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b),
            _paths.IsWindows || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
