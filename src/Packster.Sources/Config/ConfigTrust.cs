using System.Text.Json;
using Packster.Locations;
using Packster.Model;

namespace Packster.Sources.Config;

/// <summary>
/// The project config files the user has trusted (spec/sources.md §1.1): <c>&lt;data home&gt;/trusted-configs.json</c>,
/// one record per absolute path with the SHA-256 of the bytes that were reviewed and whether the file may name
/// credentials, <c>insecure</c> or <c>ca-file</c>. A file whose bytes changed is no longer trusted.
/// </summary>
public sealed class ConfigTrust
{
    public const string FileName = "trusted-configs.json";
    public const int Schema = 1;

    /// <summary>One trusted file: the bytes with this hash, at this path, were reviewed by the user.</summary>
    public sealed record Record(string Path, Sha256Digest Sha256, bool AllowCredentials)
    {
        /// <summary>Writes the record as one JSON object: the form of the trust file and of <c>config trusted --json</c>.</summary>
        public void WriteTo(Utf8JsonWriter json)
        {
            ArgumentNullException.ThrowIfNull(json);
            json.WriteStartObject();
            json.WriteString("path", Path);
            json.WriteString("sha256", Sha256.Hex);
            json.WriteBoolean("allow-credentials", AllowCredentials);
            json.WriteEndObject();
        }
    }

    private readonly List<Record> _records;
    private readonly StringComparer _paths;

    private ConfigTrust(string file, List<Record> records, bool isWindows)
    {
        File = file;
        _records = records;
        _paths = isWindows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
    }

    /// <summary>Where the records are kept.</summary>
    public string File { get; }

    public IReadOnlyList<Record> Records => [.. _records.OrderBy(r => r.Path, StringComparer.Ordinal)];

    public static string PathFor(PacksterPaths paths) => System.IO.Path.Combine(paths.DataHome, FileName);

    /// <summary>
    /// Reads the records; a missing file means nothing is trusted. A folder (or anything else that is not a regular file)
    /// in its place is PST9005, not "nothing trusted": <c>config trust</c> would otherwise record a first trust and fail
    /// to save it only after the project file was reviewed, and <c>config trusted</c> would list none in silence.
    /// </summary>
    public static ConfigTrust Load(PacksterPaths paths)
    {
        var file = PathFor(paths);
        var records = new List<Record>();
        if (!FileSystemErrors.FileExists(file, "cannot read", FolderHint)) return new ConfigTrust(file, records, paths.IsWindows);
        try
        {
            using var json = JsonDocument.Parse(FileSystemErrors.ReadFile(file, "cannot read", FolderHint));
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var schema) || !schema.TryGetInt32(out var version) || version != Schema
                || !root.TryGetProperty("trusted", out var trusted) || trusted.ValueKind != JsonValueKind.Array)
                throw Invalid(file, $"expected {{\"schema\": {Schema}, \"trusted\": [...]}}");
            foreach (var item in trusted.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("sha256", out var sha) || sha.ValueKind != JsonValueKind.String || !Sha256Digest.TryParse(sha.GetString(), out var digest))
                    throw Invalid(file, $"invalid record {item.GetRawText()}");
                var allow = item.TryGetProperty("allow-credentials", out var a) && a.ValueKind == JsonValueKind.True;
                records.Add(new Record(path.GetString()!, digest, allow));
            }
        }
        catch (JsonException e)
        {
            throw Invalid(file, StrictJson.Reason(e));
        }
        return new ConfigTrust(file, records, paths.IsWindows);
    }

    public Record? Find(string path) => _records.FirstOrDefault(r => _paths.Equals(r.Path, path));

    /// <summary>Records (or replaces) the trust in <paramref name="path"/> holding bytes with <paramref name="sha256"/>.</summary>
    public Record Trust(string path, Sha256Digest sha256, bool allowCredentials)
    {
        _records.RemoveAll(r => _paths.Equals(r.Path, path));
        var record = new Record(path, sha256, allowCredentials);
        _records.Add(record);
        return record;
    }

    /// <summary>Forgets <paramref name="path"/>; false when it was not trusted.</summary>
    public bool Untrust(string path) => _records.RemoveAll(r => _paths.Equals(r.Path, path)) > 0;

    /// <summary>
    /// Reads the records, applies <paramref name="change"/> and, when it changed something, saves them, all under the
    /// file's lock (<see cref="FileLock.ForUserFile"/>, spec/sources.md §1.1): two <c>config trust</c> runs at once both
    /// end up recorded. Returns what <paramref name="change"/> returned.
    /// </summary>
    public static T Edit<T>(PacksterPaths paths, TextWriter? waiting, Func<ConfigTrust, T> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var held = FileLock.ForUserFile(paths, PathFor(paths), waiting);
        var trust = Load(paths);
        var before = trust.Render();
        var result = change(trust);
        if (!trust.Render().AsSpan().SequenceEqual(before)) trust.Save();
        return result;
    }

    /// <summary>Replaces the file atomically; it is private to the user (0600 on POSIX). The caller holds its lock (<see cref="Edit"/>).</summary>
    public void Save()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(File)!);
        AtomicFile.Write(File, Render(), OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Sorted by path, two-space indent, LF and a final newline.</summary>
    public byte[] Render()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema", Schema);
            json.WriteStartArray("trusted");
            foreach (var r in Records) r.WriteTo(json);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private const string FolderHint =
        "it holds the project config files you trusted; make it a regular file, or move what is there away and trust the project files again";

    private static PacksterException Invalid(string file, string what) =>
        SourceErrors.ConfigInvalid($"{file}: not a valid list of trusted config files: {what}", "fix or delete the file, then trust the project files again");
}
