using System.IO.Enumeration;
using System.Text;
using System.Text.Json;
using Packster.Model;

namespace Packster.Sources;

/// <summary>
/// <c>index.json</c> of a static HTTP source (spec/sources.md §3): schema 1, the packages sorted by id, version and
/// file name, each with its path relative to the index. The same folder always gives the same bytes.
/// </summary>
public static class HttpIndex
{
    public const string FileName = "index.json";
    public const int Schema = 1;

    /// <summary>
    /// One line of the index: the file (its name carries id, version, sha256), its size, its relative path and, when the
    /// package is signed, the relative path of its detached signature.
    /// </summary>
    public sealed record Item(PackageFileName File, long Size, string Path)
    {
        public string? Signature { get; init; }
    }

    /// <summary>Scans <paramref name="directory"/> recursively, verifies every package's bytes against its name and writes index.json.</summary>
    public static IReadOnlyList<Item> Write(string directory)
    {
        var root = System.IO.Path.GetFullPath(directory);
        // spec/errors.md: nothing there is PST1002 PathNotFound; a file where the folder belongs, PST1003 NotADirectory.
        if (!Directory.Exists(root))
        {
            throw File.Exists(root)
                ? new PacksterException(ErrorCode.NotADirectory, $"'{directory}' is a file, not a folder", "give the folder that holds the package files")
                : new PacksterException(ErrorCode.PathNotFound, $"folder '{directory}' does not exist");
        }
        var items = new List<Item>();
        foreach (var file in PackageFiles(root))
        {
            if (!PackageFileName.TryParse(System.IO.Path.GetFileName(file), out _)) continue;
            // Opened as a package, as publish checks what it sends: a renamed or foreign file would be listed, and then
            // refused by every install from the source.
            var check = PackageFileCheck.VerifyPackage(file, sha1AndMd5: false);
            var relative = System.IO.Path.GetRelativePath(root, file).Replace('\\', '/');
            // A signature beside the package is checked to belong to it, then listed (spec/signing.md § Transport).
            var signed = Trust.PackageSignature.ReadBeside(file, check.Name) is not null;
            items.Add(new Item(check.Name, check.Size, relative) { Signature = signed ? relative + Trust.PackageSignature.Extension : null });
        }
        var sorted = Sort(items);
        AtomicFile.Write(System.IO.Path.Combine(root, FileName), Render(sorted));
        return sorted;
    }

    /// <summary>
    /// The <c>*.packster</c> files under <paramref name="root"/> as a folder source finds them (spec/sources.md §2): a
    /// package file may be a symbolic link, and is then opened through it like any other; a linked folder is not
    /// walked into (a link back up the tree would be walked around until the path is too deep).
    /// </summary>
    private static FileSystemEnumerable<string> PackageFiles(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        var pattern = "*" + PackageFileName.Extension;
        return new FileSystemEnumerable<string>(root, static (ref FileSystemEntry e) => e.ToFullPath(), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && FileSystemName.MatchesSimpleExpression(pattern, e.FileName, ignoreCase: OperatingSystem.IsWindows()),
            ShouldRecursePredicate = static (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };
    }

    public static IReadOnlyList<Item> Sort(IEnumerable<Item> items) =>
        [.. items.OrderBy(i => i.File.Id).ThenBy(i => i.File.Version).ThenBy(i => i.File.FileName, StringComparer.Ordinal).ThenBy(i => i.Path, StringComparer.Ordinal)];

    /// <summary>UTF-8, two-space indent, LF line ends, a final newline; no timestamps, so the output is reproducible.</summary>
    public static byte[] Render(IReadOnlyList<Item> items)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema", Schema);
            json.WriteStartArray("packages");
            foreach (var item in items)
            {
                json.WriteStartObject();
                json.WriteString("id", item.File.Id.Value);
                json.WriteString("version", item.File.Version.ToString());
                json.WriteString("sha256", item.File.Sha256.Hex);
                json.WriteNumber("size", item.Size);
                json.WriteString("path", item.Path);
                if (item.Signature is not null) json.WriteString("signature", item.Signature);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Reads an index; entries whose id, version and sha256 do not form a valid file name are errors.</summary>
    public static IReadOnlyList<Item> Parse(JsonDocument document, string source)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Number)
            throw SourceErrors.Protocol(source, FileName, "not a packster index (no \"schema\")");
        if (!schema.TryGetInt32(out var schemaNumber) || schemaNumber != Schema)
            throw SourceErrors.Protocol(source, FileName, $"index schema {Shorten(schema.GetRawText())} is not supported (this packster reads schema {Schema})");
        if (!root.TryGetProperty("packages", out var packages) || packages.ValueKind != JsonValueKind.Array)
            throw SourceErrors.Protocol(source, FileName, "\"packages\" must be an array");
        var items = new List<Item>();
        foreach (var p in packages.EnumerateArray())
        {
            string? Text(string key) => p.ValueKind == JsonValueKind.Object && p.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var id = Text("id");
            var version = Text("version");
            var sha = Text("sha256");
            var path = Text("path");
            var fileName = $"{id}-{version}-{sha}{PackageFileName.Extension}";
            if (id is null || version is null || sha is null || path is null || !PackageFileName.TryParse(fileName, out var name))
                throw SourceErrors.Protocol(source, FileName, $"invalid entry {Shorten(p.GetRawText())}");
            ServerPath.Check(path, source, FileName);
            long size = p.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var n) ? n : -1;
            var signature = Text("signature");
            if (signature is not null) ServerPath.Check(signature, source, FileName);
            items.Add(new Item(name, size, path) { Signature = signature });
        }
        return items;
    }

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "…" : text;

    public static string Text(byte[] rendered) => Encoding.UTF8.GetString(rendered);
}
