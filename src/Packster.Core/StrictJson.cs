using System.Text.Json;
using System.Text.Json.Nodes;

namespace Packster;

/// <summary>
/// JSON that packster wrote and someone may have edited by hand (history lines, journals, service records) read as a
/// <see cref="JsonNode"/>: an object that names a member twice is a <see cref="JsonException"/> where it is parsed, like
/// any other text that is not what packster writes. A node made without this refuses the second name only when first
/// looked into, with an <see cref="ArgumentException"/> no caller expects: <c>history</c> over such a line was PST0001.
/// </summary>
public static class StrictJson
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public static JsonNode? Parse(string json) => JsonNode.Parse(json, documentOptions: Options);

    public static JsonNode? Parse(ReadOnlySpan<byte> utf8Json) => JsonNode.Parse(utf8Json, documentOptions: Options);

    /// <summary>
    /// Why <paramref name="e"/> refused its text, in words for whoever wrote it: System.Text.Json's own sentence without
    /// the position it appends (callers say where) and without .NET's type and member names.
    /// </summary>
    public static string Reason(JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal)) return "a value of the wrong type";
        var text = (e.InnerException is { } inner and not JsonException ? inner : e).Message;
        const string Unmapped = "The JSON property '";
        if (text.StartsWith(Unmapped, StringComparison.Ordinal) && text.IndexOf("' could not be mapped", StringComparison.Ordinal) is var end and > 0)
        {
            return $"unknown field '{text[Unmapped.Length..end]}'";
        }
        const string Missing = "missing required properties including: ";
        if (text.IndexOf(Missing, StringComparison.Ordinal) is var at and >= 0)
        {
            return "missing required field " + text[(at + Missing.Length)..].TrimEnd('.', ' ');
        }
        foreach (var suffix in new[] { " Path:", " LineNumber:" })
        {
            var cut = text.IndexOf(suffix, StringComparison.Ordinal);
            if (cut > 0) text = text[..cut];
        }
        if (ReaderWords(text) is { } words) return words;
        text = text.TrimEnd('.', ' ');
        return text.Length == 0 ? "not valid JSON" : char.ToLowerInvariant(text[0]) + text[1..];
    }

    /// <summary>
    /// The reader's sentences that speak of tokens, payloads, final blocks or reader options, in words about the text:
    /// an empty file was "the input does not contain any JSON tokens … when isFinalBlock is true".
    /// </summary>
    private static string? ReaderWords(string text)
    {
        if (text.StartsWith("The input does not contain any", StringComparison.Ordinal)) return "it is empty: there is no JSON value in it";
        if (text.StartsWith("Expected depth to be zero at the end", StringComparison.Ordinal)) return "it ends before an object or array is closed (it is cut short)";
        if (text.StartsWith("Expected end of string, but instead reached end of data", StringComparison.Ordinal)) return "it ends inside a string (it is cut short)";
        if (text.StartsWith("Expected a digit ('0'-'9'), but instead reached end of data", StringComparison.Ordinal)) return "it ends inside a number (it is cut short)";
        if (text.Contains("comment", StringComparison.OrdinalIgnoreCase) && text.Contains("end of data", StringComparison.Ordinal)) return "it ends inside a comment (it is cut short)";
        if (text.Contains("reached end of data", StringComparison.Ordinal)) return "it ends where a value should follow (it is cut short)";
        if (text.StartsWith("The JSON array contains a trailing comma", StringComparison.Ordinal)) return "a comma after the last element of an array";
        if (text.StartsWith("The JSON object contains a trailing comma", StringComparison.Ordinal)) return "a comma after the last member of an object";
        const string Depth = "The maximum configured depth of ";
        if (text.StartsWith(Depth, StringComparison.Ordinal) && text.IndexOf(' ', Depth.Length) is var end and > 0)
        {
            return $"objects and arrays are nested more than {text[Depth.Length..end]} deep";
        }
        const string Duplicate = "Duplicate property '";
        if (text.StartsWith(Duplicate, StringComparison.Ordinal) && text.IndexOf("' encountered", StringComparison.Ordinal) is var close and > 0)
        {
            return $"an object names '{text[Duplicate.Length..close]}' twice";
        }
        if (text.StartsWith("Duplicate properties not allowed", StringComparison.Ordinal)) return "an object names a member twice";
        if (text.StartsWith("Cannot transcode invalid UTF-8", StringComparison.Ordinal)) return "it is not valid UTF-8";
        return AtCharacter(text);
    }

    /// <summary>
    /// The reader's sentences that start with the character it stopped at (<c>'r' is an invalid start of a value.</c>,
    /// <c>'2' is an invalid end of a number. Expected a delimiter.</c>): what was found there, and what should have been.
    /// </summary>
    private static string? AtCharacter(string text)
    {
        if (!text.StartsWith('\'') || text.IndexOf("' ", 1, StringComparison.Ordinal) is not (var close and > 1)) return null;
        var at = TerminalText.Printable(text[1..close]);
        var rest = text[(close + 2)..];
        bool Says(string words) => rest.StartsWith(words, StringComparison.Ordinal);
        if (Says("is invalid after a single JSON value")) return $"more text after the JSON value, at '{at}'";
        if (Says("is an invalid end of a number")) return $"a number malformed or cut short at '{at}'";
        if (Says("is invalid within a number")) return $"a malformed number at '{at}'";
        if (Says("is an invalid JSON literal")) return $"a word that is not true, false or null, at '{at}'";
        if (Says("is invalid after a property name")) return $"'{at}' after a member name, where ':' should follow";
        if (Says("is an invalid start of a property name")) return $"'{at}' where a member name in double quotes should start";
        if (Says("is an invalid start of a value")) return $"'{at}' where a value should start";
        if (Says("is invalid after a value")) return $"'{at}' after a value, where ',', '}}' or ']' should follow";
        if (Says("is invalid within a JSON string")) return $"'{at}' inside a string, where it must be escaped";
        if (Says("is an invalid escapable character")) return $"'\\{at}', an escape no string may hold";
        if (Says("is not a hex digit following")) return $"'{at}' after '\\u' in a string, where a hex digit should be";
        if (Says("is invalid without a matching open")) return $"'{at}' closes nothing that is open";
        return $"unexpected '{at}'";
    }

    /// <summary>
    /// The string <paramref name="node"/> holds; null when it is absent, not a string, or a string without text (a lone
    /// surrogate). <c>GetValue&lt;string&gt;()</c> throws an <see cref="InvalidOperationException"/> for all but the first,
    /// and a history line whose <c>"lockfile"</c> was edited to <c>{}</c> made <c>history --check</c> PST0001.
    /// </summary>
    public static string? Text(JsonNode? node)
    {
        if (node is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String) return null;
        try
        {
            return value.GetValue<string>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The text of the string <paramref name="value"/>, or null when it holds a lone surrogate (System.Text.Json refuses to decode it).</summary>
    public static string? Text(JsonElement value)
    {
        try
        {
            return value.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The name of <paramref name="member"/>, or null when it holds a lone surrogate.</summary>
    public static string? Name(JsonProperty member)
    {
        try
        {
            return member.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the value holds a lone surrogate anywhere, in a string or a name. Only a <c>\u</c> escape can write one
    /// (UTF-8 text cannot), so a value whose JSON has none is decoded only when something needs its text.
    /// </summary>
    public static bool HasLoneSurrogate(JsonElement value) =>
        System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value).IndexOf("\\u"u8) >= 0 && DecodesWithLoneSurrogate(value);

    private static bool DecodesWithLoneSurrogate(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Text(value) is null,
        JsonValueKind.Array => value.EnumerateArray().Any(DecodesWithLoneSurrogate),
        JsonValueKind.Object => value.EnumerateObject().Any(p => Name(p) is null || DecodesWithLoneSurrogate(p.Value)),
        _ => false,
    };
}
