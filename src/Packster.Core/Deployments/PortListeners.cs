using System.Globalization;

namespace Packster.Deployments;

/// <summary>
/// Who listens on a TCP port, on Linux: the listening sockets <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c> list for
/// it, against the sockets a service's processes hold open (<c>/proc/&lt;pid&gt;/fd</c>). A port that accepts
/// connections is not yet the service's: another program may have taken it between packster's check that it was free
/// and the service's own bind (spec/activation.md § Services). Elsewhere nothing can be told.
/// </summary>
internal static class PortListeners
{
    private const string Listen = "0A";

    /// <summary>
    /// The ports of <paramref name="ports"/> that something listens on, none of it a socket of a process of the service
    /// whose process <paramref name="root"/> is (it, its descendants and the members of its process group). Empty when
    /// each is the service's, and whenever it cannot be told: not Linux, a table or a process's descriptors that cannot
    /// be read, a port no table lists.
    /// </summary>
    public static IReadOnlyList<int> HeldByOthers(IReadOnlyList<int> ports, int root)
    {
        if (!OperatingSystem.IsLinux() || ports.Count == 0) return [];
        var listeners = new Dictionary<int, HashSet<long>>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!TryReadListeners(table, ports, listeners)) return [];
        }
        if (listeners.Count < ports.Distinct().Count()) return [];
        if (SocketsOf(Processes(root)) is not { } sockets) return [];
        return [.. ports.Distinct().Where(p => !listeners[p].Overlaps(sockets))];
    }

    /// <summary>Adds, for each port of <paramref name="ports"/>, the inodes of the sockets <paramref name="table"/> lists listening on it.</summary>
    private static bool TryReadListeners(string table, IReadOnlyList<int> ports, Dictionary<int, HashSet<long>> listeners)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(table);
        }
        catch (FileNotFoundException)
        {
            // A kernel without IPv6 has no tcp6 table: nothing listens there.
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …", the address as HEX:PORT in hex.
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[3] != Listen) continue;
            var colon = fields[1].LastIndexOf(':');
            if (colon < 0 || !int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port)) continue;
            if (!ports.Contains(port) || !long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)) continue;
            if (!listeners.TryGetValue(port, out var inodes)) listeners[port] = inodes = [];
            inodes.Add(inode);
        }
        return true;
    }

    /// <summary><paramref name="root"/>, every process descending from it, and every member of its process group.</summary>
    private static HashSet<int> Processes(int root)
    {
        var table = Handlers.ProcessTable.Read();
        var found = new HashSet<int> { root };
        foreach (var entry in table)
        {
            if (entry.Group == root) found.Add(entry.Pid);
        }
        // Descendants: whoever's parent is found, until no more are.
        for (var added = true; added;)
        {
            added = false;
            foreach (var entry in table)
            {
                if (found.Contains(entry.Parent) && found.Add(entry.Pid)) added = true;
            }
        }
        return found;
    }

    /// <summary>The inodes of the sockets <paramref name="processes"/> hold open; null when the descriptors of one that still runs cannot be read.</summary>
    private static HashSet<long>? SocketsOf(HashSet<int> processes)
    {
        var sockets = new HashSet<long>();
        foreach (var pid in processes)
        {
            IEnumerable<string> descriptors;
            try
            {
                descriptors = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").ToList();
            }
            catch (DirectoryNotFoundException)
            {
                // Exited since it was listed: it holds nothing.
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            foreach (var descriptor in descriptors)
            {
                string? target;
                try
                {
                    target = new FileInfo(descriptor).LinkTarget;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                // "socket:[12345]"
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                    && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
                {
                    sockets.Add(inode);
                }
            }
        }
        return sockets;
    }
}
