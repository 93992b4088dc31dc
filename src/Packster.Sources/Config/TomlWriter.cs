using System.Globalization;
using System.Text;
using Packster.Toml;

namespace Packster.Sources.Config;

/// <summary>
/// Writes TOML 1.0 that every conforming reader parses back to the same values: strings are basic strings with
/// every control character escaped, keys are bare only when they are safe bare keys, floats keep full precision.
/// </summary>
internal sealed class TomlWriter
{
    private readonly StringBuilder _text = new();

    public override string ToString() => _text.ToString();

    public void Header(params string[] path)
    {
        if (_text.Length > 0) _text.Append('\n');
        _text.Append('[').Append(string.Join('.', path.Select(Key))).Append("]\n");
    }

    public void Pair(string key, string value) => _text.Append(Key(key)).Append(" = ").Append(Quote(value)).Append('\n');

    public void Pair(string key, long value) => _text.Append(Key(key)).Append(" = ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    public void Pair(string key, bool value) => _text.Append(Key(key)).Append(" = ").Append(value ? "true" : "false").Append('\n');

    public void Pair(string key, TomlNode value) => _text.Append(Key(key)).Append(" = ").Append(Inline(value)).Append('\n');

    /// <summary>Writes a parsed table back: scalars and arrays first, then sub-tables as headers under <paramref name="path"/>.</summary>
    public void Table(IReadOnlyList<string> path, TomlTable table)
    {
        var scalars = table.Where(kv => kv.Value is not TomlTable).ToList();
        if (path.Count > 0 && (scalars.Count > 0 || table.Count == 0)) Header([.. path]);
        foreach (var (key, value) in scalars) Pair(key, value);
        foreach (var (key, value) in table)
        {
            if (value is TomlTable sub) Table([.. path, key], sub);
        }
    }

    public static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? key : Quote(key);

    public static string Inline(TomlNode node) => node switch
    {
        TomlString s => Quote(s.Value),
        TomlInteger i => i.Value.ToString(CultureInfo.InvariantCulture),
        TomlFloat f => Float(f.Value),
        TomlBoolean b => b.Value ? "true" : "false",
        TomlDateTime d => d.Text,
        TomlArray a => "[" + string.Join(", ", a.Select(Inline)) + "]",
        TomlTable t => "{ " + string.Join(", ", t.Select(kv => Key(kv.Key) + " = " + Inline(kv.Value))) + " }",
        _ => throw new ArgumentException($"unknown TOML node {node.GetType().Name}", nameof(node)),
    };

    private static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        // TOML floats need a '.' or an exponent, or they read back as integers.
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text.Replace("E", "e", StringComparison.Ordinal) : text + ".0";
    }

    /// <summary>A TOML basic string: '"' and '\' escaped, control characters as \uXXXX (or their short escapes).</summary>
    public static string Quote(string value)
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
