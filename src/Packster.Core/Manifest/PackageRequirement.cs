using System.Text.Json;
using Packster.Model;

namespace Packster.Manifest;

/// <summary>A requirement on another package: an id and the versions that satisfy it.</summary>
public sealed record PackageRequirement(PackageId Id, VersionRange Range)
{
    public override string ToString() => $"{Id}@{Range}";
}

/// <summary>An <c>[install-bundle]</c> entry: a requirement plus the parameters (a JSON object) to deploy it with.</summary>
public sealed record BundleRequirement(PackageId Id, VersionRange Range, JsonElement? Parameters)
{
    public override string ToString() => $"{Id}@{Range}";
}
