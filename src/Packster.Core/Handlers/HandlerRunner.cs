using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Packster.Handlers;

/// <summary>
/// Runs handlers as real processes: argument arrays only (no shell string), stdin empty, output streamed line
/// by line to the console sink (prefixed) and to the log file, a time limit per handler, and on timeout or
/// cancellation the whole process tree killed before it returns. A handler that does not exit 0 throws.
/// </summary>
public sealed class HandlerRunner
{
    /// <summary>How long to wait for output to drain after the handler's processes were killed.</summary>
    private static readonly TimeSpan DrainAfterKill = TimeSpan.FromSeconds(10);

    /// <summary>How long a handler that died of SIGINT or SIGTERM waits for packster's own interrupt to be dispatched.</summary>
    private static readonly TimeSpan InterruptArrival = TimeSpan.FromSeconds(2);

    /// <summary>The exit codes of a process ended by SIGINT and by SIGTERM (128 + the signal), as .NET and shells report them.</summary>
    private const int SigIntExit = 130;
    private const int SigTermExit = 143;

    /// <summary>Timers cannot run longer (about 49 days); a longer limit means "no practical limit".</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly TextWriter _output;
    private readonly TimeProvider _time;

    /// <param name="output">Where handler output goes, one prefixed line at a time (the console, in the CLI).</param>
    public HandlerRunner(TextWriter output, TimeProvider? time = null)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Whether the logs are pack logs, in packster's data folder (spec/handlers.md § Logs), rather than a location's:
    /// what refuses one says so (<see cref="HandlerLog.Open"/>).
    /// </summary>
    public bool PackLog { get; init; }

    /// <summary>
    /// Runs the handlers of a plan in order (<c>any</c>, then the specific one) and stops at the first failure,
    /// which it throws. All of them append to <paramref name="logPath"/>.
    /// </summary>
    public async Task<IReadOnlyList<HandlerResult>> RunPlanAsync(
        HandlerPlan plan, HandlerContext context, IReadOnlyDictionary<string, string> environment, string logPath, CancellationToken cancellationToken)
    {
        var results = new List<HandlerResult>();
        foreach (var invocation in HandlerInvocation.ForPlan(plan, context, environment, logPath))
        {
            results.Add(await RunAsync(invocation, cancellationToken).ConfigureAwait(false));
        }
        return results;
    }

    /// <summary>
    /// Runs one handler. Throws PST7000 on a non-zero exit, PST7001 when its limit passes, PST7003 when
    /// <paramref name="cancellationToken"/> fires; in the last two cases no process it started is left running.
    /// </summary>
    public async Task<HandlerResult> RunAsync(HandlerInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var handler = invocation.Handler;
        var what = handler.Describe();
        var package = $"{invocation.PackageId} {invocation.PackageVersion}";
        CheckRunnable(handler, what);
        if (cancellationToken.IsCancellationRequested) throw HandlerErrors.CancelledBeforeStart(what, package);

        await using var log = HandlerLog.Open(invocation.LogPath, _output, invocation.OutputPrefix, invocation.Secrets, PackLog);
        log.Header($"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {what} of {package}: {handler.Command} (in {invocation.WorkingDirectory}, limit {TimeSpanText.Format(handler.Timeout)})");
        if (handler.PowerShellHost is { } hosted) return await RunHostedAsync(invocation, hosted, log, what, package, cancellationToken).ConfigureAwait(false);

        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            WorkingDirectory = invocation.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            CreateNoWindow = true,
        };
        var ownGroup = ProcessTree.Prepare(startInfo, handler.Command);
        startInfo.Environment.Clear();
        foreach (var (key, value) in invocation.Environment) startInfo.Environment[key] = value;
        // Marks every process of this run, so that one whose parent exited is still found (spec/handlers.md §Processes).
        // The process's token is there too, for the next holder of the location's lock should packster die (§Processes).
        var run = HandlerRunProcesses.Begin();
        startInfo.Environment[HandlerEnvironment.HandlerRun] = HandlerRunProcesses.Variable(invocation.Environment, run);

        using var limit = new CancellationTokenSource(handler.Timeout < LongestTimer ? handler.Timeout : LongestTimer, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var started = _time.GetTimestamp();
        // A running handler is unfinished work: an interrupt stops it and waits for it rather than ending packster.
        using var work = UnfinishedWork.Begin();
        using var process = new Process { StartInfo = startInfo };
        using var running = ProcessTree.Track(process, ownGroup, run);
        try
        {
            process.Start();
        }
        catch (Win32Exception e) when (EnvironmentTooLarge.Is(e))
        {
            var why = EnvironmentTooLarge.Why(startInfo.Environment);
            log.Footer($"could not start: {why}");
            throw HandlerErrors.EnvironmentTooLarge(what, package, why, e);
        }
        catch (Win32Exception e)
        {
            log.Footer($"could not start: {e.Message}");
            throw HandlerErrors.StartFailed(what, handler.Command, e);
        }
        var processGroup = ownGroup ? process.Id : 0;
        run?.Started(process.Id, processGroup);
        // Handlers never prompt: their stdin is empty and already at end of file.
        process.StandardInput.Close();
        var pumps = Task.WhenAll(log.PumpAsync(process.StandardOutput), log.PumpAsync(process.StandardError));

        try
        {
            await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process, ownGroup, run, pumps).ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            if (cancellationToken.IsCancellationRequested)
            {
                log.Footer($"cancelled after {Seconds(elapsed)}; all its processes were killed");
                throw HandlerErrors.Cancelled(what, package, invocation.LogPath);
            }
            log.Footer($"timed out after {Seconds(elapsed)} (limit {TimeSpanText.Format(handler.Timeout)}); all its processes were killed");
            throw HandlerErrors.TimedOut(what, package, handler.Timeout, invocation.LogPath);
        }

        // A background job the handler forgot, or a process it started that made a session of its own, would keep
        // running and keep its output open: the contract is that nothing it started outlives it (spec/handlers.md §Processes).
        var leftovers = ProcessTree.KillLeftovers(processGroup, run);
        // A terminal's Ctrl-C (or `kill` of the group) reaches the handler and packster together, and the handler can
        // die of it before packster's own listener has run (signals are dispatched on a thread of their own): a handler
        // ended by SIGINT or SIGTERM waits a moment for that interrupt before its exit counts as a failure.
        if (!cancellationToken.IsCancellationRequested && process.ExitCode is SigIntExit or SigTermExit)
        {
            try
            {
                await Task.Delay(InterruptArrival, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        if (cancellationToken.IsCancellationRequested)
        {
            // The interrupt may have reached the handler itself first (a terminal signals the whole foreground group,
            // which the handler belongs to until setsid has run): whatever its exit code, the run was cancelled.
            await StopAsync(process, ownGroup, run, pumps).ConfigureAwait(false);
            log.Footer($"cancelled after {Seconds(_time.GetElapsedTime(started))}; all its processes were killed");
            throw HandlerErrors.Cancelled(what, package, invocation.LogPath);
        }
        try
        {
            await pumps.WaitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ProcessTree.Kill(process, ownGroup, run);
            if (cancellationToken.IsCancellationRequested)
            {
                log.Footer("cancelled while a process it started still held its output open");
                throw HandlerErrors.Cancelled(what, package, invocation.LogPath);
            }
            log.Footer("exited, but a process it started still held its output open when the limit passed");
            throw HandlerErrors.OutputHeldOpen(what, package, handler.Timeout, invocation.LogPath);
        }

        var duration = _time.GetElapsedTime(started);
        // Their output closed as they died; the handler is done once they are dead, not while they are still dying.
        if (leftovers) await ProcessTree.WaitUntilGoneAsync(processGroup, run, DrainAfterKill).ConfigureAwait(false);
        var exitCode = process.ExitCode;
        log.Footer($"exited with code {exitCode.ToString(CultureInfo.InvariantCulture)} after {Seconds(duration)}");
        if (exitCode != 0) throw HandlerErrors.Failed(handler.Action, what, package, exitCode, invocation.LogPath);
        return new HandlerResult(handler, exitCode, duration, invocation.LogPath);
    }

    /// <summary>
    /// Runs a <c>.ps1</c> handler in the command's hosted PowerShell, with the same limit, interrupt, log and
    /// exit-code rules as a process (spec/handlers.md §Hosted PowerShell); a timeout or an interrupt kills the host.
    /// </summary>
    private async Task<HandlerResult> RunHostedAsync(HandlerInvocation invocation, HostedPowerShell hosted, HandlerLog log, string what, string package, CancellationToken cancellationToken)
    {
        var handler = invocation.Handler;
        // The script gets this process's token and the run's own as a process handler does (the host sets its
        // environment to the script's, so the programs it starts inherit them): one that leaves the host's group and
        // whose parent exits is still found, and so is one left when packster dies (spec/handlers.md §Processes). The
        // host itself is started without them: it is no process of any one run.
        var run = HandlerRunProcesses.Begin();
        var environment = new Dictionary<string, string>(invocation.Environment, StringComparer.Ordinal)
        {
            [HandlerEnvironment.HandlerRun] = HandlerRunProcesses.Variable(invocation.Environment, run),
        };
        var request = new PowerShellHostRequest(handler.ScriptFullPath, handler.Command.Arguments.Skip(1).ToList(), environment, invocation.WorkingDirectory);
        using var limit = new CancellationTokenSource(handler.Timeout < LongestTimer ? handler.Timeout : LongestTimer, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var started = _time.GetTimestamp();
        using var work = UnfinishedWork.Begin();
        int exitCode;
        try
        {
            exitCode = await hosted.RunAsync(request, invocation.Environment, run, log, what, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            var elapsed = _time.GetElapsedTime(started);
            if (cancellationToken.IsCancellationRequested)
            {
                log.Footer($"cancelled after {Seconds(elapsed)}; the PowerShell host and all its processes were killed");
                throw HandlerErrors.Cancelled(what, package, invocation.LogPath);
            }
            log.Footer($"timed out after {Seconds(elapsed)} (limit {TimeSpanText.Format(handler.Timeout)}); the PowerShell host and all its processes were killed");
            throw HandlerErrors.TimedOut(what, package, handler.Timeout, invocation.LogPath);
        }
        catch (PacksterException e)
        {
            log.Footer(e.Message);
            throw;
        }
        var duration = _time.GetElapsedTime(started);
        log.Footer($"exited with code {exitCode.ToString(CultureInfo.InvariantCulture)} after {Seconds(duration)}");
        if (cancellationToken.IsCancellationRequested) throw HandlerErrors.Cancelled(what, package, invocation.LogPath);
        if (exitCode != 0) throw HandlerErrors.Failed(handler.Action, what, package, exitCode, invocation.LogPath);
        return new HandlerResult(handler, exitCode, duration, invocation.LogPath);
    }

    /// <summary>
    /// Kills every handler this process is running, with all their processes, without waiting: for an interrupt that
    /// ends packster before its rollback finished (spec/handlers.md §Interrupts). Safe to call from any thread.
    /// </summary>
    public static void KillAllRunning() => ProcessTree.KillAllRunning();

    private static async Task StopAsync(Process process, bool ownGroup, HandlerRunProcesses? run, Task pumps)
    {
        ProcessTree.Kill(process, ownGroup, run);
        using var drain = new CancellationTokenSource(DrainAfterKill);
        try
        {
            await process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
            // The output closes when the last process holding it has closed it: the tree is dying; then it is dead.
            await pumps.WaitAsync(drain.Token).ConfigureAwait(false);
            await ProcessTree.WaitUntilGoneAsync(ownGroup ? process.Id : 0, run, DrainAfterKill).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Something outside the tree and group still holds the pipe; the error is reported all the same.
        }
    }

    private static void CheckRunnable(PlannedHandler handler, string what)
    {
        if (!File.Exists(handler.ScriptFullPath)) throw HandlerErrors.ScriptMissing(what, handler.ScriptFullPath);
        if (Path.IsPathFullyQualified(handler.Command.FileName) && !File.Exists(handler.Command.FileName))
        {
            throw HandlerErrors.ExecutorFileMissing(handler.Spec.ScriptPath, handler.Command.FileName);
        }
        if (handler.RunsScriptDirectly && !OperatingSystem.IsWindows())
        {
            const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((File.GetUnixFileMode(handler.ScriptFullPath) & anyExecute) == 0) throw HandlerErrors.NotExecutable(what, handler.ScriptFullPath);
        }
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + "s";
}
