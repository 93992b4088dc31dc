using System.Globalization;
using System.Text.Json.Nodes;
using Packster.Toml;

namespace Packster.Sources.Installation;

/// <summary>TOML values as JSON (parameters written in TOML files): tables become objects, date/times their RFC 3339 text.</summary>
internal static class TomlJson
{
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
