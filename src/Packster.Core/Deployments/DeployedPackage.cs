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
    public static DeployedPackage Load(Location location, DeploymentEntry entry, string? filesDirectory = null) => Load(location, entry, filesDirectory, null);

    /// <summary>
    /// As above, with the manifests already read kept in <paramref name="manifests"/> by package file: deployments of
    /// one package (other parameters) hold the same manifest, so a listing parses it once. The deployment's own
    /// manifest file must still be there (a missing one throws as before).
    /// </summary>
    public static DeployedPackage Load(Location location, DeploymentEntry entry, string? filesDirectory,
        System.Collections.Concurrent.ConcurrentDictionary<Model.PackageFileName, Manifest.Manifest>? manifests)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(entry);
        var path = location.DeploymentDirectory(entry.Hash);
        var file = System.IO.Path.Combine(filesDirectory ?? path, Packster.Manifest.Manifest.FileName);
        Manifest.Manifest manifest;
        if (manifests is null) manifest = Packster.Manifest.ManifestReader.Read(file);
        else if (!File.Exists(file)) throw new FileNotFoundException($"'{file}' is missing", file);
        else manifest = manifests.GetOrAdd(entry.Package, _ => Packster.Manifest.ManifestReader.Read(file));
        var parameters = EffectiveParameters.ResolveStored(manifest.Parameters, JsonSerializer.SerializeToElement(entry.Parameters, EffectiveParametersContext.Default.JsonObject));
        return new DeployedPackage(entry, path, manifest, parameters, DeploymentResources.For(manifest, parameters, path, location.Path));
    }
}
