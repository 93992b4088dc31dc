using System.Globalization;
using System.Runtime.InteropServices;

namespace Packster.PowerShellHost;

/// <summary>
/// The host runs in its own process group (packster starts it through setsid on Linux), so whatever a script
/// started and left running is in that group: after each script it is killed, as packster kills what a handler
/// process leaves behind (spec/handlers.md §Processes). Linux only, where /proc tells each process's group.
/// </summary>
internal static partial class ProcessGroup
{
    private const int SigKill = 9;

    public static void KillOthers()
    {
        if (!OperatingSystem.IsLinux()) return;
        var self = Environment.ProcessId;
        // Only when the host leads its own group: otherwise the group is packster's.
        if (GetPgid(0) != self) return;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self) continue;
            // A process that exited meanwhile cannot be signalled; nothing is left to do for it.
            if (GroupOf(directory) == self) _ = Kill(pid, SigKill);
        }
    }

    /// <summary>Field 5 of /proc/pid/stat, read after the command name, which may hold spaces and parentheses.</summary>
    private static int GroupOf(string procDirectory)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procDirectory, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 2 && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var group) ? group : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "getpgid")]
    private static partial int GetPgid(int pid);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
