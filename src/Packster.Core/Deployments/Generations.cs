using System.Buffers;
using System.Globalization;
using System.IO.Enumeration;
using System.Text;
using System.Text.Json;
using Packster.Locations;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// One committed state of a location (spec/lockfile.md § Generations): its number, when and by which command it was
/// made, and the whole lockfile as it was then.
/// </summary>
public sealed record Generation(int Number, DateTimeOffset Time, string Command, Sha256Digest LockfileSha256, LocationState State)
{
    /// <summary>The active deployment of each package, by id: what a rollback to this generation restores.</summary>
    public IReadOnlyList<DeploymentEntry> Active => [.. State.ActiveDeployments.OrderBy(d => d.Id.Value, StringComparer.Ordinal)];

    /// <summary>What <c>packster generations</c> shows of it.</summary>
    public GenerationSummary Summary() => new(Number, Time, Command, LockfileSha256,
        [.. Active.Select(d => new GenerationSummary.ActiveDeployment(d.Id, d.Version, d.Hash, d.Pinned))], [.. State.Bundle.Keys]);
}

/// <summary>What <c>packster generations</c> shows of one generation: everything but the state itself.</summary>
public sealed record GenerationSummary(int Number, DateTimeOffset Time, string Command, Sha256Digest LockfileSha256,
    IReadOnlyList<GenerationSummary.ActiveDeployment> Active, IReadOnlyList<PackageId> Bundle)
{
    /// <summary>One active deployment: what a rollback to the generation restores for its package.</summary>
    public sealed record ActiveDeployment(PackageId Id, PackageVersion Version, Sha256Digest Hash, bool Pinned);
}

/// <summary>
/// Generations are recorded by <see cref="LocationSession.Commit(LocationState, IReadOnlyList{HistoryEntry})"/>: before
/// the lockfile is written, its record goes to <c>generations/&lt;N&gt;.pending.json</c>; after, that file is renamed to
/// <c>&lt;N&gt;.json</c>. A pending file whose lockfile is the one on disk was committed (a crash came between the two
/// steps) and is promoted when the next session opens; any other pending file never was, and is deleted.
/// </summary>
/// <remarks>
/// A record is a <b>checkpoint</b> (<see cref="Schema"/> 1: the whole lockfile) for every <see cref="CheckpointEvery"/>th
/// generation and for the state before generations were recorded; every other is a <b>summary</b> (<see cref="SummarySchema"/>
/// 2: what <c>generations</c> shows, and the lockfile's digest), whose lockfile the history's commit line that names the
/// generation rebuilds (spec/lockfile.md § Generations). Records holding whole lockfiles grew with the square of the
/// location's size: 301 MB after 1,000 installs, and 600 KB written and synced by every commit at the end of them.
/// </remarks>
public static class Generations
{
    public const string DirectoryName = Location.GenerationsDirectoryName;

    /// <summary>The schema of a checkpoint: the record holds the whole lockfile.</summary>
    public const int Schema = 1;

    /// <summary>The schema of a summary record: the lockfile is rebuilt from the history.</summary>
    public const int SummarySchema = 2;

    /// <summary>Every generation whose number is a multiple of this is a checkpoint.</summary>
    public const int CheckpointEvery = 64;

    private const string PendingSuffix = ".pending.json";

    private static readonly AsyncLocal<string?> CurrentCommand = new();

    /// <summary>
    /// The command line recorded with the generations this flow of work commits. The caller strips secrets: the
    /// CLI records parameter names, never values (see <see cref="Redact"/>).
    /// </summary>
    public static string? Command
    {
        get => CurrentCommand.Value;
        set => CurrentCommand.Value = value;
    }

    /// <summary>
    /// <c>packster</c> and its arguments with every parameter value replaced by <c>***</c> (<c>-p key=***</c>,
    /// <c>--parameters ***</c>): a value may be secret, and which ones are is only known once a manifest is read.
    /// </summary>
    public static string Redact(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var words = new List<string> { "packster" };
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a is "-p" or "--param" && i + 1 < args.Count)
            {
                words.Add(a);
                words.Add(RedactPair(args[++i]));
            }
            else if (a == "--parameters" && i + 1 < args.Count)
            {
                words.Add(a);
                words.Add("***");
                i++;
            }
            else if (a.StartsWith("--parameters=", StringComparison.Ordinal)) words.Add("--parameters=***");
            else if (a.StartsWith("--param=", StringComparison.Ordinal)) words.Add("--param=" + RedactPair(a["--param=".Length..]));
            else if (a.StartsWith("-p", StringComparison.Ordinal) && a.Length > 2 && !a.StartsWith("--", StringComparison.Ordinal)) words.Add("-p" + RedactPair(a[2..].TrimStart(':', '=')));
            else words.Add(a);
        }
        return string.Join(' ', words.Select(Quote));
    }

    private static string RedactPair(string pair) => pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? pair[..eq] + "=***" : "***";

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@^~*+,%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string DirectoryOf(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Path.Combine(location.Path, DirectoryName);
    }

    private static string FileOf(Location location, int number, bool pending) =>
        Path.Combine(DirectoryOf(location), number.ToString(CultureInfo.InvariantCulture) + (pending ? PendingSuffix : ".json"));

    /// <summary>Numbers of the committed generation files (or the pending ones), ascending.</summary>
    private static List<int> Numbers(Location location, bool pending)
    {
        var (committed, uncommitted) = Listing(location);
        return pending ? uncommitted : committed;
    }

    /// <summary>
    /// The numbers of the committed and of the pending generation files, ascending, from one listing of
    /// <c>generations/</c> that makes no string of a name (a commit lists a thousand records or more).
    /// </summary>
    internal static (List<int> Committed, List<int> Pending) Listing(Location location)
    {
        var dir = DirectoryOf(location);
        var committed = new List<int>();
        var pending = new List<int>();
        if (!Directory.Exists(dir)) return (committed, pending);
        var names = new FileSystemEnumerable<int>(dir, static (ref FileSystemEntry entry) => NumberOf(entry.FileName),
            new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = static (ref FileSystemEntry entry) => !entry.IsDirectory && NumberOf(entry.FileName) != 0,
        };
        // Committed as N, pending as -N.
        foreach (var n in names) (n > 0 ? committed : pending).Add(Math.Abs(n));
        committed.Sort();
        pending.Sort();
        return (committed, pending);
    }

    /// <summary>N for <c>N.json</c>, -N for <c>N.pending.json</c> (N &gt; 0 in its canonical spelling), else 0.</summary>
    private static int NumberOf(ReadOnlySpan<char> name)
    {
        var pending = name.EndsWith(PendingSuffix, StringComparison.Ordinal);
        var suffix = pending ? PendingSuffix.Length : name.EndsWith(".json", StringComparison.Ordinal) ? ".json".Length : 0;
        if (suffix == 0) return 0;
        var digits = name[..^suffix];
        if (digits.Length is 0 or > 10 || digits[0] == '0' || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return 0;
        return pending ? -n : n;
    }

    /// <summary>
    /// Writes the generation <paramref name="lockfile"/> (the bytes of <paramref name="state"/>) will be, as pending, and
    /// returns its number; the caller holds the lock and writes the lockfile next. The first generation of a location that
    /// has none also records the state it had before (as generation 1, a checkpoint), so it can be rolled back to.
    /// </summary>
    /// <param name="last">
    /// The highest committed generation as the caller knows it under the lock it holds (<see cref="Settle"/>'s answer,
    /// then each promoted number), with no pending record left: saves listing <c>generations/</c>, which grows by one
    /// file per commit. Null lists it.
    /// </param>
    internal static int WritePending(Location location, byte[] lockfile, LocationState state, TimeProvider? clock, Sha256Digest? lockfileSha = null, int? last = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var committed = last ?? 0;
        List<int> pending = [];
        if (last is null)
        {
            var (numbers, uncommitted) = Listing(location);
            committed = numbers.Count == 0 ? 0 : numbers[^1];
            pending = uncommitted;
        }
        var next = committed + 1;
        if (committed == 0 && File.Exists(location.LockfilePath))
        {
            var before = File.ReadAllBytes(location.LockfilePath);
            if (!before.AsSpan().SequenceEqual(lockfile))
            {
                Write(FileOf(location, 1, pending: false), 1, AsRecorded(before, location.LockfilePath), null, clock, FirstStateCommand(before));
                next = 2;
            }
        }
        foreach (var stale in pending) File.Delete(FileOf(location, stale, pending: true));
        Write(FileOf(location, next, pending: true), next, lockfile, IsCheckpoint(next) ? null : state, clock, Command ?? "(not recorded)", lockfileSha);
        return next;
    }

    /// <summary>
    /// The lockfile found before generations were recorded, as generation 1's record holds it: as found when the record's
    /// reader can prove it so (it is an object with at most one newline after it, as packster writes one); else (white
    /// space a person's editor put around it) its state as the lockfile's writer makes it, whose digest the record then
    /// names, so that the checkpoint is proven as every other (spec/lockfile.md § Generations, "Records"). One that cannot
    /// be read is kept as found: the commit reads it itself.
    /// </summary>
    private static byte[] AsRecorded(byte[] found, string path)
    {
        var end = found.Length > 0 && found[^1] == (byte)'\n' ? found.Length - 1 : found.Length;
        if (end > 0 && found[0] == (byte)'{' && found[end - 1] == (byte)'}') return found;
        try
        {
            return Lockfile.Serialize(Lockfile.Parse(found, path));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or PacksterException)
        {
            return found;
        }
    }

    /// <summary>Whether generation <paramref name="number"/>'s record holds its whole lockfile.</summary>
    public static bool IsCheckpoint(int number) => number == 1 || number % CheckpointEvery == 0;

    /// <summary>A commit that failed before its lockfile was written: its pending generation never happened.</summary>
    internal static void Discard(Location location, int number) => File.Delete(FileOf(location, number, pending: true));

    /// <summary>After the lockfile was written: the pending generation is committed.</summary>
    internal static void Promote(Location location, int number) =>
        File.Move(FileOf(location, number, pending: true), FileOf(location, number, pending: false), overwrite: true);

    /// <summary>
    /// At the start of a session: a pending generation whose lockfile is the one on disk was committed and is
    /// promoted; any other is what a crash before the commit left, and is deleted. A lockfile that cannot be read is no
    /// pending record's (<see cref="Lockfile.DigestIfReadable"/>, as the history and policy journals judge it): reading
    /// it fails the session's own read, in that read's words.
    /// </summary>
    /// <returns>The highest committed generation once settled (0 for none), from the same listing.</returns>
    internal static int Settle(Location location)
    {
        // Listed ahead of the lock when the folder has not changed since (LocationReadAhead).
        var (committed, pending) = location.ReadAhead?.TakeGenerations() is { } ahead ? (ahead.Committed, ahead.Pending) : Listing(location);
        var last = committed.Count == 0 ? 0 : committed[^1];
        if (pending.Count == 0) return last;
        // Judged as the journals judge it: a lockfile missing or unreadable is not the one any pending record names.
        var current = Lockfile.DigestIfReadable(location.LockfilePath);
        foreach (var n in pending)
        {
            var file = FileOf(location, n, pending: true);
            if (current is { } sha && TryReadRecord(file, n, withLockfile: false, strict: true) is { } record && record.Summary.LockfileSha256 == sha)
            {
                Promote(location, n);
                last = Math.Max(last, n);
            }
            else
            {
                File.Delete(file);
            }
        }
        return last;
    }

    /// <summary>
    /// Every committed generation, oldest first. A record that cannot be read, a summary whose lockfile the history
    /// does not rebuild to its digest, or a checkpoint whose lockfile is not the one its digest names, is skipped: what
    /// it held is the history's too.
    /// </summary>
    public static IReadOnlyList<Generation> List(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Materialise(location, [.. Numbers(location, pending: false).Select(n => TryReadRecord(FileOf(location, n, pending: false), n, withLockfile: true)).OfType<Record>()]);
    }

    /// <summary>
    /// The last <paramref name="count"/> readable generations, oldest first, reading records from the newest back only
    /// until it has them, and rebuilding those that are summaries in one pass over the history.
    /// </summary>
    public static IReadOnlyList<Generation> Last(Location location, int count)
    {
        ArgumentNullException.ThrowIfNull(location);
        var numbers = Numbers(location, pending: false);
        var found = new List<Generation>();
        var next = numbers.Count;
        while (found.Count < count && next > 0)
        {
            var batch = new List<Record>();
            while (batch.Count < count - found.Count && next > 0)
            {
                var n = numbers[--next];
                if (TryReadRecord(FileOf(location, n, pending: false), n, withLockfile: true) is { } record) batch.Add(record);
            }
            found.AddRange(Materialise(location, batch));
        }
        found.Reverse();
        return found;
    }

    /// <summary>
    /// Every committed generation without its state: number, time, command, lockfile sha256, active set and bundle ids,
    /// oldest first — what <c>packster generations</c> shows, read without building a state per record. A record missing
    /// any of these is skipped.
    /// </summary>
    public static IReadOnlyList<GenerationSummary> Summaries(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        // Each record is parsed on its own: one per core, in order.
        return [.. Numbers(location, pending: false).AsParallel().AsOrdered()
            .Select(n => TryReadRecord(FileOf(location, n, pending: false), n, withLockfile: false)?.Summary).OfType<GenerationSummary>()];
    }

    /// <summary>The summaries of the last <paramref name="count"/> readable generations, oldest first, read from the newest back.</summary>
    public static IReadOnlyList<GenerationSummary> LastSummaries(Location location, int count)
    {
        ArgumentNullException.ThrowIfNull(location);
        var found = new List<GenerationSummary>();
        foreach (var n in Enumerable.Reverse(Numbers(location, pending: false)))
        {
            if (found.Count >= count) break;
            if (TryReadRecord(FileOf(location, n, pending: false), n, withLockfile: false) is { } record) found.Add(record.Summary);
        }
        found.Reverse();
        return found;
    }

    /// <summary>The generation <paramref name="selector"/> names: a number, or a time (the last generation made at or before it).</summary>
    public static Generation Find(Location location, string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            // One record, by its number: the others are read only to name the range in the error.
            return Read(location, number) ?? throw (Exists(location, number) ? NotRebuilt(location, number) : NotFound(location, selector, Summaries(location)));
        }
        if (DateTimeOffset.TryParse(selector, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            var all = Summaries(location);
            var at = all.LastOrDefault(g => g.Time <= time) ?? throw NotFound(location, selector, all);
            return Read(location, at.Number) ?? throw NotRebuilt(location, at.Number);
        }
        throw new PacksterException(ErrorCode.InvalidArgument, $"'{selector}' is neither a generation number nor a time",
            "give a number from 'packster generations' or a time such as 2026-11-20T10:00 (UTC unless it has an offset)");
    }

    /// <summary>Generation <paramref name="number"/> from its record, or null when it has none that can be read.</summary>
    private static Generation? Read(Location location, int number)
    {
        var file = FileOf(location, number, pending: false);
        return TryReadRecord(file, number, withLockfile: true, strict: true) is { } record ? Materialise(location, [record]).FirstOrDefault() : null;
    }

    /// <summary>Deletes the records of all but the last <paramref name="keep"/> generations; returns how many were deleted.</summary>
    public static int Drop(Location location, int keep)
    {
        var numbers = Numbers(location, pending: false);
        var drop = numbers.Take(DroppedOf(numbers.Count, keep)).ToList();
        foreach (var n in drop) File.Delete(FileOf(location, n, pending: false));
        return drop.Count;
    }

    private static bool Exists(Location location, int number) =>
        TryReadRecord(FileOf(location, number, pending: false), number, withLockfile: false) is not null;

    /// <summary>
    /// Generation <paramref name="number"/> has a record, but no state that can be trusted: a summary the history does
    /// not rebuild, or a checkpoint whose lockfile is not the one its <c>lockfile-sha256</c> names.
    /// </summary>
    private static PacksterException NotRebuilt(Location location, int number)
    {
        if (TryReadRecord(FileOf(location, number, pending: false), number, withLockfile: true) is { Lockfile: not null })
        {
            return new(ErrorCode.GenerationNotFound, string.Create(CultureInfo.InvariantCulture,
                $"generation {number} of location {location.Id} cannot be read: its record holds a lockfile, but not the one its lockfile-sha256 names"),
                $"the record was changed after it was written, and {Location.HistoryFileName} does not rebuild the generation either; 'packster history --check' shows where the history stops agreeing");
        }
        return new(ErrorCode.GenerationNotFound, string.Create(CultureInfo.InvariantCulture,
            $"generation {number} of location {location.Id} cannot be rebuilt: its record holds a summary, not the lockfile, and {Location.HistoryFileName} does not replay to it"),
            string.Create(CultureInfo.InvariantCulture, $"every {CheckpointEvery}th generation's record holds its whole lockfile; 'packster history --check' shows where the history stops agreeing"));
    }

    /// <summary>How many records <see cref="Drop"/> would delete (what <c>gc --drop-generations --dry-run</c> reports).</summary>
    /// <param name="commitsBefore">The commits (each a generation) the command makes before it drops: gc's removals.</param>
    public static int WouldDrop(Location location, int keep, int commitsBefore = 0)
    {
        var count = Numbers(location, pending: false).Count;
        // The first commit in a location without generations also records the state it finds, as generation 1.
        if (commitsBefore > 0) count += commitsBefore + (count == 0 ? 1 : 0);
        return DroppedOf(count, keep);
    }

    /// <summary>Of <paramref name="count"/> records, how many <see cref="Drop"/> deletes: all but the last <paramref name="keep"/> (at least one kept).</summary>
    private static int DroppedOf(int count, int keep) => Math.Max(0, count - Math.Max(1, keep));

    /// <summary>A generation with no record (as opposed to a record the history no longer rebuilds).</summary>
    internal sealed class Missing(string message, string hint) : PacksterException(ErrorCode.GenerationNotFound, message, hint);

    /// <summary>
    /// No generation <paramref name="selector"/>: the error names the numbers that are there, the recorded ones and
    /// <paramref name="named"/> (those only the history's commit lines name, whose records gc dropped: rollback and
    /// history --at rebuild them), so the numbers it offers are the ones those commands accept.
    /// </summary>
    internal static PacksterException NotFound(Location location, string selector, IReadOnlyList<GenerationSummary> all, IReadOnlyList<int>? named = null)
    {
        named ??= [];
        var rebuilt = named.Count == 0 ? "" : $", and {Ranges(named)} can be rebuilt from {Location.HistoryFileName}";
        var has = all.Count == 0
            ? named.Count == 0 ? " (none are recorded yet)" : $" (it has no records{rebuilt})"
            : $" (it has {Ranges([.. all.Select(g => g.Number)])}, from {Stamp(all[0].Time)}{rebuilt})";
        return new Missing($"location {location.Id} has no generation {selector}{has}",
            named.Count == 0 ? "'packster generations' lists them" : "'packster generations' lists the recorded ones; 'packster history --at N' shows one the history rebuilds");
    }

    /// <summary>Sorted whole numbers as runs: <c>2</c>, <c>2–4</c>, <c>2, 5–7</c>.</summary>
    internal static string Ranges(IReadOnlyList<int> sorted)
    {
        var runs = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            runs.Add(j == i ? sorted[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{sorted[i]}–{sorted[j]}"));
            i = j + 1;
        }
        return string.Join(", ", runs);
    }

    /// <summary>The generation numbers the history's commit lines name that have no record (gc dropped it), ascending.</summary>
    internal static IReadOnlyList<int> NamedOnlyByHistory(Location location, IEnumerable<(int Number, System.Text.Json.Nodes.JsonObject Line)> commitLines)
    {
        var recorded = Numbers(location, pending: false).ToHashSet();
        var named = new SortedSet<int>();
        foreach (var (_, line) in commitLines)
        {
            if (line["generation"] is System.Text.Json.Nodes.JsonValue g && g.TryGetValue<int>(out var n) && !recorded.Contains(n)) named.Add(n);
        }
        return [.. named];
    }

    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes generation <paramref name="number"/>'s record: a checkpoint holding <paramref name="lockfile"/> when
    /// <paramref name="summaryOf"/> is null, else the summary of that state, whose lockfile the history rebuilds.
    /// </summary>
    private static void Write(string file, int number, byte[] lockfile, LocationState? summaryOf, TimeProvider? clock, string command, Sha256Digest? lockfileSha = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        // The header is made by the writer; a checkpoint's lockfile bytes follow it as they are (they are ours, valid JSON):
        // re-parsing and re-indenting 600 KB at a thousand deployments was a tenth of every commit, and copying them into
        // one buffer still a few milliseconds. The record is what the writer would make with the lockfile as a raw value.
        var header = new ArrayBufferWriter<byte>(1024 + (command.Length * 6));
        using (var json = new Utf8JsonWriter(header, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema", summaryOf is null ? Schema : SummarySchema);
            json.WriteNumber("generation", number);
            json.WriteString("time", Stamp(now));
            json.WriteString("command", command);
            json.WriteString("lockfile-sha256", (lockfileSha ?? Sha256Digest.Compute(lockfile)).Hex);
            if (summaryOf is null)
            {
                json.WritePropertyName("lockfile");
            }
            else
            {
                json.WriteStartArray("active");
                foreach (var d in summaryOf.ActiveDeployments.OrderBy(d => d.Id.Value, StringComparer.Ordinal))
                {
                    json.WriteStartObject();
                    json.WriteString("id", d.Id.Value);
                    json.WriteString("version", d.Version.ToString());
                    json.WriteString("deployment", d.Hash.Hex);
                    json.WriteBoolean("pinned", d.Pinned);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("bundle");
                foreach (var id in summaryOf.Bundle.Keys) json.WriteStringValue(id.Value);
                json.WriteEndArray();
                json.WriteEndObject();
            }
        }
        if (summaryOf is null) AtomicFile.Write(file, header.WrittenSpan, [lockfile, "\n}\n"u8.ToArray()]);
        else AtomicFile.Write(file, header.WrittenSpan, ["\n"u8.ToArray()]);
    }

    /// <summary>One record as read: what <c>generations</c> shows, and the lockfile's bytes when it is a checkpoint (and they were asked for).</summary>
    private sealed record Record(GenerationSummary Summary, byte[]? Lockfile);

    /// <summary>
    /// The record <paramref name="file"/> holds, or null when it has none that can be read. Only a regular file is opened,
    /// and so that the open cannot wait (<see cref="RegularFile"/>): a FIFO there would hold the command, and the lock,
    /// until a writer came. Anything else there (a FIFO, a device, a folder), or a file the system refuses, is an
    /// unreadable record, skipped like one that does not parse; <paramref name="strict"/> (a pending record, or the one
    /// generation a command names) refuses it instead, in the words of spec/errors.md PST9005 (<c>cannot read
    /// '&lt;path&gt;': it is a FIFO (named pipe), not a regular file</c>, <c>… it is a folder, not a file</c>); a missing
    /// file is null either way.
    /// </summary>
    private static Record? TryReadRecord(string file, int number, bool withLockfile, bool strict = false)
    {
        var bytes = strict ? ReadRecordFile(file) : TryReadRecordFile(file);
        return bytes is null ? null : TryParseRecord(bytes, number, withLockfile);
    }

    private static byte[]? ReadRecordFile(string file) =>
        FileSystemErrors.FileExists(file, "cannot read", UnreadableHint) ? FileSystemErrors.ReadFile(file, "cannot read", UnreadableHint) : null;

    private const string UnreadableHint = "packster writes a generation's record as a regular file; move what is there aside and run the command again";

    private static byte[]? TryReadRecordFile(string file)
    {
        try
        {
            // RegularFile looks at what it opened: anything but a regular file is null, a missing one throws.
            return RegularFile.TryReadAllBytes(file, out _);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static Record? TryParseRecord(byte[] bytes, int number, bool withLockfile)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            var schema = root.GetProperty("schema").GetInt32();
            if (schema is not (Schema or SummarySchema) || root.GetProperty("generation").GetInt32() != number) return null;
            if (!Sha256Digest.TryParse(root.GetProperty("lockfile-sha256").GetString(), out var sha)) return null;
            var time = DateTimeOffset.Parse(root.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            var command = root.GetProperty("command").GetString() ?? "";
            var active = new List<GenerationSummary.ActiveDeployment>();
            List<PackageId> bundle;
            byte[]? lockfile = null;
            if (schema == SummarySchema)
            {
                foreach (var d in root.GetProperty("active").EnumerateArray())
                {
                    if (ActiveDeployment(d) is not { } a) return null;
                    active.Add(a);
                }
                bundle = [.. root.GetProperty("bundle").EnumerateArray().Select(b => PackageId.Parse(b.GetString()!))];
            }
            else
            {
                var whole = root.GetProperty("lockfile");
                foreach (var d in whole.GetProperty("deployments").EnumerateArray())
                {
                    if (!d.GetProperty("active").GetBoolean()) continue;
                    if (ActiveDeployment(d) is not { } a) return null;
                    active.Add(a);
                }
                bundle = whole.TryGetProperty("bundle", out var b) && b.ValueKind == JsonValueKind.Object ? [.. b.EnumerateObject().Select(p => PackageId.Parse(p.Name))] : [];
                if (withLockfile) lockfile = Encoding.UTF8.GetBytes(whole.GetRawText());
            }
            return new Record(new GenerationSummary(number, time, command, sha, [.. active.OrderBy(a => a.Id.Value, StringComparer.Ordinal)], bundle), lockfile);
        }
        catch (Exception e) when (e is JsonException or IOException or KeyNotFoundException or InvalidOperationException or FormatException or PacksterException)
        {
            return null;
        }
    }

    private static GenerationSummary.ActiveDeployment? ActiveDeployment(JsonElement d) =>
        Sha256Digest.TryParse(d.GetProperty("deployment").GetString(), out var hash)
            ? new(PackageId.Parse(d.GetProperty("id").GetString()!), PackageVersion.Parse(d.GetProperty("version").GetString()!), hash,
                d.TryGetProperty("pinned", out var pinned) && pinned.GetBoolean())
            : null;

    /// <summary>
    /// How generation 1 is named when the first commit records the state it found (spec/lockfile.md § Generations): a
    /// location with no deployments yet (a new one) is "(the empty location)", anything else "(the state before
    /// generations were recorded)". A lockfile that cannot be read here is named the latter; the commit reads it itself.
    /// </summary>
    internal static string FirstStateCommand(byte[] lockfile)
    {
        try
        {
            using var doc = JsonDocument.Parse(lockfile);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("deployments", out var deployments)
                && deployments.ValueKind == JsonValueKind.Array && deployments.GetArrayLength() == 0)
            {
                return "(the empty location)";
            }
        }
        catch (JsonException)
        {
        }
        return "(the state before generations were recorded)";
    }

    /// <summary>
    /// The last checkpoint (a multiple of <see cref="CheckpointEvery"/>) before generation <paramref name="number"/> whose
    /// record can be read and holds the lockfile its <c>lockfile-sha256</c> names, with that lockfile: where a rebuild
    /// starts, so it replays the lines since then. Null when there is none.
    /// </summary>
    private static (int Generation, byte[] Lockfile, Sha256Digest Sha256)? CheckpointBefore(Location location, int number)
    {
        // Generation 1 is left out: it is mostly the state before generations were recorded, which no line names, and
        // before the 64th the history is short anyway.
        for (var n = (number - 1) / CheckpointEvery * CheckpointEvery; n > 0; n -= CheckpointEvery)
        {
            var file = FileOf(location, n, pending: false);
            if (File.Exists(file) && TryReadRecord(file, n, withLockfile: true) is { Lockfile: { } lockfile } record
                && ProvenBytes(lockfile, record.Summary.LockfileSha256, file, out _) is { } proven) return (n, proven, record.Summary.LockfileSha256);
        }
        return null;
    }

    /// <summary>
    /// The generations of <paramref name="records"/> (read with their lockfiles), in their order: a checkpoint's state
    /// from its lockfile, the summaries' rebuilt from the history in one pass. One whose lockfile cannot be had, or whose
    /// lockfile (held or rebuilt) is not the one its record's digest names, is left out.
    /// </summary>
    private static List<Generation> Materialise(Location location, IReadOnlyList<Record> records)
    {
        var wanted = records.Where(r => r.Lockfile is null).Select(r => r.Summary.Number).ToHashSet();
        var rebuilt = wanted.Count == 0 ? new Dictionary<int, RebuiltLockfile>() : HistoryReplay.Rebuild(location, wanted, CheckpointBefore(location, wanted.Min()));
        var generations = new List<Generation>();
        foreach (var (summary, lockfile) in records)
        {
            if (lockfile is null)
            {
                if (rebuilt.TryGetValue(summary.Number, out var r) && r.Sha256 == summary.LockfileSha256)
                {
                    generations.Add(new Generation(summary.Number, summary.Time, summary.Command, summary.LockfileSha256, r.State));
                }
                continue;
            }
            // A checkpoint's lockfile is accepted only when it is the one its lockfile-sha256 names, as a summary's is.
            if (Proven(lockfile, summary.LockfileSha256, FileOf(location, summary.Number, pending: false)) is { } state)
            {
                generations.Add(new Generation(summary.Number, summary.Time, summary.Command, summary.LockfileSha256, state));
            }
        }
        return generations;
    }

    /// <summary>
    /// The state of a checkpoint's lockfile (<paramref name="lockfile"/>, the record's <c>lockfile</c> as it stands in
    /// the file) when it is the lockfile <paramref name="sha256"/> (the record's <c>lockfile-sha256</c>) names; null when
    /// it is not, or not a lockfile. Read as <see cref="ProvenBytes"/> proves it.
    /// </summary>
    private static LocationState? Proven(byte[] lockfile, Sha256Digest sha256, string file)
    {
        if (ProvenBytes(lockfile, sha256, file, out var state) is null) return null;
        try
        {
            return state ?? Lockfile.Parse(lockfile, file);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or PacksterException)
        {
            return null;
        }
    }

    /// <summary>
    /// The lockfile bytes <paramref name="sha256"/> names when a checkpoint's <paramref name="lockfile"/> is that
    /// lockfile, else null (spec/lockfile.md § Generations, "Records"). It is when its bytes are the ones hashed: the
    /// writer puts the lockfile into the record as it is, and the record's value leaves out only its final newline (for
    /// generation 1, what was on disk, whichever version wrote it). Else the lockfile's writer makes its bytes from the
    /// state it holds, and those must be the ones hashed (the bytes are canonical: a record written when the writer
    /// re-indented the lockfile into it); <paramref name="parsed"/> is then that state. An edited lockfile, or one of
    /// another version's bytes this writer does not make, is not proven and is not read.
    /// </summary>
    private static byte[]? ProvenBytes(byte[] lockfile, Sha256Digest sha256, string file, out LocationState? parsed)
    {
        parsed = null;
        if (Sha256Digest.Compute(lockfile) == sha256) return lockfile;
        byte[] withNewline = [.. lockfile, (byte)'\n'];
        if (Sha256Digest.Compute(withNewline) == sha256) return withNewline;
        try
        {
            var state = Lockfile.Parse(lockfile, file);
            var canonical = Lockfile.Serialize(state);
            if (Sha256Digest.Compute(canonical) != sha256) return null;
            parsed = state;
            return canonical;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or PacksterException)
        {
            return null;
        }
    }
}
