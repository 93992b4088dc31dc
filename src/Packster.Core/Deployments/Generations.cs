using System.Buffers;
using System.Globalization;
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
/// the lockfile is written, its bytes go to <c>generations/&lt;N&gt;.pending.json</c>; after, that file is renamed to
/// <c>&lt;N&gt;.json</c>. A pending file whose lockfile is the one on disk was committed (a crash came between the two
/// steps) and is promoted when the next session opens; any other pending file never was, and is deleted.
/// </summary>
public static class Generations
{
    public const string DirectoryName = Location.GenerationsDirectoryName;
    public const int Schema = 1;
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

    /// <summary>Numbers of the committed generation files, ascending.</summary>
    private static List<int> Numbers(Location location, bool pending)
    {
        var dir = DirectoryOf(location);
        if (!Directory.Exists(dir)) return [];
        var suffix = pending ? PendingSuffix : ".json";
        var numbers = new List<int>();
        foreach (var file in Directory.EnumerateFiles(dir, "*" + suffix))
        {
            var name = Path.GetFileName(file)[..^suffix.Length];
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n.ToString(CultureInfo.InvariantCulture) == name) numbers.Add(n);
        }
        numbers.Sort();
        return numbers;
    }

    /// <summary>
    /// Writes the generation <paramref name="lockfile"/> will be, as pending, and returns its number; the caller holds
    /// the lock and writes the lockfile next. The first generation of a location that has none also records the state
    /// it had before (as generation 1), so it can be rolled back to.
    /// </summary>
    internal static int WritePending(Location location, byte[] lockfile, TimeProvider? clock, Sha256Digest? lockfileSha = null)
    {
        var committed = Numbers(location, pending: false);
        var next = committed.Count == 0 ? 1 : committed[^1] + 1;
        if (committed.Count == 0 && File.Exists(location.LockfilePath))
        {
            var before = File.ReadAllBytes(location.LockfilePath);
            if (!before.AsSpan().SequenceEqual(lockfile))
            {
                Write(FileOf(location, 1, pending: false), 1, before, clock, "(the state before generations were recorded)");
                next = 2;
            }
        }
        foreach (var stale in Numbers(location, pending: true)) File.Delete(FileOf(location, stale, pending: true));
        Write(FileOf(location, next, pending: true), next, lockfile, clock, Command ?? "(not recorded)", lockfileSha);
        return next;
    }

    /// <summary>After the lockfile was written: the pending generation is committed.</summary>
    internal static void Promote(Location location, int number) =>
        File.Move(FileOf(location, number, pending: true), FileOf(location, number, pending: false), overwrite: true);

    /// <summary>
    /// At the start of a session: a pending generation whose lockfile is the one on disk was committed and is
    /// promoted; any other is what a crash before the commit left, and is deleted.
    /// </summary>
    internal static void Settle(Location location)
    {
        var pending = Numbers(location, pending: true);
        if (pending.Count == 0) return;
        var current = File.Exists(location.LockfilePath) ? Sha256Digest.Compute(File.ReadAllBytes(location.LockfilePath)) : (Sha256Digest?)null;
        foreach (var n in pending)
        {
            var file = FileOf(location, n, pending: true);
            if (current is { } sha && TryRead(file, n) is { } g && g.LockfileSha256 == sha) Promote(location, n);
            else File.Delete(file);
        }
    }

    /// <summary>Every committed generation, oldest first (unreadable files are skipped: they are never the only copy of anything).</summary>
    public static IReadOnlyList<Generation> List(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return [.. Numbers(location, pending: false).Select(n => TryRead(FileOf(location, n, pending: false), n)).OfType<Generation>()];
    }

    /// <summary>
    /// The last <paramref name="count"/> readable generations, oldest first, reading records from the newest back only
    /// until it has them: a location's records each hold a whole lockfile, so reading all of them grows with their square.
    /// </summary>
    public static IReadOnlyList<Generation> Last(Location location, int count)
    {
        ArgumentNullException.ThrowIfNull(location);
        var found = new List<Generation>();
        foreach (var n in Enumerable.Reverse(Numbers(location, pending: false)))
        {
            if (found.Count >= count) break;
            if (TryRead(FileOf(location, n, pending: false), n) is { } g) found.Add(g);
        }
        found.Reverse();
        return found;
    }

    /// <summary>
    /// Every committed generation without its state: number, time, command, lockfile sha256, active set and bundle ids,
    /// oldest first — what <c>packster generations</c> shows, read without building a state per record. A record missing
    /// any of these is skipped, as <see cref="List"/> skips unreadable ones.
    /// </summary>
    public static IReadOnlyList<GenerationSummary> Summaries(Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        // Each record is parsed on its own: one per core, in order.
        return [.. Numbers(location, pending: false).AsParallel().AsOrdered()
            .Select(n => TrySummarise(FileOf(location, n, pending: false), n)).OfType<GenerationSummary>()];
    }

    /// <summary>The generation <paramref name="selector"/> names: a number, or a time (the last generation made at or before it).</summary>
    public static Generation Find(Location location, string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            // One record, by its number: the others are read only to name the range in the error.
            var file = FileOf(location, number, pending: false);
            return (File.Exists(file) ? TryRead(file, number) : null) ?? throw NotFound(location, selector, List(location));
        }
        var all = List(location);
        if (DateTimeOffset.TryParse(selector, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return all.LastOrDefault(g => g.Time <= time) ?? throw NotFound(location, selector, all);
        }
        throw new PacksterException(ErrorCode.InvalidArgument, $"'{selector}' is neither a generation number nor a time",
            "give a number from 'packster generations' or a time such as 2026-11-20T10:00 (UTC unless it has an offset)");
    }

    /// <summary>Deletes the records of all but the last <paramref name="keep"/> generations; returns how many were deleted.</summary>
    public static int Drop(Location location, int keep)
    {
        var numbers = Numbers(location, pending: false);
        var drop = numbers.Take(Math.Max(0, numbers.Count - Math.Max(1, keep))).ToList();
        foreach (var n in drop) File.Delete(FileOf(location, n, pending: false));
        return drop.Count;
    }

    private static PacksterException NotFound(Location location, string selector, IReadOnlyList<Generation> all) =>
        new(ErrorCode.GenerationNotFound, $"location {location.Id} has no generation {selector}"
            + (all.Count == 0 ? " (none are recorded yet)" : $" (it has {all[0].Number}–{all[^1].Number}, from {Stamp(all[0].Time)})"),
            "'packster generations' lists them");

    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void Write(string file, int number, byte[] lockfile, TimeProvider? clock, string command, Sha256Digest? lockfileSha = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        // The header is made by the writer; the lockfile's own bytes follow it as they are (they are ours, valid JSON):
        // re-parsing and re-indenting 600 KB at a thousand deployments was a tenth of every commit, and copying them into
        // one buffer still a few milliseconds. The record is what the writer would make with the lockfile as a raw value.
        var header = new ArrayBufferWriter<byte>(1024 + (command.Length * 6));
        using (var json = new Utf8JsonWriter(header, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema", Schema);
            json.WriteNumber("generation", number);
            json.WriteString("time", Stamp(now));
            json.WriteString("command", command);
            json.WriteString("lockfile-sha256", (lockfileSha ?? Sha256Digest.Compute(lockfile)).Hex);
            json.WritePropertyName("lockfile");
        }
        AtomicFile.Write(file, header.WrittenSpan, [lockfile, "\n}\n"u8.ToArray()]);
    }

    private static GenerationSummary? TrySummarise(string file, int number)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = doc.RootElement;
            if (root.GetProperty("schema").GetInt32() != Schema || root.GetProperty("generation").GetInt32() != number) return null;
            if (!Sha256Digest.TryParse(root.GetProperty("lockfile-sha256").GetString(), out var sha)) return null;
            var time = DateTimeOffset.Parse(root.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            var lockfile = root.GetProperty("lockfile");
            var active = new List<GenerationSummary.ActiveDeployment>();
            foreach (var d in lockfile.GetProperty("deployments").EnumerateArray())
            {
                if (!d.GetProperty("active").GetBoolean()) continue;
                if (!Sha256Digest.TryParse(d.GetProperty("deployment").GetString(), out var hash)) return null;
                active.Add(new(PackageId.Parse(d.GetProperty("id").GetString()!), PackageVersion.Parse(d.GetProperty("version").GetString()!), hash,
                    d.TryGetProperty("pinned", out var pinned) && pinned.GetBoolean()));
            }
            var bundle = lockfile.TryGetProperty("bundle", out var b) && b.ValueKind == JsonValueKind.Object
                ? [.. b.EnumerateObject().Select(p => PackageId.Parse(p.Name))]
                : new List<PackageId>();
            return new GenerationSummary(number, time, root.GetProperty("command").GetString() ?? "", sha,
                [.. active.OrderBy(a => a.Id.Value, StringComparer.Ordinal)], bundle);
        }
        catch (Exception e) when (e is JsonException or IOException or KeyNotFoundException or InvalidOperationException or FormatException or PacksterException)
        {
            return null;
        }
    }

    private static Generation? TryRead(string file, int number)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = doc.RootElement;
            if (root.GetProperty("schema").GetInt32() != Schema || root.GetProperty("generation").GetInt32() != number) return null;
            var lockfile = Encoding.UTF8.GetBytes(root.GetProperty("lockfile").GetRawText());
            var state = Lockfile.Parse(lockfile, file);
            if (!Sha256Digest.TryParse(root.GetProperty("lockfile-sha256").GetString(), out var sha)) return null;
            var time = DateTimeOffset.Parse(root.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            return new Generation(number, time, root.GetProperty("command").GetString() ?? "", sha, state);
        }
        catch (Exception e) when (e is JsonException or IOException or KeyNotFoundException or InvalidOperationException or FormatException or PacksterException)
        {
            return null;
        }
    }
}
