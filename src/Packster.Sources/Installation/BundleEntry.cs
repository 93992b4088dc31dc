using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>One requirement of a bundle file (spec/bundle.md): an id, a range, and the parameters to deploy it with.</summary>
public sealed record BundleEntry(PackageId Id, VersionRange Range, JsonObject? Parameters)
{
    /// <summary>The parameters as the installer takes them (null: none given, the declared defaults apply).</summary>
    public JsonElement? ParametersElement => Parameters is null ? null : JsonSerializer.SerializeToElement(Parameters, SourcesJsonContext.Default.JsonObject);

    /// <summary>The lockfile form, without a resolution.</summary>
    public BundleRequirement ToRequirement() => new(Id, Range.ToString(), Parameters?.DeepClone().AsObject());

    /// <summary>True when a lockfile requirement asks for the same thing: same range (as normalised) and same parameters.</summary>
    public bool SameAs(BundleRequirement pinned)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        return VersionRange.TryParse(pinned.Range, out var range) && range.Equals(Range)
            && JsonNode.DeepEquals(Parameters ?? [], pinned.Parameters ?? []);
    }

    internal static JsonObject? ToObject(JsonElement? parameters) =>
        parameters is { ValueKind: JsonValueKind.Object } p ? JsonNode.Parse(p.GetRawText())!.AsObject() : null;
}
