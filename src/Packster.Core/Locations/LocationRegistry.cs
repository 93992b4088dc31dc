namespace Packster.Locations;

/// <summary>
/// Maps location ids to directories in <c>&lt;data home&gt;/registry/&lt;id&gt;</c> (spec/activation.md §4): on POSIX a
/// symlink to the location, so shell functions reach <c>registry/dev/activate/activate.sh</c> by path alone, without
/// starting .NET; on Windows a file holding the path. This class adds the location rules (ids, stale entries) on
/// top of that storage.
/// </summary>
public sealed class LocationRegistry
{
    private readonly PacksterPaths _paths;
    private readonly Activation.LocationRegistry _store;

    public LocationRegistry(PacksterPaths paths)
    {
        _paths = paths;
        _store = new Activation.LocationRegistry(paths.DataHome);
    }

    public string Directory => _paths.RegistryDirectory;

    public string FileOf(LocationId id) => Path.Combine(Directory, id.Value);

    /// <summary>The registered path of <paramref name="id"/>, or null when the id is not registered.</summary>
    public string? Lookup(LocationId id)
    {
        var path = _store.Resolve(id.Value)?.Trim('\r', '\n', ' ', '\t');
        return string.IsNullOrEmpty(path) ? null : path;
    }

    /// <summary>
    /// Registers <paramref name="id"/> → <paramref name="path"/>. Refuses (LocationIdTaken) an id registered to a different
    /// directory that still holds a location; a registration whose directory no longer holds one is stale and replaced.
    /// </summary>
    public void Register(LocationId id, string path)
    {
        EnsureAvailable(id, path);
        _store.Register(id.Value, Path.TrimEndingDirectorySeparator(path));
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

    public void Unregister(LocationId id) => _store.Unregister(id.Value);

    /// <summary>
    /// The registry's lock, <c>&lt;data home&gt;/locks/registry.lock</c>: held from <see cref="EnsureAvailable"/> to
    /// <see cref="Register"/>, so that of two locations created at once under one id only one is registered.
    /// </summary>
    public FileLock Lock(TextWriter? waiting = null) =>
        FileLock.Acquire(Path.Combine(FileLock.Directory(_paths), "registry.lock"), $"the location registry '{Directory}'", LocationLock.TimeoutFrom(_paths), waiting);

    /// <summary>Every registered id and its path, sorted by id; entries that are not valid location ids are ignored.</summary>
    public IReadOnlyList<(LocationId Id, string Path)> List() =>
        _store.List()
            .Where(e => !IsTempFile(e.Key))
            .Select(e => (Ok: LocationId.TryParse(e.Key, out var id), Id: id, Path: e.Value))
            .Where(e => e.Ok)
            .Select(e => (e.Id, e.Path))
            .ToList();

    // "<id>.<32 hex>.tmp" is a write interrupted by a crash, and would otherwise pass for an id.
    private static bool IsTempFile(string name) => AtomicFile.IsTempName(name);

    public bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b),
            _paths.IsWindows || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
