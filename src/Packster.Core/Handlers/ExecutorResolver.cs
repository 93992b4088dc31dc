using HandlerAction = Packster.Manifest.HandlerAction;
namespace Packster.Handlers;

/// <summary>
/// Decides which program runs a handler (by extension, or the manifest's <c>executor</c>) and checks it exists
/// on the PATH handlers will see. <see cref="Plan"/> does this for a whole action before anything is extracted.
/// </summary>
public sealed class ExecutorResolver
{
    /// <summary>The limit for a handler whose manifest entry gives none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    private static readonly string[] PowerShellArguments = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File"];

    private readonly ExecutableSearch _search;
    private readonly PowerShellExecutors? _powerShell;

    /// <param name="powerShell">How <c>.ps1</c> handlers run; null: only through <c>pwsh</c> on PATH.</param>
    public ExecutorResolver(ExecutableSearch search, PowerShellExecutors? powerShell = null)
    {
        _search = search;
        _powerShell = powerShell;
    }

    /// <summary>A resolver for this process's PATH and platform (<c>.ps1</c> through <c>pwsh</c> only).</summary>
    public static ExecutorResolver ForCurrentProcess() => new(ExecutableSearch.ForCurrentProcess());

    /// <summary>The same PowerShell settings (and host) with programs searched on another PATH.</summary>
    public ExecutorResolver WithSearch(ExecutableSearch search) => new(search, _powerShell);

    /// <summary>
    /// Resolves every handler <paramref name="action"/> runs, in order: <c>any</c> (given the action name as first
    /// argument) then the specific one. An upgrade without an <c>upgrade</c> handler runs the <c>install</c> handler.
    /// Fails with PST7002/PST7006 if an interpreter is missing, while nothing has been changed yet.
    /// </summary>
    /// <param name="packageRoot">The directory the handlers will run in (it need not exist yet).</param>
    /// <param name="timeoutOverride">A limit that replaces every manifest timeout (the CLI's <c>--handler-timeout</c>).</param>
    public HandlerPlan Plan(IReadOnlyDictionary<HandlerAction, HandlerSpec> handlers, HandlerAction action, string packageRoot, TimeSpan? timeoutOverride = null)
    {
        if (action == HandlerAction.Any) throw new ArgumentException("'any' is a manifest slot, not an action to run", nameof(action));
        if (timeoutOverride is { } limit && limit <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeoutOverride), "a handler time limit must be positive");

        // A package without a test handler has no test: its `any` handler, written perhaps before `test` existed, is
        // not called with an action it may not know (spec/handlers.md §When).
        if (action == HandlerAction.Test && !handlers.ContainsKey(HandlerAction.Test)) return new HandlerPlan(action, []);
        var planned = new List<PlannedHandler>(2);
        if (handlers.TryGetValue(HandlerAction.Any, out var any))
        {
            planned.Add(PlanOne(HandlerAction.Any, action, any, packageRoot, timeoutOverride));
        }
        if (handlers.TryGetValue(action, out var specific))
        {
            planned.Add(PlanOne(action, action, specific, packageRoot, timeoutOverride));
        }
        else if (action == HandlerAction.Upgrade && handlers.TryGetValue(HandlerAction.Install, out var install))
        {
            // An upgrade must leave the new deployment as complete as an install would.
            planned.Add(PlanOne(HandlerAction.Install, action, install, packageRoot, timeoutOverride));
        }
        return new HandlerPlan(action, planned);
    }

    /// <summary>The command that runs <paramref name="spec"/>'s script inside <paramref name="packageRoot"/>.</summary>
    public ResolvedCommand Resolve(HandlerSpec spec, string packageRoot) => ResolveCore(spec, packageRoot, out _, out _);

    private PlannedHandler PlanOne(HandlerAction slot, HandlerAction action, HandlerSpec spec, string packageRoot, TimeSpan? timeoutOverride)
    {
        var command = ResolveCore(spec, packageRoot, out var scriptFullPath, out var direct, out var hosted);
        if (slot == HandlerAction.Any) command = command.Append(action.ToName());
        return new PlannedHandler(slot, action, spec, command, scriptFullPath, direct, timeoutOverride ?? spec.Timeout ?? DefaultTimeout, hosted);
    }

    private ResolvedCommand ResolveCore(HandlerSpec spec, string packageRoot, out string scriptFullPath, out bool direct) =>
        ResolveCore(spec, packageRoot, out scriptFullPath, out direct, out _);

    private ResolvedCommand ResolveCore(HandlerSpec spec, string packageRoot, out string scriptFullPath, out bool direct, out HostedPowerShell? hosted)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(packageRoot);
        var script = spec.ScriptPath;
        scriptFullPath = PackagePath(script, packageRoot, script);
        direct = false;
        hosted = null;

        if (spec.Executor is { } executor)
        {
            if (executor.Count == 0 || string.IsNullOrEmpty(executor[0])) throw HandlerErrors.InvalidExecutor(script, "is empty; it must name a program");
            return new ResolvedCommand(LocateExecutor(executor[0], script, packageRoot), [.. executor.Skip(1), scriptFullPath]);
        }

        switch (Path.GetExtension(script).ToLowerInvariant())
        {
            case ".sh":
                return new ResolvedCommand(Require(script, ["sh"], "install a POSIX shell, or name an executor in the manifest"), [scriptFullPath]);
            case ".ps1":
                return ResolvePowerShell(script, scriptFullPath, out hosted);
            case ".py":
                return ResolvePython(script, scriptFullPath);
            case ".cmd" or ".bat":
                if (!_search.IsWindows) throw HandlerErrors.PlatformUnsupported(script, "a Windows batch file, and cmd.exe exists only on Windows");
                // /d skips the AutoRun registry commands so a handler runs the same on every machine.
                return new ResolvedCommand(Require(script, ["cmd"], "cmd.exe should be in %SystemRoot%\\System32; check PATH"), ["/d", "/c", scriptFullPath]);
            default:
                direct = true;
                return new ResolvedCommand(scriptFullPath, []);
        }
    }

    /// <summary>spec/handlers.md §Executors: the hosted PowerShell when present, else pwsh, as PACKSTER_POWERSHELL allows.</summary>
    private ResolvedCommand ResolvePowerShell(string script, string scriptFullPath, out HostedPowerShell? hosted)
    {
        hosted = null;
        var choice = _powerShell?.Choice ?? PowerShellChoice.Pwsh;
        if (choice != PowerShellChoice.Pwsh && _powerShell!.Hosted.IsPresent)
        {
            hosted = _powerShell.Hosted;
            return new ResolvedCommand(hosted.HostPath, [scriptFullPath]);
        }
        if (choice == PowerShellChoice.Hosted) throw HandlerErrors.HostedPowerShellMissing(script, _powerShell!.Hosted.HostPath);
        var pwsh = _search.IsWindows ? _search.Find("pwsh") ?? _search.Find("powershell") : _search.Find("pwsh");
        if (pwsh is null && choice == PowerShellChoice.Auto) throw HandlerErrors.NoPowerShell(script, _powerShell!.Hosted.HostPath);
        return new ResolvedCommand(
            pwsh ?? throw HandlerErrors.ExecutorMissing(script, _search.IsWindows ? ["pwsh", "powershell.exe"] : ["pwsh"],
                "install PowerShell 7 (https://aka.ms/install-powershell), or name another executor in the manifest"),
            [.. PowerShellArguments, scriptFullPath]);
    }

    private ResolvedCommand ResolvePython(string script, string scriptFullPath)
    {
        const string hint = "install Python 3, or name another executor in the manifest, e.g. executor = [\"python\"]";
        if (!_search.IsWindows) return new ResolvedCommand(Require(script, ["python3"], hint), [scriptFullPath]);
        // On Windows the launcher `py -3` is the reliable way to reach Python 3; `python3`/`python` may be Store stubs.
        if (_search.Find("py") is { } launcher) return new ResolvedCommand(launcher, ["-3", scriptFullPath]);
        var python = _search.Find("python3") ?? _search.Find("python")
            ?? throw HandlerErrors.ExecutorMissing(script, ["py", "python3", "python"], hint);
        return new ResolvedCommand(python, [scriptFullPath]);
    }

    private string Require(string script, string[] programs, string hint) =>
        programs.Select(_search.Find).FirstOrDefault(p => p is not null) ?? throw HandlerErrors.ExecutorMissing(script, programs, hint);

    /// <summary>A bare name is searched on PATH, an absolute path must exist, a relative path is inside the package.</summary>
    private string LocateExecutor(string executor, string script, string packageRoot)
    {
        if (Path.IsPathFullyQualified(executor))
        {
            return File.Exists(executor) ? executor : throw HandlerErrors.ExecutorFileMissing(script, executor);
        }
        if (executor.Contains('/', StringComparison.Ordinal) || executor.Contains('\\', StringComparison.Ordinal))
        {
            // Inside the package: it may not be extracted yet when planning, so only its form is checked here.
            return PackagePath(executor, packageRoot, script);
        }
        return _search.Find(executor) ?? throw HandlerErrors.ExecutorMissing(script, [executor],
            $"install '{executor}', or change `executor` for {script} in the manifest");
    }

    /// <summary>Maps a manifest path ('/'-separated, relative, inside the package) to a full path under the root.</summary>
    internal static string PackagePath(string relative, string packageRoot, string scriptForErrors)
    {
        if (PathProblem(relative ?? "") is { } why)
        {
            throw HandlerErrors.InvalidScriptPath(relative ?? "", why + (why.EndsWith(" component", StringComparison.Ordinal) && relative != scriptForErrors ? $" (in the executor of {scriptForErrors})" : ""));
        }
        return Path.Combine(Path.GetFullPath(packageRoot), relative!.Replace('/', Path.DirectorySeparatorChar));
    }

    /// <summary>
    /// Why the program of an <c>executor</c> cannot be run (PST2008), or null: a program that is neither a full path
    /// nor a bare name searched on PATH is a path inside the package (<see cref="LocateExecutor"/>), and must be one.
    /// The rule install applies, for the manifest's own check (spec/manifest.md § [handlers]).
    /// </summary>
    internal static string? ExecutorProblem(string executor) =>
        !Path.IsPathFullyQualified(executor) && (executor.Contains('/', StringComparison.Ordinal) || executor.Contains('\\', StringComparison.Ordinal))
            ? PathProblem(executor)
            : null;

    /// <summary>Why <paramref name="relative"/> is not a relative '/' path inside the package, or null.</summary>
    private static string? PathProblem(string relative)
    {
        if (relative.Length == 0) return "is empty";
        if (relative.Contains('\\', StringComparison.Ordinal)) return "contains '\\'; use '/'";
        if (relative.StartsWith('/') || (relative.Length >= 2 && relative[1] == ':')) return "is absolute";
        if (relative.Any(char.IsControl)) return "contains a control character";
        foreach (var segment in relative.Split('/'))
        {
            if (segment is "" or "." or "..") return $"has {(segment.Length == 0 ? "an empty" : $"a '{segment}'")} component";
        }
        return null;
    }
}
