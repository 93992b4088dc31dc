namespace Packster.Locations;

/// <summary>
/// Where packster keeps its files, computed once from an injected environment, OS and working directory (never from
/// the process globals), so tests and embedders see exactly the paths a user would. Every path is absolute.
/// </summary>
/// <remarks>
/// Order, per spec/lockfile.md § Where things live: a <c>PACKSTER_*</c> variable; else the XDG variable (absolute
/// values only, as the XDG spec says); else the platform default (<c>~/.config</c>, <c>~/.cache</c>,
/// <c>~/.local/share</c> on Linux and macOS; <c>%APPDATA%</c>, <c>%LOCALAPPDATA%</c> on Windows).
/// </remarks>
public sealed class PacksterPaths
{
    public const string ConfigVariable = "PACKSTER_CONFIG";
    public const string CacheVariable = "PACKSTER_CACHE";
    public const string DataHomeVariable = "PACKSTER_DATA_HOME";
    public const string LocationVariable = "PACKSTER_LOCATION";
    public const string LockTimeoutVariable = "PACKSTER_LOCK_TIMEOUT";

    public PacksterPaths(IReadOnlyDictionary<string, string> environment, bool isWindows, string currentDirectory)
    {
        Environment = environment;
        IsWindows = isWindows;
        CurrentDirectory = Path.GetFullPath(currentDirectory);
        Home = Absolute(isWindows ? Get("USERPROFILE") ?? Get("HOME") : Get("HOME"))
            ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);

        UserConfigFile = FromVariable(ConfigVariable)
            ?? Path.Combine(FromXdg("XDG_CONFIG_HOME") ?? PlatformDir("APPDATA", ".config"), "packster", "config.toml");
        CacheDirectory = FromVariable(CacheVariable)
            ?? FromXdg("XDG_CACHE_HOME", "packster")
            ?? (isWindows ? Path.Combine(PlatformDir("LOCALAPPDATA", ".cache"), "packster", "cache") : Path.Combine(Home, ".cache", "packster"));
        DataHome = FromVariable(DataHomeVariable)
            ?? FromXdg("XDG_DATA_HOME", "packster")
            ?? Path.Combine(isWindows ? PlatformDir("LOCALAPPDATA", Path.Combine(".local", "share")) : Path.Combine(Home, ".local", "share"), "packster");
    }

    /// <summary>The paths of this process: its environment, OS and working directory.</summary>
    public static PacksterPaths FromProcess()
    {
        var env = new Dictionary<string, string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            env[(string)e.Key] = (string?)e.Value ?? "";
        }
        return new PacksterPaths(env, OperatingSystem.IsWindows(), System.Environment.CurrentDirectory);
    }

    public IReadOnlyDictionary<string, string> Environment { get; }
    public bool IsWindows { get; }
    public string CurrentDirectory { get; }
    public string Home { get; }

    /// <summary>
    /// The user config file (it may not exist): <c>PACKSTER_CONFIG</c>, else the XDG/APPDATA one. Whether a project
    /// file (<c>./packster.toml</c>) is read instead is decided with the user's trust (Packster.Sources.Config.ConfigFiles).
    /// </summary>
    public string UserConfigFile { get; }

    /// <summary>The download cache folder.</summary>
    public string CacheDirectory { get; }

    /// <summary>Packster's data folder: holds <c>locations/default</c> and <c>registry/</c>.</summary>
    public string DataHome { get; }

    /// <summary>Where <c>packster location setup</c> creates the default user location.</summary>
    public string DefaultLocation => Path.Combine(DataHome, "locations", "default");

    /// <summary>The location registry: one file per id, holding the location's absolute path on one line.</summary>
    public string RegistryDirectory => Path.Combine(DataHome, "registry");

    /// <summary>A non-empty environment value, or null.</summary>
    public string? Get(string name) => Environment.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    /// <summary>A user-supplied path made absolute against the working directory; a leading <c>~/</c> is the home.</summary>
    public string ResolvePath(string path)
    {
        if (path == "~") return Home;
        if (path.StartsWith("~/", StringComparison.Ordinal) || (IsWindows && path.StartsWith("~\\", StringComparison.Ordinal)))
        {
            path = Path.Combine(Home, path[2..]);
        }
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, CurrentDirectory));
    }

    private string? FromVariable(string name) => Get(name) is { } v ? ResolvePath(v) : null;

    private string? FromXdg(string name, string? child = null) =>
        Absolute(Get(name)) is { } dir ? (child is null ? dir : Path.Combine(dir, child)) : null;

    private string PlatformDir(string windowsVariable, string homeRelative) =>
        (IsWindows ? Absolute(Get(windowsVariable)) : null) ?? Path.Combine(Home, homeRelative);

    private static string? Absolute(string? path) => path is not null && Path.IsPathFullyQualified(path) ? path : null;
}
