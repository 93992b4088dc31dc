using System.Text.Json;
using System.Text.Json.Nodes;

namespace Packster.Locations;

/// <summary>
/// JSON with object keys sorted (ordinal) for readable, stable files, as a copy or written straight to a writer; the
/// hashed form is Deployments.CanonicalJson.
/// </summary>
internal static class SortedJson
{
    public static JsonObject Sorted(JsonObject obj)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in obj.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            copy[key] = Sorted(value);
        }
        return copy;
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => Sorted(o),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>Writes <paramref name="node"/> with the keys of every object in it sorted (ordinal), as <see cref="Sorted(JsonObject)"/> copies them.</summary>
    public static void Write(Utf8JsonWriter json, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                json.WriteStartObject();
                // An object read from a file packster wrote is sorted already: it is sorted again only when it is not.
                foreach (var (key, value) in IsSorted(o) ? (IEnumerable<KeyValuePair<string, JsonNode?>>)o : o.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    json.WritePropertyName(key);
                    Write(json, value);
                }
                json.WriteEndObject();
                break;
            case JsonArray a:
                json.WriteStartArray();
                foreach (var item in a) Write(json, item);
                json.WriteEndArray();
                break;
            case null:
                json.WriteNullValue();
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
}
