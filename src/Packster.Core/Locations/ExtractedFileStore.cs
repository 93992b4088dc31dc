using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Locations;

/// <summary>
/// A location's extracted-file store (spec/lockfile.md § Extracted-file store): every regular file of the deployments
/// that may share their files, once, read-only, named by its SHA-256, and hardlinked into each deployment that holds
/// it. For every package whose files were stored, an index maps the package's entries to their hashes, so a later
/// deployment of the same package (other parameters, a reinstall after uninstall, another location on the same file
/// system) links its files instead of decompressing and writing them.
/// </summary>
/// <remarks>
/// Objects are <c>objects/&lt;sha256&gt;.r</c> (mode 0444) or <c>.x</c> (0555): a hardlink shares its mode, so
/// an executable and a plain file of the same bytes are two objects. Every write happens under the location's lock and
/// makes a name appear whole: an object by one <c>link(2)</c> of a deployment's file (staged, while its tree is synced), a
/// replaced object and an index through <c>tmp/</c> and a rename, so a kill leaves at most a temporary, which recovery
/// deletes, and objects no index names, which gc deletes.
/// </remarks>
public sealed class ExtractedFileStore
{
    public const string DirectoryName = "store";

    /// <summary>The read-only modes of store objects and of the deployment files linked to them.</summary>
    public const int ReadOnlyFileMode = 0x124;        // 0444
    public const int ReadOnlyExecutableMode = 0x16D;  // 0555

    private const int FileExists = 17;  // EEXIST

    public ExtractedFileStore(string root) => Root = root;

    public static ExtractedFileStore Of(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return new ExtractedFileStore(Path.Combine(location.InternalDirectory, DirectoryName));
    }

    public string Root { get; }

    private const string ObjectsFolder = "objects";
    private const string PackagesFolder = "packages";
    private const string TempFolder = "tmp";

    /// <summary>The store's folders, each a location's own path (never a link: gc deletes in them, fills write in them).</summary>
    public static readonly string[] Folders = [ObjectsFolder, PackagesFolder, TempFolder];

    public string TempDirectory => Path.Combine(Root, TempFolder);

    private string PackagesDirectory => Path.Combine(Root, PackagesFolder);

    internal string ObjectsDirectory => Path.Combine(Root, ObjectsFolder);

    /// <summary>
    /// Whether deployments of <paramref name="manifest"/> share files through the store: on Linux and macOS (hardlinks,
    /// read-only modes), and only for packages whose code packster never runs in a deployment — no handler but
    /// <c>pack</c> (which runs at pack time, in a copy of the source) and no service. Every other handler (<c>any</c>
    /// included, which runs before install, upgrade, uninstall and test) and every service (started with the
    /// deployment as its working directory) runs where the files are, and may make one writable and write it in
    /// place: through a hardlink that would change every deployment holding those bytes, and the store.
    /// </summary>
    public static bool Applies(Manifest.Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return IsAvailable && manifest.Handlers.Keys.All(k => k == Manifest.HandlerAction.Pack) && manifest.Services.Count == 0;
    }

    /// <summary>Whether deployments can share files here at all: on Linux and macOS, unless <c>PACKSTER_NO_STORE</c> is set.</summary>
    public static bool IsAvailable =>
        (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && Environment.GetEnvironmentVariable("PACKSTER_NO_STORE") is not ("1" or "true");

    /// <summary>The store object for content <paramref name="sha256"/> with (or without) an execute bit.</summary>
    public string ObjectPath(Sha256Digest sha256, bool executable) => Path.Join(ObjectsDirectory, ObjectName(sha256, executable));

    /// <summary>The object's name in <c>objects/</c>.</summary>
    internal static string ObjectName(Sha256Digest sha256, bool executable) => sha256.Hex + (executable ? ".x" : ".r");

    public static bool IsExecutable(int mode) => (mode & ZipFormat.AnyExecuteBits) != 0;

    public static int ReadOnlyMode(int mode) => IsExecutable(mode) ? ReadOnlyExecutableMode : ReadOnlyFileMode;

    /// <summary>
    /// The index of package <paramref name="package"/>, or null when this store has none or it is unreadable. A version 1
    /// index lists the stored files only; a version 2 index lists every entry and, when every file was stored, the
    /// SHA-256 of the package's manifest (the proof that the index describes the whole package).
    /// </summary>
    public StoreIndex? ReadIndex(Sha256Digest package)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(IndexPath(package));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return StoreIndex.Parse(lines);
    }

    /// <summary>
    /// Hardlinks the object of <paramref name="entry"/> at <paramref name="destination"/> (which must not exist); 0, or
    /// the errno of the failed link, or -1 when the object is missing or not as indexed; on 0, <paramref name="linked"/>
    /// is the object's stamp taken right after the link (what the index records next). An object is linked only when it
    /// is a regular file with the index's size and modification time and the mode its name says (0444, or 0555 for
    /// <c>.x</c>: a mode changed since would reach the new deployment through the link), and, given
    /// <paramref name="owner"/>, that user's. Its bytes are vouched for by its status-change time and inode: when both
    /// are the index's (or the ones <paramref name="vouched"/> holds from a link this install made), nothing has written
    /// to it since the store last linked it — a write in place moves the status-change time, and no one can set that back
    /// — and it is linked unread. Otherwise (a link or an unlink elsewhere, a <c>chmod</c>, an index of version 1 or 2,
    /// or a write) it is hashed first, and linked only when its bytes are the name's and its stamp held still meanwhile.
    /// An object written in place (through a deployment, by its owner or root, despite its read-only mode) or that lost
    /// data to a power cut is therefore never linked: the file is extracted afresh, and storing that file after the
    /// commit replaces the object. The deployments that hold the changed object still hold the changed bytes, which
    /// <c>verify</c> reports. Only reads the store.
    /// </summary>
    internal int Link(StoredEntry entry, string destination, out FileStamp linked, uint? owner = null, IReadOnlyDictionary<string, FileStamp>? vouched = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        linked = default;
        var name = ObjectName(entry.Sha256, IsExecutable(entry.Mode));
        var source = Path.Join(ObjectsDirectory, name);
        // One lstat answers all: a link, a missing object, a changed one and one of another owner are all "not as indexed".
        var stamp = FileStamp.Of(source, out var actualOwner);
        if (!IsAsIndexed(stamp, actualOwner, entry, owner) || !IsProven(stamp, entry, name, vouched, () => FileStamp.Of(source))) return -1;
        var result = PosixFiles.Link(source, destination);
        if (result == 0) linked = FileStamp.Of(source);
        return result;
    }

    /// <summary>
    /// As <see cref="Link(StoredEntry, string, out FileStamp, uint?, IReadOnlyDictionary{string, FileStamp}?)"/>, with
    /// <c>objects/</c> open as <paramref name="objects"/> and the link made as <paramref name="relative"/> under the open
    /// folder <paramref name="root"/> (whose whole path makes <paramref name="destination"/>): the object is looked up by
    /// its one name and the link by its path in the deployment, not each by the whole path from <c>/</c> (a re-deploy of
    /// 1,400 files walked 34,000 names). By whole paths where a folder is not open or the calls are not to be had.
    /// </summary>
    internal int Link(StoredEntry entry, int objects, int root, string relative, string destination, uint? owner, IReadOnlyDictionary<string, FileStamp>? vouched, out FileStamp linked)
    {
        ArgumentNullException.ThrowIfNull(entry);
        linked = default;
        if (root < 0) return Link(entry, destination, out linked, owner, vouched);
        var name = ObjectName(entry.Sha256, IsExecutable(entry.Mode));
        switch (PosixFiles.TryStampAt(objects, name, out var stamp, out var actualOwner))
        {
            case null:
                return Link(entry, destination, out linked, owner, vouched);
            case false:
                return -1;
        }
        if (!IsAsIndexed(stamp, actualOwner, entry, owner) || !IsProven(stamp, entry, name, vouched, () => StampAt(objects, name))) return -1;
        var result = PosixFiles.LinkAt(objects, name, root, relative);
        if (result == 0) linked = StampAt(objects, name);
        return result;
    }

    private static FileStamp StampAt(int directory, string name) => PosixFiles.TryStampAt(directory, name, out var stamp, out _) == true ? stamp : default;

    /// <summary>
    /// Whether an object with <paramref name="stamp"/>, owned by <paramref name="actualOwner"/>, is <paramref name="entry"/>'s
    /// as the index has it: a regular file with its size and modification time, the read-only mode its name says (and,
    /// given <paramref name="owner"/>, that user's).
    /// </summary>
    private static bool IsAsIndexed(FileStamp stamp, uint? actualOwner, StoredEntry entry, uint? owner) =>
        stamp.Kind == FileStampKind.File && stamp.Inode != 0 && stamp.Size == entry.Size && stamp.ModifiedTicks == entry.Modified
        && stamp.Mode is { } mode && (int)mode == ReadOnlyMode(entry.Mode)
        && (owner is null || actualOwner == owner);

    /// <summary>
    /// Whether the object <paramref name="name"/>, found as <paramref name="stamp"/>, holds <paramref name="entry"/>'s
    /// bytes: unread when its status-change time and inode are the index's or those taken right after a link this
    /// install made (<paramref name="vouched"/>); else hashed, with <paramref name="restamp"/> then required to be
    /// <paramref name="stamp"/> still (a write while it was read is not passed on either).
    /// </summary>
    private bool IsProven(FileStamp stamp, StoredEntry entry, string name, IReadOnlyDictionary<string, FileStamp>? vouched, Func<FileStamp> restamp)
    {
        if (stamp.ChangedTicks != 0 && stamp.ChangedTicks == entry.Changed && stamp.Inode == entry.Inode) return true;
        if (vouched is not null && vouched.TryGetValue(name, out var known) && known == stamp) return true;
        try
        {
            return Sha256Digest.ComputeFile(Path.Join(ObjectsDirectory, name)) == entry.Sha256 && restamp() == stamp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Where a new deployment of <paramref name="package"/> in <paramref name="location"/> takes its files from: the
    /// location's own store when it has the package's index, else the store of another registered location that has it
    /// and belongs to the same user (a file another user owns could be changed by them under this deployment); null
    /// when none has it.
    /// </summary>
    public static EntryReuse? For(Location location, Sha256Digest package)
    {
        ArgumentNullException.ThrowIfNull(location);
        var own = Of(location);
        if (own.ReadIndex(package) is { } index) return new EntryReuse(own, package, index, null);
        var owner = FileStamp.OwnerOf(location.Path);
        if (owner is null) return null;
        var registry = new LocationRegistry(location.Paths);
        foreach (var (_, path) in registry.List())
        {
            if (registry.SamePath(path, location.Path)) continue;
            var other = new ExtractedFileStore(System.IO.Path.Combine(path, Location.InternalDirectoryName, DirectoryName));
            if (FileStamp.OwnerOf(other.Root) != owner) continue;
            if (other.ReadIndex(package) is { } theirs) return new EntryReuse(other, package, theirs, owner);
        }
        return null;
    }

    /// <summary>
    /// Takes the files of a committed deployment (which the extraction wrote read-only, 0444 or 0555) into the store:
    /// <see cref="Fill"/> then <see cref="Complete"/>, one after the other. Call under the location's lock, after the
    /// commit (a transaction's installs fill the store so, after their one commit). <paramref name="reuse"/>: the store the
    /// extraction linked files from, whose stamps right after those links vouch for them.
    /// </summary>
    public void Adopt(Sha256Digest package, Sha256Digest manifest, string deploymentDirectory, ExtractionResult extraction, EntryReuse? reuse = null)
    {
        var filling = new StoreFilling(package, manifest, extraction, beforeCommit: false);
        filling.Vouch(reuse);
        Fill(deploymentDirectory, filling);
        Complete(filling, deploymentDirectory);
    }

    /// <summary>
    /// Makes each regular file of the filling's extraction, under <paramref name="deploymentDirectory"/>, one inode with
    /// the object of its bytes (see <see cref="Take"/>), then writes the package's index as <c>tmp/&lt;random&gt;</c>: every
    /// entry and, when every file was stored, the SHA-256 of the package's manifest bytes. Before the commit (a staged
    /// deployment, while its tree is made durable) the store only gains names: a missing object is linked from the file,
    /// a twin or a file whose proven object exists is replaced by a link of it, and the few files whose object must be
    /// replaced are left for <see cref="Complete"/>; what was added is listed in <paramref name="filling"/>, for
    /// <see cref="Undo"/> if the install fails.
    /// </summary>
    /// <remarks>
    /// Objects are taken one after the other, each object's files in entry order: every object is a name in one folder,
    /// and a file system makes one name at a time in a folder (a second worker would wait for the folder's lock, on
    /// Linux spinning on a processor meanwhile). The fill runs while the staged tree is synced, so its time is the wait's.
    /// </remarks>
    public void Fill(string deploymentDirectory, StoreFilling filling)
    {
        ArgumentNullException.ThrowIfNull(filling);
        var entries = filling.Extraction.Entries;
        var byObject = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is { Kind: PackageEntryKind.File, Sha256: { } sha } file)
            {
                var target = ObjectPath(sha, IsExecutable(file.Mode));
                if (!byObject.TryGetValue(target, out var files)) byObject[target] = files = [];
                files.Add(i);
            }
        }
        MakeFolders([Root, ObjectsDirectory, TempDirectory], filling);
        foreach (var (target, files) in byObject)
        {
            var storedHere = false;
            foreach (var i in files)
            {
                var file = entries[i];
                filling.Stamps[i] = Take(Path.Join(deploymentDirectory, file.Path), target, file.Sha256!.Value, file.Size, file.Mode, ref storedHere, filling, filling.BeforeCommit, i);
            }
        }
        if (filling.Left.Count == 0) WriteIndex(filling);
    }

    /// <summary>
    /// Finishes what <see cref="Fill"/> began, the deployment committed as <paramref name="deploymentDirectory"/>: takes
    /// the files it left (then writes the index again), and renames the index into place. Call under the location's
    /// lock, after the commit: only an index makes objects count for the next deployment.
    /// </summary>
    public void Complete(StoreFilling filling, string deploymentDirectory)
    {
        ArgumentNullException.ThrowIfNull(filling);
        var entries = filling.Extraction.Entries;
        if (filling.Left.Count > 0)
        {
            // Rare (an object that is not the bytes its name says): one by one, in entry order, so the files of one
            // object follow the one that replaced it.
            var replacedHere = new HashSet<string>(StringComparer.Ordinal);
            foreach (var i in filling.Left.Order())
            {
                var file = entries[i];
                var target = ObjectPath(file.Sha256!.Value, IsExecutable(file.Mode));
                var storedHere = replacedHere.Contains(target);
                filling.Stamps[i] = Take(Path.Join(deploymentDirectory, file.Path), target, file.Sha256!.Value, file.Size, file.Mode, ref storedHere, filling, beforeCommit: false, i);
                if (storedHere) replacedHere.Add(target);
            }
            WriteIndex(filling);
        }
        CrashPoint.Hit("store.index-in-tmp");
        Directory.CreateDirectory(PackagesDirectory);
        File.Move(filling.Index!, IndexPath(filling.Package), overwrite: true);
    }

    /// <summary>Replaces the index of <paramref name="package"/> by <paramref name="text"/>, through <c>tmp/</c> and a rename.</summary>
    internal void WriteIndex(Sha256Digest package, string text)
    {
        var temp = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));
        File.WriteAllText(temp, text);
        File.Move(temp, IndexPath(package), overwrite: true);
    }

    private void WriteIndex(StoreFilling filling)
    {
        var entries = filling.Extraction.Entries;
        var index = new StoreIndexWriter();
        for (var i = 0; i < entries.Count; i++) index.Add(entries[i], filling.Stamps[i]);
        if (filling.Index is { } earlier) File.Delete(earlier);
        filling.Index = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));
        File.WriteAllText(filling.Index, index.ToText(filling.Manifest));
    }

    /// <summary>
    /// Takes back what a fill before the commit added, the install having failed: the index it wrote in <c>tmp/</c>, the
    /// objects it linked and the folders it made, newest first. The store is then as it was (files it replaced by links
    /// lived in the discarded staging directory). Best effort: an object that cannot be removed is left for <c>gc</c>,
    /// which deletes objects no deployment holds, and a temporary for recovery.
    /// </summary>
    public static void Undo(StoreFilling filling)
    {
        ArgumentNullException.ThrowIfNull(filling);
        foreach (var added in filling.Index is { } index ? filling.Added.Append(index) : filling.Added)
        {
            try
            {
                File.Delete(added);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        for (var f = filling.Folders.Count - 1; f >= 0; f--)
        {
            try
            {
                Directory.Delete(filling.Folders[f]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="folders"/> (parents first) by one <c>mkdir</c> each: a folder already there fails it with
    /// EEXIST and is used as it is. Those this call made are listed in <paramref name="filling"/>.
    /// </summary>
    private static void MakeFolders(string[] folders, StoreFilling filling)
    {
        foreach (var folder in folders)
        {
            var made = PosixFiles.MakeDirectory(folder, DirectoryMode);
            if (made == 0) filling.Folders.Add(folder);
            else if (made != FileExists) Directory.CreateDirectory(folder);  // fails in .NET's words, or makes it where mkdir(2) cannot be called
        }
    }

    private const int DirectoryMode = 0x1FF;  // 0777, less the umask, as Directory.CreateDirectory makes it

    /// <summary>
    /// Makes a deployment's file and the object of its bytes one inode: stores the file as the object when there is
    /// none; else, when the object is another inode (a twin file, a file another package stored), links the file to
    /// it once its bytes are proven to be the file's and its mode the one its name says — an object written in place or
    /// made writable since would pass that on — and otherwise replaces the object by the file. An object this call
    /// stored from one of the deployment's files (<paramref name="storedHere"/>) needs no proof: the extraction hashed
    /// that file a moment ago. A file that is the object already (linked from it by this install) is taken as it is
    /// only when the object's stamp is the one taken right after this install's last link of it
    /// (<see cref="StoreFilling.Vouched"/>), else once its bytes are proven: what the index records next vouches for it.
    /// Returns the object's stamp (for the index), or null when the file could not be stored — or, in a fill before the
    /// commit (<paramref name="filling"/>), when the object must be replaced: entry <paramref name="entry"/> is then left.
    /// </summary>
    private FileStamp? Take(string path, string target, Sha256Digest sha, long size, int mode, ref bool storedHere, StoreFilling filling, bool beforeCommit, int entry)
    {
        var name = Path.GetFileName(target);
        // Most objects are new: link first, and look at what is there only when something is.
        var linked = PosixFiles.Link(path, target);
        if (linked == 0)
        {
            if (beforeCommit) filling.Added.Add(target);
            return Stored(target, name, ref storedHere, filling);
        }
        if (linked != FileExists) return null;
        var stored = FileStamp.Of(target);
        if (stored.Kind == FileStampKind.File && stored.Inode != 0 && stored.Mode is { } actual && (int)actual == ReadOnlyMode(mode))
        {
            if (stored.Inode == FileStamp.Of(path).Inode)
            {
                if (filling.Vouched.TryGetValue(name, out var known) && known == stored) return stored;
                return Sha256Digest.ComputeFile(target) == sha && FileStamp.Of(target) == stored ? filling.Vouched[name] = stored : null;
            }
            if (stored.Size == size && (storedHere || Sha256Digest.ComputeFile(target) == sha))
            {
                if (!Replace(path, target)) return stored;
                return filling.Vouched[name] = FileStamp.Of(target);
            }
        }
        // Replacing an object changes what is there: never before the commit, which a failed install must not pass.
        if (beforeCommit)
        {
            filling.Left.Add(entry);
            return null;
        }
        return Store(path, target, name, ref storedHere, filling);
    }

    /// <summary>Makes <paramref name="file"/> the store's object <paramref name="target"/> in place of what is there; returns the object's stamp, or null when it could not be linked.</summary>
    private FileStamp? Store(string file, string target, string name, ref bool storedHere, StoreFilling filling)
    {
        // Replacing an object goes through tmp/ and a rename: a kill leaves the old object or the new one.
        var temp = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));
        // A failing link (another file system under the store, a file system without hardlinks) only means this file
        // is not shared: the deployment is complete either way.
        if (PosixFiles.Link(file, temp) != 0) return null;
        CrashPoint.Hit("store.object-in-tmp");
        File.Move(temp, target, overwrite: true);
        return Stored(target, name, ref storedHere, filling);
    }

    private static FileStamp Stored(string target, string name, ref bool storedHere, StoreFilling filling)
    {
        CrashPoint.Hit("store.object-linked");
        storedHere = true;
        return filling.Vouched[name] = FileStamp.Of(target);
    }

    /// <summary>Replaces the deployment's <paramref name="file"/> by a hardlink of <paramref name="target"/>, through a sibling temp name.</summary>
    private static bool Replace(string file, string target)
    {
        var temp = Path.Join(Path.GetDirectoryName(file), ".packster-tmp-" + Guid.NewGuid().ToString("N"));
        if (PosixFiles.Link(target, temp) != 0) return false;
        File.Move(temp, file, overwrite: true);
        return true;
    }

    /// <summary>
    /// Deletes the objects no deployment of <paramref name="recorded"/> holds, and the indexes of packages none of them
    /// came from; returns the number of objects deleted and their bytes. Call under the location's lock. Objects of the
    /// earlier layout (<c>objects/&lt;2 hex&gt;/</c>, which no install links from any more) are deleted too, and their folders once empty.
    /// </summary>
    public (int Objects, long Bytes) Prune(IEnumerable<(Sha256Digest Package, IEnumerable<DeploymentFile> Files)> recorded, bool dryRun = false)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!Directory.Exists(Root)) return (0, 0);
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var packages = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (package, files) in recorded)
        {
            packages.Add(package.Hex);
            foreach (var f in files)
            {
                if (f.Mode is { } m) keep.Add(ObjectName(f.Sha256, IsExecutable((int)m)));
            }
        }
        var objects = 0;
        long bytes = 0;
        if (Directory.Exists(ObjectsDirectory))
        {
            foreach (var entry in new DirectoryInfo(ObjectsDirectory).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo { LinkTarget: null } earlier)
                {
                    // A folder of the earlier layout: nothing in it is kept; emptied, it goes too.
                    foreach (var inner in earlier.EnumerateFileSystemInfos()) Remove(inner);
                    if (dryRun) continue;
                    try
                    {
                        earlier.Delete();
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // Not empty (a folder in it, which no layout makes): left as it is.
                    }
                }
                else if (!keep.Contains(entry.Name))
                {
                    Remove(entry);
                }
            }
        }
        if (Directory.Exists(PackagesDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(PackagesDirectory))
            {
                if (!packages.Contains(Path.GetFileName(file)) && !dryRun) File.Delete(file);
            }
        }
        return (objects, bytes);

        // An object is a regular file, counted; a link (which no fill makes) is removed as itself, never followed.
        void Remove(FileSystemInfo entry)
        {
            if (entry.LinkTarget is not null)
            {
                if (!dryRun) File.Delete(entry.FullName);
            }
            else if (entry is FileInfo file)
            {
                var length = file.Length;
                if (!dryRun) file.Delete();
                objects++;
                bytes += length;
            }
        }
    }

    private string IndexPath(Sha256Digest package) => Path.Combine(PackagesDirectory, package.Hex);
}

/// <summary>
/// Links a deployment's files from a store's objects during extraction (see <see cref="ExtractedFileStore.For"/>); each
/// call is one entry, from the extraction's worker threads.
/// </summary>
public sealed class EntryReuse
{
    private const int CrossDevice = 18;  // EXDEV: the store lies on another file system

    private readonly ExtractedFileStore _store;
    private readonly Sha256Digest _package;
    private readonly StoreIndex _index;
    private readonly uint? _borrowedFrom;
    private readonly ConcurrentDictionary<string, FileStamp> _linked = new(StringComparer.Ordinal);
    private volatile bool _impossible;

    internal EntryReuse(ExtractedFileStore store, Sha256Digest package, StoreIndex index, uint? borrowedFrom)
    {
        _store = store;
        _package = package;
        _index = index;
        _borrowedFrom = borrowedFrom;
    }

    /// <summary>
    /// Object name → its stamp taken right after the last link of it this install made: an object still so is linked
    /// again (a twin, a second try) without being hashed, and a fill of the deployment trusts what it finds so.
    /// </summary>
    internal IReadOnlyDictionary<string, FileStamp> Linked => _linked;

    /// <summary>The SHA-256 of the package's manifest when the index lists the whole package; else null.</summary>
    public Sha256Digest? Manifest => _index.Manifest;

    /// <summary>
    /// Creates <paramref name="path"/> as a hardlink of the object holding <paramref name="entry"/>'s bytes when the
    /// index has the entry with its size and execute bit; null (nothing created) otherwise. After the first link
    /// across file systems, every later call answers null at once.
    /// </summary>
    public ExtractedFile? TryReuse(PackageEntry entry, string path)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_impossible || !_index.Files.TryGetValue(entry.Path, out var stored) || stored.Size != entry.Size
            || ExtractedFileStore.IsExecutable(stored.Mode) != ExtractedFileStore.IsExecutable(entry.Mode))
        {
            return null;
        }
        return LinkObject(stored, entry.Path, path);
    }

    /// <summary>
    /// Deploys the whole package into the empty <paramref name="staging"/> from the store alone — folders, links from
    /// the objects, symbolic links — when the index lists the whole package and its manifest is
    /// <paramref name="manifestBytes"/>; returns what an extraction would have returned. Null when it cannot (an
    /// incomplete index, another manifest, an object missing or changed, a path the extraction rules would refuse),
    /// with <paramref name="staging"/> emptied again: the caller then extracts the package.
    /// </summary>
    public ExtractionResult? Materialise(ReadOnlySpan<byte> manifestBytes, string staging, CancellationToken ct)
    {
        if (_index.Entries is not { } entries || _index.Manifest is not { } manifest || Sha256Digest.Compute(manifestBytes) != manifest) return null;
        if (!Judge(entries)) return null;
        var results = new ExtractedFile[entries.Count];
        // Each folder and link is named by its path in the deployment, each object by its name in objects/: both folders opened once.
        var objects = PosixFiles.OpenDirectory(_store.ObjectsDirectory);
        var root = objects < 0 ? -1 : PosixFiles.OpenDirectory(staging);
        try
        {
            if (!MakeDirectories(staging, root, entries)) return Abandon(staging);
            var failed = 0;
            var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
            Parallel.For(0, entries.Count, options, (i, loop) =>
            {
                if (entries[i].File is not { } file) return;
                results[i] = LinkObject(file, entries[i].Path, Path.Join(staging, entries[i].Path), objects, root)!;
                if (results[i] is null)
                {
                    Interlocked.Increment(ref failed);
                    loop.Stop();
                }
            });
            if (failed != 0) return Abandon(staging);
            long total = 0;
            int files = 0, directories = 0, links = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                switch (entry.Kind)
                {
                    case PackageEntryKind.Directory:
                        directories++;
                        results[i] = new ExtractedFile(entry.Path, entry.Kind, null, 0, ZipFormat.ModeDirectory, null);
                        break;
                    case PackageEntryKind.Symlink:
                        links++;
                        File.CreateSymbolicLink(Path.Join(staging, entry.Path), entry.LinkTarget!);
                        results[i] = new ExtractedFile(entry.Path, entry.Kind, null, 0, ZipFormat.ModeSymlink, entry.LinkTarget);
                        break;
                    default:
                        files++;
                        total += entry.File!.Size;
                        break;
                }
            }
            return new ExtractionResult(results, files, directories, links, total);
        }
        catch
        {
            SafeExtractor.EmptyDirectory(staging);
            throw;
        }
        finally
        {
            PosixFiles.Close(root);
            PosixFiles.Close(objects);
        }
    }

    /// <summary>
    /// The extraction's path and link rules (spec/package-format.md §5) over the index: it is this location's (or its
    /// owner's) file, but what it names is created inside a deployment, so nothing it names may lie outside it or have
    /// a reserved name (packster's own files, Windows devices). The tree rules need no second judgement: two entries that would land on one name (a file under a
    /// file, a case-folded twin) fail their mkdir or link with EEXIST, and the package is then extracted.
    /// </summary>
    private static bool Judge(IReadOnlyList<IndexedEntry> entries)
    {
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var path = entry.Path;
            if (EntryPathRules.UnsafeReason(path) is not null || EntryPathRules.ReservedReason(path) is not null) return false;
            if (entry.Kind == PackageEntryKind.Symlink) links[path] = entry.LinkTarget!;
        }
        var resolver = new LinkResolver(links);
        return links.All(l => resolver.UnsafeReason(l.Key, l.Value) is null);
    }

    /// <summary>
    /// Every folder the entries name or imply, parents first, each made by this call (mkdir fails on anything already
    /// there, a link included); by its path under <paramref name="root"/> (<paramref name="staging"/> opened) when it is open.
    /// </summary>
    private static bool MakeDirectories(string staging, int root, IReadOnlyList<IndexedEntry> entries)
    {
        var directories = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<string>();
        foreach (var entry in entries)
        {
            Add(Parent(entry.Path));
            if (entry.Kind == PackageEntryKind.Directory) Add(entry.Path);
        }
        foreach (var directory in ordered)
        {
            if (PosixFiles.MakeDirectoryAt(root, directory, Path.Join(staging, directory), ZipFormat.ModeDirectory) != 0) return false;
        }
        return true;

        // A folder goes in after its parent, so the list creates parents first; a folder already in has all its parents.
        void Add(string? directory)
        {
            if (directory is null || directories.Contains(directory)) return;
            Add(Parent(directory));
            directories.Add(directory);
            ordered.Add(directory);
        }

        static string? Parent(string path)
        {
            var slash = path.LastIndexOf('/');
            return slash < 0 ? null : path[..slash];
        }
    }

    private static ExtractionResult? Abandon(string staging)
    {
        SafeExtractor.EmptyDirectory(staging);
        return null;
    }

    /// <summary>Links <paramref name="stored"/>'s object at <paramref name="path"/>; with <paramref name="objects"/> and <paramref name="root"/> open, by <paramref name="entryPath"/> under <paramref name="root"/>.</summary>
    private ExtractedFile? LinkObject(StoredEntry stored, string entryPath, string path, int objects = -1, int root = -1)
    {
        if (_impossible) return null;
        // Another location's object must still be its owner's, who is this user: nobody else may hold our bytes.
        var result = _store.Link(stored, objects, root, entryPath, path, _borrowedFrom, _linked, out var linked);
        if (result == CrossDevice) _impossible = true;
        if (result != 0) return null;
        // The latest status change wins: with twins linked in parallel, the stamp the object has now.
        if (linked.Inode != 0) _linked.AddOrUpdate(ObjectName(stored), linked, (_, known) => linked.ChangedTicks >= known.ChangedTicks ? linked : known);
        return new ExtractedFile(entryPath, PackageEntryKind.File, stored.Sha256, stored.Size, stored.Mode, null);
    }

    private static string ObjectName(StoredEntry stored) => ExtractedFileStore.ObjectName(stored.Sha256, ExtractedFileStore.IsExecutable(stored.Mode));

    /// <summary>
    /// After a deployment made from the location's own store alone is committed: writes the package's index again with
    /// each object's stamp taken right after this install linked it. Every link moves an object's status-change time, so
    /// without this the next deployment would hash every object; with it, a re-deploy stays links only. Call under the
    /// location's lock. Another location's store is only read: its next deployment of the package hashes the objects
    /// this one linked, once.
    /// </summary>
    public void Restamp()
    {
        if (_borrowedFrom is not null || _index.Entries is not { } entries || _index.Manifest is not { } manifest || _linked.IsEmpty) return;
        var writer = new StoreIndexWriter();
        foreach (var entry in entries)
        {
            writer.Add(entry, entry.File is { } file && _linked.TryGetValue(ObjectName(file), out var stamp) ? stamp : null);
        }
        _store.WriteIndex(_package, writer.ToText(manifest));
    }
}

/// <summary>
/// What <see cref="ExtractedFileStore.Fill"/> did: each entry's object stamp (null where none, yet), the entries left
/// for <see cref="ExtractedFileStore.Complete"/>, and, for a fill before the commit, the objects and folders it added.
/// </summary>
public sealed class StoreFilling
{
    /// <summary>A filling of <paramref name="extraction"/>'s files; <paramref name="beforeCommit"/>: of a staged deployment.</summary>
    internal StoreFilling(Sha256Digest package, Sha256Digest manifest, ExtractionResult extraction, bool beforeCommit)
    {
        ArgumentNullException.ThrowIfNull(extraction);
        Package = package;
        Manifest = manifest;
        Extraction = extraction;
        Stamps = new FileStamp?[extraction.Entries.Count];
        BeforeCommit = beforeCommit;
    }

    internal Sha256Digest Package { get; }

    internal Sha256Digest Manifest { get; }

    internal ExtractionResult Extraction { get; }

    internal FileStamp?[] Stamps { get; }

    internal bool BeforeCommit { get; }

    /// <summary>The index as written in <c>tmp/</c>, not yet renamed into place.</summary>
    internal string? Index { get; set; }

    internal List<int> Left { get; } = [];

    /// <summary>
    /// Object name → its stamp taken right after the last link of it this install made (by the fill, or from the store
    /// while extracting: <see cref="EntryReuse.Linked"/>, given to <see cref="Vouch"/>); an object still so needs no proof.
    /// </summary>
    internal Dictionary<string, FileStamp> Vouched { get; } = new(StringComparer.Ordinal);

    /// <summary>Takes the stamps <paramref name="reuse"/> took right after its links, for the files it linked from the store.</summary>
    public void Vouch(EntryReuse? reuse)
    {
        if (reuse is null) return;
        foreach (var (name, stamp) in reuse.Linked) Vouched[name] = stamp;
    }

    internal List<string> Added { get; } = [];

    internal List<string> Folders { get; } = [];
}
