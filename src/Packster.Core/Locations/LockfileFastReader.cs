using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// Reads a lockfile in the shape packster writes it (spec/lockfile.md § Lockfile) straight into a
/// <see cref="LocationState"/>, in one pass, without the DTOs of the general reading: the derived texts
/// (<c>package</c>, <c>path</c>) are compared where they lie in the file instead of being copied out and made again.
/// At the first thing it does not expect (an unknown or repeated property, a value of another type or that does not
/// parse) it gives up and returns null: the general reading then judges the same bytes, with its errors. So it never
/// accepts what that reading refuses, nor reads anything differently (LockfileFastReaderTests holds both).
/// </summary>
internal static class LockfileFastReader
{
    public static LocationState? TryRead(ReadOnlySpan<byte> bytes) => TryRead(bytes, null, null);

    /// <summary>
    /// As <see cref="TryRead(ReadOnlySpan{byte})"/>. Given <paramref name="source"/>, the array <paramref name="bytes"/>
    /// is, each entry's parameters are parsed from it when first asked for; with <paramref name="layout"/> (made for that
    /// array), it also notes where each entry and the bundle lie, and each entry remembers its bytes (<see cref="DeploymentEntry.KeepBytes"/>).
    /// </summary>
    /// <remarks>
    /// A large file given as <paramref name="source"/> is read on every core (<see cref="TryReadSplit"/>); what that
    /// reading does not take is read here on one.
    /// </remarks>
    public static LocationState? TryRead(ReadOnlySpan<byte> bytes, byte[]? source, LockfileLayout? layout)
    {
        if (source is not null && bytes.Length >= SplitAtLeast && Environment.ProcessorCount > 1 && bytes.Overlaps(source, out var offset)
            && offset == 0 && bytes.Length == source.Length && TryReadSplit(source, layout, PiecesPerCore * Math.Min(Environment.ProcessorCount, 8)) is { } split)
        {
            return split;
        }
        return TryReadWhole(bytes, source, layout);
    }

    /// <summary>
    /// What the reader throws on text it cannot take: not JSON, or a string whose escapes have no text (a lone
    /// surrogate, which <see cref="Utf8JsonReader.GetString"/> refuses with an <see cref="InvalidOperationException"/>;
    /// a hand-edited file holding one was PST0001). Either way the general reading judges the file.
    /// </summary>
    private static bool GivesUp(Exception e) => e is JsonException or InvalidOperationException;

    /// <summary>As <see cref="TryRead(ReadOnlySpan{byte}, byte[], LockfileLayout)"/>, on one thread, whatever the size.</summary>
    internal static LocationState? TryReadWhole(ReadOnlySpan<byte> bytes, byte[]? source, LockfileLayout? layout)
    {
        var reader = new Utf8JsonReader(bytes);
        try
        {
            return Read(ref reader, bytes, source, layout, out _);
        }
        catch (Exception e) when (GivesUp(e))
        {
            return null;
        }
    }

    /// <summary>Below this a lockfile (about a hundred deployments) is read on one thread: handing out the work would cost more than it saves.</summary>
    internal const int SplitAtLeast = 64 * 1024;

    /// <summary>Pieces per core, so that a core that starts late still takes its share.</summary>
    private const int PiecesPerCore = 4;

    /// <summary>
    /// Reads <paramref name="bytes"/>, a lockfile in the shape packster writes it, with its deployment entries cut into
    /// at most <paramref name="pieces"/> runs read on every core, and the rest of the file (with an empty array in their
    /// place) read as <see cref="TryReadWhole"/> reads it. Null when the file is not in that shape or any part of it is
    /// not what the reading on one thread would take: the caller then reads it that way.
    /// </summary>
    /// <remarks>
    /// Where the entries lie is found by their indentation (spec/lockfile.md § Reading and writing a large lockfile): a
    /// JSON text holds a line break only between tokens, so <c>},\n    {</c> lies between two values, and the cuts are
    /// taken only if every run then reads as whole entries, one after the other, and the rest of the file has its
    /// <c>deployments</c> array exactly where the runs were cut from. A cut inside an entry leaves an opened value in
    /// the run before it, which no reading of a whole entry takes; so a reading that succeeds is the one-thread reading.
    /// Every run starts two levels down from the file's root, so it is read with two levels less of nesting allowed.
    /// </remarks>
    internal static LocationState? TryReadSplit(byte[] bytes, LockfileLayout? layout, int pieces, bool asWritten = true)
    {
        var span = bytes.AsSpan();
        var open = span.IndexOf(DeploymentsOpen);
        if (open < 0) return null;
        var array = open + DeploymentsOpen.IndexOf((byte)'[');
        var first = open + DeploymentsOpen.Length - 1;
        // The array ends near the end of the file (only `owners` follows it): looked for from there.
        var close = span[first..].LastIndexOf(DeploymentsClose);
        if (close < 0) return null;
        var last = first + close + 1;
        var end = first + close + DeploymentsClose.Length;

        // The rest of the file first: it is small, and when it is not in the shape nothing else is read.
        var rest = new byte[array + 2 + (bytes.Length - end)];
        span[..array].CopyTo(rest);
        "[]"u8.CopyTo(rest.AsSpan(array));
        span[end..].CopyTo(rest.AsSpan(array + 2));
        var restLayout = layout is null ? null : new LockfileLayout(rest);
        var restReader = new Utf8JsonReader(rest);
        LocationState? state;
        int deploymentsAt;
        try
        {
            state = Read(ref restReader, rest, null, restLayout, out deploymentsAt);
        }
        catch (Exception e) when (GivesUp(e))
        {
            return null;
        }
        if (state is null || deploymentsAt != array || state.Deployments.Count != 0) return null;

        var starts = new List<int>(pieces) { first };
        for (var k = 1; k < pieces; k++)
        {
            var from = Math.Max(first + (int)((long)(last - first) * k / pieces), starts[^1]);
            var between = span[from..last].IndexOf(Between);
            if (between < 0) break;
            var start = from + between + Between.Length - 1;
            if (start > starts[^1]) starts.Add(start);
        }
        var runs = new List<(DeploymentEntry Entry, Range At)>?[starts.Count];
        Parallelism.For(starts.Count, j => runs[j] = ReadRun(bytes, starts[j], j + 1 < starts.Count ? starts[j + 1] - Separator.Length : last, asWritten));

        var count = 0;
        foreach (var run in runs)
        {
            if (run is null) return null;
            count += run.Count;
        }
        var hashes = new Dictionary<Sha256Digest, Range>(count);
        foreach (var run in runs)
        {
            foreach (var (entry, at) in run!)
            {
                if (!hashes.TryAdd(entry.Hash, at)) return null;
                if (layout is not null) KeepBytes(entry, layout, at);
                state.Deployments.Add(entry);
            }
        }
        if (layout is null) return state;
        layout.Entries = hashes;
        // The bundle lies before the array in the file packster writes; after it, it lies as far on as the entries are long.
        var bundle = restLayout!.Bundle;
        layout.Bundle = bundle.Start.Value < array ? bundle : (bundle.Start.Value + end - array - 2)..(bundle.End.Value + end - array - 2);
        layout.Complete = restLayout.Complete;
        return state;
    }

    /// <summary>The line that opens the deployments, up to the first entry's <c>{</c>, as packster writes it.</summary>
    private static ReadOnlySpan<byte> DeploymentsOpen => "\n  \"deployments\": [\n    {"u8;

    /// <summary>The last entry's <c>}</c> to the array's <c>]</c>.</summary>
    private static ReadOnlySpan<byte> DeploymentsClose => "}\n  ]"u8;

    /// <summary>Between two entries: one's <c>}</c> to the next one's <c>{</c>.</summary>
    private static ReadOnlySpan<byte> Between => "},\n    {"u8;

    /// <summary>After an entry's <c>}</c>, before the next one's <c>{</c>.</summary>
    private static ReadOnlySpan<byte> Separator => ",\n    "u8;

    /// <summary>Two levels less than a whole file is read with (the default, 64): a run starts at the depth of an entry.</summary>
    private static readonly JsonReaderOptions RunOptions = new() { MaxDepth = 64 - 2 };

    /// <summary>The entries from <paramref name="start"/> (an entry's <c>{</c>) to <paramref name="end"/> (just after the last one's <c>}</c>), each where it lies; null when that is not whole entries separated as packster separates them.</summary>
    private static List<(DeploymentEntry Entry, Range At)>? ReadRun(byte[] bytes, int start, int end, bool asWritten)
    {
        var read = new List<(DeploymentEntry, Range)>();
        var versions = new Dictionary<string, PackageVersion>(StringComparer.Ordinal);
        PackageFileName? last = null;
        try
        {
            for (var at = start; ;)
            {
                if (!asWritten || !TryReadAsWritten(bytes, at, end, versions, last, out var entry, out var next))
                {
                    var reader = new Utf8JsonReader(bytes.AsSpan(at, end - at), RunOptions);
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
                    entry = ReadDeployment(ref reader, bytes, at, bytes, versions, last);
                    if (entry is null) return null;
                    next = at + (int)reader.BytesConsumed;
                }
                read.Add((entry, at..next));
                last = entry.Package;
                if (next == end) return read;
                if (!bytes.AsSpan(next).StartsWith(Separator)) return null;
                at = next + Separator.Length;
            }
        }
        catch (Exception e) when (GivesUp(e))
        {
            return null;
        }
    }

    /// <summary>An entry indented as packster indents it can be copied back as it is (with what precedes it) while it is unchanged.</summary>
    private static void KeepBytes(DeploymentEntry entry, LockfileLayout layout, Range at)
    {
        var start = at.Start.Value;
        if (start >= LockfileLayout.EntryIndent.Length && layout.Bytes.AsSpan((start - LockfileLayout.EntryIndent.Length)..start).SequenceEqual(LockfileLayout.EntryIndent))
        {
            entry.KeepBytes(layout.Bytes, (start - LockfileLayout.EntryIndent.Length)..at.End);
        }
    }

    private static LocationState? Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> bytes, byte[]? source, LockfileLayout? layout, out int deploymentsAt)
    {
        deploymentsAt = -1;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        LocationId? location = null;
        var deployments = new List<DeploymentEntry>();
        var bundle = new List<BundleRequirement>();
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("schema"u8) ? 1 : reader.ValueTextEquals("location"u8) ? 2 : reader.ValueTextEquals("hash"u8) ? 4
                : reader.ValueTextEquals("bundle"u8) ? 8 : reader.ValueTextEquals("deployments"u8) ? 16 : reader.ValueTextEquals("owners"u8) ? 32 : 0;
            if (field == 0 || (seen & field) != 0) return null;
            seen |= field;
            reader.Read();
            switch (field)
            {
                case 1:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var schema) || schema != Lockfile.Schema) return null;
                    break;
                case 2:
                    if (reader.TokenType != JsonTokenType.String || !LocationId.TryParse(reader.GetString(), out var id)) return null;
                    location = id;
                    break;
                case 4:
                    // Derived, so not read; packster writes it as 64 hex digits, never escaped (an escape may have no text).
                    if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return null;
                    break;
                case 8:
                    var start = (int)reader.TokenStartIndex;
                    if (!ReadBundle(ref reader, bundle)) return null;
                    layout?.Bundle = start..(int)reader.BytesConsumed;
                    break;
                case 16:
                    deploymentsAt = (int)reader.TokenStartIndex;
                    if (!ReadDeployments(ref reader, bytes, source, deployments, layout)) return null;
                    break;
                default:
                    if (!ReadOwners(ref reader)) return null;
                    break;
            }
        }
        // Without its deployments the file is not one packster wrote: the general reading refuses it.
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || location is not { } locationId || (seen & 16) == 0) return null;
        var state = new LocationState(locationId);
        state.Deployments.AddRange(deployments);
        foreach (var requirement in bundle)
        {
            if (!state.Bundle.TryAdd(requirement.Id, requirement)) return null;
        }
        layout?.Complete = (seen & 8) != 0;
        return state;
    }

    private static bool ReadDeployments(ref Utf8JsonReader reader, ReadOnlySpan<byte> bytes, byte[]? source, List<DeploymentEntry> deployments, LockfileLayout? layout)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return false;
        // Where each entry lies, by hash: the layout's when one is made, else only to refuse a hash listed twice.
        var hashes = layout?.Entries ?? [];
        // Versions repeat across deployments: each text is parsed once.
        var versions = new Dictionary<string, PackageVersion>(StringComparer.Ordinal);
        // Deployments of one package follow each other (the file is sorted by id and version): they share its name.
        PackageFileName? last = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var start = (int)reader.TokenStartIndex;
            if (ReadDeployment(ref reader, bytes, 0, source, versions, last) is not { } entry) return false;
            var at = start..(int)reader.BytesConsumed;
            if (!hashes.TryAdd(entry.Hash, at)) return false;
            if (layout is not null) KeepBytes(entry, layout, at);
            deployments.Add(entry);
            last = entry.Package;
        }
        return reader.TokenType == JsonTokenType.EndArray;
    }

    /// <summary>One entry, its <c>{</c> read; <paramref name="offset"/> is where <paramref name="reader"/>'s bytes start in <paramref name="bytes"/>.</summary>
    private static DeploymentEntry? ReadDeployment(ref Utf8JsonReader reader, ReadOnlySpan<byte> bytes, int offset, byte[]? source, Dictionary<string, PackageVersion> versions,
        PackageFileName? last)
    {
        PackageId? id = null;
        PackageVersion? version = null;
        Sha256Digest? sha = null, hash = null;
        Range? package = null, path = null;
        JsonElement? parameters = null;
        Range? parametersAt = null;
        DateTimeOffset? installedAt = null;
        bool? active = null, pinned = null;
        bool dependency = false;
        string? signer = null;
        List<string>? claims = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = DeploymentField(ref reader);
            if (field == 0 || (seen & field) != 0) return null;
            seen |= field;
            reader.Read();
            var isString = reader.TokenType == JsonTokenType.String;
            switch (field)
            {
                case 1:
                    if (isString && last is not null && reader.ValueTextEquals(last.Id.Value)) id = last.Id;
                    else if (!isString || !PackageId.TryParse(reader.GetString(), out var parsedId)) return null;
                    else id = parsedId;
                    break;
                case 2:
                    if (isString && last is not null && reader.ValueTextEquals(last.Version.ToString())) version = last.Version;
                    else if (!isString || ParseVersion(reader.GetString()!, versions) is not { } parsedVersion) return null;
                    else version = parsedVersion;
                    break;
                case 4:
                case 32:
                    // Compared where it lies once the parts it is made of are known; an escaped text is left to the general reading.
                    if (!isString || reader.ValueIsEscaped) return null;
                    var at = offset + (int)reader.TokenStartIndex + 1;
                    if (field == 4) package = at..(at + reader.ValueSpan.Length);
                    else path = at..(at + reader.ValueSpan.Length);
                    break;
                case 8:
                case 16:
                    if (field == 8 && isString && last is not null && reader.ValueTextEquals(last.Sha256.Hex))
                    {
                        sha = last.Sha256;
                        break;
                    }
                    if (!isString || !TryDigest(ref reader, out var digest)) return null;
                    if (field == 8) sha = digest;
                    else hash = digest;
                    break;
                case 64:
                    if (reader.TokenType != JsonTokenType.StartObject) return null;
                    if (source is null)
                    {
                        var ahead = reader;
                        if (!SkipNamedOnce(ref ahead)) return null;
                        parameters = JsonElement.ParseValue(ref reader);
                        break;
                    }
                    // Read through (which checks it is well-formed), parsed when first asked for.
                    var from = offset + (int)reader.TokenStartIndex;
                    if (!SkipNamedOnce(ref reader)) return null;
                    parametersAt = from..(offset + (int)reader.BytesConsumed);
                    break;
                case 128:
                    if (!isString || ParseTime(ref reader) is not { } t) return null;
                    installedAt = t;
                    break;
                case 256:
                case 512:
                case 4096:
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False)) return null;
                    if (field == 256) active = reader.GetBoolean();
                    else if (field == 512) pinned = reader.GetBoolean();
                    else dependency = reader.GetBoolean();
                    break;
                case 1024:
                    if (reader.TokenType != JsonTokenType.StartArray) return null;
                    claims = [];
                    while (reader.Read() && reader.TokenType == JsonTokenType.String) claims.Add(reader.GetString()!);
                    if (reader.TokenType != JsonTokenType.EndArray) return null;
                    break;
                default:
                    if (!isString) return null;
                    signer = reader.GetString()!;
                    if (signer.Length != 16 || !signer.All(char.IsAsciiHexDigitLower)) return null;
                    break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || id is not { } packageId || version is null || sha is not { } packageSha || hash is not { } deploymentHash
            || package is not { } packageText || path is not { } pathText || active is null || pinned is null)
        {
            return null;
        }
        if (Name(bytes, last, packageId, version, packageSha, deploymentHash, packageText, pathText) is not { } name) return null;
        var entry = parametersAt is { } parametersRange ? new DeploymentEntry(name, deploymentHash, source!, parametersRange)
            : parameters is { } read ? new DeploymentEntry(name, deploymentHash, read)
            : new DeploymentEntry(name, deploymentHash, []);
        entry.InstalledAt = installedAt;
        entry.Active = active.Value;
        entry.Pinned = pinned.Value;
        entry.Dependency = dependency;
        entry.Signer = signer;
        foreach (var claim in claims ?? []) entry.Claims.Add(claim);
        return entry;
    }

    /// <summary>
    /// The name of an entry's package (<paramref name="last"/>'s when it is the same package); null when the entry's
    /// <c>package</c> and <c>path</c> texts, at <paramref name="package"/> and <paramref name="path"/>, are not the ones its parts derive.
    /// </summary>
    private static PackageFileName? Name(ReadOnlySpan<byte> bytes, PackageFileName? last, PackageId id, PackageVersion version, Sha256Digest sha, Sha256Digest hash,
        Range package, Range path)
    {
        var name = last is not null && last.Id == id && ReferenceEquals(last.Version, version) && last.Sha256 == sha ? last : new PackageFileName(id, version, sha);
        return IsFileName(bytes[package], name) && IsPath(bytes[path], hash) ? name : null;
    }

    /// <summary>
    /// One entry at <paramref name="at"/> (its <c>{</c>), when it is laid out exactly as packster writes it (spec/lockfile.md
    /// § Reading and writing a large lockfile, Entries as written): its fields in their order, each on its line at its
    /// indent, each text printable ASCII without an escape. Such an entry is read by matching its lines, with a JSON reader
    /// for its parameters only; <paramref name="next"/> is just after its <c>}</c>. False for anything else — another
    /// order, spacing, an escape, a value of another shape, even a refused value — which the JSON reading of the entry then
    /// judges (<see cref="ReadDeployment"/>): so nothing is read here that that reading would read otherwise or refuse.
    /// </summary>
    internal static bool TryReadAsWritten(byte[] bytes, int at, int end, Dictionary<string, PackageVersion> versions, PackageFileName? last,
        [NotNullWhen(true)] out DeploymentEntry? entry, out int next)
    {
        entry = null;
        next = 0;
        var line = new WrittenLines(bytes.AsSpan(0, end), at);
        try
        {
            if (!line.Next("{\n      \"id\": "u8) || !line.Text(out var idText)
                || !line.Next(",\n      \"version\": "u8) || !line.Text(out var versionText)
                || !line.Next(",\n      \"package\": "u8) || !line.Text(out var package)
                || !line.Next(",\n      \"sha256\": "u8) || !line.Text(out var shaText)
                || !line.Next(",\n      \"deployment\": "u8) || !line.Text(out var hashText)
                || !line.Next(",\n      \"path\": "u8) || !line.Text(out var path)
                || !line.Next(",\n      \"parameters\": "u8) || !line.Object(out var parameters))
            {
                return false;
            }
            DateTimeOffset? installedAt = null;
            if (line.Next(",\n      \"installedAt\": "u8))
            {
                if (!line.Text(out var time) || ParseUtcTime(bytes.AsSpan(time)) is not { } t) return false;
                installedAt = t;
            }
            if (!line.Next(",\n      \"active\": "u8) || !line.Boolean(out var active)
                || !line.Next(",\n      \"pinned\": "u8) || !line.Boolean(out var pinned)
                || !line.Next(",\n      \"claims\": ["u8))
            {
                return false;
            }
            List<Range>? claims = null;
            if (!line.Next("]"u8))
            {
                claims = [];
                do
                {
                    if (!line.Next("\n        "u8) || !line.Text(out var claim)) return false;
                    claims.Add(claim);
                }
                while (line.Next(","u8));
                if (!line.Next("\n      ]"u8)) return false;
            }
            string? signer = null;
            if (line.Next(",\n      \"signer\": "u8))
            {
                if (!line.Text(out var signerText) || signerText.GetOffsetAndLength(end).Length != 16 || bytes.AsSpan(signerText).ContainsAnyExcept(LowerHex)) return false;
                signer = Encoding.ASCII.GetString(bytes.AsSpan(signerText));
            }
            var dependency = line.Next(",\n      \"dependency\": true"u8);
            if (!line.Next("\n    }"u8)) return false;

            var span = bytes.AsSpan();
            PackageId? id = last is not null && Ascii.Equals(span[idText], last.Id.Value) ? last.Id
                : PackageId.TryParse(Encoding.ASCII.GetString(span[idText]), out var parsedId) ? parsedId : null;
            var version = last is not null && Ascii.Equals(span[versionText], last.Version.ToString()) ? last.Version
                : ParseVersion(Encoding.ASCII.GetString(span[versionText]), versions);
            Sha256Digest? sha = last is not null && Ascii.Equals(span[shaText], last.Sha256.Hex) ? last.Sha256
                : Sha256Digest.TryParse(span[shaText], out var parsedSha) ? parsedSha : null;
            if (id is not { } packageId || version is null || sha is not { } packageSha || !Sha256Digest.TryParse(span[hashText], out var hash)
                || Name(span, last, packageId, version, packageSha, hash, package, path) is not { } name)
            {
                return false;
            }
            var read = new DeploymentEntry(name, hash, bytes, parameters);
            read.InstalledAt = installedAt;
            read.Active = active;
            read.Pinned = pinned;
            read.Dependency = dependency;
            read.Signer = signer;
            foreach (var claim in claims ?? []) read.Claims.Add(Encoding.ASCII.GetString(span[claim]));
            entry = read;
            next = line.At;
            return true;
        }
        catch (Exception e) when (GivesUp(e))
        {
            return false;
        }
    }

    private static readonly SearchValues<byte> LowerHex = SearchValues.Create("0123456789abcdef"u8);

    /// <summary>Printable ASCII but the quote and the backslash: a JSON text of these bytes is exactly these bytes.</summary>
    private static readonly SearchValues<byte> Plain = SearchValues.Create(
        Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b is not ('"' or '\\')).Select(b => (byte)b).ToArray());

    /// <summary>Two levels below a run's entries (file, deployments, entry): where an entry's parameters start.</summary>
    private static readonly JsonReaderOptions ParametersOptions = new() { MaxDepth = 64 - 3 };

    /// <summary>A cursor over an entry laid out as packster writes it (<see cref="TryReadAsWritten"/>).</summary>
    private ref struct WrittenLines(ReadOnlySpan<byte> bytes, int at)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int At { get; private set; } = at;

        /// <summary>Steps over <paramref name="expected"/> when it is what comes next.</summary>
        public bool Next(ReadOnlySpan<byte> expected)
        {
            if (!_bytes[At..].StartsWith(expected)) return false;
            At += expected.Length;
            return true;
        }

        /// <summary>A string of <see cref="Plain"/> bytes, quotes included; <paramref name="text"/> is where its text lies.</summary>
        public bool Text(out Range text)
        {
            text = default;
            if (!Next("\""u8)) return false;
            var length = _bytes[At..].IndexOfAnyExcept(Plain);
            if (length < 0 || _bytes[At + length] != '"') return false;
            text = At..(At + length);
            At += length + 1;
            return true;
        }

        public bool Boolean(out bool value)
        {
            value = Next("true"u8);
            return value || Next("false"u8);
        }

        /// <summary>
        /// An object read through by a JSON reader, as the reading of the whole entry reads it (<see cref="SkipNamedOnce"/>,
        /// at the same depth); <paramref name="value"/> is where it lies.
        /// </summary>
        public bool Object(out Range value)
        {
            value = default;
            var reader = new Utf8JsonReader(_bytes[At..], ParametersOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !SkipNamedOnce(ref reader)) return false;
            value = At..(At + (int)reader.BytesConsumed);
            At = value.End.Value;
            return true;
        }
    }

    /// <summary>The string at <paramref name="reader"/> as a digest, from its bytes unless it is escaped (then as the general reading takes it).</summary>
    internal static bool TryDigest(ref Utf8JsonReader reader, out Sha256Digest digest) =>
        reader.ValueIsEscaped ? Sha256Digest.TryParse(reader.GetString(), out digest) : Sha256Digest.TryParse(reader.ValueSpan, out digest);

    /// <summary>An <c>installedAt</c> value, parsed from its bytes as the general reading parses its text.</summary>
    private static DateTimeOffset? ParseTime(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > 32) return null;
        if (ParseUtcTime(reader.ValueSpan) is { } fast) return fast;
        Span<char> time = stackalloc char[32];
        var length = Encoding.UTF8.GetChars(reader.ValueSpan, time);
        return DateTimeOffset.TryParseExact(time[..length], Lockfile.TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
    }

    /// <summary>
    /// <c>yyyy-MM-ddTHH:mm:ssZ</c> as packster writes it, read digit by digit: the general parse of a time was a tenth of
    /// reading an entry. Null for anything else (another shape, a day the month does not have), which the general parse
    /// then judges: the two agree on every text this one takes (<c>LockfileFastReaderTests</c>).
    /// </summary>
    internal static DateTimeOffset? ParseUtcTime(ReadOnlySpan<byte> text)
    {
        if (text.Length != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z') return null;
        if (Number(text[..4]) is not (>= 1 and var year) || Number(text[5..7]) is not (>= 1 and <= 12 and var month)
            || Number(text[8..10]) is not { } day || day < 1 || day > DateTime.DaysInMonth(year, month)
            || Number(text[11..13]) is not (<= 23 and var hour) || Number(text[14..16]) is not (<= 59 and var minute)
            || Number(text[17..19]) is not (<= 59 and var second))
        {
            return null;
        }
        return new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);

        static int? Number(ReadOnlySpan<byte> digits)
        {
            var n = 0;
            foreach (var b in digits)
            {
                if (b is < (byte)'0' or > (byte)'9') return null;
                n = (n * 10) + (b - '0');
            }
            return n;
        }
    }

    private static int DeploymentField(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? 1 : reader.ValueTextEquals("version"u8) ? 2 : reader.ValueTextEquals("package"u8) ? 4
        : reader.ValueTextEquals("sha256"u8) ? 8 : reader.ValueTextEquals("deployment"u8) ? 16 : reader.ValueTextEquals("path"u8) ? 32
        : reader.ValueTextEquals("parameters"u8) ? 64 : reader.ValueTextEquals("installedAt"u8) ? 128 : reader.ValueTextEquals("active"u8) ? 256
        : reader.ValueTextEquals("pinned"u8) ? 512 : reader.ValueTextEquals("claims"u8) ? 1024 : reader.ValueTextEquals("signer"u8) ? 2048
        : reader.ValueTextEquals("dependency"u8) ? 4096 : 0;

    /// <summary><c>{id}-{version}-{sha256}.packster</c> (the name's own text, made once), compared with the bytes of the file.</summary>
    private static bool IsFileName(ReadOnlySpan<byte> text, PackageFileName name) => Ascii.Equals(text, name.FileName);

    /// <summary><c>deployments/&lt;hash&gt;</c>, as <see cref="DeploymentEntry.RelativePath"/> spells it.</summary>
    private static bool IsPath(ReadOnlySpan<byte> text, Sha256Digest hash)
    {
        Span<char> path = stackalloc char[DeploymentEntry.RelativePathLength];
        DeploymentEntry.WriteRelativePath(hash, path);
        return Ascii.Equals(text, path);
    }

    /// <summary><paramref name="text"/> as a version, parsed once per text (<paramref name="parsed"/> keeps them); null when it is not one.</summary>
    internal static PackageVersion? ParseVersion(string text, Dictionary<string, PackageVersion> parsed)
    {
        if (parsed.TryGetValue(text, out var known)) return known;
        if (!PackageVersion.TryParse(text, out var version)) return null;
        parsed[text] = version;
        return version;
    }

    /// <summary>
    /// Reads through the object or array at <paramref name="reader"/> (its first token read): true when no object in it
    /// names a member twice. An object whose names come unescaped and in strictly ascending byte order, as packster writes
    /// them (spec/lockfile.md § Lockfile: keys sorted recursively), needs no more than that order; another has its names
    /// decoded and compared. A name given twice, or one that does not decode, is the general reading's to judge: PST5002
    /// there, where an object of the parameters would otherwise refuse it later, unexplained.
    /// </summary>
    internal static bool SkipNamedOnce(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !SkipNamedOnce(ref reader)) return false;
            }
            return true;
        }
        var start = reader;
        var previous = ReadOnlySpan<byte>.Empty;
        var first = true;
        var sorted = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (sorted && (reader.ValueIsEscaped || (!first && previous.SequenceCompareTo(reader.ValueSpan) >= 0)))
            {
                sorted = false;
                if (!NamesOnce(start)) return false;
            }
            previous = reader.ValueSpan;
            first = false;
            reader.Read();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !SkipNamedOnce(ref reader)) return false;
        }
        return true;
    }

    /// <summary>Whether the object at <paramref name="reader"/> (a copy) names each member once, its names decoded; false too for a name that does not decode.</summary>
    private static bool NamesOnce(Utf8JsonReader reader)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!names.Add(reader.GetString()!)) return false;
                reader.Read();
                reader.Skip();
            }
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escaped in a name has no text.
            return false;
        }
        return true;
    }

    private static bool ReadBundle(ref Utf8JsonReader reader, List<BundleRequirement> bundle)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!PackageId.TryParse(reader.GetString(), out var id) || !reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            string? range = null;
            JsonObject? parameters = null;
            ResolvedRequirement? resolved = null;
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("range"u8) ? 1 : reader.ValueTextEquals("parameters"u8) ? 2 : reader.ValueTextEquals("resolved"u8) ? 4 : 0;
                if (field == 0 || (seen & field) != 0) return false;
                seen |= field;
                reader.Read();
                if (field == 1)
                {
                    if (reader.TokenType != JsonTokenType.String) return false;
                    range = reader.GetString();
                }
                else if (field == 2)
                {
                    if (reader.TokenType != JsonTokenType.StartObject) return false;
                    var ahead = reader;
                    if (!SkipNamedOnce(ref ahead)) return false;
                    parameters = JsonNode.Parse(ref reader)!.AsObject();
                }
                else if (ReadResolved(ref reader) is { } r) resolved = r;
                else return false;
            }
            if (reader.TokenType != JsonTokenType.EndObject || range is null) return false;
            bundle.Add(new BundleRequirement(id, range, parameters) { Resolved = resolved });
        }
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static ResolvedRequirement? ReadResolved(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return null;
        PackageFileName? package = null;
        Sha256Digest? deployment = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isPackage = reader.ValueTextEquals("package"u8);
            if (!isPackage && !reader.ValueTextEquals("deployment"u8)) return null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String) return null;
            if (isPackage)
            {
                if (package is not null || !PackageFileName.TryParse(reader.GetString(), out var name)) return null;
                package = name;
            }
            else
            {
                if (deployment is not null || !Sha256Digest.TryParse(reader.GetString(), out var hash)) return null;
                deployment = hash;
            }
        }
        return reader.TokenType == JsonTokenType.EndObject && package is not null && deployment is { } d ? new ResolvedRequirement(package, d) : null;
    }

    /// <summary>Derived, so only its shape is read: an object of strings, no name twice (§ Compatibility), as packster writes it.</summary>
    private static bool ReadOwners(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return false;
        var ahead = reader;
        if (!SkipNamedOnce(ref ahead)) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return false;
        }
        return reader.TokenType == JsonTokenType.EndObject;
    }
}
