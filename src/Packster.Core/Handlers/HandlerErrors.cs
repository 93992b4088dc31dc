using HandlerAction = Packster.Manifest.HandlerAction;
namespace Packster.Handlers;

/// <summary>The named factories for every PST7xxx failure, so each message has one wording (spec/errors.md §7xxx).</summary>
internal static class HandlerErrors
{
    public static PacksterException ExecutorMissing(string scriptPath, IReadOnlyList<string> programs, string hint) =>
        new(ErrorCode.HandlerExecutorMissing,
            $"handler {scriptPath} needs {Alternatives(programs)}, which {(programs.Count == 1 ? "is" : "are")} not on PATH", hint);

    public static PacksterException ExecutorFileMissing(string scriptPath, string executor) =>
        new(ErrorCode.HandlerExecutorMissing, $"handler {scriptPath} names executor '{executor}', which does not exist",
            "fix `executor` in the manifest's [handlers] section");

    public static PacksterException PlatformUnsupported(string scriptPath, string what) =>
        new(ErrorCode.HandlerPlatformUnsupported, $"handler {scriptPath} is {what}",
            "ship a .sh/.py/.ps1 handler, or name an executor in the manifest");

    public static PacksterException InvalidScriptPath(string scriptPath, string why) =>
        new(ErrorCode.InvalidPath, $"handler script path '{TerminalText.Printable(scriptPath)}' {why}",
            "handler paths are relative to the package root, use '/', and stay inside the package");

    public static PacksterException InvalidExecutor(string scriptPath, string why) =>
        new(ErrorCode.InvalidArgument, $"executor of handler {scriptPath} {why}",
            "write it as an array: executor = [\"python3\", \"-u\"]");

    public static PacksterException ScriptMissing(string what, string fullPath) =>
        new(ErrorCode.HandlerScriptMissing, $"{what} does not exist (looked for {fullPath})",
            "the manifest's [handlers] section names a file the package does not contain");

    public static PacksterException NotExecutable(string what, string fullPath) =>
        new(ErrorCode.HandlerScriptNotExecutable, $"{what} has no known extension and is not executable ({fullPath})",
            "mark it executable (chmod +x) before packing, give it a .sh/.py/.ps1 extension, or name an executor");

    public static PacksterException StartFailed(string what, ResolvedCommand command, Exception inner) =>
        new(ErrorCode.HandlerExecutorMissing, $"{what} could not be started ({command.FileName}): {inner.Message}", null, inner);

    /// <summary>The system refused to start a handler with its environment (E2BIG): a parameter too long for a variable.</summary>
    public static PacksterException EnvironmentTooLarge(string what, string package, string why, Exception inner) =>
        new(ErrorCode.HandlerParameterInvalid, $"{what} of {package} could not be started: {why}",
            "give the long value in a file the package reads, and its path as the parameter", inner);

    /// <summary>A handler exited non-zero; at the test action that is the package's own verdict on the deployment (PST7012).</summary>
    public static PacksterException Failed(HandlerAction action, string what, string package, int exitCode, string logPath) =>
        action == HandlerAction.Test
            ? new(ErrorCode.TestFailed, $"{what} of {package} exited with code {exitCode}: the deployment failed its package's test; see {logPath}",
                "the log holds the test's output; reinstall with --force if the deployment's files were changed, or fix what the test checks")
            : new(ErrorCode.HandlerFailed, $"{what} of {package} exited with code {exitCode}; see {logPath}");

    /// <summary>
    /// The handlers of <paramref name="action"/> left the deployment's manifest other than the package's (spec/handlers.md
    /// § What handlers leave): what packster judged the package by, and what it later reads from the deployment.
    /// </summary>
    public static PacksterException ChangedManifest(HandlerAction action, string package, string change, string logPath) =>
        new(ErrorCode.HandlerChangedManifest,
            $"the {action.ToName()} handlers of {package} changed the deployment's {Manifest.Manifest.FileName} ({change}); packster judged the package "
            + $"by its own manifest (resources, licence, parameters), so the deployment must keep it byte for byte; see {logPath}",
            $"a handler must leave {Manifest.Manifest.FileName} alone: change the manifest in the package's source and pack it again");

    /// <summary>
    /// The handlers of <paramref name="action"/> made something at <c>PACKSTER_DEPLOYMENT_FINAL_PATH</c>, which must not
    /// exist until the deployment is published there (spec/handlers.md § What handlers leave).
    /// </summary>
    public static PacksterException WroteFinalPath(HandlerAction action, string package, string finalPath, string logPath) =>
        new(ErrorCode.HandlerWroteFinalPath,
            $"the {action.ToName()} handlers of {package} made '{TerminalText.Printable(finalPath)}' (PACKSTER_DEPLOYMENT_FINAL_PATH), where the "
            + $"deployment is published once its handlers have succeeded; it must not exist before, so what they made there is removed; see {logPath}",
            "write the deployment's files into $PACKSTER_DEPLOYMENT_PATH, which becomes the final path; use PACKSTER_DEPLOYMENT_FINAL_PATH only to name that place");

    public static PacksterException TimedOut(string what, string package, TimeSpan limit, string logPath) =>
        new(ErrorCode.HandlerTimedOut,
            $"{what} of {package} did not finish within {TimeSpanText.Format(limit)} and was stopped with all its processes; see {logPath}",
            "raise `timeout` for this handler in the manifest, or pass --handler-timeout");

    public static PacksterException OutputHeldOpen(string what, string package, TimeSpan limit, string logPath) =>
        new(ErrorCode.HandlerTimedOut,
            $"{what} of {package} exited, but a process it started kept its output open past {TimeSpanText.Format(limit)}; see {logPath}",
            "handlers must not leave processes running; start services through the service manager");

    public static PacksterException Cancelled(string what, string package, string logPath) =>
        new(ErrorCode.HandlerCancelled, $"{what} of {package} was cancelled and stopped with all its processes; see {logPath}");

    public static PacksterException CancelledBeforeStart(string what, string package) =>
        new(ErrorCode.HandlerCancelled, $"{what} of {package} was not started: the operation was cancelled");

    public static PacksterException ParameterNameCollision(string variable, string first, string second) =>
        new(ErrorCode.HandlerParameterInvalid,
            $"parameters '{first}' and '{second}' both map to environment variable {variable}",
            "rename one of them; handlers can still read both from PACKSTER_PARAMETERS_FILE");

    public static PacksterException ParameterHasNul(string name) =>
        new(ErrorCode.HandlerParameterInvalid,
            $"parameter '{name}' contains a NUL character, which an environment variable cannot hold");

    public static PacksterException ParametersNotObject(string kind) =>
        new(ErrorCode.HandlerParameterInvalid, $"handler parameters must be a JSON object, found {kind}");

    public static PacksterException UnsafeLink(string relative, string target) =>
        new(ErrorCode.PackStagingUnsafeLink,
            $"symbolic link {relative} -> {target} points outside the package source; pack handlers get a copy of the source and it would reach the original",
            UnsafeLinkHint);

    /// <summary>The hint of <see cref="UnsafeLink"/>, for a folder; <c>pack --from</c> gives its own for an archive.</summary>
    internal const string UnsafeLinkHint = "make the link relative and keep its target inside the package folder";

    public static PacksterException NoPowerShell(string scriptPath, string hostPath) =>
        new(ErrorCode.HandlerExecutorMissing,
            $"handler {scriptPath} needs packster's hosted PowerShell or 'pwsh', and neither is here: packster-pwsh-host is not at {hostPath} and 'pwsh' is not on PATH",
            "install packster with its pwsh-host folder (or set PACKSTER_PWSH_HOST), or install PowerShell 7 (https://aka.ms/install-powershell)");

    public static PacksterException HostedPowerShellMissing(string scriptPath, string hostPath) =>
        new(ErrorCode.HostedPowerShellMissing,
            $"handler {scriptPath} is to run in the hosted PowerShell (PACKSTER_POWERSHELL=hosted), but packster-pwsh-host is not at {hostPath}",
            "install packster with its pwsh-host folder, point PACKSTER_PWSH_HOST at packster-pwsh-host, or unset PACKSTER_POWERSHELL to fall back to pwsh");

    public static PacksterException UnknownPowerShellChoice(string value) =>
        new(ErrorCode.PowerShellChoiceInvalid,
            $"PACKSTER_POWERSHELL is '{TerminalText.Printable(value)}', which is not a way to run .ps1 handlers",
            "use PACKSTER_POWERSHELL=auto (the default), hosted or pwsh");

    public static PacksterException HostStartFailed(string what, string hostPath, string reason) =>
        new(ErrorCode.HostedPowerShellFailed, $"{what} could not be run: packster-pwsh-host ({hostPath}) did not start: {reason}",
            "reinstall packster with its pwsh-host folder, or set PACKSTER_POWERSHELL=pwsh to use pwsh from PATH");

    public static PacksterException HostDied(string what, string hostPath, string reason) =>
        new(ErrorCode.HostedPowerShellFailed, $"{what} could not be run: packster-pwsh-host ({hostPath}) stopped answering ({reason})",
            "set PACKSTER_POWERSHELL=pwsh to run it with pwsh from PATH instead, and report the failure");

    private static string Alternatives(IReadOnlyList<string> programs) => programs.Count switch
    {
        1 => $"'{programs[0]}'",
        2 => $"'{programs[0]}' or '{programs[1]}'",
        _ => string.Join(", ", programs.Take(programs.Count - 1).Select(p => $"'{p}'")) + $" or '{programs[^1]}'",
    };
}
