using System.Globalization;
using System.Text.Json.Nodes;
using Packster.Toml;

namespace Packster.Sources.Installation;

/// <summary>TOML values as JSON (parameters written in TOML files): tables become objects, date/times their RFC 3339 text.</summary>
internal static class TomlJson
{
    /// <summary>How many arrays and tables <paramref name="node"/> nests (a scalar: 0), counted no further than <paramref name="cap"/>.</summary>
    public static int Depth(TomlNode node, int cap) => cap <= 0 ? 0 : node switch
    {
        TomlArray a => 1 + a.Select(item => Depth(item, cap - 1)).DefaultIfEmpty(0).Max(),
        TomlTable t => 1 + t.Select(kv => Depth(kv.Value, cap - 1)).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    /// <summary>Converts <paramref name="node"/>; NaN and infinities have no JSON form and are reported through <paramref name="invalid"/>.</summary>
    public static JsonNode ToJson(TomlNode node, string key, Func<TomlPosition, string, PacksterException> invalid) => node switch
    {
        TomlString s => JsonValue.Create(s.Value),
        TomlInteger i => JsonValue.Create(i.Value),
        TomlFloat f => double.IsFinite(f.Value) ? JsonValue.Create(f.Value)
            : throw invalid(f.Position, $"'{key}' is {f.Value.ToString(CultureInfo.InvariantCulture)}, which parameters (JSON) cannot hold"),
        TomlBoolean b => JsonValue.Create(b.Value),
        TomlDateTime d => JsonValue.Create(d.Text),
        TomlArray a => new JsonArray([.. a.Select((item, i) => ToJson(item, $"{key}[{i}]", invalid))]),
        TomlTable t => new JsonObject(t.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)ToJson(kv.Value, $"{key}.{kv.Key}", invalid)))),
        _ => throw invalid(node.Position, $"'{key}' has an unsupported value"),
    };
}
