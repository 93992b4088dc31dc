using System.IO.Enumeration;
using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// A directory holding deployments, its lockfile and its OS lock (layout in spec/lockfile.md § Layout). Opening one
/// validates its lockfile; every mutation goes through a held <see cref="LocationLock"/>, which each mutating method
/// takes as proof, and the lockfile is the truth that <see cref="Recovery"/> restores the directory to.
/// </summary>
/// <example>
/// An install, in the order that keeps the location consistent if the process dies at any step
/// (spec/lockfile.md § Transactions):
/// <code>
/// var location = Location.Resolve(locationOption, paths);
/// using var held = LocationLock.Acquire(location, waiting: stderr, cancellationToken: ct);
/// var state = Recovery.Run(location, held, stderr).State;
/// if (state.Find(hash) is not null &amp;&amp; !force) return Unchanged;
/// var staging = location.CreateStaging();
/// /* extract into staging, run handlers, then: */ record.WriteTo(staging);
/// location.PublishDeployment(staging, hash, held);
/// state.Deployments.Add(new DeploymentEntry(package, hash, parameters) { Active = true, InstalledAt = clock.GetUtcNow() });
/// location.Commit(state, held);
/// location.EmptyTrash(held);
/// </code>
/// </example>
public sealed class Location
{
    public const string DeploymentsDirectoryName = "deployments";
    public const string InternalDirectoryName = ".packster";

    private Location(string path, LocationId id, PacksterPaths paths)
    {
        Path = path;
        Id = id;
        Paths = paths;
    }

    public LocationId Id { get; }

    /// <summary>The location's absolute root directory.</summary>
    public string Path { get; }

    public PacksterPaths Paths { get; }

    public string LockfilePath => Combine(Lockfile.FileName);

    /// <summary>The location's own policy file, which a person edits (spec/licenses.md § Policy).</summary>
    public string PolicyPath => Combine("packster-policy.toml");
    public string DeploymentsDirectory => Combine(DeploymentsDirectoryName);
    public string InternalDirectory => Combine(InternalDirectoryName);
    public string StagingDirectory => Combine(InternalDirectoryName, "staging");
    public string TrashDirectory => Combine(InternalDirectoryName, "trash");
    public string LockPath => Combine(InternalDirectoryName, "lock");
    public string LogsDirectory => Combine("logs");
    public string ShimsDirectory => Combine("shims");
    public string ActivateDirectory => Combine("activate");

    public string DeploymentDirectory(Sha256Digest hash) => Combine(DeploymentsDirectoryName, hash.Hex);

    /// <summary>The folder of <c>verify --quick</c>'s indexes (spec/lockfile.md § Quick verify).</summary>
    public string VerifyIndexDirectory => Combine(InternalDirectoryName, "verify-index");

    /// <summary>The quick-verify index of one deployment: a cache, deleted with the deployment.</summary>
    public string VerifyIndexPath(Sha256Digest hash) => Combine(InternalDirectoryName, "verify-index", hash.Hex);

    /// <summary>
    /// The location's own paths, which must never be links (spec/lockfile.md § What a location may contain): every
    /// delete and write under them would otherwise land in the link's target. <c>shims</c> is checked apart: on POSIX
    /// it is packster's own link to a generation folder beside it.
    /// </summary>
    public IEnumerable<string> OwnPaths =>
    [
        InternalDirectory, StagingDirectory, TrashDirectory, VerifyIndexDirectory, LockPath, LocationLock.HolderPath(this),
        Combine(InternalDirectoryName, ExtractedFileStore.DirectoryName),
        .. ExtractedFileStore.Folders.Select(f => Combine(InternalDirectoryName, ExtractedFileStore.DirectoryName, f)),
        DeploymentsDirectory, ActivateDirectory, LogsDirectory, Combine(HistoryFileName), LockfilePath, Combine(GenerationsDirectoryName),
        Combine(Activation.DesktopEntries.DirectoryName),
    ];

    /// <summary>Where committed states are kept (spec/lockfile.md § Generations).</summary>
    public const string GenerationsDirectoryName = "generations";

    /// <summary>The location's operation log (spec/lockfile.md § History).</summary>
    public const string HistoryFileName = "history.jsonl";

    /// <summary>
    /// Refuses (LocationPathIsLink, naming the path) a location whose own paths are links, before anything is
    /// created, deleted or written: writers call it under the lock, before recovery.
    /// </summary>
    public void EnsureNoLinks()
    {
        foreach (var path in OwnPaths) RefuseLink(path);
        var shims = new FileInfo(ShimsDirectory);
        if (shims.LinkTarget is { } target && !IsOwnShimsLink(target)) throw LocationErrors.PathIsLink(ShimsDirectory, target);
    }

    /// <summary>
    /// Refuses (PST5021) a location whose directory, lockfile or own folders any user may write (mode o+w), the way ssh
    /// refuses a key others can change: whoever can write there decides what the location's shims and handlers run.
    /// POSIX only; on Windows the ACLs are the system's to judge. Writers call it with <see cref="EnsureNoLinks"/>.
    /// </summary>
    public void EnsureNotWritableByOthers()
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var path in OwnPaths.Prepend(Path).Where(p => p != LockPath && p != LocationLock.HolderPath(this)))
        {
            var info = new FileInfo(path);
            if (!info.Exists && !Directory.Exists(path)) continue;
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.OtherWrite) == 0) continue;
            throw new PacksterException(ErrorCode.LocationWritableByOthers,
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"'{path}' of location {Id} is writable by every user (mode {Convert.ToString((int)mode & 0xFFF, 8)}): anyone could change what this location runs, so packster refuses to change it"),
                $"chmod o-w '{path}'");
        }
    }

    /// <summary>Throws LocationPathIsLink when <paramref name="path"/> is a symbolic link or junction (a missing path is fine).</summary>
    public static void RefuseLink(string path)
    {
        if (new FileInfo(path).LinkTarget is { } target) throw LocationErrors.PathIsLink(path, target);
    }

    // ShimWriter's link: a relative name of a real generation folder beside `shims`.
    private bool IsOwnShimsLink(string target) =>
        target.StartsWith(".shims-gen-shims-", StringComparison.Ordinal)
        && target.IndexOfAny(['/', '\\']) < 0
        && new DirectoryInfo(Combine(target)) is { Exists: true, LinkTarget: null };

    /// <summary>True when <paramref name="directory"/> holds a lockfile, i.e. is a location.</summary>
    public static bool IsLocation(string directory) => File.Exists(System.IO.Path.Combine(directory, Lockfile.FileName));

    /// <summary>
    /// Creates a location in <paramref name="directory"/> (made if needed) with an empty lockfile, and registers its id.
    /// Refuses a directory that is already a location (LocationExists), a non-empty directory other than the default
    /// location (LocationDirectoryNotEmpty), a path activation cannot put on PATH (ActivationEnvInvalid) and an id
    /// registered to another location (LocationIdTaken), changing nothing.
    /// The id defaults to <c>default</c> for the default location and to a slug of the directory name otherwise.
    /// </summary>
    /// <param name="directory">The location's folder.</param>
    /// <param name="id">Its id; null derives one.</param>
    /// <param name="paths">The roots.</param>
    /// <param name="waiting">Where a wait for another creation's hold on the registry is said.</param>
    public static Location Create(string directory, string? id, PacksterPaths paths, TextWriter? waiting = null)
    {
        var path = paths.ResolvePath(directory);
        // Held until the id is registered: a second creation at once (under this id, or in this folder) waits, then
        // finds the id taken or the location made (spec/lockfile.md § Registry).
        using var registryLock = new LocationRegistry(paths).Lock(waiting);
        var isDefault = new LocationRegistry(paths).SamePath(path, paths.DefaultLocation);
        if (IsLocation(path)) throw LocationErrors.Exists(path);
        if (!isDefault && Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any()) throw LocationErrors.DirectoryNotEmpty(path);
        if (File.Exists(path)) throw new PacksterException(ErrorCode.NotADirectory, $"'{path}' is a file, not a directory");
        // A file on the path, or where one of the location's own folders belongs (the default location may hold files),
        // is named before anything is made, never "it already exists".
        FileSystemErrors.RefuseNoFolder(path, "location folder", LocationFolderHint);
        Activation.ActivationSpec.CheckLocationPath(path);

        var locationId = id is not null ? LocationId.Parse(id)
            : isDefault ? LocationId.Default
            : LocationId.Slug(System.IO.Path.GetFileName(path));
        var registry = new LocationRegistry(paths);
        registry.EnsureAvailable(locationId, path);
        PausePoint.Hit("location-create.checked");

        var location = new Location(path, locationId, paths);
        if (Directory.Exists(path)) location.EnsureNoLinks();
        // What this creation made, in order, so that a failure (the registry cannot be written, the disk is full)
        // takes it away again and leaves the directory as it was.
        var made = new List<string>();
        var wroteLockfile = false;
        string[] folders = [location.DeploymentsDirectory, location.StagingDirectory, location.TrashDirectory, location.LogsDirectory, location.ShimsDirectory, location.ActivateDirectory];
        foreach (var dir in folders) FileSystemErrors.RefuseNoFolder(dir, $"folder of location {locationId}", LocationFolderHint);
        try
        {
            foreach (var dir in folders) MakeDirectory(dir, made);
            // The lockfile is written last among the location's own files: until it exists the directory is not a location.
            Lockfile.Write(location.LockfilePath, new LocationState(locationId));
            wroteLockfile = true;
            registry.Register(locationId, path);
        }
        catch
        {
            if (wroteLockfile) File.Delete(location.LockfilePath);
            for (var i = made.Count - 1; i >= 0; i--) Directory.Delete(made[i]);
            throw;
        }
        return location;
    }

    private const string LocationFolderHint = "move what is there away, or create the location in another folder";

    /// <summary>Creates <paramref name="directory"/> and the parents it lacks, adding each one it made to <paramref name="made"/>, parents first.</summary>
    private static void MakeDirectory(string directory, List<string> made)
    {
        var missing = new Stack<string>();
        for (var dir = directory; !string.IsNullOrEmpty(dir) && !Directory.Exists(dir); dir = System.IO.Path.GetDirectoryName(dir)) missing.Push(dir);
        while (missing.TryPop(out var dir))
        {
            Directory.CreateDirectory(dir);
            made.Add(dir);
        }
    }

    /// <summary>
    /// Opens a location by path or registered id. A value that looks like a path (has a separator, starts with '.' or
    /// '~', or is rooted) is a path; a bare name is tried as a registered id, then as a directory under the working
    /// directory. Fails with LocationNotFound naming each place tried; an unreadable lockfile fails as such.
    /// </summary>
    public static Location Open(string pathOrId, PacksterPaths paths)
    {
        var tried = new List<string>();
        if (!LooksLikePath(pathOrId) && LocationId.TryParse(pathOrId, out var id))
        {
            // The user's own ids first; then the machine's (spec/lockfile.md § System locations).
            var registered = new LocationRegistry(paths).Lookup(id) ?? new SystemLocations(paths).Lookup(id);
            if (registered is not null && IsLocation(registered)) return Load(registered, paths);
            tried.Add(registered is null
                ? $"no id '{id}' in the registry ({paths.RegistryDirectory})"
                : $"id '{id}' is registered to '{registered}', which holds no {Lockfile.FileName}");
        }
        var path = paths.ResolvePath(pathOrId);
        if (IsLocation(path)) return Load(path, paths);
        tried.Add(Directory.Exists(path) ? $"'{path}' holds no {Lockfile.FileName}"
            : File.Exists(path) ? $"'{path}' is a file, not a location's folder"
            : $"'{path}' does not exist");
        throw LocationErrors.NotFound(pathOrId, tried);
    }

    /// <summary>
    /// The location a command works on: <paramref name="option"/> (<c>--location</c>, a path or id) when given; else
    /// <c>PACKSTER_LOCATION</c>; else the default user location (created by <c>packster location setup</c>).
    /// </summary>
    /// <remarks>
    /// An empty <paramref name="option"/> is PST1001, never the default: <c>-l "$LOC"</c> with LOC unset must not act on
    /// the default location.
    /// </remarks>
    public static Location Resolve(string? option, PacksterPaths paths)
    {
        if (option is { Length: 0 })
        {
            throw new PacksterException(ErrorCode.InvalidArgument, "the location given is empty: it names no location",
                "give a location path or id, or leave out --location to use PACKSTER_LOCATION or the default location");
        }
        if (option is not null) return Open(option, paths);
        if (paths.Get(PacksterPaths.LocationVariable) is { } fromEnv) return Open(fromEnv, paths);
        if (IsLocation(paths.DefaultLocation)) return Load(paths.DefaultLocation, paths);
        throw new PacksterException(ErrorCode.LocationNotFound,
            $"no location given (--location, {PacksterPaths.LocationVariable}) and the default location '{paths.DefaultLocation}' does not exist",
            "run 'packster location setup' to create the default location, or pass --location <path-or-id>");
    }

    /// <summary>
    /// As <see cref="Resolve"/>, except that with no location asked for (no <paramref name="option"/>, no
    /// PACKSTER_LOCATION) and no default location, there is none: null, for a command that can answer without one (the
    /// user's policy alone). A location that is named and missing is still PST5000.
    /// </summary>
    public static Location? ResolveOrNone(string? option, PacksterPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (option is null && paths.Get(PacksterPaths.LocationVariable) is null && !IsLocation(paths.DefaultLocation)) return null;
        return Resolve(option, paths);
    }

    private static Location Load(string path, PacksterPaths paths)
    {
        var full = paths.ResolvePath(path);
        // Only the header: the whole file is validated by ReadState, under the lock, where it matters.
        var location = new Location(full, Lockfile.ReadLocationId(System.IO.Path.Combine(full, Lockfile.FileName)), paths);
        // A location shared with a group: what this command creates there stays writable by the group's members (the
        // setgid directories give it the group), never by others.
        if (!OperatingSystem.IsWindows() && SystemLocations.GroupOf(location) is not null) PosixFiles.SetUmask(SharedUmask);
        return location;
    }

    /// <summary>022 with group write allowed: 002.</summary>
    private const int SharedUmask = 0x2;

    private static bool LooksLikePath(string s) =>
        s.Contains('/') || s.Contains('\\') || s.StartsWith('.') || s.StartsWith('~') || System.IO.Path.IsPathRooted(s);

    /// <summary>
    /// Starts reading what the lock's first holder in this process reads of this location (the lockfile, recovery's look at
    /// <c>deployments/</c>, the listing of <c>generations/</c>) on another core, before the lock is taken: a command that
    /// has other work to do first (an install reading its package) calls it, and the session it then opens uses each
    /// reading that is still current (<see cref="LocationReadAhead"/>). Once; nothing on Windows.
    /// </summary>
    public void StartReadAhead() => ReadAhead ??= LocationReadAhead.Start(this);

    /// <summary>The reading started by <see cref="StartReadAhead"/>, if any.</summary>
    internal LocationReadAhead? ReadAhead { get; private set; }

    /// <summary>Reads the lockfile. Safe without the lock for read-only commands: the file is replaced atomically.</summary>
    public LocationState ReadState() => Lockfile.Read(LockfilePath);

    /// <summary>As <see cref="ReadState"/>, with the lockfile's bytes and where each entry lies in them (null when the file has another shape).</summary>
    internal (LocationState State, byte[] Bytes, LockfileLayout? Layout) ReadStateWithLayout() => Lockfile.ReadWithLayout(LockfilePath);

    /// <summary>
    /// Writes <paramref name="state"/> as the new lockfile, atomically. Refuses (LocationInconsistent) a state for
    /// another location, a state whose active deployments share a resource, or one listing a deployment whose
    /// directory is not in <c>deployments/</c> — so the lockfile never records what is not on disk.
    /// </summary>
    public void Commit(LocationState state, LocationLock heldLock) => Commit(state, null, heldLock);

    /// <summary>As <see cref="Commit(LocationState, LocationLock)"/>; <paramref name="serialized"/>: the state's lockfile bytes, already made by the caller.</summary>
    public void Commit(LocationState state, byte[]? serialized, LocationLock heldLock) => Commit(state, serialized, heldLock, null);

    /// <summary>As <see cref="Commit(LocationState, byte[], LocationLock)"/>, with <paramref name="serialized"/> staged beside the lockfile already (<see cref="AtomicFile.Stage"/>): only placed here.</summary>
    internal void Commit(LocationState state, byte[]? serialized, LocationLock heldLock, StagedFile? staged)
    {
        RequireHeld(heldLock);
        if (state.LocationId != Id) throw LocationErrors.Inconsistent(Path, $"state of location '{state.LocationId}' committed to location '{Id}'");
        // One listing of deployments/, not a stat per deployment: a location of a thousand paid a thousand per commit.
        // None while what it holds is known and unchanged since.
        var published = KnownDeployments() ?? PublishedDeployments(state);
        foreach (var d in state.Deployments)
        {
            if (!published.Contains(d.Hash.Hex)) throw LocationErrors.Inconsistent(Path, $"deployment {d} has no directory {d.RelativePath}");
        }
        Lockfile.Write(LockfilePath, state, serialized, staged);
    }

    /// <summary>
    /// Lists <c>deployments/</c> once (nothing when it does not exist): the hashes of <paramref name="state"/>'s
    /// deployments it holds as directories. No name is made into a string of its own: a location of a thousand
    /// deployments made a thousand per listing.
    /// </summary>
    private HashSet<string> PublishedDeployments(LocationState state)
    {
        var recorded = new HashSet<string>(state.Deployments.Count, StringComparer.Ordinal);
        foreach (var d in state.Deployments) recorded.Add(d.Hash.Hex);
        var present = new HashSet<string>(recorded.Count, StringComparer.Ordinal);
        if (!Directory.Exists(DeploymentsDirectory)) return present;
        var lookup = recorded.GetAlternateLookup<ReadOnlySpan<char>>();
        var listing = new FileSystemEnumerable<bool>(DeploymentsDirectory, static (ref FileSystemEntry _) => true,
            new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false })
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) =>
            {
                if (e.IsDirectory && lookup.TryGetValue(e.FileName, out var name)) present.Add(name);
                return false;
            },
        };
        foreach (var _ in listing)
        {
            // Nothing is yielded: the predicate collects what is present.
        }
        return present;
    }

    /// <summary>A fresh, empty directory under <c>.packster/staging/</c> for one deployment to be built in.</summary>
    public string CreateStaging()
    {
        Directory.CreateDirectory(StagingDirectory);
        var dir = Combine(InternalDirectoryName, "staging", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// Renames a finished staging directory to <c>deployments/&lt;hash&gt;</c> in one atomic step and returns that path.
    /// Until the lockfile is committed the new directory is unrecorded, and recovery would remove it.
    /// Fails when <c>deployments/&lt;hash&gt;</c> exists: move it to the trash first (<c>--force</c>).
    /// </summary>
    public string PublishDeployment(string stagingDirectory, Sha256Digest hash, LocationLock heldLock) => PublishDeployment(stagingDirectory, hash, heldLock, durable: true);

    /// <summary>
    /// As <see cref="PublishDeployment(string, Sha256Digest, LocationLock)"/>; <paramref name="durable"/> false leaves
    /// the tree's durability to a <see cref="MakeDurable"/> before the commit that records it (a transaction's, once for
    /// all its deployments).
    /// </summary>
    internal string PublishDeployment(string stagingDirectory, Sha256Digest hash, LocationLock heldLock, bool durable)
    {
        RequireHeld(heldLock);
        var staging = System.IO.Path.GetFullPath(stagingDirectory);
        if (!string.Equals(System.IO.Path.GetDirectoryName(staging), StagingDirectory, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{staging}' is not a staging directory of location '{Path}'", nameof(stagingDirectory));
        }
        var target = DeploymentDirectory(hash);
        if (Directory.Exists(target)) throw LocationErrors.Inconsistent(Path, $"deployment directory {DeploymentsDirectoryName}/{hash} already exists");
        Directory.CreateDirectory(DeploymentsDirectory);
        // Durable before it is published and recorded: a power cut must never leave a recorded deployment whose
        // files are zero-length or zero-filled (spec/lockfile.md § Durability).
        if (durable) DirectorySync.FlushTree(staging);
        // A rename cannot cross file systems (EXDEV: deployments/ mounted apart from .packster/): say so, not PST0001.
        var before = FileStamp.ForChanges(DeploymentsDirectory);
        FileSystemErrors.At(target, $"cannot move the staged deployment from '{staging}' to", () => { Directory.Move(staging, target); return target; });
        // Still known when this rename is the only change since: the folder's stamp before it was the one known.
        if (_knownDeployments is { } known && before == known.Stamp && FileStamp.ForChanges(DeploymentsDirectory) is { } after)
        {
            known.Names.Add(hash.Hex);
            _knownDeployments = (after, known.Names);
        }
        else
        {
            _knownDeployments = null;
        }
        if (durable) DirectorySync.Flush(DeploymentsDirectory);
        return target;
    }

    /// <summary>
    /// What <c>deployments/</c> holds as this holder of the lock last knew it whole, with the folder's stamp then:
    /// recovery's survey (when it removed nothing), then each deployment this process published (stamped before and
    /// after its rename). While the folder's stamp is still that one nothing else has changed it, and a commit checks
    /// its state against these names instead of listing the folder again (at 1,000 deployments, a millisecond of
    /// every install). Any other change of the folder, even one made here, forgets them.
    /// </summary>
    private (FileStamp Stamp, HashSet<string> Names)? _knownDeployments;

    /// <summary>
    /// Recovery's survey under the lock: <paramref name="names"/> (ordinal; kept, not copied), all of them recorded
    /// deployments, seen while the folder had <paramref name="stamp"/>.
    /// </summary>
    internal void KnowDeployments(HashSet<string> names, FileStamp? stamp) => _knownDeployments = stamp is { } seen ? (seen, names) : null;

    /// <summary>For a change of <c>deployments/</c> other than a publish: the next commit lists it.</summary>
    internal void ForgetDeployments() => _knownDeployments = null;

    /// <summary>The names <c>deployments/</c> holds, when known and the folder unchanged since; null otherwise.</summary>
    private HashSet<string>? KnownDeployments() =>
        _knownDeployments is { } known && FileStamp.ForChanges(DeploymentsDirectory) == known.Stamp ? known.Names : null;

    /// <summary>
    /// Puts <paramref name="published"/> (deployment directories published with <c>durable: false</c>) and their names
    /// in <c>deployments/</c> on disk: one <c>syncfs</c> on Linux, whatever their number (spec/lockfile.md § Durability).
    /// </summary>
    internal void MakeDurable(IReadOnlyCollection<string> published, LocationLock heldLock)
    {
        RequireHeld(heldLock);
        // One the transaction took back before its commit is gone, and needs nothing.
        var present = published.Where(Directory.Exists).ToList();
        if (present.Count == 0) return;
        DirectorySync.FlushTrees(present);
        DirectorySync.Flush(DeploymentsDirectory);
    }

    /// <summary>
    /// Renames <c>deployments/&lt;hash&gt;</c> aside into <c>.packster/trash/</c> (atomic) and returns where it went;
    /// call <see cref="EmptyTrash"/> after the lockfile commit to delete it. Commit the lockfile without the deployment
    /// first: then a crash in between leaves an unrecorded directory, which recovery removes.
    /// </summary>
    public string MoveToTrash(Sha256Digest hash, LocationLock heldLock)
    {
        RequireHeld(heldLock);
        var source = DeploymentDirectory(hash);
        if (!Directory.Exists(source)) throw LocationErrors.DeploymentNotFound(Path, hash);
        var trashed = MoveAside(source);
        // A cache only: a leftover is harmless (its entries name the SHA-256s they vouch for), so failing to delete it is not an error.
        try
        {
            File.Delete(VerifyIndexPath(hash));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return trashed;
    }

    /// <summary>Deletes everything in <c>.packster/trash/</c>; returns what it removed. Best effort per entry.</summary>
    public IReadOnlyList<string> EmptyTrash(LocationLock heldLock)
    {
        RequireHeld(heldLock);
        return FileTree.DeleteChildren(TrashDirectory);
    }

    internal string MoveAside(string directory)
    {
        ForgetDeployments();
        Directory.CreateDirectory(TrashDirectory);
        var target = System.IO.Path.Combine(TrashDirectory, $"{System.IO.Path.GetFileName(directory)}.{Guid.NewGuid():N}");
        FileSystemErrors.At(target, $"cannot move '{directory}' aside to", () => { Directory.Move(directory, target); return target; });
        return target;
    }

    internal void RequireHeld(LocationLock heldLock)
    {
        if (!heldLock.IsHeldFor(this)) throw new InvalidOperationException($"the lock of location '{Path}' must be held for this operation");
    }

    private string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public override string ToString() => $"{Id} ({Path})";
}
