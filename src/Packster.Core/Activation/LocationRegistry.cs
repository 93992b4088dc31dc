namespace Packster.Activation;

/// <summary>
/// Maps location ids to location folders so that <c>packster-use &lt;id&gt;</c> finds a location without starting .NET
/// (spec/activation.md §4). POSIX: <c>&lt;data&gt;/registry/&lt;id&gt;</c> is a symlink to the location folder, so a shell
/// reaches <c>&lt;data&gt;/registry/&lt;id&gt;/activate/activate.sh</c> by path alone. Windows: a file of that name holding
/// the location path (UTF-8, no newline), read by the PowerShell function.
/// </summary>
public sealed class LocationRegistry
{
    public const string FolderName = "registry";

    public LocationRegistry(string dataHome, bool? useSymlinks = null)
    {
        DataHome = Path.GetFullPath(dataHome);
        UsesSymlinks = useSymlinks ?? !OperatingSystem.IsWindows();
    }

    /// <summary>The packster data folder: <c>PACKSTER_DATA_HOME</c>, else <c>$XDG_DATA_HOME/packster</c>, else <c>~/.local/share/packster</c> (<c>%LOCALAPPDATA%\packster</c> on Windows).</summary>
    public string DataHome { get; }

    public bool UsesSymlinks { get; }

    public string Folder => Path.Combine(DataHome, FolderName);

    public string EntryPath(string id)
    {
        ActivationId.Validate(id);
        return Path.Combine(Folder, id);
    }

    /// <summary>Registers (or re-points) <paramref name="id"/> to <paramref name="locationPath"/>, replacing the entry atomically.</summary>
    public void Register(string id, string locationPath)
    {
        var entry = EntryPath(id);
        if (!Path.IsPathFullyQualified(locationPath) || locationPath.AsSpan().IndexOfAny('\0', '\n', '\r') >= 0)
        {
            throw new PacksterException(ErrorCode.ActivationEnvInvalid, $"cannot register location {id}: '{locationPath}' is not an absolute path without line breaks");
        }
        FileSystemErrors.CreateFolder(Folder, "location registry folder", "move what is there away: packster keeps its registry of location ids in this folder");
        var temp = Path.Combine(Folder, "." + id + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        if (UsesSymlinks && !OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(temp, Path.TrimEndingDirectorySeparator(locationPath));
            PosixRename.Replace(temp, entry);
        }
        else
        {
            AtomicFile.WriteAllText(entry, locationPath);
        }
    }

    /// <summary>Removes <paramref name="id"/>; false when it was not registered.</summary>
    public bool Unregister(string id)
    {
        var entry = new FileInfo(EntryPath(id));
        if (!entry.Exists && entry.LinkTarget is null) return false;
        entry.Delete();
        return true;
    }

    /// <summary>The registered folder of <paramref name="id"/>, or null.</summary>
    public string? Resolve(string id)
    {
        var entry = new FileInfo(EntryPath(id));
        if (entry.LinkTarget is { } target) return Path.GetFullPath(target, Folder);
        return entry.Exists ? File.ReadAllText(entry.FullName) : null;
    }

    /// <summary>Every registered id with its folder, ordered by id.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> List()
    {
        if (!Directory.Exists(Folder)) return [];
        return new DirectoryInfo(Folder).EnumerateFileSystemInfos()
            .Where(e => ActivationId.IsValid(e.Name))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => new KeyValuePair<string, string>(e.Name, Resolve(e.Name)!))
            .Where(p => p.Value is not null)
            .ToList();
    }
}
