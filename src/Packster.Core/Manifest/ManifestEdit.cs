using System.Text.Json;
using Packster.Toml;
using Packster.Toml.Editing;

namespace Packster.Manifest;

/// <summary>
/// <c>packster manifest set KEY VALUE</c> (spec/manifest.md § Changing a manifest): one key of a manifest is changed in
/// the file's syntax tree, everything else kept byte for byte; the result must pass the checks of
/// <c>manifest check</c>, or nothing is written.
/// </summary>
public static class ManifestEdit
{
    /// <summary>What <see cref="Set"/> did.</summary>
    public sealed record Result(string File, IReadOnlyList<string> Key, TomlValue Value, bool Changed)
    {
        public string KeyText => string.Join('.', Key.Select(TomlValue.Key));
    }

    /// <summary>
    /// A key as TOML writes it: dotted parts (<c>platform.os</c>), a part that is not a bare key in quotes
    /// (<c>shims."my.tool"</c>); <see cref="ErrorCode.ManifestSetInputInvalid"/> otherwise.
    /// </summary>
    public static IReadOnlyList<string> ParseKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // The key is read by our reader, twice: as the key of a pair and as a table header. Text that is more than
        // one key (a '=', a comment, a newline) cannot read as the same single path both ways.
        if (KeyPath(text + " = 0", header: false) is { } path && KeyPath("[" + text + "]", header: true) is { } same && path.SequenceEqual(same, StringComparer.Ordinal))
            return path;
        throw new PacksterException(ErrorCode.ManifestSetInputInvalid, $"'{text}' is not a TOML key",
            "give the key's parts separated by '.', e.g. platform.os; quote a part with other characters than A-Z a-z 0-9 _ -: shims.\"my.tool\"");
    }

    private static List<string>? KeyPath(string text, bool header)
    {
        TomlTable table;
        try
        {
            table = TomlDocument.Parse(text, "key", TomlVersion.V1_1);
        }
        catch (TomlException)
        {
            return null;
        }
        var path = new List<string>();
        TomlNode node = table;
        while (node is TomlTable { Count: 1 } t)
        {
            path.Add(t.Keys[0]);
            node = t[t.Keys[0]];
        }
        var ends = header ? node is TomlTable { Count: 0 } : node is TomlInteger { Value: 0 };
        return ends && path.Count > 0 ? path : null;
    }

    /// <summary>
    /// The value as written: a string, or with <paramref name="json"/> a JSON value (number, boolean, array, object,
    /// quoted string) in its TOML form; <see cref="ErrorCode.ManifestSetInputInvalid"/> when it is not JSON or is null.
    /// </summary>
    public static TomlValue ParseValue(string text, bool json)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!json) return TomlValue.String(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            return TomlValue.FromJson(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new PacksterException(ErrorCode.ManifestSetInputInvalid, $"--json: '{text}' is not a JSON value ({StrictJson.Reason(e)})",
                "give a number (8080), true/false, an array ([\"linux\"]), an object ({\"a\": 1}) or a quoted string (\"x\")");
        }
        catch (FormatException e)
        {
            throw new PacksterException(ErrorCode.ManifestSetInputInvalid, $"--json: {e.Message}");
        }
    }

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> in the manifest at <paramref name="manifestPath"/> and writes
    /// it, if the result passes <c>manifest check</c> (the manifest's rules and the files it names in its folder);
    /// otherwise throws that check's error and leaves the file as it was.
    /// </summary>
    public static Result Set(string manifestPath, IReadOnlyList<string> key, TomlValue value, bool valueIsPlainText)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ManifestReader.CheckFile(manifestPath); // missing, not a regular file, too large: the reader's own errors
        string text;
        string edited;
        try
        {
            text = EditedTomlFile.ReadText(manifestPath);
            var editor = TomlEditor.Parse(text, manifestPath);
            editor.Set(key, value);
            edited = editor.Verified();
        }
        catch (TomlException e)
        {
            throw ManifestException.Syntax(e, manifestPath);
        }
        catch (TomlEditException e)
        {
            throw EditedTomlFile.Refused(manifestPath, e);
        }
        var result = new Result(manifestPath, key, value, !string.Equals(text, edited, StringComparison.Ordinal));
        try
        {
            var manifest = ManifestReader.Parse(edited, manifestPath);
            ManifestFiles.Check(manifest, Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, beforePackHandlers: true);
        }
        catch (PacksterException e)
        {
            var hint = $"{manifestPath} was not changed";
            if (valueIsPlainText && e.Code == ErrorCode.ManifestWrongType)
                hint += "; a plain VALUE is written as a string: give --json for a number, a boolean, an array or a table";
            else if (e.Hint is not null)
                hint += "; " + e.Hint;
            throw new PacksterException(e.Code, $"setting {result.KeyText} = {value.Text} would make the manifest invalid: {e.Message}", hint, e);
        }
        if (result.Changed) EditedTomlFile.Write(manifestPath, edited);
        return result;
    }
}
