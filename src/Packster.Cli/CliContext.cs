using System.Collections;
using System.Text;

namespace Packster.Cli;

/// <summary>What a command may touch of the outside world: the output streams and the environment.</summary>
internal sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string> environment, string currentDirectory, Stream? utf8Output = null)
    {
        Out = output;
        Utf8Out = utf8Output;
        Err = error;
        Environment = environment;
        CurrentDirectory = currentDirectory;
    }

    public TextWriter Out { get; }

    /// <summary>
    /// The byte stream under <see cref="Out"/> when <see cref="Out"/> writes UTF-8 to it without buffering of its own
    /// (standard output on Unix), else null: large JSON goes there as the bytes it is written in, not through a string.
    /// </summary>
    public Stream? Utf8Out { get; }
    public TextWriter Err { get; }
    public IReadOnlyDictionary<string, string> Environment { get; }
    public string CurrentDirectory { get; }

    /// <summary>True when stderr is a terminal and <c>CI</c> is not set: progress may animate.</summary>
    public bool Interactive =>
        !Console.IsErrorRedirected && !(Environment.TryGetValue("CI", out var ci) && ci.Length > 0 && ci != "0" && !ci.Equals("false", StringComparison.OrdinalIgnoreCase));

    private IReadOnlyDictionary<string, string>? _handlerEnvironment;

    /// <summary>
    /// The environment handlers start from (spec/handlers.md §Environment): <see cref="Environment"/> without the
    /// variables a configured source reads its credential from (<c>token-env</c>, <c>password-env</c>), which handlers
    /// never get, even when named <c>PACKSTER_*</c> or listed in <c>PACKSTER_PASS_ENV</c>. A config that cannot be read
    /// names no such variable: no source reads a credential from it either.
    /// </summary>
    public IReadOnlyDictionary<string, string> HandlerEnvironment => _handlerEnvironment ??= WithoutCredentials();

    /// <summary>
    /// <see cref="HandlerEnvironment"/> without <paramref name="secretVariable"/> too: the variable this command itself
    /// reads a secret from (<c>pack --sign … --passphrase-env</c>), when given.
    /// </summary>
    public IReadOnlyDictionary<string, string> HandlerEnvironmentWithout(string? secretVariable)
    {
        if (secretVariable is null || !HandlerEnvironment.ContainsKey(secretVariable)) return HandlerEnvironment;
        var environment = new Dictionary<string, string>(HandlerEnvironment, OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        environment.Remove(secretVariable);
        return environment;
    }

    private Dictionary<string, string> WithoutCredentials()
    {
        var environment = new Dictionary<string, string>(Environment, OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        IEnumerable<string> credentials;
        try
        {
            // Warnings about an ignored project file are the command's own to give, once.
            credentials = Packster.Sources.Config.ConfigFiles.LoadEffective(Paths, TextWriter.Null).Sources.SelectMany(s => s.CredentialVariables()).ToList();
        }
        catch (PacksterException)
        {
            credentials = [];
        }
        foreach (var name in credentials) environment.Remove(name);
        return environment;
    }

    public string? GetEnv(string name) => Environment.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public string ResolvePath(string path) => Path.GetFullPath(path, CurrentDirectory);

    /// <summary>Packster's configuration, cache and data roots as this environment defines them.</summary>
    public Packster.Locations.PacksterPaths Paths => new(Environment, OperatingSystem.IsWindows(), CurrentDirectory);

    /// <summary>
    /// Handler interpreters are looked up on this environment's PATH, the one the handlers will get. Every resolver
    /// of the command shares one hosted PowerShell, so its host starts at most once per command.
    /// </summary>
    public Packster.Handlers.ExecutorResolver Executors => new(Packster.Handlers.ExecutableSearch.ForEnvironment(Environment), PowerShell);

    private Packster.Handlers.PowerShellExecutors? _powerShell;

    /// <summary>How this command runs .ps1 handlers (PACKSTER_POWERSHELL, PACKSTER_PWSH_HOST); PST7010 on a bad choice.</summary>
    public Packster.Handlers.PowerShellExecutors PowerShell => _powerShell ??= Packster.Handlers.PowerShellExecutors.For(Environment);

    private Packster.Sources.Config.SourceConfig? _config;

    /// <summary>
    /// The config file in force for this command (spec/sources.md §1): the user's, else a trusted <c>./packster.toml</c>.
    /// Its sources and its rules (<see cref="Packster.Sources.Config.SourceConfig.Rules"/>) come from this one read, so
    /// every command applies the rules of the file it takes its sources from, and an ignored project file is warned
    /// about once however many of them the command uses.
    /// </summary>
    public Packster.Sources.Config.SourceConfig Config
    {
        get
        {
            if (_config is null)
            {
                _config = Packster.Sources.Config.ConfigFiles.LoadEffective(Paths, Err, out var ignored);
                IgnoredProjectConfig = ignored;
            }
            return _config;
        }
    }

    /// <summary>
    /// The project config file (<c>./packster.toml</c>) this command ignored because it is not trusted, else null: a
    /// failure for want of sources then hints to trust it (<see cref="PacksterApp.Report(Exception, CliContext, bool, string?)"/>).
    /// </summary>
    public string? IgnoredProjectConfig { get; private set; }

    /// <summary>Ends the hosted PowerShell if this command started one.</summary>
    public void EndCommand() => _powerShell?.Hosted.Dispose();

    /// <summary>The location named by <c>--location</c>, else <c>PACKSTER_LOCATION</c>, else the default location.</summary>
    public Packster.Locations.Location ResolveLocation(string? option) => Packster.Locations.Location.Resolve(option, Paths);

    /// <summary>As <see cref="ResolveLocation"/>, but null when no location is asked for and no default exists.</summary>
    public Packster.Locations.Location? ResolveLocationOrNone(string? option) => Packster.Locations.Location.ResolveOrNone(option, Paths);

    /// <summary>
    /// The line a command that shows a policy prints when there is no location: which of its files it did not read.
    /// </summary>
    public string NoLocationNote(string what) =>
        $"no location: none given (--location, {Packster.Locations.PacksterPaths.LocationVariable}) and no default location at '{Paths.DefaultLocation}', " +
        $"so this is the user's {what} alone; no location's packster-policy.toml is included";

    public static CliContext FromProcess()
    {
        var env = new Dictionary<string, string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            env[(string)e.Key] = (string?)e.Value ?? "";
        }
        var (output, utf8) = StandardOutput();
        return new CliContext(output, Console.Error, env, System.Environment.CurrentDirectory, utf8);
    }

    /// <summary>
    /// Standard output for commands. On Unix a writer of its own: flushed after every write like <see cref="Console.Out"/>
    /// (so output interleaves with stderr and handler output as it is produced), but with a larger buffer than the
    /// console writer's 256 bytes, so long text is a few write(2)s rather than hundreds. Windows keeps the
    /// console writer, which knows the console's code page. 16 Ki characters: a 64 Ki one was two large-object arrays
    /// (128 and 192 KB) that every command mapped fresh, and machine-readable output is written as bytes anyway.
    /// </summary>
    private static (TextWriter Writer, Stream? Utf8) StandardOutput()
    {
        if (OperatingSystem.IsWindows()) return (Console.Out, null);
        // Console.OutputEncoding wraps the encoding (to drop its preamble): recognise UTF-8 by its code page.
        var utf8 = Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage;
        var stream = Console.OpenStandardOutput();
        var writer = TextWriter.Synchronized(new StreamWriter(stream, utf8 ? new UTF8Encoding(false) : Console.OutputEncoding, 16 * 1024) { AutoFlush = true });
        return (writer, utf8 ? stream : null);
    }
}
