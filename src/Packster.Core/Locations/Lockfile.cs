using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// Reads and writes <c>packster-location.json</c> (spec/lockfile.md). Reading never repairs: an unreadable file or an
/// unknown schema is an error naming the file, and the file is left byte for byte as it was. Writing is atomic.
/// </summary>
public static class Lockfile
{
    public const string FileName = "packster-location.json";

    /// <summary>The one schema version this build reads and writes.</summary>
    public const int Schema = 1;

    internal const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static LocationState Read(string path)
    {
        var bytes = ReadBytes(path);
        return Parse(bytes, path, bytes, null);
    }

    /// <summary>
    /// As <see cref="Read"/>, with the bytes the state was read from and where each entry lies in them when the file has
    /// the shape packster writes (null otherwise); each entry remembers its bytes, so that <see cref="Serialize(LocationState, LockfileLayout?, out LockfileLayout?)"/>
    /// can copy the ones that did not change.
    /// </summary>
    internal static (LocationState State, byte[] Bytes, LockfileLayout? Layout) ReadWithLayout(string path)
    {
        var bytes = ReadBytes(path);
        var layout = new LockfileLayout(bytes);
        var state = Parse(bytes, path, bytes, layout);
        return (state, bytes, layout.Complete ? layout : null);
    }

    /// <summary>
    /// Reads the lockfile like <see cref="Read"/> but returns a state that breaks <see cref="LockfileInvariants"/>
    /// instead of refusing it, with every rule it breaks: what <c>location repair</c> starts from.
    /// </summary>
    public static (LocationState State, IReadOnlyList<string> Violations) ReadForRepair(string path)
    {
        var state = ParseShape(ReadBytes(path), path);
        return (state, LockfileInvariants.Violations(state));
    }

    /// <summary>The file's bytes, into an array not cleared first (every byte of it is read into).</summary>
    private static byte[] ReadBytes(string path)
    {
        try
        {
            using var handle = OpenRegular(path);
            var length = RandomAccess.GetLength(handle);
            if (length == 0 || length > Array.MaxLength) return RegularFile.ReadAllBytes(path, kind => NotRegular(path, kind));
            var bytes = UninitializedBuffer.NewArray((int)length);
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
                if (n == 0) break;
                read += n;
            }
            // Shorter than its length said (changed under us, or a file whose length is not its size): read as a whole.
            return read == bytes.Length ? bytes : RegularFile.ReadAllBytes(path, kind => NotRegular(path, kind));
        }
        catch (FileNotFoundException e)
        {
            throw LocationErrors.LockfileUnreadable(path, "the file does not exist", e);
        }
    }

    /// <summary>
    /// The lockfile opened for reading when it is a regular file (<see cref="RegularFile"/>: a FIFO there is never waited
    /// on, under the lock or not); anything else is PST5002 saying what it is.
    /// </summary>
    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenRegular(string path) => RegularFile.Open(path, kind => NotRegular(path, kind));

    private static PacksterException NotRegular(string path, Packaging.FileKind kind) =>
        LocationErrors.LockfileUnreadable(path, $"it is {Packaging.FileKinds.Describe(kind)}, not a regular file");

    /// <summary>
    /// Writes <paramref name="state"/> atomically (temp file, flush to disk, rename). A state that breaks
    /// <see cref="LockfileInvariants"/> is refused (LocationInconsistent) and nothing is written.
    /// </summary>
    public static void Write(string path, LocationState state) => Write(path, state, null);

    /// <summary>The SHA-256 of the lockfile at <paramref name="path"/> as it is on disk; null when it cannot be read.</summary>
    internal static Sha256Digest? DigestIfReadable(string path)
    {
        try
        {
            return RegularFile.TryReadAllBytes(path, out _) is { } bytes ? Sha256Digest.Compute(bytes) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>As <see cref="Write(string, LocationState)"/>, with <paramref name="serialized"/> = <see cref="Serialize"/> of the state when the caller has it already.</summary>
    public static void Write(string path, LocationState state, byte[]? serialized) => Write(path, state, serialized, null);

    /// <summary>As <see cref="Write(string, LocationState, byte[])"/>; <paramref name="staged"/>: <paramref name="serialized"/> staged beside <paramref name="path"/> already, placed here.</summary>
    internal static void Write(string path, LocationState state, byte[]? serialized, StagedFile? staged)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (LockfileInvariants.Violations(state) is [var first, ..]) throw LocationErrors.Inconsistent(path, first);
        if (staged is not null) staged.Place();
        else AtomicFile.Write(path, serialized ?? Serialize(state));
    }

    /// <summary>The exact bytes written for <paramref name="state"/>: UTF-8, indented by two spaces, LF, trailing newline.</summary>
    /// <remarks>
    /// Written field by field in the order of <see cref="LockfileDto"/>, absent fields left out as the serializer leaves
    /// out nulls: through the DTOs and a sorted copy of every parameter object, a lockfile of a thousand deployments cost
    /// three megabytes of garbage per commit. Written once into a buffer sized for the whole file, then copied once.
    /// </remarks>
    public static byte[] Serialize(LocationState state) => Serialize(state, null, out _);

    /// <summary>
    /// As <see cref="Serialize(LocationState)"/>; given the layout of the lockfile the state was read from, and only when
    /// those bytes are canonical (spec/lockfile.md § Canonical bytes), every entry unchanged since is copied from them
    /// rather than written again, and <paramref name="layout"/> says where everything lies in the result.
    /// </summary>
    internal static byte[] Serialize(LocationState state, LockfileLayout? from, out LockfileLayout? layout)
    {
        // First: two active deployments claiming one resource are refused before anything is written.
        var owners = state.Owners;
        // With a layout most entries are copied, each holding its place with one byte: room for the owners and a few
        // entries written whole is enough (it grows if not). Room for every entry was a large-object array of
        // 770 KB at 1,000 deployments (spec/lockfile.md § Reading and writing a large lockfile, Allocation).
        var scratch = new UninitializedBuffer(from is null
            ? 1024 + (BytesPerDeployment * state.Deployments.Count)
            : 1024 + (BytesPerDeployment * 4) + (16 * state.Deployments.Count) + (BytesPerOwner * owners.Count));
        // With a layout: each entry, where it lies in the scratch, and where in the bytes read its copy comes from.
        List<(Sha256Digest Hash, Range At, Range? Copied)>? written = from is null ? null : new(state.Deployments.Count);
        Range bundle = default;
        using (var json = new Utf8JsonWriter(scratch, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("schema"u8, Schema);
            json.WriteString("location"u8, state.LocationId.Value);
            json.WriteString("hash"u8, state.Hash.Hex);
            var bundleStart = Position(json, scratch, from);
            json.WriteStartObject("bundle"u8);
            foreach (var (id, requirement) in state.Bundle)
            {
                json.WriteStartObject(id.Value);
                json.WriteString("range"u8, requirement.Range);
                if (requirement.Parameters is { } parameters)
                {
                    json.WritePropertyName("parameters"u8);
                    SortedJson.Write(json, parameters);
                }
                if (requirement.Resolved is { } resolved)
                {
                    json.WriteStartObject("resolved"u8);
                    json.WriteString("package"u8, resolved.Package.FileName);
                    json.WriteString("deployment"u8, resolved.Deployment.Hex);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            if (from is not null) bundle = ValueAt(scratch, bundleStart, Position(json, scratch, from));
            json.WriteStartArray("deployments"u8);
            foreach (var d in InFileOrder(state.Deployments))
            {
                if (from is null)
                {
                    WriteDeployment(json, d);
                    continue;
                }
                var start = Position(json, scratch, from);
                // An entry copied as read holds its place with one byte (after the separator the writer puts), replaced
                // when the file is put together; the bytes read start with the line break and indent the writer would put.
                var copied = d.RangeAsRead(from.Bytes);
                if (copied is not null) json.WriteRawValue(Placeholder, skipInputValidation: true);
                else WriteDeployment(json, d);
                var end = Position(json, scratch, from);
                written!.Add((d.Hash, copied is null ? ValueAt(scratch, start, end) : (end - Placeholder.Length)..end, copied));
            }
            json.WriteEndArray();
            json.WriteStartObject("owners"u8);
            foreach (var (claim, hash) in owners) json.WriteString(claim, hash.Hex);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        scratch.Write("\n"u8);
        if (from is null)
        {
            layout = null;
            var whole = UninitializedBuffer.NewArray(scratch.WrittenCount);
            scratch.WrittenSpan.CopyTo(whole);
            return whole;
        }
        var bytes = Assemble(scratch.WrittenSpan, from.Bytes, written!, out var entries);
        var fresh = new HashSet<Sha256Digest>();
        foreach (var (hash, _, copied) in written!)
        {
            if (copied is null) fresh.Add(hash);
        }
        layout = LockfileLayout.Written(bytes, bundle, entries, fresh.Count < written.Count ? from.Bytes : null, fresh);
        return bytes;
    }

    /// <summary>
    /// <paramref name="deployments"/> in the order the file lists them: by id, version, then hash. A state read from the
    /// file is in that order but for what a command added since, at the end: the run in order is kept, the rest sorted
    /// and merged into it. Sorting all of them anew was a third of a millisecond of every commit at 1,000 deployments.
    /// </summary>
    internal static DeploymentEntry[] InFileOrder(List<DeploymentEntry> deployments)
    {
        var all = deployments.ToArray();
        var run = 1;
        while (run < all.Length && InFileOrder(all[run - 1], all[run]) < 0) run++;
        if (run >= all.Length) return all;
        var rest = all[run..];
        Array.Sort(rest, InFileOrder);
        var merged = new DeploymentEntry[all.Length];
        int i = 0, j = 0, k = 0;
        while (i < run && j < rest.Length) merged[k++] = InFileOrder(all[i], rest[j]) < 0 ? all[i++] : rest[j++];
        while (i < run) merged[k++] = all[i++];
        while (j < rest.Length) merged[k++] = rest[j++];
        return merged;
    }

    /// <summary>By id, version, then hash (ordinal): hashes are unique, so no two deployments of a state are equal in this order.</summary>
    private static int InFileOrder(DeploymentEntry a, DeploymentEntry b)
    {
        var byId = a.Id.CompareTo(b.Id);
        if (byId != 0) return byId;
        var byVersion = a.Version.CompareTo(b.Version);
        return byVersion != 0 ? byVersion : string.CompareOrdinal(a.Hash.Hex, b.Hash.Hex);
    }

    /// <summary>What holds the place of an entry copied as read until the file is put together.</summary>
    private static ReadOnlySpan<byte> Placeholder => "0"u8;

    /// <summary>
    /// The file: <paramref name="scratch"/> with each placeholder replaced by the bytes it holds the place of, written once
    /// into an array of exactly its size; <paramref name="entries"/>, where each entry lies in it.
    /// </summary>
    private static byte[] Assemble(ReadOnlySpan<byte> scratch, byte[] read, List<(Sha256Digest Hash, Range At, Range? Copied)> written,
        out Dictionary<Sha256Digest, Range> entries)
    {
        var length = scratch.Length;
        foreach (var (_, _, copied) in written)
        {
            if (copied is { } c) length += c.GetOffsetAndLength(read.Length).Length - Placeholder.Length;
        }
        var bytes = UninitializedBuffer.NewArray(length);
        entries = new Dictionary<Sha256Digest, Range>(written.Count);
        int taken = 0, put = 0;
        foreach (var (hash, at, copied) in written)
        {
            var (start, end) = (at.Start.GetOffset(scratch.Length), at.End.GetOffset(scratch.Length));
            if (copied is not { } c)
            {
                // Shifted by what the copies before it added.
                entries[hash] = (start - taken + put)..(end - taken + put);
                continue;
            }
            scratch[taken..start].CopyTo(bytes.AsSpan(put));
            put += start - taken;
            var source = read.AsSpan(c);
            source.CopyTo(bytes.AsSpan(put));
            entries[hash] = (put + LockfileLayout.EntryIndent.Length)..(put + source.Length);
            put += source.Length;
            taken = end;
        }
        scratch[taken..].CopyTo(bytes.AsSpan(put));
        return bytes;
    }

    /// <summary>How many bytes are written so far, when a layout is being made (the writer flushed for it); 0 otherwise.</summary>
    private static int Position(Utf8JsonWriter json, UninitializedBuffer buffer, LockfileLayout? making)
    {
        if (making is null) return 0;
        json.Flush();
        return buffer.WrittenCount;
    }

    /// <summary>The value written between two positions: from its first <c>{</c> (after any separator, name and indent) to the end.</summary>
    private static Range ValueAt(UninitializedBuffer buffer, int start, int end) => (start + buffer.WrittenSpan[start..end].IndexOf((byte)'{'))..end;

    private static void WriteDeployment(Utf8JsonWriter json, DeploymentEntry d)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, d.Id.Value);
        json.WriteString("version"u8, d.Version.ToString());
        json.WriteString("package"u8, d.Package.FileName);
        json.WriteString("sha256"u8, d.PackageSha256.Hex);
        json.WriteString("deployment"u8, d.Hash.Hex);
        // The path and the time are made on the stack: two strings per deployment were a tenth of a commit's garbage.
        Span<char> text = stackalloc char[DeploymentEntry.RelativePathLength];
        DeploymentEntry.WriteRelativePath(d.Hash, text);
        json.WriteString("path"u8, text);
        json.WritePropertyName("parameters"u8);
        if (d.UntouchedParameters is not { } read || !SortedJson.TryWrite(json, read)) SortedJson.Write(json, d.Parameters);
        if (d.InstalledAt is { } installedAt)
        {
            if (!installedAt.ToUniversalTime().TryFormat(text, out var length, TimeFormat, CultureInfo.InvariantCulture)) throw new InvalidOperationException("an installedAt that does not fit its format");
            json.WriteString("installedAt"u8, text[..length]);
        }
        json.WriteBoolean("active"u8, d.Active);
        json.WriteBoolean("pinned"u8, d.Pinned);
        json.WriteStartArray("claims"u8);
        foreach (var claim in d.Claims) json.WriteStringValue(claim);
        json.WriteEndArray();
        if (d.Signer is { } signer) json.WriteString("signer"u8, signer);
        if (d.Dependency) json.WriteBoolean("dependency"u8, true);
        json.WriteEndObject();
    }

    /// <summary>What one deployment entry takes, with room for a few parameters and claims.</summary>
    private const int BytesPerDeployment = 768;

    /// <summary>What one line of <c>owners</c> takes: a claim, its owner's 64 hex digits, indent and punctuation.</summary>
    private const int BytesPerOwner = 128;

    /// <summary>The writer options <see cref="JsonSerializer.SerializeToUtf8Bytes{T}(T, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T})"/> derives from the context's.</summary>
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = LocationJsonContext.Default.Options.WriteIndented,
        NewLine = LocationJsonContext.Default.Options.NewLine,
        IndentSize = LocationJsonContext.Default.Options.IndentSize,
        IndentCharacter = LocationJsonContext.Default.Options.IndentCharacter,
        Encoder = LocationJsonContext.Default.Options.Encoder,
        MaxDepth = LocationJsonContext.Default.Options.MaxDepth,
    };

    /// <summary>
    /// Reads only the schema and the location id, without interpreting the rest: what opening a location needs.
    /// The full file is validated when the state is read. Same errors as <see cref="Read"/> for those two fields.
    /// </summary>
    public static LocationId ReadLocationId(string path)
    {
        if (TryReadLeadingLocationId(path) is { } leading) return leading;
        byte[] bytes;
        try
        {
            bytes = RegularFile.ReadAllBytes(path, kind => NotRegular(path, kind));
        }
        catch (FileNotFoundException e)
        {
            throw LocationErrors.LockfileUnreadable(path, "the file does not exist", e);
        }
        CheckSchema(bytes, path);
        var reader = new Utf8JsonReader(bytes);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isLocation = reader.ValueTextEquals("location"u8);
                reader.Read();
                if (isLocation && reader.TokenType == JsonTokenType.String)
                {
                    var text = reader.GetString();
                    return LocationId.TryParse(text, out var id, out var why) ? id : throw LocationErrors.LockfileUnreadable(path, $"$.location: '{text}': {why}");
                }
                reader.Skip();
            }
        }
        catch (JsonException e)
        {
            throw LocationErrors.LockfileUnreadable(path, Describe(e), e);
        }
        throw LocationErrors.LockfileUnreadable(path, "$.location: missing");
    }

    /// <summary>
    /// The location id from the first block of the file when it starts as packster writes it (<c>"schema": 1</c>, then
    /// <c>"location"</c>): opening a location of a thousand deployments then reads 4 KiB, not 600. Null for anything
    /// else, which the whole-file reading judges, with its errors.
    /// </summary>
    private static LocationId? TryReadLeadingLocationId(string path)
    {
        Span<byte> head = stackalloc byte[4096];
        int length;
        try
        {
            // Not a regular file: the whole-file reading says so.
            using var handle = RegularFile.TryOpen(path, out _);
            if (handle is null) return null;
            length = RandomAccess.Read(handle, head, 0);
        }
        catch (IOException)
        {
            return null;
        }
        var reader = new Utf8JsonReader(head[..length], isFinalBlock: false, default);
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("schema"u8)
                && reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var schema) && schema == Schema
                && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("location"u8)
                && reader.Read() && reader.TokenType == JsonTokenType.String && LocationId.TryParse(reader.GetString(), out var id, out _)
                ? id : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Parses lockfile bytes; <paramref name="path"/> only names the file in errors. A state that breaks
    /// <see cref="LockfileInvariants"/> is PST5002 naming what is wrong.
    /// </summary>
    public static LocationState Parse(ReadOnlySpan<byte> bytes, string path) => Parse(bytes, path, null, null);

    /// <summary>As <see cref="Parse(ReadOnlySpan{byte}, string)"/>; <paramref name="source"/> and <paramref name="layout"/> as <see cref="LockfileFastReader.TryRead(ReadOnlySpan{byte}, byte[], LockfileLayout)"/> takes them.</summary>
    private static LocationState Parse(ReadOnlySpan<byte> bytes, string path, byte[]? source, LockfileLayout? layout)
    {
        var state = ParseShape(bytes, path, source, layout);
        var violations = LockfileInvariants.Violations(state);
        if (violations.Count > 0) throw LocationErrors.LockfileBroken(path, violations);
        return state;
    }

    /// <summary>The fast reading (filling <paramref name="layout"/> when given), else the general one, which fills none.</summary>
    private static LocationState ParseShape(ReadOnlySpan<byte> bytes, string path, byte[]? source = null, LockfileLayout? layout = null)
    {
        CheckSchema(bytes, path);
        return LockfileFastReader.TryRead(bytes, source, layout) ?? ParseGeneral(bytes, path);
    }

    /// <summary>The general reading, through the DTOs: what judges any file the fast reader gives up on, with its errors.</summary>
    internal static LocationState ParseGeneral(ReadOnlySpan<byte> bytes, string path)
    {
        LockfileDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(bytes, LocationJsonContext.Default.LockfileDto);
        }
        catch (JsonException e)
        {
            throw LocationErrors.LockfileUnreadable(path, Describe(e), e);
        }
        if (dto is null) throw LocationErrors.LockfileUnreadable(path, "expected a JSON object, found null");
        if (WhyNotPlain(bytes) is { } why) throw LocationErrors.LockfileUnreadable(path, why);
        return ToState(dto, new Validator(path));
    }

    /// <summary>
    /// Why <paramref name="json"/> (well-formed) does not hold one plain meaning, with its JSON path: some object names a
    /// member twice (<c>$.deployments[1]: names 'active' twice</c>, <c>$.deployments[0].parameters.tls: names 'key' twice</c>,
    /// <c>$.bundle: names 'hello' twice</c>, or a name that does not decode), or some value outside an object of
    /// parameters is <c>null</c> (<c>$.deployments: null …</c>, <c>$.deployments[0]: null …</c>); null when neither. RFC 8259 leaves a name given
    /// twice open: the DTOs take the last value, an object of parameters refused the second name only when first used
    /// (PST0001). Neither the lockfile nor a deployment record has a <c>null</c> field or entry (an absent optional value
    /// is omitted, spec/lockfile.md § Lockfile): the DTOs read one as absent, so that
    /// <c>"deployments": null</c> was a location without deployments, whose directories recovery then deleted, and
    /// <c>[null]</c> an entry that crashed. Only the general reading asks: packster never writes such a file.
    /// </summary>
    internal static string? WhyNotPlain(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        return WhyNotPlain(document.RootElement, "$", inParameters: false);
    }

    /// <summary>As <see cref="WhyNotPlain(ReadOnlySpan{byte})"/>; <paramref name="inParameters"/>: within an object of parameters, whose values are the package's to judge (spec/parameters.md), nulls nested in them included.</summary>
    private static string? WhyNotPlain(JsonElement value, string path, bool inParameters)
    {
        if (value.ValueKind == JsonValueKind.Null) return inParameters ? null : $"{path}: null, which this file never holds (a value that is absent is left out)";
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var (i, item) in value.EnumerateArray().Index())
            {
                if (WhyNotPlain(item, $"{path}[{i}]", inParameters) is { } why) return why;
            }
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object) return null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (StrictJson.Name(property) is not { } name) return $"{path}: a name holds a lone surrogate, which has no UTF-8 form";
            if (!names.Add(name)) return $"{path}: names '{name}' twice";
            var parameters = inParameters || (name == "parameters" && property.Value.ValueKind == JsonValueKind.Object);
            if (WhyNotPlain(property.Value, $"{path}.{name}", parameters) is { } why) return why;
        }
        return null;
    }

    private static LocationState ToState(LockfileDto dto, Validator v)
    {
        var seen = new HashSet<Sha256Digest>();
        // Versions repeat across deployments (one package with several parameter sets, 1.0.0 in many packages): parsed once each.
        var versions = new Dictionary<string, PackageVersion>(StringComparer.Ordinal);
        var state = new LocationState(v.Required<LocationId>("$.location", dto.Location, s => LocationId.TryParse(s, out var id, out var why) ? (id, why) : (default, why)));
        // Never left out, even when empty: read as none, recovery would remove every deployment directory as unrecorded.
        if (dto.Deployments is null) v.Fail("$.deployments", "missing");
        foreach (var (i, d) in (dto.Deployments ?? []).Index())
        {
            // The JSON path of a field is spelled only when it is wrong: a thousand deployments would otherwise make ten thousand strings.
            var at = new FieldPath("$.deployments", i);
            var id = v.Required(at, "id", d.Id, ParseId);
            var version = v.Required<PackageVersion>(at, "version", d.Version, s => ParseVersion(s, versions));
            var sha = v.Required(at, "sha256", d.Sha256, ParseSha);
            var hash = v.Required(at, "deployment", d.Deployment, ParseSha);
            var package = new PackageFileName(id, version, sha);
            if (d.Package != package.FileName) v.Fail(at.Of("package"), $"expected '{package.FileName}', found '{d.Package}'");
            var entry = d.Parameters is { } parameters ? new DeploymentEntry(package, hash, v.Object(at.Of("parameters"), parameters)) : new DeploymentEntry(package, hash, []);
            if (d.Path != entry.RelativePath) v.Fail(at.Of("path"), $"expected '{entry.RelativePath}', found '{d.Path}'");
            if (!seen.Add(hash)) v.Fail(at.Of("deployment"), $"deployment {hash} is listed twice");
            if (d.InstalledAt is not null)
            {
                entry.InstalledAt = DateTimeOffset.TryParseExact(d.InstalledAt, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                    ? t : v.Fail<DateTimeOffset>(at.Of("installedAt"), $"expected a UTC time like 2026-01-31T12:00:00Z, found '{d.InstalledAt}'");
            }
            entry.Active = d.Active ?? v.Fail<bool>(at.Of("active"), "missing");
            entry.Pinned = d.Pinned ?? v.Fail<bool>(at.Of("pinned"), "missing");
            entry.Dependency = d.Dependency == true;
            if (d.Signer is not null)
            {
                entry.Signer = d.Signer.Length == 16 && d.Signer.All(char.IsAsciiHexDigitLower) ? d.Signer : v.Fail<string>(at.Of("signer"), $"expected a key id of 16 lowercase hex digits, found '{d.Signer}'");
            }
            foreach (var claim in d.Claims ?? []) entry.Claims.Add(claim);
            state.Deployments.Add(entry);
        }
        foreach (var (key, b) in dto.Bundle ?? [])
        {
            var at = $"$.bundle.{key}";
            var id = v.Required(at, key, ParseId);
            var range = v.Required<string>(at + ".range", b.Range, s => (s, null));
            var requirement = new BundleRequirement(id, range, b.Parameters is { } parameters ? JsonObject.Create(v.Object(at + ".parameters", parameters)) : null);
            if (b.Resolved is { } r)
            {
                var package = v.Required<PackageFileName>(at + ".resolved.package", r.Package, s => PackageFileName.TryParse(s, out var p) ? (p, null) : (null!, "not a package file name"));
                requirement.Resolved = new ResolvedRequirement(package, v.Required(at + ".resolved.deployment", r.Deployment, ParseSha));
            }
            state.Bundle[id] = requirement;
        }
        return state;
    }

    private static (PackageVersion, string?) ParseVersion(string s, Dictionary<string, PackageVersion> parsed) =>
        LockfileFastReader.ParseVersion(s, parsed) is { } version ? (version, null) : (null!, "not SemVer 2.0 or \"latest\"");

    private static (PackageId, string?) ParseId(string s) => PackageId.TryParse(s, out var id, out var why) ? (id, null) : (default, why);

    private static (Sha256Digest, string?) ParseSha(string s) => Sha256Digest.TryParse(s, out var d) ? (d, null) : (default, "expected 64 lowercase hex characters");

    private static void CheckSchema(ReadOnlySpan<byte> bytes, string path)
    {
        var schema = ReadSchema(bytes, path);
        if (schema != Schema.ToString(CultureInfo.InvariantCulture)) throw LocationErrors.LockfileSchemaUnsupported(path, schema);
    }

    /// <summary>
    /// Finds the top-level <c>"schema"</c> before anything else is interpreted, so a newer format that this build
    /// cannot map is reported as "newer schema", not as a confusing field error.
    /// </summary>
    private static string ReadSchema(ReadOnlySpan<byte> bytes, string path)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw LocationErrors.LockfileUnreadable(path, "expected a JSON object at line 1");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSchema = reader.ValueTextEquals("schema"u8);
                reader.Read();
                if (isSchema)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n)
                        ? n.ToString(CultureInfo.InvariantCulture)
                        : throw LocationErrors.LockfileUnreadable(path, $"\"schema\" must be a whole number, found {reader.TokenType switch
                        {
                            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                            JsonTokenType.String => "a string",
                            JsonTokenType.StartObject => "an object",
                            JsonTokenType.StartArray => "an array",
                            JsonTokenType.True or JsonTokenType.False => "true or false",
                            _ => "null",
                        }}");
                }
                reader.Skip();
            }
        }
        catch (JsonException e)
        {
            throw LocationErrors.LockfileUnreadable(path, Describe(e), e);
        }
        throw LocationErrors.LockfileUnreadable(path, "no \"schema\" field: not a packster lockfile");
    }

    /// <summary>"invalid JSON at line 3, column 7: …" (1-based), from the reader's 0-based position.</summary>
    internal static string Describe(JsonException e)
    {
        var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
        var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" ({e.Path})";
        return $"invalid JSON{where}{field}: {StrictJson.Reason(e)}";
    }

    /// <summary>A JSON path (<c>$.deployments[3]</c>) kept as its parts until an error needs its text.</summary>
    private readonly record struct FieldPath(string Parent, int? Index)
    {
        public string Of(string? field)
        {
            var at = Index is { } i ? $"{Parent}[{i}]" : Parent;
            return field is null ? at : at + "." + field;
        }
    }

    /// <summary>Turns a field that parses as JSON but not as a value into LockfileUnreadable naming its JSON path.</summary>
    private sealed class Validator(string path)
    {
        public T Required<T>(string at, string? text, Func<string, (T Value, string? Why)> parse) => Required(new FieldPath(at, null), null, text, parse);

        public T Required<T>(FieldPath at, string? field, string? text, Func<string, (T Value, string? Why)> parse)
        {
            if (text is null) return Fail<T>(at.Of(field), "missing");
            var (value, why) = parse(text);
            return why is null ? value : Fail<T>(at.Of(field), $"'{text}': {why}");
        }

        /// <summary><paramref name="value"/> when it is an object (its names were judged with the whole file's).</summary>
        public JsonElement Object(string at, JsonElement value) =>
            value.ValueKind == JsonValueKind.Object ? value : Fail<JsonElement>(at, $"expected an object, found {value.ValueKind.ToString().ToLowerInvariant()}");

        public void Fail(string at, string why) => Fail<int>(at, why);

        public T Fail<T>(string at, string why) => throw LocationErrors.LockfileUnreadable(path, $"{at}: {why}");
    }
}
