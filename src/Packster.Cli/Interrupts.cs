using System.Runtime.InteropServices;
using Packster.Handlers;

namespace Packster.Cli;

/// <summary>
/// SIGINT and SIGTERM for the whole life of the process (spec/handlers.md §Interrupts). The first one cancels
/// <see cref="Token"/>: the command stops its handlers with all their processes, rolls back and reports an error line,
/// and the process exits 128 + the signal's number (130, 143). Should the command still be running after a grace
/// period while no unfinished work is in progress (blocked reading a FIFO, a device, a stalled file system), the
/// process prints the error line and ends from here. A second signal kills every handler tree and ends the process
/// without waiting for the rollback, which the next command on the location completes; with no unfinished work in
/// progress, it ends the process as the grace period would, with nothing to roll back.
/// </summary>
/// <remarks>
/// Listening starts before anything else in <c>Main</c> and never stops: a signal that arrives after the command
/// finished does not change its outcome or its exit code, and one that arrives before the command began still
/// gets an error line. Only a signal during the runtime's own start-up, before <c>Main</c>, gets the default action.
/// </remarks>
internal sealed class Interrupts : IDisposable
{
    /// <summary>How long a cancelled command may take to stop on its own before a blocked read is abandoned.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _cancel = new();
    private readonly TextWriter? _err;
    private readonly object _gate = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signal;
    private int _received;
    private bool _finished;
    private bool _ending;

    private Interrupts(TextWriter? err) => _err = err;

    /// <summary>Does not listen: for running commands inside another process (tests), where signals are the host's.</summary>
    public static Interrupts None() => new(null);

    /// <summary>Listens to SIGINT and SIGTERM from now until the process ends; <paramref name="err"/> gets the error line.</summary>
    public static Interrupts Listen(TextWriter err)
    {
        var interrupts = new Interrupts(err);
        if (OperatingSystem.IsBrowser() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS() || OperatingSystem.IsAndroid()) return interrupts;
        interrupts._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, interrupts.OnSignal));
        interrupts._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, interrupts.OnSignal));
        return interrupts;
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>SIGINT or SIGTERM once one was received, else null.</summary>
    public string? SignalName => Volatile.Read(ref _signal) switch
    {
        2 => "SIGINT",
        15 => "SIGTERM",
        0 => null,
        var other => $"signal {other}",
    };

    /// <summary>The exit code of a command that ended with <paramref name="code"/>: a cancelled one exits 128 + the signal's number.</summary>
    public int ExitCodeFor(int code) =>
        code == ExitCodes.Cancelled && Volatile.Read(ref _signal) is var signal and > 0 ? 128 + signal : code;

    /// <summary>
    /// The command has returned or thrown: its outcome stands, whatever signal comes now. Never returns once this
    /// class has begun to end the process itself, so only one error line is printed.
    /// </summary>
    public void Finish()
    {
        lock (_gate)
        {
            while (_ending) Monitor.Wait(_gate);
            _finished = true;
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Never the default action: it would end packster with its handlers still running and no error line.
        context.Cancel = true;
        int count;
        lock (_gate)
        {
            if (_finished) return;
            count = ++_received;
            if (count == 1) _signal = SignalNumber(context.Signal);
        }
        if (count == 1)
        {
            // Callbacks (killing handlers, rolling back) run on the thread pool, not on the signal thread.
            _ = _cancel.CancelAsync();
            _ = Task.Run(WatchAsync);
            return;
        }
        // No work in progress and nothing committed: nothing to roll back, whatever the first signal had begun to stop
        // (`timeout` signals packster, then its own process group, packster again: two signals for one interrupt).
        if (UnfinishedWork.TryEndProcess())
        {
            End($"interrupted by {SignalName} before anything was changed");
            return;
        }
        HandlerRunner.KillAllRunning();
        End($"interrupted again by {SignalName}; stopped before the rollback finished (the next command on this location completes it)");
    }

    /// <summary>Ends the process once the command is past its grace period and holds no unfinished work.</summary>
    private async Task WatchAsync()
    {
        await Task.Delay(Grace).ConfigureAwait(false);
        while (true)
        {
            lock (_gate)
            {
                if (_finished) return;
            }
            if (UnfinishedWork.TryEndProcess())
            {
                End($"interrupted by {SignalName} before anything was changed");
                return;
            }
            await Task.Delay(Poll).ConfigureAwait(false);
        }
    }

    private void End(string message)
    {
        lock (_gate)
        {
            if (_finished || _ending) return;
            _ending = true;
        }
        _err?.WriteLine($"error[{ExitCodes.Format(ErrorCode.Interrupted)}]: {message}");
        _err?.Flush();
        Environment.Exit(ExitCodeFor(ExitCodes.Cancelled));
    }

    /// <summary>Stops listening. <c>Main</c> never calls it: a signal after that would get the default action and change the exit code.</summary>
    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _cancel.Dispose();
    }

    /// <summary>POSIX numbers: .NET passes its own raw values for the signals it names.</summary>
    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        _ => (int)signal,
    };
}
