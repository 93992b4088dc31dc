using System.Text.Json.Nodes;
using Packster.Model;
using Packster.Toml;

namespace Packster.Sources.Installation;

/// <summary>
/// A bundle file (spec/bundle.md): TOML with one table <c>[packages]</c> of <c>id = "range"</c> or
/// <c>id = { version = "range", parameters = { … } }</c>. Every id and range is validated when read.
/// </summary>
public sealed record BundleFile(string Path, IReadOnlyList<BundleEntry> Packages)
{
    private static readonly string[] EntryKeys = ["version", "parameters"];

    /// <summary>The most a bundle file may hold (spec/bundle.md): thousands of entries with parameters fit.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    public static BundleFile Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        FileSystemErrors.RequireFile(full, "bundle file");
        var bytes = SmallFile.ReadGiven(full, MaxFileBytes, why => new PacksterException(ErrorCode.BundleFileInvalid, $"bundle file '{full}' was not read: {why}", "a bundle file is TOML with one [packages] table (spec/bundle.md)"));
        return Parse(new System.Text.UTF8Encoding(false).GetString(bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes), full);
    }

    public static BundleFile Parse(string text, string path)
    {
        var document = TomlDocument.Parse(text, path, TomlVersion.V1_1);
        foreach (var key in document.Keys)
        {
            if (key != "packages") throw Invalid(path, document.KeyPosition(key), $"unknown key '{key}'; a bundle file has only [packages]");
        }
        if (!document.TryGetValue("packages", out var node)) throw Invalid(path, document.Position, "no [packages] table");
        if (node is not TomlTable packages) throw Invalid(path, node.Position, $"'packages' must be a table, found {node.TypeName}");

        var entries = new List<BundleEntry>();
        foreach (var (key, value) in packages)
        {
            var where = packages.KeyPosition(key);
            if (!PackageId.TryParse(key, out var id, out var why)) throw Invalid(path, where, $"'{key}' is not a package id: {why}");
            entries.Add(value switch
            {
                TomlString s => new BundleEntry(id, Range(path, s, $"packages.{key}"), null),
                TomlTable t => ReadTable(path, id, t),
                _ => throw Invalid(path, value.Position, $"'packages.{key}' must be a range string or {{ version = \"…\", parameters = {{ … }} }}, found {value.TypeName}"),
            });
        }
        return new BundleFile(path, entries);
    }

    private static BundleEntry ReadTable(string path, PackageId id, TomlTable table)
    {
        var name = $"packages.{id}";
        foreach (var key in table.Keys)
        {
            if (!EntryKeys.Contains(key)) throw Invalid(path, table.KeyPosition(key), $"unknown key '{name}.{key}'; expected version, parameters");
        }
        if (!table.TryGetValue("version", out var version)) throw Invalid(path, table.Position, $"'{name}' needs 'version'");
        if (version is not TomlString versionText) throw Invalid(path, version.Position, $"'{name}.version' must be a range string, found {version.TypeName}");
        JsonObject? parameters = null;
        if (table.TryGetValue("parameters", out var p))
        {
            if (p is not TomlTable pt) throw Invalid(path, p.Position, $"'{name}.parameters' must be a table, found {p.TypeName}");
            parameters = (JsonObject)TomlJson.ToJson(pt, $"{name}.parameters", (position, message) => Invalid(path, position, message));
        }
        return new BundleEntry(id, Range(path, versionText, $"{name}.version"), parameters);
    }

    private static VersionRange Range(string path, TomlString text, string key) =>
        VersionRange.TryParse(text.Value, out var range, out var why) ? range
            : throw Invalid(path, text.Position, $"'{key}' = \"{text.Value}\" is not a version range: {why}");

    /// <summary>A fault of the file; the keys and values it quotes are the file's text, shown escaped.</summary>
    private static PacksterException Invalid(string path, TomlPosition position, string message) =>
        InstallErrors.BundleFileInvalid(path, position, TerminalText.Printable(message));
}
