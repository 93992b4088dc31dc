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
        using var stream = FileSystemErrors.OpeningFile(path, () => new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read));
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

    /// <summary>
    /// Every commit line (spec/history.md § Commit lines) in file order with its 1-based line number. A torn line is
    /// skipped; any other line that is not a JSON object is PST5018 naming its number, because a commit line it might
    /// have been would be missing from the replay.
    /// </summary>
    public static IEnumerable<(int Number, JsonObject Line)> CommitLines(Location location) => CommitLines(location, null);

    /// <summary>
    /// As <see cref="CommitLines(Location)"/>, but lines before the first that contains <paramref name="from"/> are
    /// skipped unread (a replay that starts from a checkpoint needs nothing before that checkpoint's line).
    /// </summary>
    public static IEnumerable<(int Number, JsonObject Line)> CommitLines(Location location, string? from)
    {
        var path = PathOf(location);
        if (!FileSystemErrors.FileExists(path, "cannot read", FolderHint)) yield break;
        var number = 0;
        foreach (var (line, overlong) in Lines(location, path))
        {
            number++;
            if (overlong is not null)
            {
                if (overlong.OnlyZeros) continue;
                throw TooLong(path, number, overlong);
            }
            if (line.Length == 0) continue;
            if (from is not null)
            {
                if (!line.Contains(from, StringComparison.Ordinal)) continue;
                from = null;
            }
            var node = ParseObject(line);
            if (node is null)
            {
                if (IsTorn(line)) continue;
                throw Corrupt(path, number, line);
            }
            if (IsCommit(node)) yield return (number, node);
        }
    }

    /// <summary>
    /// The <c>lockfile</c> digest the last commit line names: of <paramref name="pending"/> (lines owed, not yet in the
    /// file) when one of them is a commit line, else of the file, read backwards from its end; null when there is none.
    /// </summary>
    internal static string? LastCommitDigest(Location location, IReadOnlyList<string> pending)
    {
        for (var i = pending.Count - 1; i >= 0; i--)
        {
            if (ParseObject(pending[i]) is { } owed && IsCommit(owed)) return StrictJson.Text(owed["lockfile"]);
        }
        var path = PathOf(location);
        if (!File.Exists(path)) return null;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        // A commit line carries at most what the lockfile holds (whole entries) and the hashes it no longer lists: a
        // longer run of bytes without a newline (a tail of zeros a power cut left) is passed over, not gathered.
        var longest = 2 * new FileInfo(location.LockfilePath).Length + (1 << 20);
        // The last line is usually a commit line of a few KiB: read back in blocks that grow to 64 KiB. The part of a
        // line not yet ended by a newline is kept as the blocks read (latest first), joined once its start is found.
        var block = 8 * 1024;
        var pieces = new List<byte[]>();
        long gathered = 0;
        var skipping = false;
        var end = stream.Length;
        while (end > 0)
        {
            var start = Math.Max(0, end - block);
            block = Math.Min(block * 2, 64 * 1024);
            var read = new byte[end - start];
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(read);
            end = start;
            if (skipping)
            {
                // Still inside the over-long line, or at its start: what comes before it is read as usual.
                var before = read.AsSpan().LastIndexOf((byte)'\n');
                if (before < 0) continue;
                read = read[..before];
                skipping = false;
            }
            // Complete lines only: everything after the first newline of the block (all of it at the file's start).
            var first = start == 0 ? -1 : read.AsSpan().IndexOf((byte)'\n');
            if (start > 0 && first < 0)
            {
                pieces.Add(read);
                gathered += read.Length;
                if (gathered > longest)
                {
                    (skipping, gathered) = (true, 0);
                    pieces.Clear();
                }
                continue;
            }
            var chunk = new byte[read.Length + gathered];
            read.CopyTo(chunk, 0);
            var at = read.Length;
            for (var i = pieces.Count - 1; i >= 0; i--)
            {
                pieces[i].CopyTo(chunk, at);
                at += pieces[i].Length;
            }
            (pieces, gathered) = ([], 0);
            var lines = chunk.AsSpan(first + 1);
            // Lines are looked at as bytes, from the last back; only one that carries the marker is decoded and parsed.
            while (!lines.IsEmpty)
            {
                var cut = lines.LastIndexOf((byte)'\n');
                var line = lines[(cut + 1)..];
                lines = cut < 0 ? [] : lines[..cut];
                if (line.IndexOf(CommitMarkerUtf8) >= 0 && ParseObject(Encoding.UTF8.GetString(line)) is { } node && IsCommit(node))
                {
                    return StrictJson.Text(node["lockfile"]);
                }
            }
            if (first > 0) (pieces, gathered) = ([chunk[..first]], first);
        }
        return null;
    }

    private const string CommitMarker = "\"action\":\"commit\"";

    private static ReadOnlySpan<byte> CommitMarkerUtf8 => "\"action\":\"commit\""u8;

    private static bool IsCommit(JsonObject node) => StrictJson.Text(node["action"]) == HistoryReplay.CommitAction;

    private static JsonObject? ParseObject(string line)
    {
        try
        {
            return StrictJson.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The file's lines (split at <c>\n</c>, a <c>\r</c> before it dropped), none held longer than a history line can be:
    /// a commit line carries at most what the lockfile holds and the hashes it no longer lists (2 × the lockfile + 1 MiB,
    /// as <see cref="LastCommitDigest"/> counts), an event far less. A longer line — the zeros a power cut leaves, or
    /// bytes written by something else — is read through without being kept and comes back as an
    /// <see cref="OverlongLine"/> (a 3 GB line made <c>history</c> run out of memory), and so does a line of zero bytes
    /// alone, of any length: readers skip those, and report a long line of anything else as PST5018.
    /// </summary>
    private static IEnumerable<(string Text, OverlongLine? Overlong)> Lines(Location location, string path)
    {
        var longest = 2 * (File.Exists(location.LockfilePath) ? new FileInfo(location.LockfilePath).Length : 0) + (1 << 20);
        // Its callers found a regular file there; one swapped since for a FIFO is refused as they refuse one, not waited on.
        var handle = FileSystemErrors.AtFile(path, "cannot read", () => RegularFile.Open(path, kind => FileSystemErrors.NotAFile(path, kind, "cannot read", FolderHint)));
        using var reader = new StreamReader(new FileStream(handle, FileAccess.Read, bufferSize: 0), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        var line = new System.Text.StringBuilder();
        var buffer = new char[1 << 16];
        long length = 0;
        var onlyZeros = true;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n') continue;
                yield return Finish(buffer.AsSpan(start, i - start));
                start = i + 1;
            }
            Take(buffer.AsSpan(start, read - start));
        }
        if (length > 0) yield return Finish([]);

        void Take(ReadOnlySpan<char> part)
        {
            length += part.Length;
            if (onlyZeros && part.ContainsAnyExcept('\0')) onlyZeros = false;
            if (length <= longest) line.Append(part);
        }

        (string, OverlongLine?) Finish(ReadOnlySpan<char> part)
        {
            Take(part);
            (string, OverlongLine?) result;
            // Zeros alone are what a power cut leaves at the end of an append: skipped, however many.
            if (length > longest || (onlyZeros && length > 0)) result = ("", new OverlongLine(length, onlyZeros));
            else
            {
                if (line.Length > 0 && line[^1] == '\r') line.Length--;
                result = (line.ToString(), null);
            }
            line.Clear();
            length = 0;
            onlyZeros = true;
            return result;
        }
    }

    /// <summary>A line not kept: longer than any history line can be, or only zero bytes; its length and which.</summary>
    private sealed record OverlongLine(long Length, bool OnlyZeros);

    /// <summary>A line no history line can be (PST5018): what it is, not its bytes, since it is not held.</summary>
    private static PacksterException TooLong(string path, int number, OverlongLine line) =>
        new(ErrorCode.HistoryCorrupt, $"{path}:{number}: not a history event: a line of {line.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)} characters, longer than any history line can be",
            "the other lines are intact; the lockfile and generations are not affected. Move the file aside to start a new history");

    /// <summary>What a crash leaves: a JSON object cut short (<c>{</c> without its closing <c>}</c>).</summary>
    private static bool IsTorn(string line) => line.StartsWith('{') && !line.TrimEnd().EndsWith('}');

    private const string FolderHint =
        "the lockfile and generations are not affected; move it aside, and the next change starts a new history";

    private static PacksterException Corrupt(string path, int number, string line) =>
        new(ErrorCode.HistoryCorrupt, $"{path}:{number}: not a history event: {(line.Length > 80 ? line[..80] + "…" : line)}",
            "the other lines are intact; the lockfile and generations are not affected. Move the file aside to start a new history");

    /// <summary>
    /// Every entry in file order; lines that do not parse (a torn write) and commit lines are skipped. A folder (or a
    /// FIFO, a link that leads nowhere) where the file belongs is refused (PST9005), never read as no history.
    /// </summary>
    public static IReadOnlyList<HistoryEntry> Read(Location location)
    {
        var path = PathOf(location);
        if (!FileSystemErrors.FileExists(path, "cannot read", FolderHint)) return [];
        var entries = new List<HistoryEntry>();
        foreach (var (line, overlong) in Lines(location, path))
        {
            if (line.Length == 0 || overlong is not null) continue;
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
        // A folder there is not "no history" (spec/errors.md PST9005).
        if (!FileSystemErrors.FileExists(path, "cannot read", FolderHint)) return [];
        var entries = new List<HistoryEntry>();
        var number = 0;
        foreach (var (line, overlong) in Lines(location, path))
        {
            number++;
            if (overlong is not null)
            {
                if (overlong.OnlyZeros) continue;
                throw TooLong(path, number, overlong);
            }
            if (line.Length == 0) continue;
            if (HistoryEntry.TryParse(line) is { } entry)
            {
                entries.Add(entry);
                continue;
            }
            if (line.Contains(CommitMarker, StringComparison.Ordinal) && ParseObject(line) is { } node && IsCommit(node)) continue;
            if (!IsTorn(line)) throw Corrupt(path, number, line);
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
            if (StrictJson.Parse(line) is not JsonObject o) return null;
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
