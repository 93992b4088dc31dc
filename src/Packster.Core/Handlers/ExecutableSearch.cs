namespace Packster.Handlers;

/// <summary>
/// Finds a program on a given PATH the way a shell would (PATHEXT on Windows, the execute bit elsewhere),
/// so that the PATH handlers will see, not only this process's, decides which interpreter runs them.
/// </summary>
public sealed class ExecutableSearch
{
    private const string DefaultPathExt = ".COM;.EXE;.BAT;.CMD";

    private readonly string[] _directories;
    private readonly string[] _extensions;

    public ExecutableSearch(string? pathVariable, bool isWindows, string? pathExt = null)
    {
        IsWindows = isWindows;
        // An empty PATH entry means "the current directory" to a shell; a handler's interpreter must never come from there.
        _directories = (pathVariable ?? "").Split(isWindows ? ';' : ':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(Path.IsPathFullyQualified)
            .ToArray();
        _extensions = isWindows
            ? (string.IsNullOrWhiteSpace(pathExt) ? DefaultPathExt : pathExt).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
    }

    public bool IsWindows { get; }

    /// <summary>The PATH and platform of this process.</summary>
    public static ExecutableSearch ForCurrentProcess() =>
        new(Environment.GetEnvironmentVariable("PATH"), OperatingSystem.IsWindows(), Environment.GetEnvironmentVariable("PATHEXT"));

    /// <summary>The PATH (and PATHEXT) found in an environment block, e.g. the one handlers will be started with.</summary>
    public static ExecutableSearch ForEnvironment(IReadOnlyDictionary<string, string> environment, bool? isWindows = null)
    {
        var windows = isWindows ?? OperatingSystem.IsWindows();
        return new(Lookup(environment, "PATH", windows), windows, Lookup(environment, "PATHEXT", windows));
    }

    /// <summary>The full path of the first program called <paramref name="name"/> on PATH, or null.</summary>
    public string? Find(string name)
    {
        foreach (var directory in _directories)
        {
            foreach (var candidate in Candidates(Path.Combine(directory, name)))
            {
                if (IsExecutableFile(candidate)) return candidate;
            }
        }
        return null;
    }

    private IEnumerable<string> Candidates(string path)
    {
        if (!IsWindows)
        {
            yield return path;
            yield break;
        }
        var extension = Path.GetExtension(path);
        if (extension.Length > 0 && _extensions.Contains(extension, StringComparer.OrdinalIgnoreCase)) yield return path;
        foreach (var ext in _extensions) yield return path + ext;
    }

    private bool IsExecutableFile(string path)
    {
        if (!File.Exists(path)) return false;
        if (IsWindows || OperatingSystem.IsWindows()) return true;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }

    private static string? Lookup(IReadOnlyDictionary<string, string> environment, string key, bool isWindows)
    {
        if (environment.TryGetValue(key, out var value)) return value;
        if (!isWindows) return null;
        // Windows variable names are case-insensitive ("Path" is the usual spelling).
        return environment.FirstOrDefault(pair => string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
    }
}
