using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Packster.Handlers;

/// <summary>
/// Linux: the processes of one handler run that its tree and process group do not reach — a descendant that made a
/// session of its own (<c>setsid</c>) and whose parent exited (spec/handlers.md §Processes). packster is the child
/// subreaper of its descendants, so such an orphan becomes packster's child instead of init's; it is the run's when
/// its chain of parents, read from <c>/proc</c>, reaches packster through the run's handler, through a process whose
/// environment holds the run's token (<see cref="HandlerEnvironment.HandlerRun"/>), through a member of the handler's
/// process group, or through a process already found to be the run's. A process that cleared its environment and
/// whose parent exited cannot be told apart from packster's other children and is left alone.
/// </summary>
internal sealed class HandlerRunProcesses
{
    private static readonly byte[] VariablePrefix = Encoding.ASCII.GetBytes(HandlerEnvironment.HandlerRun + "=");

    private readonly object _gate = new();
    private readonly byte[] _token;
    private readonly int _self = Environment.ProcessId;

    /// <summary>The run's members found so far (pid → start time): killed, and reaped once they are zombies of packster.</summary>
    private readonly Dictionary<int, ulong> _members = [];

    private (int Pid, ulong Start) _handler;
    private int _processGroup;

    private HandlerRunProcesses(string token)
    {
        Token = token;
        _token = Encoding.ASCII.GetBytes(token);
    }

    /// <summary>The run's token: 32 random hex digits.</summary>
    public string Token { get; }

    /// <summary>A new run, or null where orphans cannot be found (not Linux, or packster could not become their subreaper).</summary>
    public static HandlerRunProcesses? Begin() =>
        ProcessTree.FindsOrphans ? new HandlerRunProcesses(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))) : null;

    /// <summary>
    /// This packster process's token, 32 random hex digits: every handler it runs carries it in
    /// <see cref="HandlerEnvironment.HandlerRun"/>, and the location lock's holder file records it, so that the next
    /// holder, when this process died holding the lock, can find and kill what its handlers left running
    /// (<see cref="KillRunsOf"/>; spec/handlers.md §Processes).
    /// </summary>
    public static string HolderToken { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether <paramref name="text"/> has the shape of a token (32 lowercase hex digits).</summary>
    public static bool IsToken(string text) => text.Length == 32 && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>
    /// The value of <see cref="HandlerEnvironment.HandlerRun"/> for a handler: the tokens of the runs it is part of (a
    /// handler that runs packster), then this process's <see cref="HolderToken"/>, then the run's own token (none where
    /// <paramref name="run"/> is null), space-separated, so each of those finds its processes too.
    /// </summary>
    public static string Variable(IReadOnlyDictionary<string, string> environment, HandlerRunProcesses? run)
    {
        var outer = environment.TryGetValue(HandlerEnvironment.HandlerRun, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() + " " : "";
        return run is null ? $"{outer}{HolderToken}" : $"{outer}{HolderToken} {run.Token}";
    }

    /// <summary>
    /// Linux: kills (SIGKILL) every process whose environment carries <paramref name="token"/> among the words of
    /// <see cref="HandlerEnvironment.HandlerRun"/>, and every descendant of one, looking at <c>/proc</c> again until a
    /// look finds none alive (a process forked meanwhile is found by the next look) or <paramref name="limit"/> has
    /// passed. For the handlers of a packster that died holding a location's lock: they were re-parented away from it,
    /// and would go on writing into the location. Returns how many it killed; a zombie counts as gone.
    /// </summary>
    public static int KillRunsOf(string token, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!OperatingSystem.IsLinux() || !IsToken(token) || !LibC.CanSignalGroups) return 0;
        var wanted = Encoding.ASCII.GetBytes(token);
        var self = Environment.ProcessId;
        var killed = new HashSet<(int, ulong)>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            var table = ProcessTable.Read();
            var byPid = new Dictionary<int, ProcessTable.Entry>(table.Count);
            foreach (var entry in table) byPid[entry.Pid] = entry;
            var known = new Dictionary<int, bool>();
            var left = false;
            foreach (var entry in table)
            {
                if (entry.IsZombie || entry.Pid == self || !Carries(entry.Pid, byPid, known, wanted)) continue;
                LibC.KillProcess(entry.Pid, LibC.SigKill);
                killed.Add((entry.Pid, entry.Start));
                left = true;
            }
            if (!left) break;
            Thread.Sleep(1);
        }
        return killed.Count;
    }

    /// <summary>Whether <paramref name="pid"/> or one of its ancestors carries <paramref name="token"/>.</summary>
    private static bool Carries(int pid, Dictionary<int, ProcessTable.Entry> byPid, Dictionary<int, bool> known, byte[] token)
    {
        var chain = new List<int>();
        var current = pid;
        var result = false;
        while (true)
        {
            if (known.TryGetValue(current, out result)) break;
            if (current <= 1 || !byPid.TryGetValue(current, out var entry) || chain.Count > byPid.Count)
            {
                result = false;
                break;
            }
            chain.Add(current);
            if (!entry.IsZombie && HoldsToken(current, token))
            {
                result = true;
                break;
            }
            current = entry.Parent;
        }
        foreach (var below in chain) known[below] = result;
        return result;
    }

    /// <summary>Records the handler process just started (<paramref name="processGroup"/> 0 when it has no group of its own).</summary>
    public void Started(int pid, int processGroup)
    {
        var start = ProcessTable.ReadOne($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}", pid)?.Start ?? 0;
        lock (_gate)
        {
            _handler = (pid, start == 0 ? ulong.MaxValue : start);
            _processGroup = processGroup;
        }
    }

    /// <summary>
    /// Looks at <c>/proc</c> once: sends SIGKILL to every live process of the run (the handler itself excepted: it is
    /// killed as the root of its tree) and reaps those that are zombies and packster's children. Returns whether any
    /// is still there, alive, dying or a zombie waiting to be reaped, and through <paramref name="newlyKilled"/> whether
    /// one was found that earlier looks had not.
    /// </summary>
    public bool Sweep(out bool newlyKilled) => Sweep(ProcessTable.Read(), out newlyKilled);

    /// <inheritdoc cref="Sweep(out bool)"/>
    public bool Sweep(IReadOnlyList<ProcessTable.Entry> table, out bool newlyKilled)
    {
        newlyKilled = false;
        var left = false;
        lock (_gate)
        {
            var byPid = new Dictionary<int, ProcessTable.Entry>(table.Count);
            foreach (var entry in table) byPid[entry.Pid] = entry;
            // A member that is gone, or whose pid now names another process (another start time), is no longer looked for.
            foreach (var (pid, start) in _members.ToList())
            {
                if (!byPid.TryGetValue(pid, out var entry) || entry.Start != start) _members.Remove(pid);
            }
            var belongs = new Dictionary<int, bool>();
            foreach (var entry in table)
            {
                if (!Belongs(entry.Pid, byPid, belongs) || IsHandler(entry)) continue;
                if (entry.IsZombie)
                {
                    _members[entry.Pid] = entry.Start;
                    // A zombie whose parent is another member is reaped by it, or becomes packster's when that parent dies.
                    if (entry.Parent == _self && LibC.TryReap(entry.Pid)) _members.Remove(entry.Pid);
                    else left = true;
                    continue;
                }
                if (_members.TryAdd(entry.Pid, entry.Start)) newlyKilled = true;
                LibC.KillProcess(entry.Pid, LibC.SigKill);
                left = true;
            }
        }
        return left;
    }

    private bool IsHandler(ProcessTable.Entry entry) => entry.Pid == _handler.Pid && entry.Start == _handler.Start;

    /// <summary>Whether <paramref name="pid"/> descends from packster through a process that is the run's (or is one).</summary>
    private bool Belongs(int pid, Dictionary<int, ProcessTable.Entry> byPid, Dictionary<int, bool> known)
    {
        // Up the chain of parents until packster, a process outside its descendants, or one already decided.
        var chain = new List<ProcessTable.Entry>();
        var current = pid;
        bool above;
        while (true)
        {
            if (known.TryGetValue(current, out above)) break;
            if (current == _self || !byPid.TryGetValue(current, out var entry) || current <= 1 || chain.Count > byPid.Count)
            {
                above = false;
                // Not packster's descendant at all: nothing on the chain is the run's.
                if (current != _self)
                {
                    foreach (var below in chain) known[below.Pid] = false;
                    return false;
                }
                break;
            }
            chain.Add(entry);
            current = entry.Parent;
        }
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            above = above || IsRoot(chain[i]);
            known[chain[i].Pid] = above;
        }
        return known.TryGetValue(pid, out var result) && result;
    }

    /// <summary>Whether the process is the run's by itself: its handler, a member found before, of its group, or holding its token.</summary>
    private bool IsRoot(ProcessTable.Entry entry) =>
        IsHandler(entry)
        || (_members.TryGetValue(entry.Pid, out var start) && start == entry.Start)
        || (_processGroup > 1 && entry.Group == _processGroup)
        || (!entry.IsZombie && HoldsToken(entry.Pid, _token));

    /// <summary>Whether <c>/proc/&lt;pid&gt;/environ</c> has <paramref name="token"/> among the words of <see cref="HandlerEnvironment.HandlerRun"/>.</summary>
    private static bool HoldsToken(int pid, byte[] token) => ProcessTable.EnvironmentHolds(pid, VariablePrefix, token);
}

/// <summary>Linux: one reading of every process's <c>/proc/&lt;pid&gt;/stat</c>.</summary>
internal static class ProcessTable
{
    /// <param name="Start">Start time in clock ticks after boot: with the pid, it names one process (a pid is reused, this pair is not).</param>
    internal readonly record struct Entry(int Pid, char State, int Parent, int Group, ulong Start)
    {
        /// <summary>Exited (a zombie, only waiting for its parent) or dead.</summary>
        public bool IsZombie => State is 'Z' or 'X';
    }

    public static List<Entry> Read()
    {
        var entries = new List<Entry>();
        if (!OperatingSystem.IsLinux()) return entries;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(directory.AsSpan());
            if (name.IsEmpty || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (ReadOne(directory, pid) is { } entry) entries.Add(entry);
        }
        return entries;
    }

    /// <summary>
    /// Whether <c>/proc/&lt;pid&gt;/environ</c> has a variable <paramref name="variablePrefix"/> (<c>NAME=</c>) whose value
    /// holds <paramref name="word"/> among its space-separated words; false when it cannot be read.
    /// </summary>
    public static bool EnvironmentHolds(int pid, ReadOnlySpan<byte> variablePrefix, ReadOnlySpan<byte> word)
    {
        byte[] environment;
        try
        {
            environment = File.ReadAllBytes($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone, or not readable (another user's, set-uid): not attributable.
            return false;
        }
        ReadOnlySpan<byte> all = environment;
        foreach (var variable in all.Split((byte)0))
        {
            if (!all[variable].StartsWith(variablePrefix)) continue;
            var value = all[variable][variablePrefix.Length..];
            foreach (var part in value.Split((byte)' '))
            {
                if (value[part].SequenceEqual(word)) return true;
            }
        }
        return false;
    }

    /// <summary>The entry of process <paramref name="pid"/> from its <c>/proc</c> <paramref name="directory"/>; null when it is gone or unreadable.</summary>
    public static Entry? ReadOne(string directory, int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(Path.Join(directory, "stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone between the listing and the reading, or not ours to read (then not a handler's either).
            return null;
        }
        // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime
        // cstime priority nice num_threads itrealvalue starttime ...": the fields follow the last ')', which
        // survives any command name.
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length) return null;
        var fields = stat[(close + 2)..].Split(' ', 21);
        if (fields.Length < 20 || fields[0].Length != 1) return null;
        if (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            || !int.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var group)
            || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }
        return new Entry(pid, fields[0][0], parent, group, start);
    }
}
