using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Packster.Handlers;

/// <summary>
/// Starting a handler so that everything it starts can be stopped: on Linux it is started through
/// <c>setsid</c> (which execs in place, so the handler's pid is also its process group and session id) and
/// stopping it kills the tree .NET can see (<see cref="Process.Kill(bool)"/>) and then the whole group, which
/// also reaches grandchildren whose parents already exited. Elsewhere only the tree is killed.
/// </summary>
internal static class ProcessTree
{
    private static readonly Lazy<string?> SetSid = new(() =>
        OperatingSystem.IsLinux()
            // Fixed locations, not PATH: the handler's PATH must not decide how packster supervises it.
            ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists)
            : null);

    /// <summary>Whether handlers get their own process group here.</summary>
    /// <remarks>Needs both <c>setsid</c> to create the group and libc's <c>kill</c> to signal it.</remarks>
    public static bool GroupsAvailable => SetSid.Value is not null && LibC.CanSignalGroups;

    /// <summary>Fills <paramref name="startInfo"/> to run <paramref name="command"/>, in its own group when possible.</summary>
    public static bool Prepare(ProcessStartInfo startInfo, ResolvedCommand command)
    {
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

    /// <summary>Kills the process, every descendant still linked to it, and (when it has one) its whole group.</summary>
    public static void Kill(Process process, bool ownGroup)
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
    }

    private static readonly object Gate = new();
    private static readonly List<(Process Process, bool OwnGroup)> Running = [];

    /// <summary>Records a handler process (before it starts) until the result is disposed, for <see cref="KillAllRunning"/>.</summary>
    public static IDisposable Track(Process process, bool ownGroup)
    {
        lock (Gate) Running.Add((process, ownGroup));
        return new Tracked(process);
    }

    /// <summary>
    /// Kills every tracked handler with all its processes, at once, from any thread: for an interrupt that must end
    /// packster without waiting for its rollback, so that no handler outlives it.
    /// </summary>
    public static void KillAllRunning()
    {
        lock (Gate)
        {
            foreach (var (process, ownGroup) in Running) Kill(process, ownGroup);
        }
    }

    private sealed class Tracked(Process process) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate) Running.RemoveAll(r => ReferenceEquals(r.Process, process));
        }
    }

    /// <summary>Kills whatever is left in the handler's group after it exited (background jobs it forgot); true when something was.</summary>
    public static bool KillLeftovers(int processGroup) => LibC.KillGroup(processGroup, LibC.SigKill);

    /// <summary>
    /// On Linux, returns once no process of <paramref name="processGroup"/> is alive, or after <paramref name="limit"/>.
    /// A SIGKILL is delivered, not done when <c>kill</c> returns: a killed process closes its files (the handler's output
    /// pipes among them) before it has finished exiting, and <c>/proc</c> shows it running until then. Nothing notifies
    /// of a death outside one's children, so <c>/proc</c> is looked at again each millisecond; a killed process is gone
    /// at the first or second look. A zombie counts as gone: it has exited and only waits for its parent.
    /// </summary>
    public static async Task WaitUntilGoneAsync(int processGroup, TimeSpan limit)
    {
        if (!OperatingSystem.IsLinux() || processGroup <= 1) return;
        var waited = Stopwatch.StartNew();
        while (HasLiveMember(processGroup) && waited.Elapsed < limit) await Task.Delay(1).ConfigureAwait(false);
    }

    /// <summary>Whether <c>/proc</c> lists a process of <paramref name="processGroup"/> that is neither a zombie nor dead.</summary>
    private static bool HasLiveMember(int processGroup)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(directory.AsSpan());
            if (name.IsEmpty || !char.IsAsciiDigit(name[0])) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Join(directory, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone between the listing and the reading, or not ours to read (then not the handler's either).
                continue;
            }
            // "pid (comm) state ppid pgrp ...": the fields follow the last ')', which survives any command name.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 4);
            if (fields.Length < 3 || fields[0] is "Z" or "X") continue;
            if (int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var group) && group == processGroup) return true;
        }
        return false;
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
