using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// The history lines a commit owes (spec/lockfile.md § History journal). Written to <c>.packster/history.pending</c>
/// before the lockfile commit, naming the SHA-256 of the lockfile that commit writes; deleted once the lines are in
/// <c>history.jsonl</c>. The next command that takes the lock settles a journal left behind: when the lockfile is the
/// one it names the commit happened and its lines are appended, otherwise that operation never committed and its lines
/// are dropped. Lines an earlier committed operation still owes (<see cref="Owed"/>) are appended in either case.
/// </summary>
internal sealed class HistoryJournal
{
    public const string FileName = "history.pending";

    private HistoryJournal(long offset, IReadOnlyList<string> owed)
    {
        Offset = offset;
        Owed = owed;
    }

    /// <summary>The length <c>history.jsonl</c> had before the first of these lines was appended.</summary>
    public long Offset { get; }

    /// <summary>The lines committed operations owe the history, oldest first.</summary>
    public IReadOnlyList<string> Owed { get; }

    /// <summary>Lines committed operations owe, starting after <paramref name="offset"/>, as this process knows them.</summary>
    public static HistoryJournal Owing(long offset, IReadOnlyList<string> owed) => new(offset, owed);

    public static string PathOf(Location location) => Path.Combine(location.InternalDirectory, FileName);

    /// <summary>
    /// Reads the journal left by an earlier command, or null when there is none, and judges its conditional lines
    /// against the lockfile as it is now. Call it under the lock and before recovery, which may rewrite the lockfile.
    /// Anything but a regular file there (a FIFO, a device, a folder) is never opened, which for a FIFO would wait under
    /// the lock for a writer: the command stops with PST9005 (<see cref="FileSystemErrors.FileExists"/>).
    /// </summary>
    public static HistoryJournal? Load(Location location)
    {
        var path = PathOf(location);
        if (!FileSystemErrors.FileExists(path, "cannot read", PolicyJournal.UnreadableHint)) return null;
        try
        {
            var node = StrictJson.Parse(FileSystemErrors.ReadFile(path, "cannot read", PolicyJournal.UnreadableHint)) as JsonObject ?? throw new JsonException("not an object");
            var owed = Lines(node["owed"]);
            if (node["lockfile"]?.GetValue<string>() is { } expected && Lockfile.DigestIfReadable(location.LockfilePath) is { } actual
                && string.Equals(expected, actual.Hex, StringComparison.Ordinal))
            {
                owed.AddRange(Lines(node["lines"]));
            }
            return new HistoryJournal(node["offset"]?.GetValue<long>() ?? 0, owed);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Written atomically by packster, so this is a hand edit: nothing in it can be trusted to have happened.
            return null;
        }
    }

    /// <summary>
    /// Records, before a commit, that the lockfile <paramref name="lockfile"/> brings <paramref name="lines"/> with it,
    /// after the <paramref name="owed"/> lines of earlier commits (null <paramref name="lockfile"/>: owed lines only).
    /// </summary>
    public static void Write(Location location, long offset, IReadOnlyList<string> owed, Sha256Digest? lockfile, IReadOnlyList<string> lines)
    {
        var node = new JsonObject
        {
            ["offset"] = offset,
            ["owed"] = new JsonArray([.. owed.Select(l => (JsonNode)l)]),
        };
        if (lockfile is { } digest)
        {
            node["lockfile"] = digest.Hex;
            node["lines"] = new JsonArray([.. lines.Select(l => (JsonNode)l)]);
        }
        Directory.CreateDirectory(location.InternalDirectory);
        AtomicFile.WriteAllText(PathOf(location), node.ToJsonString() + "\n");
    }

    /// <summary>Removes the journal (and temp files of a write a crash interrupted): the history holds every line it named.</summary>
    public static void Delete(Location location)
    {
        AtomicFile.DeleteWithTemps(PathOf(location));
    }

    private static List<string> Lines(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(l => l?.GetValue<string>() ?? throw new FormatException("a null line"))] : [];
}
