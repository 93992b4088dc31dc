using System.Globalization;
using System.Text;

namespace Packster.Locations;

/// <summary>
/// Locations shared by every user of the machine (spec/lockfile.md § System locations): a registry every user reads,
/// the list of locations enabled for every login shell, their <c>/etc/profile.d</c> scripts, and the group whose
/// members may change such a location. Everything lives under <c>PACKSTER_SYSTEM_ROOT</c> (default <c>/</c>), so a
/// test or a chroot can give it another root.
/// </summary>
public sealed class SystemLocations
{
    public const string RootVariable = "PACKSTER_SYSTEM_ROOT";

    /// <summary>A location's shared group, by name, in <c>.packster/group</c>: present only for <c>--group</c> locations.</summary>
    public const string GroupFileName = "group";

    /// <summary>Directories of a shared location: rwxrwsr-x, the setgid bit keeping the group on what members create.</summary>
    public const UnixFileMode SharedDirectoryMode = (UnixFileMode)0x5FD;   // 02775

    public const UnixFileMode SharedFileMode = (UnixFileMode)0x1B4;        // 0664

    public const UnixFileMode PublicDirectoryMode = (UnixFileMode)0x1ED;   // 0755

    public const UnixFileMode PublicFileMode = (UnixFileMode)0x1A4;        // 0644

    public SystemLocations(PacksterPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        Root = paths.Get(RootVariable) is { } root ? paths.ResolvePath(root) : paths.IsWindows ? (paths.Get("ProgramData") ?? @"C:\ProgramData") : "/";
        IsWindows = paths.IsWindows;
    }

    public string Root { get; }

    private bool IsWindows { get; }

    /// <summary>One file per system location id, holding its path: every user resolves these ids.</summary>
    public string RegistryDirectory => IsWindows ? Path.Combine(Root, "Packster", "registry") : Path.Combine(Root, "var", "lib", "packster", "registry");

    /// <summary>One file per location enabled for every user, holding its path.</summary>
    public string EnabledDirectory => IsWindows ? Path.Combine(Root, "Packster", "enabled") : Path.Combine(Root, "etc", "packster", "enabled");

    /// <summary>The login-shell script of a location enabled with <c>--system</c>.</summary>
    public string ProfileScript(LocationId id) => Path.Combine(Root, "etc", "profile.d", $"packster-{id.Value}.sh");

    /// <summary>The path a system id is registered to, or null.</summary>
    public string? Lookup(LocationId id) => ReadPath(Path.Combine(RegistryDirectory, id.Value));

    /// <summary>
    /// The machine registry's lock, <c>&lt;root&gt;/var/lib/packster/locks/registry.lock</c> (Windows:
    /// <c>%ProgramData%\Packster\locks\registry.lock</c>): held by <c>location create --system</c> from
    /// <see cref="EnsureAvailable"/> to <see cref="Register"/>, so that of two system locations created at once under one
    /// id only one is registered.
    /// </summary>
    public FileLock Lock(PacksterPaths paths, TextWriter? waiting)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var locks = IsWindows ? Path.Combine(Root, "Packster", "locks") : Path.Combine(Root, "var", "lib", "packster", "locks");
        return FileLock.Acquire(Path.Combine(locks, "registry.lock"), $"the machine's location registry '{RegistryDirectory}'", LocationLock.TimeoutFrom(paths), waiting);
    }

    /// <summary>
    /// PST5009 when the machine's registry gives <paramref name="location"/>'s id to another directory that still holds a
    /// lockfile, as the user's registry refuses (spec/lockfile.md § Registry); a registration whose folder is no
    /// location any more is stale, and replaced. Changes nothing.
    /// </summary>
    public void EnsureAvailable(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var existing = Lookup(location.Id);
        var same = string.Equals(Path.TrimEndingDirectorySeparator(existing ?? ""), Path.TrimEndingDirectorySeparator(location.Path),
            IsWindows || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        if (existing is not null && !same && File.Exists(Path.Combine(existing, Lockfile.FileName)))
        {
            throw LocationErrors.IdTaken(location.Id, existing, location.Path);
        }
    }

    public void Register(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        WritePublic(Path.Combine(RegistryDirectory, location.Id.Value), location.Path + "\n");
    }

    /// <summary>The locations enabled for every user that still exist, in id order.</summary>
    public IReadOnlyList<string> EnabledPaths()
    {
        if (!Directory.Exists(EnabledDirectory)) return [];
        return [.. Directory.EnumerateFiles(EnabledDirectory).Order(StringComparer.Ordinal)
            .Select(ReadPath).OfType<string>().Where(Location.IsLocation)];
    }

    public bool IsEnabled(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return File.Exists(Path.Combine(EnabledDirectory, location.Id.Value));
    }

    /// <summary>
    /// Enables <paramref name="location"/> for every user: its <c>/etc/profile.d</c> script (mode 0644) sources the
    /// location's POSIX activation script in every login shell, and the enabled list names it. False when it already was.
    /// </summary>
    public bool Enable(Location location, string activationScript)
    {
        ArgumentNullException.ThrowIfNull(location);
        var script = new StringBuilder()
            .Append("# packster: location ").Append(location.Id.Value).Append(" enabled for every user; generated, do not edit\n")
            .Append("# 'packster location disable ").Append(location.Id.Value).Append(" --system' removes this file.\n")
            .Append("if [ -r ").Append(Activation.ShellQuoting.Posix(activationScript)).Append(" ]; then . ")
            .Append(Activation.ShellQuoting.Posix(activationScript)).Append("; fi\n").ToString();
        var changed = !IsEnabled(location);
        // Windows has no login-shell scripts: the machine environment is edited instead (WindowsUserEnvironment).
        if (!IsWindows)
        {
            var profile = ProfileScript(location.Id);
            changed |= !File.Exists(profile) || File.ReadAllText(profile) != script;
            WritePublic(profile, script);
        }
        WritePublic(Path.Combine(EnabledDirectory, location.Id.Value), location.Path + "\n");
        return changed;
    }

    /// <summary>Undoes <see cref="Enable"/>; false when the location was not enabled for every user.</summary>
    public bool Disable(LocationId id)
    {
        var changed = false;
        foreach (var file in new[] { ProfileScript(id), Path.Combine(EnabledDirectory, id.Value) })
        {
            if (!File.Exists(file)) continue;
            File.Delete(file);
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// Makes a freshly created location shared: readable by everyone, and with <paramref name="group"/> writable by that
    /// group's members (setgid directories, so what they create keeps the group), never by others; records the group.
    /// </summary>
    public static void Share(Location location, SystemGroup? group)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (OperatingSystem.IsWindows()) return;
        if (group is not null) File.WriteAllText(Path.Combine(location.InternalDirectory, GroupFileName), group.Name + "\n");
        foreach (var path in Directory.EnumerateFileSystemEntries(location.Path, "*", NoLinksFollowed).Prepend(location.Path))
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null) continue;
            if (group is not null)
            {
                var errno = PosixFiles.ChangeGroup(path, group.Id);
                if (errno != 0) throw GroupNotSet(path, group, errno);
            }
            var directory = Directory.Exists(path);
            File.SetUnixFileMode(path, group is null
                ? directory ? PublicDirectoryMode : PublicFileMode
                : directory ? SharedDirectoryMode : SharedFileMode);
        }
    }

    /// <summary>
    /// Takes back a location <c>location create --system</c> just made and could not share: only what the command made —
    /// the location's own files, its folder when the command created it, its registration.
    /// </summary>
    public static void Discard(Location location, bool removeFolder)
    {
        ArgumentNullException.ThrowIfNull(location);
        FileTree.DeleteChildren(location.Path);
        if (removeFolder) Directory.Delete(location.Path);
        new LocationRegistry(location.Paths).Unregister(location.Id);
    }

    /// <summary>
    /// Gives every folder of a freshly extracted deployment the shared mode (02775): the extractor writes 0755, which
    /// would let only the member who installed it remove it. The folders already carry the group (setgid parents).
    /// </summary>
    public static void ShareFolders(string deploymentDirectory)
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var directory in Directory.EnumerateDirectories(deploymentDirectory, "*", NoLinksFollowed).Prepend(deploymentDirectory))
        {
            if (new DirectoryInfo(directory).LinkTarget is null) File.SetUnixFileMode(directory, SharedDirectoryMode);
        }
    }

    /// <summary>
    /// Every entry below, hidden ones included, without descending into (or listing) a link: a recursive listing follows
    /// a link to a folder, and a deployment's links (a package's own, kept inside it by the extraction's rules) may lead
    /// back up its own tree.
    /// </summary>
    private static readonly EnumerationOptions NoLinksFollowed = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = false,
    };

    /// <summary>The group a shared location records, or null for one only its owner changes.</summary>
    public static string? GroupOf(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var file = Path.Combine(location.InternalDirectory, GroupFileName);
        // Most locations are not shared: asked on every open, a missing file is one lstat rather than an exception thrown
        // and caught (a few hundred microseconds of every command's start).
        return File.Exists(file) ? TrimmedText(file) : null;
    }

    /// <summary>
    /// The text of <paramref name="file"/>, trimmed; null when it is empty, unreadable or not a regular file (a FIFO put
    /// there would wait for a writer at its opening: read as absent).
    /// </summary>
    private static string? TrimmedText(string file)
    {
        try
        {
            return RegularFile.TryReadAllBytes(file, out _) is { } bytes && Encoding.UTF8.GetString(bytes).Trim() is { Length: > 0 } text ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static PacksterException GroupNotSet(string path, SystemGroup group, int errno) =>
        new(ErrorCode.SystemGroupUnknown, $"cannot give '{path}' to group {group.Name}: {PosixFiles.Describe(errno)}",
            "only root, or an owner who is a member of the group, can hand files to it");

    private static string? ReadPath(string file)
    {
        return File.Exists(file) ? TrimmedText(file) : null;
    }

    /// <summary>Writes a file every user may read (0644) by temp file + rename, creating its folders (0755).</summary>
    private static void WritePublic(string path, string text)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, PublicDirectoryMode);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(text));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, PublicFileMode);
    }
}

/// <summary>A Unix group by name and id, as the machine's <c>/etc/group</c> lists it (groups from NSS services are not seen).</summary>
public sealed record SystemGroup(string Name, uint Id)
{
    /// <summary>The group <paramref name="name"/> from <c>/etc/group</c>; PST5022 when it is not there.</summary>
    public static SystemGroup Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (OperatingSystem.IsWindows())
            throw new PacksterException(ErrorCode.SystemGroupUnknown, $"--group '{name}' is a POSIX group: a Windows system location's access is its folder's ACL",
                "create the location without --group and grant the group write access with the system's tools (icacls)");
        const string file = "/etc/group";
        if (File.Exists(file))
        {
            foreach (var line in File.ReadLines(file))
            {
                // name:password:gid:members
                var fields = line.Split(':');
                if (fields.Length >= 3 && fields[0] == name && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
                {
                    return new SystemGroup(name, gid);
                }
            }
        }
        throw new PacksterException(ErrorCode.SystemGroupUnknown, $"there is no group '{name}' in {file}",
            "create it first (e.g. 'groupadd " + name + "'), or name an existing group");
    }
}
