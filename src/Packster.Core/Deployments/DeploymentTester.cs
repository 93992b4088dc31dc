using Packster.Handlers;
using Packster.Locations;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Deployments;

/// <summary>
/// <c>packster test</c> (spec/handlers.md § packster test): runs a deployed package's test handler again, in its
/// deployment directory, under the location's lock so the deployment cannot be removed or replaced meanwhile. Changes
/// nothing in the location but its <c>logs/</c>; a failing test is PST7012.
/// </summary>
public sealed class DeploymentTester
{
    private readonly Location _location;
    private readonly InstallerOptions _options;

    public DeploymentTester(Location location, InstallerOptions options)
    {
        _location = location;
        _options = options;
    }

    /// <summary>
    /// Tests the deployment <paramref name="selector"/> names: an id means its active deployment; <c>id@version</c> or a
    /// deployment hash that one. Returns <see cref="TestOutcome.Ran"/> false when the package declares no test handler.
    /// </summary>
    public async Task<TestOutcome> TestAsync(string selector, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        DeploymentSelector.RequireSelector(selector);
        using var session = LocationSession.Open(_location, _options.Messages, cancellationToken);
        var entry = DeploymentSelector.ActiveOrSingle(session.State, selector, _location.Id.Value);
        var deployed = DeployedPackage.Load(_location, entry);
        var plan = _options.Executors.Plan(HandlerSpecs.From(deployed.Manifest), HandlerAction.Test, deployed.Path, handlerTimeout);
        if (plan.IsEmpty) return new TestOutcome(entry, deployed.Path, false, null);

        Directory.CreateDirectory(_location.LogsDirectory);
        var logPath = Path.Combine(_location.LogsDirectory, $"{entry.Id}-{entry.Version}-{entry.Hash.Hex[..12]}-test.log");
        // HandlerEnvironment.Build creates the file owner-only; writing it here first would leave it world-readable.
        var parametersFile = Path.Combine(_location.StagingDirectory, $"{entry.Hash.Hex}.parameters.json");
        try
        {
            var context = new HandlerContext(HandlerAction.Test, entry.Id, entry.Version, deployed.Path, _location.Path, deployed.Parameters.Json)
            {
                Secrets = deployed.Parameters.SecretTexts,
            };
            var env = HandlerEnvironment.Build(context, parametersFile, _options.BaseEnvironment);
            await new HandlerRunner(_options.HandlerOutput).RunPlanAsync(plan, context, env, logPath, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(parametersFile);
        }
        return new TestOutcome(entry, deployed.Path, true, logPath);
    }
}

/// <summary>What <c>packster test</c> did: <see cref="Ran"/> false when the package declares no test handler; then <see cref="LogPath"/> is null.</summary>
public sealed record TestOutcome(DeploymentEntry Deployment, string Path, bool Ran, string? LogPath);
