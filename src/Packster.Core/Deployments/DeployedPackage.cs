using System.Text.Json;
using Packster.Locations;

namespace Packster.Deployments;

/// <summary>A recorded deployment together with its manifest (read from its directory) and its expanded resources.</summary>
public sealed record DeployedPackage(DeploymentEntry Entry, string Path, Manifest.Manifest Manifest, EffectiveParameters Parameters, DeploymentResources Resources)
{
    /// <summary>
    /// Loads what <paramref name="entry"/> deployed in <paramref name="location"/>. The manifest is read from
    /// <paramref name="filesDirectory"/> when given (a reader that found the deployment in the trash, see
    /// <see cref="LocationSnapshot"/>); paths are always those of <c>deployments/&lt;hash&gt;</c>.
    /// </summary>
    public static DeployedPackage Load(Location location, DeploymentEntry entry, string? filesDirectory = null)
    {
        var path = location.DeploymentDirectory(entry.Hash);
        var manifest = Packster.Manifest.ManifestReader.Read(System.IO.Path.Combine(filesDirectory ?? path, Packster.Manifest.Manifest.FileName));
        var parameters = EffectiveParameters.ResolveStored(manifest.Parameters, JsonSerializer.SerializeToElement(entry.Parameters, EffectiveParametersContext.Default.JsonObject));
        return new DeployedPackage(entry, path, manifest, parameters, DeploymentResources.For(manifest, parameters, path, location.Path));
    }
}
