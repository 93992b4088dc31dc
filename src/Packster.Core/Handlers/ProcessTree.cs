using System.ComponentModel;
using System.Diagnostics;

namespace Packster.Handlers;

/// <summary>
/// Starting a handler so that everything it starts can be stopped: on Linux it is started through
/// <c>setsid</c> (which execs in place, so the handler's pid is also its process group and session id) and
/// stopping it kills the tree .NET can see (<see cref="Process.Kill(bool)"/>) and then the whole group, which
/// also reaches grandchildren whose parents already exited. Processes that left the group too (their own
/// <c>setsid</c>) are found as orphans packster became the parent of (<see cref="HandlerRunProcesses"/>).
/// Elsewhere only the tree is killed.
/// </summary>
internal static class ProcessTree
{
    private static readonly Lazy<string?> SetSid = new(() =>
        OperatingSystem.IsLinux()
            // Fixed locations, not PATH: the handler's PATH must not decide how packster supervises it.
            ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists)
            : null);

    /// <summary>
    /// Linux: packster becomes the child subreaper of its descendants, once, before the first handler starts: the orphans
    /// of a handler's processes become packster's children instead of init's, so <c>/proc</c> can tell whose they are.
    /// </summary>
    /// <remarks>Only where they can also be killed and reaped: a subreaper that cannot reap would collect zombies.</remarks>
    private static readonly Lazy<bool> Subreaper = new(() =>
        OperatingSystem.IsLinux() && LibC.CanSignalGroups && LibC.CanReap && LibC.BecomeChildSubreaper());

    /// <summary>Whether the orphans of a handler's processes can be found here (<see cref="HandlerRunProcesses"/>).</summary>
    public static bool FindsOrphans => Subreaper.Value;

    /// <summary>Whether handlers get their own process group here.</summary>
    /// <remarks>Needs both <c>setsid</c> to create the group and libc's <c>kill</c> to signal it.</remarks>
    public static bool GroupsAvailable => SetSid.Value is not null && LibC.CanSignalGroups;

    /// <summary>Fills <paramref name="startInfo"/> to run <paramref name="command"/>, in its own group when possible.</summary>
    public static bool Prepare(ProcessStartInfo startInfo, ResolvedCommand command)
    {
        _ = Subreaper.Value;
        if (GroupsAvailable)
        {
            startInfo.FileName = SetSid.Value!;
            startInfo.ArgumentList.Add("--");
            startInfo.ArgumentList.Add(command.FileName);
        }
        else
        {
            startInfo.FileName = command.FileName;
        }
        foreach (var argument in command.Arguments) startInfo.ArgumentList.Add(argument);
        return GroupsAvailable;
    }

    /// <summary>
    /// Kills the process, every descendant still linked to it, (when it has one) its whole group, and (when given) the
    /// run's orphans that left the group, looking again until a look finds none it had not found before.
    /// </summary>
    public static void Kill(Process process, bool ownGroup, HandlerRunProcesses? run = null)
    {
        var group = SafeId(process);
        try
        {
            // Stops the root first, then walks its children, so none can escape by forking meanwhile.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exited between the check and the signal.
        }
        if (ownGroup && group > 0) LibC.KillGroup(group, LibC.SigKill);
        if (run is not null) KillOrphans(run);
    }

    /// <summary>Kills the run's orphans; a process forked meanwhile is found by the next look, so looks until one finds nothing new.</summary>
    private static void KillOrphans(HandlerRunProcesses run)
    {
        for (var look = 0; look < 100; look++)
        {
            if (!run.Sweep(out var newlyKilled) || !newlyKilled) return;
        }
    }

    private static readonly object Gate = new();
    private static readonly List<(Process Process, bool OwnGroup, HandlerRunProcesses? Run)> Running = [];

    /// <summary>Records a handler process (before it starts) until the result is disposed, for <see cref="KillAllRunning"/>.</summary>
    public static IDisposable Track(Process process, bool ownGroup, HandlerRunProcesses? run = null)
    {
        lock (Gate) Running.Add((process, ownGroup, run));
        return new Tracked(process, run);
    }

    /// <summary>
    /// Kills every tracked handler with all its processes, at once, from any thread: for an interrupt that must end
    /// packster without waiting for its rollback, so that no handler outlives it.
    /// </summary>
    public static void KillAllRunning()
    {
        lock (Gate)
        {
            foreach (var (process, ownGroup, run) in Running) Kill(process, ownGroup, run);
        }
    }

    /// <summary>One record of <see cref="Track"/>: the hosted PowerShell's host is tracked for itself and, while a script runs, with that script's run.</summary>
    private sealed class Tracked(Process process, HandlerRunProcesses? run) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate) Running.RemoveAll(r => ReferenceEquals(r.Process, process) && ReferenceEquals(r.Run, run));
        }
    }

    /// <summary>
    /// Kills whatever is left of the handler after it exited — background jobs it forgot, in its group, and the run's
    /// orphans that left the group; true when something was.
    /// </summary>
    public static bool KillLeftovers(int processGroup, HandlerRunProcesses? run)
    {
        var leftovers = processGroup > 1 && LibC.KillGroup(processGroup, LibC.SigKill);
        // A process of the run that outlived the handler descends from a child of packster, its subreaper (the handler's
        // own children were packster's as soon as it exited, and a zombie stays a child until reaped): with no child,
        // there is nothing to look for in /proc, and most handlers leave nothing.
        return (run is not null && (leftovers || HasChildren()) && run.Sweep(out _)) || leftovers;
    }

    /// <summary>Whether packster has a child process, alive or a zombie (Linux: <c>/proc/self/task/*/children</c>); true when that cannot be told.</summary>
    private static bool HasChildren()
    {
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                // A kernel without the children files, or a thread gone meanwhile: cannot be told.
                var children = Path.Join(task, "children");
                if (!File.Exists(children) || File.ReadAllText(children).Length > 0) return true;
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>
    /// On Linux, returns once no process of <paramref name="processGroup"/> (0: none) is alive and none of
    /// <paramref name="run"/> (null: none) is alive or an unreaped zombie of packster, or after <paramref name="limit"/>;
    /// each look also kills the run's processes it finds (one forked meanwhile) and reaps those that died.
    /// A SIGKILL is delivered, not done when <c>kill</c> returns: a killed process closes its files (the handler's output
    /// pipes among them) before it has finished exiting, and <c>/proc</c> shows it running until then. Nothing notifies
    /// of a death outside one's children, so <c>/proc</c> is looked at again each millisecond; a killed process is gone
    /// at the first or second look. A zombie counts as gone: it has exited and only waits for its parent.
    /// </summary>
    public static async Task WaitUntilGoneAsync(int processGroup, HandlerRunProcesses? run, TimeSpan limit)
    {
        if (!OperatingSystem.IsLinux() || (processGroup <= 1 && run is null)) return;
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            var table = ProcessTable.Read();
            // Both looks, always: the sweep reaps what died even while the group still has a live member.
            var runLeft = run is not null && run.Sweep(table, out _);
            var groupLeft = processGroup > 1 && table.Any(e => e.Group == processGroup && !e.IsZombie);
            if (!runLeft && !groupLeft) return;
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    private static int SafeId(Process process)
    {
        try
        {
            return process.Id;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }
}
