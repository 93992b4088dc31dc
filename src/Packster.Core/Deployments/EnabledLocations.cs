using Packster.Locations;
using Packster.Resources;

namespace Packster.Deployments;

/// <summary>
/// The locations enabled persistently for the user (<c>packster location enable L --user</c>): one file per id in
/// <c>&lt;data&gt;/enabled/</c> holding the location's path. They are active together, so the resource guard checks
/// claims across them: two enabled locations may not share a shim name, env key, port or shared path. The guard holds
/// across processes because every change of the set and every commit into an enabled location
/// (<see cref="EnsureCommitCompatible"/>) checks and changes under one lock, <see cref="Lock"/>; whoever takes a
/// location's lock takes it first (spec/resources.md §4).
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
                // Only records: a file named by a location id. Another process's write in flight (`<id>.<random>.tmp`,
                // spec/resources.md §4) is not one, and neither is anything else put there.
                if (!IsRecordName(Path.GetFileName(file))) continue;
                var path = FirstLine(file)?.Trim() ?? "";
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

    /// <summary>Whether <paramref name="name"/> names a record: a location id, and not the shape of a temp file (<see cref="AtomicFile.IsTempName"/>).</summary>
    internal static bool IsRecordName(string name) => LocationId.TryParse(name, out _) && !AtomicFile.IsTempName(name);

    /// <summary>The record's first line, or null when it went away meanwhile (a <c>location disable</c> at the same time) or is no regular file.</summary>
    private static string? FirstLine(string file) => Lines(file)?.FirstOrDefault();

    /// <summary>
    /// The lines of the record <paramref name="file"/>; null when it is missing (gone meanwhile) or is not a regular file:
    /// a FIFO put there would wait for a writer at its opening, and no record is one (spec/resources.md §4).
    /// </summary>
    private static string[]? Lines(string file)
    {
        try
        {
            return RegularFile.TryReadAllBytes(file, out _) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes).Split('\n') : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The lock over the set of enabled locations, <c>&lt;data home&gt;/locks/enabled.lock</c>: held by
    /// <c>location enable</c> and <c>location disable</c> from their check to their last change, and by every commit into
    /// an enabled location around its check against the other enabled locations and the lockfile's replacement. A location's lock
    /// is always taken before it, never while it is held. Waits up to <c>PACKSTER_LOCK_TIMEOUT</c>, then PST5004.
    /// </summary>
    public FileLock Lock(TextWriter? waiting, CancellationToken cancellationToken = default) =>
        FileLock.Acquire(LockPath, $"the set of enabled locations ('{Directory}')", LocationLock.TimeoutFrom(_paths), waiting, cancellationToken);

    private string LockPath => Path.Combine(FileLock.Directory(_paths), "enabled.lock");

    /// <summary>
    /// <see cref="Lock"/> for a commit: null, and no lock, when the data home cannot hold the lock file and no location
    /// was ever enabled there (<c>location enable</c> could not take it either, so there is nothing to keep apart).
    /// </summary>
    internal FileLock? LockForCommit(TextWriter? waiting)
    {
        try
        {
            return Lock(waiting);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PacksterException { Code: not ErrorCode.LockTimeout }
            && !System.IO.Directory.Exists(Directory))
        {
            return null;
        }
    }

    /// <summary>
    /// For a commit of <paramref name="after"/> into <paramref name="location"/>, which is enabled (the caller asked
    /// <see cref="IsEnabled"/> under the location's lock), over <paramref name="before"/> (read only when there is
    /// something to judge), under <see cref="Lock"/>: the claims it gains may not collide with another enabled
    /// location's (PST6000, nothing written). Claims it held already are not judged again, so a change that only
    /// releases is never refused.
    /// </summary>
    internal void EnsureCommitCompatible(Location location, Func<LocationState> before, LocationState after)
    {
        var outside = OwnersOutside(location);
        if (outside.Count == 0) return;
        var had = LocationActivation.Owners(before());
        foreach (var deployment in after.ActiveDeployments)
        {
            var owner = LocationActivation.OwnerOf(after, deployment);
            var gained = deployment.Claims.Select(ClaimText.Parse)
                .Where(c => !(had.TryGetValue(c.Of(deployment.Hash), out var held) && held.IsSameDeployment(owner)))
                .ToList();
            if (gained.Count > 0) ResourceGuard.EnsureNoConflicts(outside, new ResourceChange(owner, gained));
        }
    }

    /// <summary>
    /// Refuses (PST9005) a file, or another non-folder, where the folder of the records belongs or on its path, as
    /// <see cref="Add"/> would: <c>location enable</c> asks before it edits a shell profile, so that nothing is written.
    /// </summary>
    public void RefuseNoFolder() => FileSystemErrors.RefuseNoFolder(Directory, FolderWhat, FolderHint);

    private const string FolderWhat = "enabled locations folder";
    private const string FolderHint = "move what is there away: packster records the locations enabled for the user in this folder";

    /// <summary>
    /// Records <paramref name="location"/> as enabled for the user; <paramref name="shadowSystem"/>: its claims win over
    /// those of locations enabled for every user (spec/lockfile.md § System locations), recorded as a second line.
    /// </summary>
    public void Add(Location location, bool shadowSystem = false)
    {
        FileSystemErrors.CreateFolder(Directory, FolderWhat, FolderHint);
        AtomicFile.Write(Path.Combine(Directory, location.Id.Value),
            System.Text.Encoding.UTF8.GetBytes(location.Path + "\n" + (shadowSystem ? ShadowSystemLine + "\n" : "")));
    }

    /// <summary>Whether the user enabled <paramref name="location"/> with <c>--shadow-system</c>.</summary>
    public bool ShadowsSystem(Location location)
    {
        return Lines(Path.Combine(Directory, location.Id.Value)) is { } lines && lines.Skip(1).Any(l => l.Trim() == ShadowSystemLine);
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
