using Packster.Activation;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Sources.Installation;

/// <summary>
/// <c>[pack-location]</c> (spec/sources.md § pack-location): the requirements are installed, with their dependencies,
/// into a temporary location under the temp directory with its own registry (nothing is registered for the user), and
/// the pack handlers get the base environment with that location activated: its shims first on PATH, its env keys set.
/// Disposing the returned environment deletes the location.
/// </summary>
public sealed class PackLocationEnvironment
{
    private readonly PackageSupply _supply;
    private readonly InstallerOptions _options;
    private readonly IReadOnlyDictionary<string, string> _baseEnvironment;

    public PackLocationEnvironment(PackageSupply supply, InstallerOptions options, IReadOnlyDictionary<string, string> baseEnvironment)
    {
        _supply = supply;
        _options = options;
        _baseEnvironment = baseEnvironment;
    }

    /// <summary>Matches <see cref="SourcePackerOptions.PackEnvironment"/>.</summary>
    public async Task<PackEnvironment> CreateAsync(Manifest.Manifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var root = Path.Combine(Path.GetTempPath(), "packster-pack-location-" + Guid.NewGuid().ToString("N"));
        try
        {
            var environment = _baseEnvironment.Where(kv => kv.Key != PacksterPaths.LocationVariable).ToDictionary(StringComparer.Ordinal);
            environment[PacksterPaths.DataHomeVariable] = Path.Combine(root, "data");
            var paths = new PacksterPaths(environment, OperatingSystem.IsWindows(), Environment.CurrentDirectory);
            var location = Location.Create(Path.Combine(root, "location"), "pack-location", paths);
            var installer = new PackageInstaller(location, _options with { BaseEnvironment = _baseEnvironment }, _supply);
            foreach (var requirement in manifest.PackLocation)
            {
                await installer.InstallAsync(new InstallByIdRequest(requirement.Id, requirement.Range), cancellationToken).ConfigureAwait(false);
            }
            var variables = Activated(location);
            return new PackEnvironment(variables, () => Delete(root));
        }
        catch
        {
            Delete(root);
            throw;
        }
    }

    /// <summary>Best effort: a leftover under the temp directory must not fail a pack that succeeded.</summary>
    private static void Delete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private Dictionary<string, string> Activated(Location location)
    {
        var state = location.ReadState();
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var deployed in state.ActiveDeployments.Select(d => DeployedPackage.Load(location, d)))
        {
            foreach (var (key, value) in deployed.Resources.Env) env[key] = value;
        }
        var block = _baseEnvironment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);
        ActivationEnvironment.Activate(block, new ActivationSpec(location.Path, location.Id.Value, location.ShimsDirectory, env));
        return block.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.Ordinal);
    }
}
