using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Packster.Sources;

/// <summary>
/// Source-generated JSON metadata for the types this assembly serializes, so no serialization here needs reflection
/// (the published <c>packster</c> is compiled ahead of time and trimmed).
/// </summary>
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class SourcesJsonContext : JsonSerializerContext;
