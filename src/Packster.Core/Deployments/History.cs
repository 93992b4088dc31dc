using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Locations;

namespace Packster.Deployments;

/// <summary>
/// The location's operation log <c>history.jsonl</c> (spec/lockfile.md § History): one JSON object per line, appended
/// under the location lock after a successful commit, through the <see cref="HistoryJournal"/> so a line a commit owes
/// is never lost nor written twice. A line a crash tore is skipped on read, never repaired in place.
/// </summary>
public static class History
{
    public const string FileName = Location.HistoryFileName;

    public static string PathOf(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Path.Combine(location.Path, FileName);
    }

    /// <summary>The file's length now (0 when it does not exist): where the lines of the next commit will start.</summary>
    public static long Length(Location location)
    {
        var info = new FileInfo(PathOf(location));
        return info.Exists ? info.Length : 0;
    }

    /// <summary>
    /// Appends those of <paramref name="lines"/> that are not already in the file after <paramref name="offset"/>; the
    /// caller holds the location lock. Lines are matched in order, complete lines only, so an append a crash or a full
    /// disk cut short is completed, and an append that finished is never repeated (spec/lockfile.md § History journal).
    /// </summary>
    internal static void AppendMissing(Location location, long offset, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0) return;
        var path = PathOf(location);
        Location.RefuseLink(path);
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var present = CountPresent(stream, offset, lines);
        if (present == lines.Count) return;
        CrashPoint.Hit("history.append");
        var prefix = EndsTorn(stream) ? "\n" : "";
        stream.Seek(0, SeekOrigin.End);
        var text = new StringBuilder(prefix);
        foreach (var line in lines.Skip(present)) text.Append(line).Append('\n');
        stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>How many of <paramref name="lines"/>, in order, are complete lines of the file after <paramref name="offset"/>.</summary>
    private static int CountPresent(FileStream stream, long offset, IReadOnlyList<string> lines)
    {
        if (offset < 0 || offset >= stream.Length) return 0;
        stream.Seek(offset, SeekOrigin.Begin);
        var tail = new byte[stream.Length - offset];
        stream.ReadExactly(tail);
        var pieces = Encoding.UTF8.GetString(tail).Split('\n');
        var present = 0;
        // The last piece follows the last newline: empty, or a line cut short. Only complete lines count.
        foreach (var piece in pieces.Take(pieces.Length - 1))
        {
            if (present < lines.Count && string.Equals(piece, lines[present], StringComparison.Ordinal)) present++;
        }
        return present;
    }

    /// <summary>Every entry in file order; lines that do not parse (a torn write) are skipped.</summary>
    public static IReadOnlyList<HistoryEntry> Read(Location location)
    {
        var path = PathOf(location);
        if (!File.Exists(path)) return [];
        var entries = new List<HistoryEntry>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            if (HistoryEntry.TryParse(line) is { } entry) entries.Add(entry);
        }
        return entries;
    }

    /// <summary>
    /// Every entry in file order, for people and scripts (<c>packster history</c>): a torn line — what a crash leaves,
    /// a JSON object cut short (<c>{</c> without its closing <c>}</c>) — is skipped as by <see cref="Read"/>, but any other
    /// line that is not an entry (a changed byte, text written by something else) is PST5018 naming its line number.
    /// </summary>
    public static IReadOnlyList<HistoryEntry> ReadChecked(Location location)
    {
        var path = PathOf(location);
        if (!File.Exists(path)) return [];
        var entries = new List<HistoryEntry>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            if (HistoryEntry.TryParse(line) is { } entry)
            {
                entries.Add(entry);
                continue;
            }
            var torn = line.StartsWith('{') && !line.TrimEnd().EndsWith('}');
            if (!torn)
            {
                throw new PacksterException(ErrorCode.HistoryCorrupt, $"{path}:{number}: not a history event: {(line.Length > 80 ? line[..80] + "…" : line)}",
                    "the other lines are intact; the lockfile and generations are not affected. Move the file aside to start a new history");
            }
        }
        return entries;
    }

    /// <summary>True when the file's last byte is not a newline: a crash cut the previous append short.</summary>
    private static bool EndsTorn(FileStream stream)
    {
        if (stream.Length == 0) return false;
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }
}

/// <summary>One operation in a location's history. <see cref="Previous"/> is the deployment it replaced, when any.</summary>
public sealed record HistoryEntry(DateTimeOffset Time, string Action, string Id, string Version, string Deployment)
{
    public HistoryPrevious? Previous { get; init; }

    public string User { get; init; } = Environment.UserName;

    /// <summary>An entry stamped now (UTC, whole seconds) by <paramref name="clock"/>.</summary>
    public static HistoryEntry Now(TimeProvider? clock, string action, DeploymentEntry deployment, DeploymentEntry? previous = null)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var whole = new DateTimeOffset(now.UtcDateTime.Ticks - now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        return new HistoryEntry(whole, action, deployment.Id.Value, deployment.Version.ToString(), deployment.Hash.Hex)
        {
            Previous = previous is null ? null : new HistoryPrevious(previous.Version.ToString(), previous.Hash.Hex),
        };
    }

    /// <summary>The entry as its one line in <c>history.jsonl</c> (without the newline).</summary>
    public string ToLine() => ToJson().ToJsonString();

    public JsonObject ToJson()
    {
        var node = new JsonObject
        {
            ["time"] = Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["action"] = Action,
            ["id"] = Id,
            ["version"] = Version,
            ["deployment"] = Deployment,
        };
        if (Previous is { } p) node["previous"] = new JsonObject { ["version"] = p.Version, ["deployment"] = p.Deployment };
        node["user"] = User;
        return node;
    }

    /// <summary>The entry on one line, or null when the line is not a complete entry.</summary>
    public static HistoryEntry? TryParse(string line)
    {
        try
        {
            if (JsonNode.Parse(line) is not JsonObject o) return null;
            var time = DateTimeOffset.Parse(Text(o, "time"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            HistoryPrevious? previous = o["previous"] is JsonObject p ? new HistoryPrevious(Text(p, "version"), Text(p, "deployment")) : null;
            return new HistoryEntry(time, Text(o, "action"), Text(o, "id"), Text(o, "version"), Text(o, "deployment"))
            {
                Previous = previous,
                User = o["user"]?.GetValue<string>() ?? "",
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static string Text(JsonObject o, string key) =>
        o[key]?.GetValue<string>() ?? throw new KeyNotFoundException(key);
}

/// <summary>The deployment an operation replaced.</summary>
public sealed record HistoryPrevious(string Version, string Deployment);
