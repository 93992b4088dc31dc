using Packster.Sources.Http;

namespace Packster.Sources;

/// <summary>
/// What sources may touch of the outside world: the environment (credentials are read from it by variable name,
/// at use), the writer for warnings, the current directory for relative paths, the retry policy and the read limits.
/// </summary>
public sealed class SourceContext
{
    public SourceContext(IReadOnlyDictionary<string, string> environment, TextWriter warnings, string currentDirectory, RetryPolicy? retry = null, SourceLimits? limits = null)
    {
        Environment = environment;
        Warnings = warnings;
        CurrentDirectory = currentDirectory;
        Retry = retry ?? RetryPolicy.Default;
        Limits = limits ?? SourceLimits.FromEnvironment(environment);
    }

    public IReadOnlyDictionary<string, string> Environment { get; }
    public TextWriter Warnings { get; }
    public string CurrentDirectory { get; }
    public RetryPolicy Retry { get; }
    public SourceLimits Limits { get; }

    public string? GetEnv(string name) => Environment.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    /// <summary>The <c>User-Agent</c> product token: <c>packster/&lt;version&gt;</c>.</summary>
    public static string UserAgent { get; } = "packster/" + ProductVersion();

    private static string ProductVersion()
    {
        var informational = typeof(SourceContext).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;
        var version = informational ?? typeof(SourceContext).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 ? version[..plus] : version;
    }
}
