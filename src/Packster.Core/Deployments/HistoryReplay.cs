using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// The <c>commit</c> lines of <c>history.jsonl</c> (spec/history.md § Commit lines): every lockfile commit appends, after
/// its events, one line carrying what the commit changed, so that replaying the log from an empty location rebuilds
/// the lockfile byte for byte (<see cref="Replay"/>), and any point of it (<see cref="StateAt"/>).
/// </summary>
public static class HistoryReplay
{
    public const string CommitAction = "commit";

    /// <summary>Lockfile keys derived from the rest (recomputed on every write), never carried in a change.</summary>
    private static readonly HashSet<string> Derived = new(StringComparer.Ordinal) { "deployments", "hash", "owners", "schema", "location" };

    /// <summary>
    /// The commit line for <paramref name="location"/>'s lockfile going from <paramref name="before"/> to
    /// <paramref name="after"/>, or null when the bytes are the same and no generation is named. The change is relative to <paramref name="before"/>
    /// when the last commit line recorded (of <paramref name="pending"/>, lines owed, else of the file) names it; otherwise
    /// the lockfile changed outside the history (a new history, a hand edit) and the line carries the whole lockfile,
    /// <c>"from": "empty"</c>. <paramref name="reason"/> names a commit no command made (recovery, repair);
    /// <paramref name="beforeSha"/> and <paramref name="afterSha"/>, the digests of the two when the caller has them.
    /// </summary>
    public static string? CommitLine(Location location, byte[] before, byte[] after, IReadOnlyList<string> pending, int? generation, TimeProvider? clock,
        string? reason = null, Sha256Digest? beforeSha = null, Sha256Digest? afterSha = null) =>
        CommitLine(location, before, after, pending, generation, clock, reason, beforeSha, afterSha, null, null);

    /// <summary>
    /// As <see cref="CommitLine(Location, byte[], byte[], IReadOnlyList{string}, int?, TimeProvider?, string?, Sha256Digest?, Sha256Digest?)"/>;
    /// <paramref name="layouts"/>, where the entries of both files lie when the caller knows (the reading and the
    /// writing that made them), spares reading them again; <paramref name="continues"/>, <see cref="Continues"/> when the caller knows it.
    /// </summary>
    internal static string? CommitLine(Location location, byte[] before, byte[] after, IReadOnlyList<string> pending, int? generation, TimeProvider? clock,
        string? reason, Sha256Digest? beforeSha, Sha256Digest? afterSha, (LockfileLayout Before, LockfileLayout After)? layouts, bool? continues)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        // A generation is named even when its commit changed nothing, so every generation can be rebuilt.
        if (generation is null && before.AsSpan().SequenceEqual(after)) return null;
        var continuing = continues ?? Continues(location, pending, beforeSha ?? Sha256Digest.Compute(before));
        return CommitLine(generation, clock, reason, afterSha ?? Sha256Digest.Compute(after), continuing,
            ChangesOf(location, before, after, layouts, continuing));
    }

    /// <summary>
    /// The commit line from its parts, the change already made (<see cref="ChangesOf"/>, which may be made ahead of the
    /// commit). Always a line: whether one is owed at all (a commit that changed nothing and names no generation owes
    /// none) is the caller's to judge.
    /// </summary>
    internal static string CommitLine(int? generation, TimeProvider? clock, string? reason, Sha256Digest afterSha, bool continuing, JsonObject changes)
    {
        var line = new JsonObject
        {
            ["time"] = Generations.Stamp(Whole((clock ?? TimeProvider.System).GetUtcNow())),
            ["action"] = CommitAction,
        };
        if (generation is { } n) line["generation"] = n;
        if (reason is not null) line["reason"] = reason;
        if (!continuing) line["from"] = FromEmpty;
        line["lockfile"] = afterSha.Hex;
        line["changes"] = changes;
        return JsonAsRead.ToJsonString(line);
    }

    /// <summary>
    /// The <c>changes</c> of a commit line from <paramref name="before"/> to <paramref name="after"/>: from an empty
    /// location when the line does not continue the history (<paramref name="continuing"/> false); from the layouts when
    /// the caller knows where the entries of both lie.
    /// </summary>
    internal static JsonObject ChangesOf(Location location, byte[] before, byte[] after, (LockfileLayout Before, LockfileLayout After)? layouts, bool continuing) =>
        !continuing ? Changes(Empty(location), after)
        : layouts is { } known && ReferenceEquals(known.Before.Bytes, before) && ReferenceEquals(known.After.Bytes, after) ? Changes(known.Before, known.After)
        : Changes(before, after);

    /// <summary>
    /// Whether the last commit line recorded (of <paramref name="pending"/>, else of the file) names the lockfile of
    /// digest <paramref name="lockfile"/>: the next commit line then continues from it, and its bytes are ones packster
    /// wrote (spec/lockfile.md § Canonical bytes).
    /// </summary>
    internal static bool Continues(Location location, IReadOnlyList<string> pending, Sha256Digest lockfile) =>
        string.Equals(History.LastCommitDigest(location, pending), lockfile.Hex, StringComparison.Ordinal);

    /// <summary>The <c>from</c> value of a commit line whose changes start from an empty location.</summary>
    public const string FromEmpty = "empty";

    /// <summary>The lockfile of <paramref name="location"/> with nothing in it, as <c>location create</c> writes it.</summary>
    public static byte[] Empty(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Lockfile.Serialize(new LocationState(location.Id));
    }

    /// <summary>
    /// What turns the lockfile <paramref name="before"/> into <paramref name="after"/>: <c>put</c> (deployment entries
    /// added or changed, whole), <c>remove</c> (deployment hashes gone), <c>set</c> and <c>unset</c> (other top-level keys).
    /// </summary>
    /// <remarks>
    /// Entries and values are compared by their bytes, which is exact for lockfiles packster wrote (the same state always
    /// gives the same bytes). Each file is read once by a forward reader that only notes where each entry and value lies:
    /// a location of 1,000 deployments pays for the entries that changed only, and builds no document of either file.
    /// </remarks>
    public static JsonObject Changes(byte[] before, byte[] after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = Layout.Of(before);
        var now = Layout.Of(after);
        return Changes(before, old.Deployments, old.Properties, after, now.Deployments, now.Properties, Comparer<HashText>.Default, h => h.Text);
    }

    /// <summary>
    /// As <see cref="Changes(byte[], byte[])"/> for two lockfiles whose layouts are known: the same changes, without
    /// reading either file. Both are canonical, so their only key that is not derived is <c>bundle</c>, always there.
    /// </summary>
    internal static JsonObject Changes(LockfileLayout before, LockfileLayout after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var order = Comparer<Sha256Digest>.Create(static (x, y) => string.CompareOrdinal(x.Hex, y.Hex));
        // Written from these very bytes: the entries copied are unchanged, only those written anew can differ; and when
        // the two together are every entry of before, none is gone.
        if (ReferenceEquals(after.CopiedFrom, before.Bytes) && after.Fresh is { } fresh
            && after.Entries.Count - fresh.Count + fresh.Count(before.Entries.ContainsKey) == before.Entries.Count)
        {
            var written = new Dictionary<Sha256Digest, Range>(fresh.Count);
            foreach (var hash in fresh) written[hash] = after.Entries[hash];
            return Changes(before.Bytes, before.Entries, [new("bundle", before.Bundle)], after.Bytes, written, [new("bundle", after.Bundle)], order, h => h.Hex, noneRemoved: true);
        }
        return Changes(before.Bytes, before.Entries, [new("bundle", before.Bundle)], after.Bytes, after.Entries, [new("bundle", after.Bundle)], order, h => h.Hex);
    }

    /// <summary>
    /// The changes from where each entry (by its hash, ordered by <paramref name="order"/>, written as <paramref name="text"/>)
    /// and each top-level value lie in <paramref name="before"/> to where they lie in <paramref name="after"/>. With
    /// <paramref name="noneRemoved"/>, <paramref name="newEntries"/> are only those that may have changed, every old one still there.
    /// </summary>
    private static JsonObject Changes<THash>(byte[] before, IReadOnlyDictionary<THash, Range> oldEntries, IReadOnlyList<KeyValuePair<string, Range>> oldProperties,
        byte[] after, IReadOnlyDictionary<THash, Range> newEntries, IReadOnlyList<KeyValuePair<string, Range>> newProperties, IComparer<THash> order, Func<THash, string> text,
        bool noneRemoved = false)
        where THash : notnull
    {
        var changes = new JsonObject();
        var put = newEntries.Where(kv => !oldEntries.TryGetValue(kv.Key, out var was) || !Same(before, was, after, kv.Value))
            .OrderBy(kv => kv.Key, order).Select(kv => JsonNode.Parse(after.AsSpan(kv.Value))).ToArray();
        var remove = noneRemoved ? [] : oldEntries.Keys.Where(h => !newEntries.ContainsKey(h)).Order(order).Select(h => (JsonNode)text(h)).ToArray();
        if (put.Length > 0) changes["put"] = new JsonArray(put);
        if (remove.Length > 0) changes["remove"] = new JsonArray(remove);
        var set = new JsonObject();
        foreach (var (name, value) in newProperties)
        {
            if (Derived.Contains(name)) continue;
            if (Find(oldProperties, name) is { } was && Same(before, was, after, value)) continue;
            set[name] = JsonNode.Parse(after.AsSpan(value));
        }
        var unset = oldProperties.Select(p => p.Key).Where(k => !Derived.Contains(k) && Find(newProperties, k) is null).Select(k => (JsonNode)k).ToArray();
        if (set.Count > 0) changes["set"] = set;
        if (unset.Length > 0) changes["unset"] = new JsonArray(unset);
        return changes;
    }

    /// <summary>Where the top-level value <paramref name="name"/> lies, when there is one.</summary>
    private static Range? Find(IReadOnlyList<KeyValuePair<string, Range>> properties, string name)
    {
        foreach (var (key, value) in properties)
        {
            if (key == name) return value;
        }
        return null;
    }

    private static bool Same(byte[] a, Range inA, byte[] b, Range inB) => a.AsSpan(inA).SequenceEqual(b.AsSpan(inB));

    /// <summary>
    /// A deployment hash as it lies in a lockfile's bytes (unescaped), compared and ordered by those bytes: a commit
    /// compares the 1,000 entries of two files, and a string of each hash was most of what that made.
    /// </summary>
    private readonly struct HashText(byte[] source, Range at) : IEquatable<HashText>, IComparable<HashText>
    {
        private ReadOnlySpan<byte> Bytes => source.AsSpan(at);

        public string Text => System.Text.Encoding.UTF8.GetString(Bytes);

        public bool Equals(HashText other) => Bytes.SequenceEqual(other.Bytes);

        public override bool Equals(object? obj) => obj is HashText other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(Bytes);
            return hash.ToHashCode();
        }

        // Bytes in UTF-8 order are code points in order: the ordinal order of the texts for every hash packster writes (hex).
        public int CompareTo(HashText other) => Bytes.SequenceCompareTo(other.Bytes);
    }

    /// <summary>Where, in a lockfile's bytes, each top-level value and each deployment entry (by its hash) lies.</summary>
    private sealed class Layout
    {
        public Dictionary<HashText, Range> Deployments { get; } = [];

        public List<KeyValuePair<string, Range>> Properties { get; } = [];

        public static Layout Of(byte[] lockfile)
        {
            var layout = new Layout();
            var reader = new Utf8JsonReader(lockfile);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a lockfile is a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                if (name == "deployments" && reader.TokenType == JsonTokenType.StartArray) layout.ReadDeployments(ref reader, lockfile);
                else reader.Skip();
                layout.Properties.Add(new(name, start..(int)reader.BytesConsumed));
            }
            return layout;
        }

        private void ReadDeployments(ref Utf8JsonReader reader, byte[] lockfile)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                HashText? hash = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isHash = reader.ValueTextEquals("deployment"u8);
                    reader.Read();
                    if (isHash && reader.TokenType == JsonTokenType.String) hash = HashOf(ref reader, lockfile);
                    else reader.Skip();
                }
                if (hash is { } h) Deployments[h] = start..(int)reader.BytesConsumed;
            }
        }

        /// <summary>The string value under the reader: where it lies, or, when the file escapes it, its own unescaped bytes.</summary>
        private static HashText HashOf(ref Utf8JsonReader reader, byte[] lockfile)
        {
            if (reader.ValueIsEscaped || reader.HasValueSequence)
            {
                var text = System.Text.Encoding.UTF8.GetBytes(reader.GetString()!);
                return new HashText(text, ..);
            }
            var at = (int)reader.TokenStartIndex + 1;
            return new HashText(lockfile, at..(at + reader.ValueSpan.Length));
        }
    }

    /// <summary>The lockfile bytes of <paramref name="state"/> with <paramref name="changes"/> applied, as a commit writes them.</summary>
    public static byte[] Apply(ReadOnlySpan<byte> state, JsonObject changes, string origin)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var document = ParseObject(state);
        var deployments = ByHash(document);
        foreach (var node in changes["remove"] as JsonArray ?? [])
        {
            deployments.Remove(StrictJson.Text(node) ?? throw new FormatException("a hash in remove that is not a string"));
        }
        foreach (var node in changes["put"] as JsonArray ?? [])
        {
            var entry = node as JsonObject ?? throw new FormatException("a put entry that is not an object");
            deployments[StrictJson.Text(entry["deployment"]) ?? throw new FormatException("a put entry without its deployment hash as a string")] = entry.DeepClone();
        }
        document["deployments"] = new JsonArray([.. deployments.Values.Select(v => v.DeepClone())]);
        foreach (var (key, value) in changes["set"] as JsonObject ?? []) document[key] = value?.DeepClone();
        foreach (var node in changes["unset"] as JsonArray ?? []) document.Remove(StrictJson.Text(node) ?? throw new FormatException("a key in unset that is not a string"));
        // Through the lockfile's own reader and writer: order, derived keys and invariants exactly as a commit has them.
        return Lockfile.Serialize(Lockfile.Parse(System.Text.Encoding.UTF8.GetBytes(JsonAsRead.ToJsonString(document)), origin));
    }


    /// <summary>
    /// The generation <paramref name="selector"/> names, from its record in <c>generations/</c>, or, when <c>gc</c>
    /// dropped the record, as the history's commit lines rebuild it (spec/history.md § Generations rebuilt).
    /// </summary>
    public static Generation FindOrRebuild(Location location, string selector)
    {
        try
        {
            return Generations.Find(location, selector);
        }
        catch (PacksterException e) when (e.Code == ErrorCode.GenerationNotFound)
        {
            if (Find(location, selector) is { } rebuilt) return rebuilt;
            if (e is not Generations.Missing) throw;
            // No record and no rebuild: the error names the numbers these commands do accept, the history's too.
            var named = Generations.NamedOnlyByHistory(location, History.CommitLines(location));
            if (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && named.Contains(number))
            {
                throw new PacksterException(ErrorCode.GenerationNotFound, string.Create(CultureInfo.InvariantCulture,
                    $"generation {number} of location {location.Id} cannot be rebuilt: its record was dropped, and {Location.HistoryFileName} does not replay to the lockfile its commit line names"),
                    "'packster history --check' shows where the history stops agreeing");
            }
            throw Generations.NotFound(location, selector, Generations.Summaries(location), named);
        }
    }

    /// <summary>
    /// The generation <paramref name="selector"/> names (a number, or a time: the last generation made at or before it) as
    /// the history rebuilds it, for generations whose record <c>gc</c> dropped; null when no commit line names one, or
    /// the replay up to it does not give the digest that line names.
    /// </summary>
    public static Generation? Find(Location location, string selector)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(selector);
        int? number = int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        if (number is null && DateTimeOffset.TryParse(selector, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var until))
        {
            // The last generation a line named at or before the time, then that one rebuilt.
            foreach (var (_, json) in History.CommitLines(location))
            {
                if (TimeOf(json) > until) break;
                if (GenerationOf(json) is { } named) number = named;
            }
        }
        if (number is not { } wanted || !Rebuild(location, new HashSet<int> { wanted }).TryGetValue(wanted, out var rebuilt)) return null;
        return new Generation(wanted, rebuilt.Time, "(rebuilt from history.jsonl)", rebuilt.Sha256, rebuilt.State);
    }

    /// <summary>
    /// The lockfiles of the generations <paramref name="wanted"/> names, as one replay of the history from its start
    /// rebuilds them (spec/history.md § Generations rebuilt): each at the commit line that names it, kept only when it
    /// has the digest that line names. The replay changes one state in place and makes bytes only at those lines, so
    /// it is linear in the history, not in its square as a replay that checks every line is.
    /// </summary>
    public static IReadOnlyDictionary<int, RebuiltLockfile> Rebuild(Location location, IReadOnlySet<int> wanted) => Rebuild(location, wanted, null);

    /// <summary>
    /// As <see cref="Rebuild(Location, IReadOnlySet{int})"/>, starting at <paramref name="checkpoint"/> (a generation
    /// before every wanted one, its lockfile, and the digest its record names) when the history has the line that names
    /// it with that digest: the lines before it are not read. Without that line, the replay starts from the beginning.
    /// </summary>
    public static IReadOnlyDictionary<int, RebuiltLockfile> Rebuild(Location location, IReadOnlySet<int> wanted, (int Generation, byte[] Lockfile, Sha256Digest Sha256)? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(wanted);
        if (checkpoint is { } start && start.Generation < wanted.Min()
            && RebuildFrom(location, wanted, start) is { } fromCheckpoint) return fromCheckpoint;
        return RebuildFrom(location, wanted, null)!;
    }

    /// <summary>The replay; null when <paramref name="checkpoint"/> is given and no line names it with its digest.</summary>
    private static Dictionary<int, RebuiltLockfile>? RebuildFrom(Location location, IReadOnlySet<int> wanted, (int Generation, byte[] Lockfile, Sha256Digest Sha256)? checkpoint)
    {
        var found = new Dictionary<int, RebuiltLockfile>();
        if (wanted.Count == 0) return found;
        var empty = Empty(location);
        var state = Replaying.Of(empty);
        var origin = History.PathOf(location);
        // How the line that names the checkpoint spells it (the writer puts "generation" right after "action").
        var marker = checkpoint is { } c ? string.Create(CultureInfo.InvariantCulture, $"\"{CommitAction}\",\"generation\":{c.Generation},") : null;
        var started = checkpoint is null;
        foreach (var (line, json) in History.CommitLines(location, marker))
        {
            try
            {
                if (!started)
                {
                    // The first line read is the checkpoint's: from here on, its lockfile is the state.
                    if (GenerationOf(json) != checkpoint!.Value.Generation
                        || !string.Equals(StrictJson.Text(json["lockfile"]), checkpoint.Value.Sha256.Hex, StringComparison.Ordinal)) return null;
                    state = Replaying.Of(checkpoint.Value.Lockfile);
                    started = true;
                    continue;
                }
                if (StrictJson.Text(json["from"]) == FromEmpty) state = Replaying.Of(empty);
                state.Apply(json["changes"] as JsonObject ?? []);
                if (GenerationOf(json) is not { } generation || !wanted.Contains(generation)) continue;
                var where = $"{origin}:{line}";
                var (bytes, parsed) = state.Lockfile(where);
                var digest = Sha256Digest.Compute(bytes);
                if (string.Equals(StrictJson.Text(json["lockfile"]), digest.Hex, StringComparison.Ordinal))
                {
                    found[generation] = new RebuiltLockfile(bytes, digest, parsed, TimeOf(json), where);
                }
                if (found.Count == wanted.Count) break;
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or PacksterException or JsonException)
            {
                // A line the replay cannot apply: nothing after it can be rebuilt.
                break;
            }
        }
        return started ? found : null;
    }

    private static int? GenerationOf(JsonObject line) => line["generation"] is JsonValue g && g.TryGetValue<int>(out var n) ? n : null;

    private static DateTimeOffset TimeOf(JsonObject line) =>
        DateTimeOffset.Parse(StrictJson.Text(line["time"]) ?? "", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>
    /// A lockfile being replayed: its other keys and its deployments by hash, changed in place line by line, made into
    /// bytes (through the lockfile's reader and writer, as <see cref="Apply"/> does) only when asked.
    /// </summary>
    private sealed class Replaying
    {
        private readonly JsonObject _keys;
        private readonly Dictionary<string, JsonNode> _deployments;

        private Replaying(JsonObject keys, Dictionary<string, JsonNode> deployments)
        {
            _keys = keys;
            _deployments = deployments;
        }

        public static Replaying Of(ReadOnlySpan<byte> lockfile)
        {
            var document = ParseObject(lockfile);
            var deployments = ByHash(document);
            document.Remove("deployments");
            return new Replaying(document, deployments);
        }

        public void Apply(JsonObject changes)
        {
            foreach (var node in changes["remove"] as JsonArray ?? [])
            {
                _deployments.Remove(StrictJson.Text(node) ?? throw new FormatException("a hash in remove that is not a string"));
            }
            foreach (var node in changes["put"] as JsonArray ?? [])
            {
                var entry = node as JsonObject ?? throw new FormatException("a put entry that is not an object");
                _deployments[StrictJson.Text(entry["deployment"]) ?? throw new FormatException("a put entry without its deployment hash as a string")] = entry;
            }
            foreach (var (key, value) in changes["set"] as JsonObject ?? []) _keys[key] = value?.DeepClone();
            foreach (var node in changes["unset"] as JsonArray ?? []) _keys.Remove(StrictJson.Text(node) ?? throw new FormatException("a key in unset that is not a string"));
        }

        /// <summary>The state replayed so far as the lockfile's reader reads it, and the bytes its writer makes of that.</summary>
        public (byte[] Bytes, LocationState State) Lockfile(string origin)
        {
            var document = (JsonObject)_keys.DeepClone();
            document["deployments"] = new JsonArray([.. _deployments.Values.Select(v => v.DeepClone())]);
            var state = Locations.Lockfile.Parse(System.Text.Encoding.UTF8.GetBytes(JsonAsRead.ToJsonString(document)), origin);
            return (Locations.Lockfile.Serialize(state), state);
        }
    }

    /// <summary>
    /// Replays every commit line of <paramref name="location"/>'s history from an empty location. Each step is checked
    /// against the lockfile digest its line names; the first that differs is reported with its line number.
    /// </summary>
    public static ReplayResult Replay(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var origin = History.PathOf(location);
        var empty = Empty(location);
        var state = empty;
        var commits = 0;
        int? generation = null;
        foreach (var (number, line) in History.CommitLines(location))
        {
            try
            {
                if (StrictJson.Text(line["from"]) == FromEmpty) state = empty;
                state = Apply(state, line["changes"] as JsonObject ?? new JsonObject(), $"{origin}:{number}");
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or PacksterException)
            {
                return new ReplayResult(state, commits, generation, new ReplayDivergence(number, $"its changes cannot be applied: {e.Message}"));
            }
            commits++;
            var expected = StrictJson.Text(line["lockfile"]);
            var actual = Sha256Digest.Compute(state).Hex;
            if (!string.Equals(expected, actual, StringComparison.Ordinal))
            {
                return new ReplayResult(state, commits, generation, new ReplayDivergence(number,
                    $"replaying up to it gives a lockfile with SHA-256 {actual}, the line names {expected ?? "none"}"));
            }
            if (line["generation"] is JsonValue g && g.TryGetValue<int>(out var n)) generation = n;
        }
        return new ReplayResult(state, commits, generation, null);
    }

    private static Dictionary<string, JsonNode> ByHash(JsonObject lockfile)
    {
        var byHash = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var node in lockfile["deployments"] as JsonArray ?? [])
        {
            if (node is JsonObject entry && StrictJson.Text(entry["deployment"]) is { } hash) byHash[hash] = entry;
        }
        return byHash;
    }

    private static JsonObject ParseObject(ReadOnlySpan<byte> bytes) =>
        StrictJson.Parse(bytes) as JsonObject ?? throw new FormatException("a lockfile that is not a JSON object");

    private static DateTimeOffset Whole(DateTimeOffset t) =>
        new(t.UtcDateTime.Ticks - t.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    public static string Describe(ReplayDivergence divergence) =>
        string.Create(CultureInfo.InvariantCulture, $"{Location.HistoryFileName}:{divergence.Line}: {divergence.Why}");
}

/// <summary>A generation's lockfile as the history rebuilt it: its bytes, their digest, the state they hold, the time of the commit line that names it, and that line (<c>path:line</c>).</summary>
public sealed record RebuiltLockfile(byte[] Lockfile, Sha256Digest Sha256, LocationState State, DateTimeOffset Time, string Origin);

/// <summary>Where a replay stopped agreeing with the commit lines: the line number and why.</summary>
public sealed record ReplayDivergence(int Line, string Why);

/// <summary>The lockfile a replay rebuilt, how many commit lines it applied, the last generation one named, and where it diverged.</summary>
public sealed record ReplayResult(byte[] Lockfile, int Commits, int? LastGeneration, ReplayDivergence? Divergence);
