using System.Text.Json;
using Packster.Handlers;
using Packster.Locations;
using Packster.Resources;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Deployments;

/// <summary>
/// Removes a deployment: uninstall handlers run first (a failure aborts unless forced), then the directory is renamed
/// aside, the lockfile committed without it, shims regenerated, and only then is the directory deleted. When the
/// active version goes, the highest remaining version of the package takes over if the resource guard allows it.
/// </summary>
public sealed class Uninstaller
{
    private readonly Location _location;
    private readonly InstallerOptions _options;

    public Uninstaller(Location location, InstallerOptions options)
    {
        _location = location;
        _options = options;
    }

    public async Task<DeploymentEntry> UninstallAsync(string selector, bool force, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default) =>
        await UninstallIfAsync(selector, force, static (_, _) => true, handlerTimeout, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("an unconditional uninstall always removes");

    /// <summary>
    /// As <see cref="UninstallAsync"/>, but only when <paramref name="stillWanted"/> holds for the deployment in the state read
    /// under the lock; returns null (changing nothing) otherwise. For callers that chose it before taking the lock (gc).
    /// </summary>
    public async Task<DeploymentEntry?> UninstallIfAsync(string selector, bool force, Func<DeploymentEntry, LocationState, bool> stillWanted,
        TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stillWanted);
        using var session = LocationSession.Open(_location, _options.Messages, cancellationToken);
        var state = session.State;
        var entry = DeploymentSelector.Single(state, selector, _location.Id.Value);
        if (!stillWanted(entry, state)) return null;
        var path = _location.DeploymentDirectory(entry.Hash);
        var deployed = DeployedPackage.Load(_location, entry);

        try
        {
            var plan = _options.Executors.Plan(HandlerSpecs.From(deployed.Manifest), HandlerAction.Uninstall, path, handlerTimeout);
            if (!plan.IsEmpty) await RunAsync(plan, deployed, cancellationToken).ConfigureAwait(false);
        }
        // --force is the way out for every handler failure (a missing script, a .cmd off Windows, an interpreter
        // that is gone): otherwise such a deployment could never be removed. Not for Ctrl-C, which aborts.
        catch (PacksterException e) when (force && IsHandlerFailure(e.Code))
        {
            _options.Messages.WriteLine($"warning: {e.Message}; removing anyway (--force)");
        }

        state.Deployments.Remove(entry);
        if (entry.Active) PromoteSuccessor(state, entry);
        var trashed = _location.MoveToTrash(entry.Hash, session.Lock);
        CrashPoint.Hit("uninstall.trashed");
        try
        {
            session.Commit(state);
        }
        catch
        {
            // Put the directory back: the lockfile still records it.
            Directory.Move(trashed, path);
            throw;
        }
        CrashPoint.Hit("uninstall.committed");
        _location.EmptyTrash(session.Lock);
        History.TryAppend(_location, HistoryEntry.Now(_options.Clock, "uninstall", entry), _options.Messages);
        return entry;
    }

    private static bool IsHandlerFailure(ErrorCode code) => (int)code / 1000 == 7 && code != ErrorCode.HandlerCancelled;

    /// <summary>The highest remaining version of the package becomes active, when its claims are free.</summary>
    private void PromoteSuccessor(LocationState state, DeploymentEntry removed)
    {
        foreach (var candidate in state.OfPackage(removed.Id))
        {
            var resources = DeployedPackage.Load(_location, candidate).Resources;
            var owner = LocationActivation.OwnerOf(state, candidate);
            if (ResourceGuard.FindConflicts(LocationActivation.Owners(state), new ResourceChange(owner, resources.Claims)).Count > 0) continue;
            candidate.Active = true;
            candidate.Claims.Clear();
            foreach (var c in resources.Claims) candidate.Claims.Add(ClaimText.Format(c));
            return;
        }
    }

    private async Task RunAsync(HandlerPlan plan, DeployedPackage deployed, CancellationToken ct)
    {
        var entry = deployed.Entry;
        Directory.CreateDirectory(_location.LogsDirectory);
        var logPath = Path.Combine(_location.LogsDirectory, $"{entry.Id}-{entry.Version}-{entry.Hash.Hex[..12]}-uninstall.log");
        var parametersFile = Path.Combine(_location.StagingDirectory, $"{entry.Hash.Hex}.parameters.json");
        // HandlerEnvironment.Build creates the file owner-only; writing it here first would leave it world-readable.
        try
        {
            var context = new HandlerContext(HandlerAction.Uninstall, entry.Id, entry.Version, deployed.Path, _location.Path, deployed.Parameters.Json);
            var env = HandlerEnvironment.Build(context, parametersFile, _options.BaseEnvironment);
            await new HandlerRunner(_options.HandlerOutput).RunPlanAsync(plan, context, env, logPath, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(parametersFile);
        }
    }
}
