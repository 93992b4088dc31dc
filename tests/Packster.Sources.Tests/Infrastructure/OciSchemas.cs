using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>
/// The OCI image-spec JSON schemas from <c>../shared/schemas/oci-image-spec</c>, read where they are. They are
/// draft-04 documents whose files refer to each other by file name; the evaluator speaks 2020-12, so each is given
/// as that (<c>definitions</c> spelled <c>$defs</c>; the keywords they use mean the same in both) with one base URI for
/// the folder, which is how the spec's own Go validator resolves them (by file).
/// </summary>
public static class OciSchemas
{
    public static string Directory { get; } = typeof(OciSchemas).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SharedSchemas").Value! is var path ? Path.GetFullPath(Path.Combine(path, "oci-image-spec")) : "";

    public static string? Missing => System.IO.Directory.Exists(Directory) ? null
        : $"the OCI image-spec JSON schemas are not at {Directory} (they come with the shared folder beside the repository)";

    private static readonly Lazy<SchemaRegistry> Registry = new(() =>
    {
        var registry = new SchemaRegistry();
        var options = new BuildOptions { SchemaRegistry = registry };
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            var node = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            node.Remove("id");
            node.Remove("$schema");
            DropNestedIds(node);
            var text = node.ToJsonString().Replace("\"definitions\":", "\"$defs\":", StringComparison.Ordinal)
                .Replace("#/definitions/", "#/$defs/", StringComparison.Ordinal);
            JsonSchema.FromText(text, options, new Uri(Base + Path.GetFileName(file)));
        }
        return registry;
    });

    private const string Base = "https://opencontainers.org/schema/image/";

    public static JsonSchema Manifest => Get("image-manifest-schema.json");

    public static JsonSchema Index => Get("image-index-schema.json");

    private static JsonSchema Get(string file) => (JsonSchema)Registry.Value.Get(new Uri(Base + file))!;

    /// <summary>
    /// A draft-04 <c>id</c> inside a sub-schema would move the base of its <c>$ref</c>s; as file-relative refs they must
    /// not. Hyper-schema's <c>media</c> annotation goes too.
    /// </summary>
    private static void DropNestedIds(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["id"] is JsonValue value && value.GetValueKind() == JsonValueKind.String) obj.Remove("id");
                // draft-04 hyper-schema's "media" only annotates (binaryEncoding); 2020-12 has no such keyword.
                if (obj["media"] is JsonObject) obj.Remove("media");
                foreach (var (_, child) in obj.ToList()) DropNestedIds(child);
                break;
            case JsonArray array:
                foreach (var child in array) DropNestedIds(child);
                break;
        }
    }

    /// <summary>Fails with the schema's own messages when <paramref name="document"/> is not valid.</summary>
    public static void AssertValid(JsonSchema schema, byte[] document)
    {
        using var doc = JsonDocument.Parse(document);
        var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"));
        Assert.True(result.IsValid, string.Join("\n", errors));
    }

    public static bool IsValid(JsonSchema schema, byte[] document)
    {
        using var doc = JsonDocument.Parse(document);
        return schema.Evaluate(doc.RootElement).IsValid;
    }
}
