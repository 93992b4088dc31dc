using System.Diagnostics;
using Packster.Handlers;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Core.Tests.Handlers;

/// <summary><see cref="HandlerRunner.KillAllRunning"/> kills every handler of the process: no other test may run one meanwhile.</summary>
[CollectionDefinition(nameof(KillAllRunningTests), DisableParallelization = true)]
public sealed class KillAllRunningCollection;

/// <summary>spec/handlers.md §Interrupts (a second signal) and §Processes: real handlers, real processes.</summary>
[Collection(nameof(KillAllRunningTests))]
public sealed class KillAllRunningTests : IDisposable
{
    private readonly HandlerHarness _h = new();

    [LinuxFact]
    public async Task Killing_every_running_handler_also_kills_their_orphans_that_made_a_session_of_their_own()
    {
        // spec/handlers.md §Interrupts: "A second signal kills every running handler tree at once"; §Processes: with
        // the orphans of the run that left its process group (their own setsid), found by the run's token.
        _h.Script("scripts/install.sh", Escapee.Script("escapee.pid", closeOutput: true, orphanAtOnce: true) + "echo ready\nsleep 300\n");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new SynchronizedStringWriter(line =>
        {
            if (line.EndsWith("ready", StringComparison.Ordinal)) ready.TrySetResult();
        });
        var run = _h.RunAsync(new Dictionary<HandlerAction, HandlerSpec> { [HandlerAction.Install] = new("scripts/install.sh") }, HandlerAction.Install, sink: sink);
        await ready.Task.WaitAsync(TimeSpan.FromMinutes(1));
        var escapee = ProcessProbe.ReadPid(Path.Combine(_h.Package, "escapee.pid"));

        HandlerRunner.KillAllRunning();

        // SIGKILL is delivered, not done, when kill returns: the orphan is gone at one of the next looks at /proc.
        var watch = Stopwatch.StartNew();
        while (ProcessProbe.IsRunning(escapee) && watch.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(5);
        Assert.False(ProcessProbe.IsRunning(escapee), $"the orphan {escapee} outlived the kill of every running handler");
        // The handler itself died of SIGKILL: a failure like any exit code that is not 0.
        var e = await Assert.ThrowsAsync<PacksterException>(() => run);
        Assert.Equal(ErrorCode.HandlerFailed, e.Code);
        Assert.False(Escapee.IsOurZombie(escapee), $"the orphan {escapee} was left as an unreaped zombie");
    }

    public void Dispose()
    {
        if (File.Exists(Path.Combine(_h.Package, "escapee.pid"))) Escapee.KillIfSleeping(ProcessProbe.ReadPid(Path.Combine(_h.Package, "escapee.pid")));
        _h.Dispose();
    }
}
