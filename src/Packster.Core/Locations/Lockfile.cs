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

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static LocationState Read(string path) => Parse(ReadBytes(path), path);

    /// <summary>
    /// Reads the lockfile like <see cref="Read"/> but returns a state that breaks <see cref="LockfileInvariants"/>
    /// instead of refusing it, with every rule it breaks: what <c>location repair</c> starts from.
    /// </summary>
    public static (LocationState State, IReadOnlyList<string> Violations) ReadForRepair(string path)
    {
        var state = ParseShape(ReadBytes(path), path);
        return (state, LockfileInvariants.Violations(state));
    }

    private static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw LocationErrors.LockfileUnreadable(path, "the file does not exist", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="state"/> atomically (temp file, flush to disk, rename). A state that breaks
    /// <see cref="LockfileInvariants"/> is refused (LocationInconsistent) and nothing is written.
    /// </summary>
    public static void Write(string path, LocationState state) => Write(path, state, null);

    /// <summary>As <see cref="Write(string, LocationState)"/>, with <paramref name="serialized"/> = <see cref="Serialize"/> of the state when the caller has it already.</summary>
    public static void Write(string path, LocationState state, byte[]? serialized)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (LockfileInvariants.Violations(state) is [var first, ..]) throw LocationErrors.Inconsistent(path, first);
        AtomicFile.Write(path, serialized ?? Serialize(state));
    }

    /// <summary>The exact bytes written for <paramref name="state"/>: UTF-8, indented by two spaces, LF, trailing newline.</summary>
    public static byte[] Serialize(LocationState state)
    {
        var owners = state.Owners;
        var dto = new LockfileDto
        {
            Schema = Schema,
            Location = state.LocationId.Value,
            Hash = state.Hash.Hex,
            Bundle = state.Bundle.ToDictionary(kv => kv.Key.Value, kv => new BundleRequirementDto
            {
                Range = kv.Value.Range,
                Parameters = kv.Value.Parameters is { } p ? SortedJson.Sorted(p) : null,
                Resolved = kv.Value.Resolved is { } r ? new ResolvedDto { Package = r.Package.FileName, Deployment = r.Deployment.Hex } : null,
            }),
            Deployments = state.Deployments
                .OrderBy(d => d.Id)
                .ThenBy(d => d.Version)
                .ThenBy(d => d.Hash.Hex, StringComparer.Ordinal)
                .Select(d => new DeploymentDto
                {
                    Id = d.Id.Value,
                    Version = d.Version.ToString(),
                    Package = d.Package.FileName,
                    Sha256 = d.PackageSha256.Hex,
                    Deployment = d.Hash.Hex,
                    Path = d.RelativePath,
                    Parameters = SortedJson.Sorted(d.Parameters),
                    InstalledAt = d.InstalledAt?.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture),
                    Active = d.Active,
                    Pinned = d.Pinned,
                    Claims = [.. d.Claims],
                    Signer = d.Signer,
                    Dependency = d.Dependency ? true : null,
                }).ToList(),
            Owners = owners.ToDictionary(kv => kv.Key, kv => kv.Value.Hex),
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(dto, LocationJsonContext.Default.LockfileDto);
        return [.. bytes, (byte)'\n'];
    }

    /// <summary>
    /// Reads only the schema and the location id, without interpreting the rest: what opening a location needs.
    /// The full file is validated when the state is read. Same errors as <see cref="Read"/> for those two fields.
    /// </summary>
    public static LocationId ReadLocationId(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
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
    /// Parses lockfile bytes; <paramref name="path"/> only names the file in errors. A state that breaks
    /// <see cref="LockfileInvariants"/> is PST5002 naming what is wrong.
    /// </summary>
    public static LocationState Parse(ReadOnlySpan<byte> bytes, string path)
    {
        var state = ParseShape(bytes, path);
        var violations = LockfileInvariants.Violations(state);
        if (violations.Count > 0) throw LocationErrors.LockfileBroken(path, violations);
        return state;
    }

    private static LocationState ParseShape(ReadOnlySpan<byte> bytes, string path)
    {
        CheckSchema(bytes, path);

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
        return ToState(dto, new Validator(path));
    }

    private static LocationState ToState(LockfileDto dto, Validator v)
    {
        var seen = new HashSet<Sha256Digest>();
        var state = new LocationState(v.Required<LocationId>("$.location", dto.Location, s => LocationId.TryParse(s, out var id, out var why) ? (id, why) : (default, why)));
        foreach (var (i, d) in (dto.Deployments ?? []).Index())
        {
            var at = $"$.deployments[{i}]";
            var id = v.Required(at + ".id", d.Id, ParseId);
            var version = v.Required<PackageVersion>(at + ".version", d.Version, s => PackageVersion.TryParse(s, out var ver) ? (ver, null) : (null!, "not SemVer 2.0 or \"latest\""));
            var sha = v.Required(at + ".sha256", d.Sha256, ParseSha);
            var hash = v.Required(at + ".deployment", d.Deployment, ParseSha);
            var package = new PackageFileName(id, version, sha);
            if (d.Package != package.FileName) v.Fail(at + ".package", $"expected '{package.FileName}', found '{d.Package}'");
            var entry = new DeploymentEntry(package, hash, d.Parameters ?? []);
            if (d.Path != entry.RelativePath) v.Fail(at + ".path", $"expected '{entry.RelativePath}', found '{d.Path}'");
            if (!seen.Add(hash)) v.Fail(at + ".deployment", $"deployment {hash} is listed twice");
            if (d.InstalledAt is not null)
            {
                entry.InstalledAt = DateTimeOffset.TryParseExact(d.InstalledAt, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                    ? t : v.Fail<DateTimeOffset>(at + ".installedAt", $"expected a UTC time like 2026-01-31T12:00:00Z, found '{d.InstalledAt}'");
            }
            entry.Active = d.Active;
            entry.Pinned = d.Pinned;
            entry.Dependency = d.Dependency == true;
            if (d.Signer is not null)
            {
                entry.Signer = d.Signer.Length == 16 && d.Signer.All(char.IsAsciiHexDigitLower) ? d.Signer : v.Fail<string>(at + ".signer", $"expected a key id of 16 lowercase hex digits, found '{d.Signer}'");
            }
            foreach (var claim in d.Claims ?? []) entry.Claims.Add(claim);
            state.Deployments.Add(entry);
        }
        foreach (var (key, b) in dto.Bundle ?? [])
        {
            var at = $"$.bundle.{key}";
            var id = v.Required(at, key, ParseId);
            var range = v.Required<string>(at + ".range", b.Range, s => (s, null));
            var requirement = new BundleRequirement(id, range, b.Parameters);
            if (b.Resolved is { } r)
            {
                var package = v.Required<PackageFileName>(at + ".resolved.package", r.Package, s => PackageFileName.TryParse(s, out var p) ? (p, null) : (null!, "not a package file name"));
                requirement.Resolved = new ResolvedRequirement(package, v.Required(at + ".resolved.deployment", r.Deployment, ParseSha));
            }
            state.Bundle[id] = requirement;
        }
        return state;
    }

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
                        : throw LocationErrors.LockfileUnreadable(path, $"\"schema\" must be an integer, found {reader.TokenType}");
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
        var reason = e.InnerException?.Message ?? e.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) reason = reason[..cut];
        return $"invalid JSON{where}{field}: {reason}";
    }

    /// <summary>Turns a field that parses as JSON but not as a value into LockfileUnreadable naming its JSON path.</summary>
    private sealed class Validator(string path)
    {
        public T Required<T>(string at, string? text, Func<string, (T Value, string? Why)> parse)
        {
            if (text is null) return Fail<T>(at, "missing");
            var (value, why) = parse(text);
            return why is null ? value : Fail<T>(at, $"'{text}': {why}");
        }

        public void Fail(string at, string why) => Fail<int>(at, why);

        public T Fail<T>(string at, string why) => throw LocationErrors.LockfileUnreadable(path, $"{at}: {why}");
    }
}
