using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Packster.Locations;

// The on-disk shapes of packster-location.json (schema 1) and packster-deployment.json. Property order here is the
// order written (Lockfile.Serialize writes the lockfile field by field in this order); any change to these shapes bumps
// the schema (spec/lockfile.md § Compatibility).

internal sealed class LockfileDto
{
    public int Schema { get; set; }
    public string? Location { get; set; }
    public string? Hash { get; set; }
    public Dictionary<string, BundleRequirementDto>? Bundle { get; set; }
    public List<DeploymentDto>? Deployments { get; set; }
    public Dictionary<string, string>? Owners { get; set; }
}

internal sealed class BundleRequirementDto
{
    public string? Range { get; set; }

    /// <summary>Read as it lies, so that a name given twice is refused with its path (Lockfile.ToState), not by the object later.</summary>
    public JsonElement? Parameters { get; set; }
    public ResolvedDto? Resolved { get; set; }
}

internal sealed class ResolvedDto
{
    public string? Package { get; set; }
    public string? Deployment { get; set; }
}

internal sealed class DeploymentDto
{
    public string? Id { get; set; }
    public string? Version { get; set; }
    public string? Package { get; set; }
    public string? Sha256 { get; set; }
    public string? Deployment { get; set; }
    public string? Path { get; set; }

    /// <summary>Read as it lies, so that a name given twice is refused with its path (Lockfile.ToState), not by the object later.</summary>
    public JsonElement? Parameters { get; set; }
    public string? InstalledAt { get; set; }

    /// <summary>Nullable so that an absent or <c>null</c> value is refused with its path (Lockfile.ToState), not read as false.</summary>
    public bool? Active { get; set; }
    public bool? Pinned { get; set; }
    public List<string>? Claims { get; set; }

    /// <summary>The id of the key whose signature was verified at install; absent when none was (spec/signing.md § Lockfile).</summary>
    public string? Signer { get; set; }

    /// <summary>True when installed only as a dependency; absent otherwise (spec/lockfile.md § Lockfile).</summary>
    public bool? Dependency { get; set; }
}

internal sealed class DeploymentRecordDto
{
    public int Schema { get; set; }
    public string? Id { get; set; }
    public string? Version { get; set; }
    public string? Package { get; set; }
    public string? Sha256 { get; set; }
    public string? Deployment { get; set; }
    public JsonObject? Parameters { get; set; }
    public List<FileDto>? Files { get; set; }
    public List<LinkDto>? Links { get; set; }

    public RecordSignatureDto? Signature { get; set; }
}

internal sealed class RecordSignatureDto
{
    public string? Algorithm { get; set; }
    public string? Key { get; set; }
    public string? Value { get; set; }
}

internal sealed class FileDto
{
    public string? Path { get; set; }
    public string? Sha256 { get; set; }
    public long Size { get; set; }
    public string? Mode { get; set; }
}

internal sealed class LinkDto
{
    public string? Path { get; set; }
    public string? Target { get; set; }
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    NewLine = "\n",
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(LockfileDto))]
[JsonSerializable(typeof(DeploymentRecordDto))]
internal sealed partial class LocationJsonContext : JsonSerializerContext
{
}
