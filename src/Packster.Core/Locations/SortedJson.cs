using System.Runtime.InteropServices;
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
    public static void Write(Utf8JsonWriter json, JsonNode? node) => JsonAsRead.Write(json, node, sortKeys: true);

    /// <summary>
    /// Writes <paramref name="element"/> as <see cref="Write(Utf8JsonWriter, JsonNode?)"/> writes the node made of it,
    /// when every object in it has its keys sorted and none twice (as packster writes them); false, having written
    /// nothing, when one does not.
    /// </summary>
    public static bool TryWrite(Utf8JsonWriter json, JsonElement element)
    {
        if (!IsSortedThroughout(element)) return false;
        // In order already: the element writes itself as the node would (names and strings through the writer's encoder,
        // numbers as their text).
        JsonAsRead.Write(json, element);
        return true;
    }

    private static bool IsSortedThroughout(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                JsonProperty? previous = null;
                foreach (var property in element.EnumerateObject())
                {
                    if (previous is { } before && CompareNames(before, property) >= 0) return false;
                    if (!IsSortedThroughout(property.Value)) return false;
                    previous = property;
                }
                return true;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (!IsSortedThroughout(item)) return false;
                }
                return true;
            default:
                return true;
        }
    }

    /// <summary>
    /// The names' ordinal order, from their bytes where both are ASCII without escapes (the same order as their text's),
    /// else from their text: a lockfile's parameters are read on every commit, and their names were a string each.
    /// </summary>
    private static int CompareNames(JsonProperty a, JsonProperty b)
    {
        var x = JsonMarshal.GetRawUtf8PropertyName(a);
        var y = JsonMarshal.GetRawUtf8PropertyName(b);
        return IsPlainAscii(x) && IsPlainAscii(y) ? x.SequenceCompareTo(y) : string.CompareOrdinal(a.Name, b.Name);
    }

    private static bool IsPlainAscii(ReadOnlySpan<byte> name) => System.Text.Ascii.IsValid(name) && !name.Contains((byte)'\\');
}
