using System.Runtime.InteropServices;

namespace Packster.Cli;

/// <summary>
/// Turns the first Ctrl-C (SIGINT) or SIGTERM into cancellation of <see cref="Token"/>, from process start on; a
/// second signal gets the default action, so a stuck rollback can still be interrupted.
/// </summary>
/// <remarks>
/// System.CommandLine only listens once the command's action has yielded for the first time; everything before that
/// (extraction, starting a handler) ran with the default SIGINT action, which ended packster at once and left a
/// handler running in its own session. Registering here closes that window.
/// </remarks>
internal sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration? _sigint;
    private readonly PosixSignalRegistration? _sigterm;
    private int _received;

    public Interrupts()
    {
        if (OperatingSystem.IsBrowser() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS() || OperatingSystem.IsAndroid()) return;
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _cancel.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _received) > 1) return;
        context.Cancel = true;
        // Callbacks (killing handlers, rolling back) run on the thread pool, not on the signal thread.
        _ = _cancel.CancelAsync();
    }

    public void Dispose()
    {
        _sigint?.Dispose();
        _sigterm?.Dispose();
        _cancel.Dispose();
    }
}
