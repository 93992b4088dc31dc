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
    public static DeployedPackage Load(Location location, DeploymentEntry entry, string? filesDirectory = null) =>
        Of(location, entry, ReadManifest(location, entry, filesDirectory, null));

    /// <summary>
    /// The manifest of <paramref name="entry"/>'s deployment, read from <paramref name="filesDirectory"/> (else its
    /// directory), or taken from <paramref name="manifests"/> when a deployment of the same package put it there
    /// (deployments of one package with other parameters hold the same manifest, so a listing parses it once); either
    /// way the deployment's own manifest file must be there: a missing or invalid one is the location error of a damaged
    /// deployment (<see cref="LocationErrors.Damaged"/>, PST5007).
    /// </summary>
    public static Manifest.Manifest ReadManifest(Location location, DeploymentEntry entry, string? filesDirectory,
        System.Collections.Concurrent.ConcurrentDictionary<Model.PackageFileName, Manifest.Manifest>? manifests)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(entry);
        var file = System.IO.Path.Combine(filesDirectory ?? location.DeploymentDirectory(entry.Hash), Packster.Manifest.Manifest.FileName);
        // Its folder is there (a reader found it) but its manifest is not: deleted by hand. A folder gone meanwhile is
        // the reader's to judge (LocationSnapshot), so it is not said to be damaged.
        if (!File.Exists(file) && Directory.Exists(System.IO.Path.GetDirectoryName(file)))
        {
            throw LocationErrors.Damaged(location.Id, entry, $"its {Packster.Manifest.Manifest.FileName} is missing");
        }
        try
        {
            if (manifests is null) return Packster.Manifest.ManifestReader.Read(file);
            if (!File.Exists(file)) throw new FileNotFoundException($"'{file}' is missing", file);
            return manifests.GetOrAdd(entry.Package, _ => Packster.Manifest.ManifestReader.Read(file));
        }
        catch (Packster.Manifest.ManifestException e) when (File.Exists(file))
        {
            // It was valid when it was installed: one that no longer is was changed by hand.
            throw LocationErrors.Damaged(location.Id, entry, $"its {Packster.Manifest.Manifest.FileName} is no longer valid: {e.Message}");
        }
    }

    /// <summary>What <paramref name="entry"/> deployed in <paramref name="location"/>, given its package's manifest (read already).</summary>
    public static DeployedPackage Of(Location location, DeploymentEntry entry, Manifest.Manifest manifest)
    {
        var path = location.DeploymentDirectory(entry.Hash);
        var parameters = StoredParameters(entry, manifest);
        return new DeployedPackage(entry, path, manifest, parameters, DeploymentResources.For(manifest, parameters, path, location.Path));
    }

    /// <summary>As much of <see cref="Of"/> as a listing shows (<see cref="DeploymentResources.Summary"/>), with the same checks.</summary>
    /// <param name="home">The deployment's directory (<see cref="Location.DeploymentDirectory"/>), which the caller has made already.</param>
    public static ResourceSummary Summarize(Location location, DeploymentEntry entry, Manifest.Manifest manifest, string home) =>
        DeploymentResources.Summary(manifest, StoredParameters(entry, manifest), home, location.Path);

    private static EffectiveParameters StoredParameters(DeploymentEntry entry, Manifest.Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(manifest);
        // Parameters as read from the lockfile are a JSON value already: turning them into an object and back into a
        // value was a sixth of a listing of 1,000 deployments.
        return EffectiveParameters.ResolveStored(manifest.Parameters,
            entry.UntouchedParameters ?? JsonSerializer.SerializeToElement(entry.Parameters, EffectiveParametersContext.Default.JsonObject));
    }
}
