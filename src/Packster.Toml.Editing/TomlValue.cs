using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Packster.Toml.Editing;

/// <summary>
/// A value to write into a TOML file, held as the TOML 1.0 text it is written as: strings are basic strings with every
/// control character escaped, floats keep full precision, tables are one-line inline tables. Every conforming reader
/// reads the text back as the value it was made from.
/// </summary>
public sealed class TomlValue
{
    private TomlValue(string text) => Text = text;

    /// <summary>The value as TOML source text (what follows <c>key = </c>).</summary>
    public string Text { get; }

    public override string ToString() => Text;

    public static TomlValue String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(Quote(value));
    }

    public static TomlValue Integer(long value) => new(value.ToString(CultureInfo.InvariantCulture));

    public static TomlValue Boolean(bool value) => new(value ? "true" : "false");

    public static TomlValue Float(double value) => new(FloatText(value));

    public static TomlValue Strings(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new("[" + string.Join(", ", values.Select(Quote)) + "]");
    }

    /// <summary>A value read by <see cref="TomlDocument"/> (a table becomes an inline table).</summary>
    public static TomlValue From(TomlNode node) => new(Inline(node));

    /// <summary>
    /// A JSON value as TOML: strings, booleans, integers (a number without fraction or exponent that fits 64 bits),
    /// floats (any other finite number), arrays and objects (inline tables). JSON <c>null</c> has no TOML form.
    /// </summary>
    /// <exception cref="FormatException">the JSON is <c>null</c> or holds a <c>null</c>.</exception>
    public static TomlValue FromJson(JsonElement json) => new(JsonText(json));

    /// <summary>A key as TOML writes it: bare when it is a safe bare key, else a basic string.</summary>
    public static string Key(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? key : Quote(key);
    }

    private static string JsonText(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => Quote(JsonString(json.GetString)),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => json.TryGetInt64(out var i) && !json.GetRawText().AsSpan().ContainsAny(".eE")
            ? i.ToString(CultureInfo.InvariantCulture)
            : FloatText(json.GetDouble()),
        JsonValueKind.Array => "[" + string.Join(", ", json.EnumerateArray().Select(JsonText)) + "]",
        JsonValueKind.Object => json.EnumerateObject().Any()
            ? "{ " + string.Join(", ", json.EnumerateObject().Select(p => Key(JsonString(() => p.Name)) + " = " + JsonText(p.Value))) + " }"
            : "{}",
        _ => throw new FormatException("JSON null has no TOML form: leave the key out instead"),
    };

    /// <summary>
    /// A JSON string's text. JSON may escape half of a surrogate pair (<c>"\ud800"</c>), which is no Unicode text and
    /// so no TOML string; System.Text.Json refuses to decode it with an <see cref="InvalidOperationException"/>.
    /// </summary>
    private static string JsonString(Func<string?> text)
    {
        try
        {
            return text() ?? "";
        }
        catch (InvalidOperationException)
        {
            throw new FormatException("a JSON string holds an unpaired surrogate escape (such as \\ud800), which is not Unicode text and so not a TOML string");
        }
    }

    private static string Inline(TomlNode node) => node switch
    {
        TomlString s => Quote(s.Value),
        TomlInteger i => i.Value.ToString(CultureInfo.InvariantCulture),
        TomlFloat f => FloatText(f.Value),
        TomlBoolean b => b.Value ? "true" : "false",
        TomlDateTime d => d.Text,
        TomlArray a => "[" + string.Join(", ", a.Select(Inline)) + "]",
        TomlTable t => t.Count == 0 ? "{}" : "{ " + string.Join(", ", t.Select(kv => Key(kv.Key) + " = " + Inline(kv.Value))) + " }",
        _ => throw new ArgumentException($"unknown TOML node {node.GetType().Name}", nameof(node)),
    };

    private static string FloatText(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        // TOML floats need a '.' or an exponent, or they read back as integers.
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text.Replace("E", "e", StringComparison.Ordinal) : text + ".0";
    }

    /// <summary>A TOML basic string: '"' and '\' escaped, control characters as \uXXXX (or their short escapes).</summary>
    private static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c == 0x7f) sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
