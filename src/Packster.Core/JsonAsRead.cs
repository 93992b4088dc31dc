using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Packster;

/// <summary>
/// JSON read from a file written back as it was read. System.Text.Json decodes a string to write it again, and refuses
/// one whose escapes have no text (a lone surrogate, <c>"\ud800"</c>) with an <see cref="InvalidOperationException"/>;
/// a lockfile may hold one in a deployment that is not active, and every commit, listing and history line over it failed
/// with PST0001. Such a string is written as its escapes were read; everything else as System.Text.Json writes it.
/// </summary>
public static class JsonAsRead
{
    /// <summary>Writes <paramref name="element"/> as <see cref="JsonElement.WriteTo"/> does, a string without text as its escapes were read.</summary>
    public static void Write(Utf8JsonWriter json, JsonElement element)
    {
        if (!HoldsSurrogateEscape(JsonMarshal.GetRawUtf8Value(element)))
        {
            element.WriteTo(json);
            return;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    json.WritePropertyName(property.Name);
                    Write(json, property.Value);
                }
                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(json, item);
                json.WriteEndArray();
                break;
            case JsonValueKind.String:
                if (TextOf(element) is { } text) json.WriteStringValue(text);
                else json.WriteRawValue(JsonMarshal.GetRawUtf8Value(element), skipInputValidation: true);
                break;
            default:
                element.WriteTo(json);
                break;
        }
    }

    /// <summary>
    /// <paramref name="node"/> as <see cref="JsonNode.ToJsonString"/> writes it (compact), its values read from JSON as
    /// <see cref="Write(Utf8JsonWriter, JsonElement)"/> writes them: a history commit line carries lockfile entries as read.
    /// </summary>
    public static string ToJsonString(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteKeepingEscapes(json, node);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteKeepingEscapes(Utf8JsonWriter json, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                json.WriteStartObject();
                foreach (var (key, value) in o)
                {
                    json.WritePropertyName(key);
                    WriteKeepingEscapes(json, value);
                }
                json.WriteEndObject();
                break;
            case JsonArray a:
                json.WriteStartArray();
                foreach (var item in a) WriteKeepingEscapes(json, item);
                json.WriteEndArray();
                break;
            case null:
                json.WriteNullValue();
                break;
            case JsonValue value when value.TryGetValue<JsonElement>(out var element):
                Write(json, element);
                break;
            default:
                node.WriteTo(json);
                break;
        }
    }

    private static string? TextOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="raw"/> holds an escaped surrogate (<c>\uD800</c>–<c>\uDFFF</c>, either case), paired or not.</summary>
    private static bool HoldsSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        for (var at = raw.IndexOf("\\u"u8); at >= 0 && at + 4 < raw.Length; )
        {
            if ((raw[at + 2] | 0x20) == 'd' && raw[at + 3] is (byte)'8' or (byte)'9' or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F')) return true;
            var next = raw[(at + 2)..].IndexOf("\\u"u8);
            at = next < 0 ? -1 : at + 2 + next;
        }
        return false;
    }
}
