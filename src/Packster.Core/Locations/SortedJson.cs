using System.Text.Json.Nodes;

namespace Packster.Locations;

/// <summary>Copies JSON with object keys sorted (ordinal) for readable, stable files; the hashed form is Deployments.CanonicalJson.</summary>
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
}
