using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Packster.Handlers;

/// <summary>
/// The packster-pwsh-host process of one packster command (spec/handlers.md §Hosted PowerShell): started at the
/// first <c>.ps1</c> handler that needs it, then reused for every later one, which it runs one at a time. A
/// timeout or an interrupt kills it with everything it started; the next script then starts a fresh one.
/// </summary>
public sealed class HostedPowerShell : IDisposable
{
    private static readonly TimeSpan StderrDrain = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ExitAfterClose = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly object _gate = new();
    private readonly List<string> _startupErrors = [];
    private Process? _process;
    private bool _ownGroup;
    private IDisposable? _tracked;
    private Task? _stderrPump;
    private HandlerLog? _current;
    private TaskCompletionSource? _scriptEnded;
    private HandlerRunProcesses? _run;

    public HostedPowerShell(string hostPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostPath);
        HostPath = hostPath;
    }

    /// <summary>The packster-pwsh-host executable this command uses.</summary>
    public string HostPath { get; }

    /// <summary>Whether the host is installed where packster looks for it.</summary>
    public bool IsPresent => File.Exists(HostPath);

    /// <summary>
    /// Runs one script in the host, starting the host first if none is running (with <paramref name="hostEnvironment"/>,
    /// the script's environment without <paramref name="run"/>'s token); every output line goes to <paramref name="log"/>.
    /// Returns the script's exit code. When <paramref name="stop"/> fires, the host is killed with everything it
    /// started, the run's processes that left its group among them, before this throws
    /// <see cref="OperationCanceledException"/>; when the script ends, what of the run is left is killed.
    /// </summary>
    internal async Task<int> RunAsync(PowerShellHostRequest request, IReadOnlyDictionary<string, string> hostEnvironment, HandlerRunProcesses? run,
        HandlerLog log, string what, CancellationToken stop)
    {
        await _oneAtATime.WaitAsync(stop).ConfigureAwait(false);
        IDisposable? trackedRun = null;
        try
        {
            var process = _process is { HasExited: false } running ? running : await StartAsync(request, hostEnvironment, what, stop).ConfigureAwait(false);
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _current = log;
                _scriptEnded = ended;
                _run = run;
                // An interrupt that ends packster at once kills the run's escaped processes with the host.
                if (run is not null) trackedRun = ProcessTree.Track(process, _ownGroup, run);
            }
            try
            {
                await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(request, PowerShellHostJson.Default.PowerShellHostRequest).AsMemory(), stop).ConfigureAwait(false);
                await process.StandardInput.FlushAsync(stop).ConfigureAwait(false);
                while (true)
                {
                    var frame = await ReadFrameAsync(process, stop).ConfigureAwait(false)
                        ?? throw await DiedAsync(process, what).ConfigureAwait(false);
                    if (frame.Frame == PowerShellHostFrame.Output) log.Line(frame.Text ?? "");
                    else if (frame.Frame == PowerShellHostFrame.Exit)
                    {
                        // Lines a program of the script wrote to stderr may still be on their way through the other pipe.
                        try
                        {
                            await ended.Task.WaitAsync(StderrDrain, stop).ConfigureAwait(false);
                        }
                        catch (TimeoutException)
                        {
                            // A program the script left running holds stderr busy; the script itself has ended.
                        }
                        // The host killed what was left in its group; what left the group is found by the run's token.
                        ProcessTree.KillLeftovers(0, run);
                        return frame.Code ?? 1;
                    }
                }
            }
            catch (IOException)
            {
                throw await DiedAsync(process, what).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    _current = null;
                    _scriptEnded = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
            if (Kill() is { } killed)
            {
                // Reported only once the host and what it started are gone (spec/handlers.md §Processes).
                using var drain = new CancellationTokenSource(StderrDrain);
                try
                {
                    await killed.WaitForExitAsync(drain.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            throw;
        }
        finally
        {
            lock (_gate) _run = null;
            trackedRun?.Dispose();
            _oneAtATime.Release();
        }
    }

    /// <summary>No diagnostics pipes for the host (Enter-PSHostProcess, debuggers, dotnet-trace): nothing attaches to it.</summary>
    private static readonly KeyValuePair<string, string>[] DiagnosticsOff =
        [new("POWERSHELL_DIAGNOSTICS_OPTOUT", "1"), new("DOTNET_EnableDiagnostics", "0")];

    private async Task<Process> StartAsync(PowerShellHostRequest first, IReadOnlyDictionary<string, string> firstEnvironment, string what, CancellationToken stop)
    {
        Kill();
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            WorkingDirectory = first.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            CreateNoWindow = true,
        };
        var ownGroup = ProcessTree.Prepare(startInfo, new ResolvedCommand(HostPath, []));
        // The host starts with the first script's environment and empties it after each script; the .NET runtime
        // may need to be told where it is installed, which the handler environment does not say.
        startInfo.Environment.Clear();
        foreach (var (key, value) in firstEnvironment) startInfo.Environment[key] = value;
        foreach (var (key, value) in RuntimeVariables()) startInfo.Environment.TryAdd(key, value);
        // PowerShell's diagnostics pipe (CoreFxPipe_PSHost.*) and the .NET runtime's debugger and diagnostics pipes
        // (clr-debug-pipe-*, dotnet-diagnostic-*) are made in the temp folder at start and removed only at a normal
        // exit: a host killed on timeout or interrupt would leave them there. Both are read once, at start; the first
        // script's own environment replaces them, so no script sees them.
        foreach (var (key, value) in DiagnosticsOff) startInfo.Environment[key] = value;

        var process = new Process { StartInfo = startInfo };
        var tracked = ProcessTree.Track(process, ownGroup);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            tracked.Dispose();
            process.Dispose();
            throw HandlerErrors.HostStartFailed(what, HostPath, EnvironmentTooLarge.Is(e) ? EnvironmentTooLarge.Why(startInfo.Environment) : e.Message);
        }
        lock (_gate)
        {
            _process = process;
            _ownGroup = ownGroup;
            _tracked = tracked;
            _startupErrors.Clear();
        }
        _stderrPump = PumpStderrAsync(process);
        var ready = await ReadFrameAsync(process, stop).ConfigureAwait(false);
        if (ready?.Frame != PowerShellHostFrame.Ready)
        {
            var reason = await DiedAsync(process, what).ConfigureAwait(false);
            Kill();
            throw reason;
        }
        return process;
    }

    private static async Task<PowerShellHostFrame?> ReadFrameAsync(Process process, CancellationToken stop)
    {
        // Waited for rather than cancelled: a pipe read may not honour a token, and a cancelled run kills the host,
        // which ends the read.
        var line = await process.StandardOutput.ReadLineAsync(CancellationToken.None).AsTask().WaitAsync(stop).ConfigureAwait(false);
        if (line is null) return null;
        try
        {
            return JsonSerializer.Deserialize(line, PowerShellHostJson.Default.PowerShellHostFrame);
        }
        catch (JsonException)
        {
            throw new IOException($"packster-pwsh-host wrote something that is not a frame: {line}");
        }
    }

    private async Task PumpStderrAsync(Process process)
    {
        // Read a block at a time, like a handler's own output: a program that prints without newlines costs
        // bounded memory (spec/handlers.md §Running).
        var line = new PartialLine();
        void Text(ReadOnlyMemory<char> text)
        {
            lock (_gate)
            {
                if (_current is { } log) log.Append(line, text.Span);
                else if (line.Text.Length < HandlerLog.MaxLineLength) line.Text.Append(text.Span[..Math.Min(text.Length, HandlerLog.MaxLineLength)]);
            }
        }
        void LineEnd()
        {
            lock (_gate)
            {
                if (!line.Split && line.Text.Equals(PowerShellHostFrame.EndOfScriptMarker.AsSpan())) _scriptEnded?.TrySetResult();
                else if (_current is { } log) log.EndLine(line);
                else if (_startupErrors.Count < 20) _startupErrors.Add(line.Text.ToString());
                line.Clear();
            }
        }
        try
        {
            await OutputReader.ReadAsync(process.StandardError, Text, LineEnd).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The host was killed.
        }
    }

    /// <summary>The error for a host that stopped answering: it exited, or broke the protocol.</summary>
    private async Task<PacksterException> DiedAsync(Process process, string what)
    {
        Kill();
        using var drain = new CancellationTokenSource(StderrDrain);
        try
        {
            await process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
            if (_stderrPump is { } pump) await pump.WaitAsync(drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        string detail;
        lock (_gate) detail = string.Join(" / ", _startupErrors.Take(3));
        var exit = process.HasExited ? $"exit code {process.ExitCode}" : "still running";
        return HandlerErrors.HostDied(what, HostPath, detail.Length > 0 ? $"{exit}: {detail}" : exit);
    }

    /// <summary>The variables that tell a framework-dependent .NET program where its runtime is.</summary>
    private static IEnumerable<KeyValuePair<string, string>> RuntimeVariables()
    {
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (name.StartsWith("DOTNET_ROOT", StringComparison.OrdinalIgnoreCase)) yield return new(name, (string?)entry.Value ?? "");
        }
    }

    /// <summary>Kills the running host with everything it started; the next script starts a fresh one.</summary>
    private Process? Kill()
    {
        Process? process;
        bool ownGroup;
        IDisposable? tracked;
        HandlerRunProcesses? run;
        lock (_gate)
        {
            (process, ownGroup, tracked, run) = (_process, _ownGroup, _tracked, _run);
            _process = null;
            _tracked = null;
        }
        if (process is null) return null;
        ProcessTree.Kill(process, ownGroup, run);
        tracked?.Dispose();
        return process;
    }

    /// <summary>Ends the host: its stdin closes, so it exits after the script it runs (none, between handlers).</summary>
    public void Dispose()
    {
        Process? process;
        lock (_gate) process = _process;
        if (process is not null)
        {
            try
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(ExitAfterClose)) Kill();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
            }
            Kill();
            process.Dispose();
        }
        _oneAtATime.Dispose();
    }
}
