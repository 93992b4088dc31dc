using System.Text.Json;
using Packster.Toml;

namespace Packster.Manifest;

/// <summary>Converts TOML values to JSON: tables become objects, date/times become their RFC 3339 text.</summary>
internal static class TomlJson
{
    /// <summary>The JSON value for <paramref name="node"/>, or null with the offending node when it holds a non-finite float.</summary>
    public static JsonElement Convert(TomlNode node, out TomlNode? nonFinite)
    {
        nonFinite = null;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node, ref nonFinite);
        }
        if (nonFinite is not null) return default;
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }

    /// <summary>How many arrays and tables <paramref name="node"/> nests (a scalar is 0); the TOML reader bounds the recursion.</summary>
    public static int Depth(TomlNode node) => node switch
    {
        TomlArray a => 1 + a.Select(Depth).DefaultIfEmpty(0).Max(),
        TomlTable t => 1 + t.Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    private static void Write(Utf8JsonWriter w, TomlNode node, ref TomlNode? nonFinite)
    {
        switch (node)
        {
            case TomlString s:
                w.WriteStringValue(s.Value);
                break;
            case TomlInteger i:
                w.WriteNumberValue(i.Value);
                break;
            case TomlFloat f:
                if (!double.IsFinite(f.Value))
                {
                    nonFinite ??= f;
                    w.WriteNullValue();
                }
                else
                {
                    w.WriteNumberValue(f.Value);
                }
                break;
            case TomlBoolean b:
                w.WriteBooleanValue(b.Value);
                break;
            case TomlDateTime d:
                w.WriteStringValue(d.Text);
                break;
            case TomlArray a:
                w.WriteStartArray();
                foreach (var item in a) Write(w, item, ref nonFinite);
                w.WriteEndArray();
                break;
            case TomlTable t:
                w.WriteStartObject();
                foreach (var (key, value) in t)
                {
                    w.WritePropertyName(key);
                    Write(w, value, ref nonFinite);
                }
                w.WriteEndObject();
                break;
            default:
                throw new InvalidOperationException($"unexpected TOML node {node.GetType().Name}");
        }
    }
}
