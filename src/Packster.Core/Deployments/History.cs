using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Locations;

namespace Packster.Deployments;

/// <summary>
/// The location's operation log <c>history.jsonl</c> (spec/lockfile.md § History): one JSON object per line, appended
/// under the location lock after a successful commit. A line a crash tore is skipped on read, never repaired in place.
/// </summary>
public static class History
{
    public const string FileName = "history.jsonl";

    public static string PathOf(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Path.Combine(location.Path, FileName);
    }

    /// <summary>Appends <paramref name="entry"/>; the caller holds the location lock and has just committed.</summary>
    public static void Append(Location location, HistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = PathOf(location);
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var prefix = EndsTorn(stream) ? "\n" : "";
        stream.Seek(0, SeekOrigin.End);
        var bytes = Encoding.UTF8.GetBytes(prefix + entry.ToJson().ToJsonString() + "\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Appends, but never fails the command: the history is a record of a change already committed, so a full disk or
    /// a read-only file must not turn a successful install into an error. The problem is reported on <paramref name="messages"/>.
    /// </summary>
    public static void TryAppend(Location location, HistoryEntry entry, TextWriter messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        try
        {
            Append(location, entry);
        }
        catch (IOException e)
        {
            messages.WriteLine($"warning: could not append to {PathOf(location)}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            messages.WriteLine($"warning: could not append to {PathOf(location)}: {e.Message}");
        }
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
