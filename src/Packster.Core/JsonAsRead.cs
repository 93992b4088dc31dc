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
    public static void Write(Utf8JsonWriter json, JsonElement element) => Write(json, element, item: false);

    /// <param name="item">Whether <paramref name="element"/> is an item of an array: an indenting writer puts it on a line of its own.</param>
    private static void Write(Utf8JsonWriter json, JsonElement element, bool item)
    {
        if (!StrictJson.HasLoneSurrogate(element))
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
                    Write(json, property.Value, item: false);
                }
                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var each in element.EnumerateArray()) Write(json, each, item: true);
                json.WriteEndArray();
                break;
            case JsonValueKind.String:
                if (StrictJson.Text(element) is { } text) json.WriteStringValue(text);
                else json.WriteRawValue(Raw(json, JsonMarshal.GetRawUtf8Value(element), item), skipInputValidation: true);
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
            Write(json, node, sortKeys: false);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Writes <paramref name="node"/>, its values read from JSON as <see cref="Write(Utf8JsonWriter, JsonElement)"/>
    /// writes them; with <paramref name="sortKeys"/>, the keys of every object in ordinal order.
    /// </summary>
    internal static void Write(Utf8JsonWriter json, JsonNode? node, bool sortKeys) => Write(json, node, sortKeys, item: false);

    private static void Write(Utf8JsonWriter json, JsonNode? node, bool sortKeys, bool item)
    {
        switch (node)
        {
            case JsonObject o:
                json.WriteStartObject();
                // An object read from a file packster wrote is sorted already: it is sorted again only when it is not.
                foreach (var (key, value) in !sortKeys || IsSorted(o) ? (IEnumerable<KeyValuePair<string, JsonNode?>>)o : o.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    json.WritePropertyName(key);
                    Write(json, value, sortKeys, item: false);
                }
                json.WriteEndObject();
                break;
            case JsonArray a:
                json.WriteStartArray();
                foreach (var each in a) Write(json, each, sortKeys, item: true);
                json.WriteEndArray();
                break;
            case null:
                json.WriteNullValue();
                break;
            case JsonValue value when value.TryGetValue<JsonElement>(out var element):
                Write(json, element, item);
                break;
            default:
                node.WriteTo(json);
                break;
        }
    }

    private static bool IsSorted(JsonObject o)
    {
        string? previous = null;
        foreach (var (key, _) in o)
        {
            if (previous is not null && string.CompareOrdinal(previous, key) > 0) return false;
            previous = key;
        }
        return true;
    }

    /// <summary>
    /// <paramref name="raw"/>, led by the line break and indent an indenting writer puts before an item of an array
    /// (a raw value is written where the writer stands, without them).
    /// </summary>
    private static byte[] Raw(Utf8JsonWriter json, ReadOnlySpan<byte> raw, bool item)
    {
        if (!item || !json.Options.Indented) return raw.ToArray();
        var lead = json.Options.NewLine + new string(json.Options.IndentCharacter, json.Options.IndentSize * json.CurrentDepth);
        return [.. System.Text.Encoding.ASCII.GetBytes(lead), .. raw];
    }
}
