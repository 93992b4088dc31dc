using Packster.Locations;
using Packster.Resources;

namespace Packster.Deployments;

/// <summary>
/// The locations enabled persistently for the user (<c>packster location enable L --user</c>): one file per id in
/// <c>&lt;data&gt;/enabled/</c> holding the location's path. They are active together, so the resource guard checks
/// claims across them: two enabled locations may not share a shim name, env key, port or shared path.
/// </summary>
public sealed class EnabledLocations
{
    private readonly PacksterPaths _paths;

    public EnabledLocations(PacksterPaths paths) => _paths = paths;

    public string Directory => Path.Combine(_paths.DataHome, "enabled");

    public bool IsEnabled(Location location) => File.Exists(Path.Combine(Directory, location.Id.Value));

    /// <summary>
    /// The enabled locations that still exist: the user's, in id order, then those enabled for every user
    /// (spec/lockfile.md § System locations), which the guard weighs alike.
    /// </summary>
    public IReadOnlyList<Location> List() => List(includeSystem: true);

    private List<Location> List(bool includeSystem)
    {
        var result = new List<Location>();
        if (System.IO.Directory.Exists(Directory))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory).Order(StringComparer.Ordinal))
            {
                var path = File.ReadAllLines(file).FirstOrDefault()?.Trim() ?? "";
                if (Location.IsLocation(path)) result.Add(Location.Open(path, _paths));
            }
        }
        if (!includeSystem) return result;
        foreach (var path in new SystemLocations(_paths).EnabledPaths())
        {
            if (!result.Any(l => string.Equals(l.Path, path, StringComparison.Ordinal))) result.Add(Location.Open(path, _paths));
        }
        return result;
    }

    /// <summary>
    /// Records <paramref name="location"/> as enabled for the user; <paramref name="shadowSystem"/>: its claims win over
    /// those of locations enabled for every user (spec/lockfile.md § System locations), recorded as a second line.
    /// </summary>
    public void Add(Location location, bool shadowSystem = false)
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.Write(Path.Combine(Directory, location.Id.Value),
            System.Text.Encoding.UTF8.GetBytes(location.Path + "\n" + (shadowSystem ? ShadowSystemLine + "\n" : "")));
    }

    /// <summary>Whether the user enabled <paramref name="location"/> with <c>--shadow-system</c>.</summary>
    public bool ShadowsSystem(Location location)
    {
        var file = Path.Combine(Directory, location.Id.Value);
        return File.Exists(file) && File.ReadAllLines(file).Skip(1).Any(l => l.Trim() == ShadowSystemLine);
    }

    private const string ShadowSystemLine = "shadow-system";

    public bool Remove(Location location)
    {
        var file = Path.Combine(Directory, location.Id.Value);
        if (!File.Exists(file)) return false;
        File.Delete(file);
        return true;
    }

    /// <summary>Owners of every resource claimed by the enabled locations other than <paramref name="except"/>.</summary>
    public Dictionary<ResourceClaim, ResourceOwner> OwnersOutside(Location except)
    {
        var owners = new Dictionary<ResourceClaim, ResourceOwner>();
        foreach (var other in List(!ShadowsSystem(except)).Where(l => !string.Equals(l.Path, except.Path, StringComparison.Ordinal)))
        {
            foreach (var (claim, owner) in LocationActivation.Owners(other.ReadState())) owners.TryAdd(claim, owner);
        }
        return owners;
    }

    /// <summary>Refuses enabling <paramref name="location"/> when its active claims collide with another enabled location's.</summary>
    public void EnsureCompatible(Location location, bool? shadowSystem = null)
    {
        var sets = List(!(shadowSystem ?? ShadowsSystem(location))).Where(l => !string.Equals(l.Path, location.Path, StringComparison.Ordinal))
            .Select(l => (IReadOnlyDictionary<ResourceClaim, ResourceOwner>)LocationActivation.Owners(l.ReadState()))
            .Append(LocationActivation.Owners(location.ReadState()));
        ResourceGuard.EnsureLocationsCompatible(sets);
    }
}
