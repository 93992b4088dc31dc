using System.Text.Json;
using Packster.Handlers;
using Packster.Locations;
using Packster.Resources;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Deployments;

/// <summary>
/// Removes a deployment: uninstall handlers run first (a failure aborts unless forced), then the directory is renamed
/// aside, the lockfile committed without it, shims regenerated, and only then is the directory deleted. When the
/// active version goes, the highest remaining version of the package takes over if the resource guard allows it, and
/// the outcome and the history say so (spec/lockfile.md § Which deployment is active).
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

    public async Task<UninstallOutcome> UninstallAsync(string selector, bool force, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default) =>
        await UninstallIfAsync(selector, force, static (_, _) => true, handlerTimeout, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("an unconditional uninstall always removes");

    /// <summary>
    /// As <see cref="UninstallAsync"/>, but only when <paramref name="stillWanted"/> holds for the deployment in the state read
    /// under the lock; returns null (changing nothing) otherwise. For callers that chose it before taking the lock (gc).
    /// </summary>
    public async Task<UninstallOutcome?> UninstallIfAsync(string selector, bool force, Func<DeploymentEntry, LocationState, bool> stillWanted,
        TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stillWanted);
        using var session = LocationSession.Open(_location, _options.Messages, cancellationToken);
        var state = session.State;
        // Recovery has just dropped what the selector names (its directory or record was gone, a warning said so):
        // what was asked for is done.
        if (DeploymentSelector.Match(state, selector).Count == 0 && DroppedMatch(session.Recovery, selector) is { } gone)
        {
            return new UninstallOutcome(gone, null, gone.Active && state.OfPackage(gone.Id).Any()) { AlreadyGone = true };
        }
        var entry = DeploymentSelector.Single(state, selector, _location.Id.Value);
        if (!stillWanted(entry, state)) return null;
        var path = _location.DeploymentDirectory(entry.Hash);
        var deployed = LoadForHandlers(entry, force, handlerTimeout);
        var stopped = StopServices(entry);

        UninstallOutcome outcome;
        try
        {
            try
            {
                if (deployed is not null) await RunHandlersAsync(deployed, HandlerAction.Uninstall, handlerTimeout, cancellationToken).ConfigureAwait(false);
            }
            // --force is the way out for every handler failure (a missing script, a .cmd off Windows, an interpreter
            // that is gone): otherwise such a deployment could never be removed. Not for Ctrl-C, which aborts.
            catch (PacksterException e) when (force && IsHandlerFailure(e.Code))
            {
                _options.Messages.WriteLine($"warning: {e.Message}; removing anyway (--force)");
            }

            var history = new List<HistoryEntry>();
            outcome = Remove(state, entry, history);
            var trashed = _location.MoveToTrash(entry.Hash, session.Lock);
            CrashPoint.Hit("uninstall.trashed");
            try
            {
                session.Commit(state, history);
            }
            catch when (IsRecorded(entry))
            {
                // The commit did not happen: put the directory back, the lockfile still records it.
                Directory.Move(trashed, path);
                throw;
            }
        }
        catch when (stopped.Count > 0 && IsRecorded(entry))
        {
            // The deployment stays: so do its services (a failing command leaves things as they were).
            RestartServices(entry, stopped);
            throw;
        }
        CrashPoint.Hit("uninstall.committed");
        _location.EmptyTrash(session.Lock);
        return outcome;
    }

    /// <summary>The one deployment recovery dropped that <paramref name="selector"/> names; null when none, or several, is.</summary>
    private DeploymentEntry? DroppedMatch(RecoveryReport recovery, string selector)
    {
        if (recovery.Dropped.Count == 0) return null;
        var dropped = new LocationState(_location.Id);
        foreach (var d in recovery.Dropped)
        {
            if (d.Entry is { } entry) dropped.Deployments.Add(entry);
        }
        return DeploymentSelector.Match(dropped, selector) is [var only] ? only : null;
    }

    /// <summary>
    /// <paramref name="entry"/> as its uninstall handlers see it; null when it has none to run. A deployment whose recorded
    /// parameters are refused (kept while inactive: a lone surrogate, a NUL, left by an older packster or by hand) could
    /// not be uninstalled at all (PST3006): without uninstall handlers nothing needs them, and with some, --force removes
    /// it without running them, as for any handler that cannot run. A damaged deployment (its manifest missing or invalid)
    /// is refused (PST5007), and --force removes it without running anything.
    /// </summary>
    /// <param name="together">Whether several are removed together (a bundle's removal), which has no --force: the hint names the command that has.</param>
    private DeployedPackage? LoadForHandlers(DeploymentEntry entry, bool force, TimeSpan? handlerTimeout, bool together = false)
    {
        try
        {
            return DeployedPackage.Load(_location, entry);
        }
        catch (PacksterException e) when (ParameterErrors.IsParameterError(e.Code))
        {
            var path = _location.DeploymentDirectory(entry.Hash);
            var manifest = Manifest.ManifestReader.Read(Path.Combine(path, Manifest.Manifest.FileName));
            if (_options.Executors.Plan(HandlerSpecs.From(manifest), HandlerAction.Uninstall, path, handlerTimeout).IsEmpty) return null;
            var why = $"{entry.Id} {entry.Version} ({entry.Hash.Hex[..12]}): its uninstall handlers cannot be given its recorded parameters: {e.Message}";
            if (!force)
            {
                throw new PacksterException(e.Code, why, together
                    ? $"'packster uninstall {entry.Hash.Hex[..12]} --force' removes it without running them; then run this again"
                    : "--force removes it without running them");
            }
            _options.Messages.WriteLine($"warning: {why}; removing it without running them (--force)");
            return null;
        }
        catch (LocationErrors.DeploymentDamaged e)
        {
            // Without its manifest nothing says whether it has an uninstall handler, let alone runs one: restored by a
            // reinstall it uninstalls as usual; --force removes it as it is (spec/lockfile.md § Readers).
            if (!force)
            {
                throw new PacksterException(e.Code, $"{e.Message}, so its uninstall handler, if it has one, cannot run",
                    $"reinstall {entry.Id} {entry.Version} with --force to restore it, then uninstall it; or "
                    + (together ? $"'packster uninstall {entry.Hash.Hex[..12]} --force' removes it as it is; then run this again" : "--force removes it as it is, without an uninstall handler"));
            }
            _options.Messages.WriteLine($"warning: {e.Message}; removing it without an uninstall handler (--force)");
            return null;
        }
    }

    /// <summary>No service outlives the files it runs from (spec/activation.md § Services). Returns the names of those stopped.</summary>
    private IReadOnlyList<string> StopServices(DeploymentEntry entry)
    {
        var stopped = ServiceManager.StopServicesOf(_location, entry, TimeSpan.FromSeconds(10));
        if (stopped.Count > 0)
        {
            _options.Messages.WriteLine($"stopped {stopped.Count} running service{(stopped.Count == 1 ? "" : "s")} of {entry.Id} {entry.Version}");
        }
        return stopped;
    }

    /// <summary>
    /// Starts again the services <see cref="StopServices"/> stopped, from the same deployment, when its uninstall failed
    /// and it stays; one that does not come up is a warning, the uninstall's own error is what the command reports.
    /// </summary>
    /// <param name="reinstall">For a deployment whose <c>--force</c> reinstall was undone (<see cref="Installer"/>), not an uninstall.</param>
    internal void RestartServices(DeploymentEntry entry, IReadOnlyList<string> names, bool reinstall = false)
    {
        var services = new ServiceManager(_location, _options.BaseEnvironment ?? HandlerEnvironment.CurrentProcessEnvironment());
        foreach (var name in names)
        {
            try
            {
                var started = services.StartFrom(DeployedPackage.Load(_location, entry), name, ServiceRestartTimeout);
                _options.Messages.WriteLine($"started service {started.Package}/{started.Name} again (pid {started.Pid}): {entry.Id} {entry.Version} was not {(reinstall ? "replaced" : "uninstalled")}");
            }
            catch (Exception e) when (e is PacksterException or IOException or UnauthorizedAccessException)
            {
                _options.Messages.WriteLine($"warning: service {entry.Id}/{name} was stopped for the {(reinstall ? "reinstall" : "uninstall")} and could not be started again: {e.Message}");
            }
        }
    }

    /// <summary>As long as <c>packster service start</c> waits by default.</summary>
    private static readonly TimeSpan ServiceRestartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Takes <paramref name="entry"/> out of <paramref name="state"/>: the package's next deployment takes over when the
    /// active one goes and the guard allows it; the history lines of both go to <paramref name="history"/>.
    /// </summary>
    private UninstallOutcome Remove(LocationState state, DeploymentEntry entry, List<HistoryEntry> history)
    {
        state.Deployments.Remove(entry);
        var successor = entry.Active ? PromoteSuccessor(state, entry) : null;
        history.Add(HistoryEntry.Now(_options.Clock, "uninstall", entry));
        if (successor is not null) history.Add(HistoryEntry.Now(_options.Clock, "activate", successor, entry));
        return new UninstallOutcome(entry, successor, entry.Active && successor is null && state.OfPackage(entry.Id).Any());
    }

    /// <summary>
    /// Uninstalls every deployment <paramref name="select"/> names in the state read under the lock (those recorded), and
    /// applies <paramref name="alsoChange"/> to the state, in one lockfile commit (spec/lockfile.md § Transactions): all
    /// of them go or none does. Every uninstall handler runs before anything is removed; when one fails, the install
    /// handlers of the deployments whose uninstall handlers already ran are run again, newest first (the compensation,
    /// spec/bundle.md §4), and nothing is removed. Then the lockfile is committed once, and only after it do the
    /// directories go to the trash and the trash is emptied.
    /// </summary>
    public async Task<IReadOnlyList<UninstallOutcome>> UninstallTogetherAsync(Func<LocationState, IEnumerable<Model.Sha256Digest>> select,
        Action<LocationState> alsoChange, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(select);
        ArgumentNullException.ThrowIfNull(alsoChange);
        using var session = LocationSession.Open(_location, _options.Messages, cancellationToken);
        var state = session.State;
        var entries = select(state).Select(state.Find).OfType<DeploymentEntry>().Distinct().ToList();
        var ran = new List<DeployedPackage>();
        var stopped = new List<(DeploymentEntry Entry, IReadOnlyList<string> Names)>();
        try
        {
            foreach (var entry in entries)
            {
                var deployed = LoadForHandlers(entry, force: false, handlerTimeout, together: true);
                stopped.Add((entry, StopServices(entry)));
                if (deployed is not null)
                {
                    await RunHandlersAsync(deployed, HandlerAction.Uninstall, handlerTimeout, cancellationToken).ConfigureAwait(false);
                    ran.Add(deployed);
                }
                CrashPoint.Hit("uninstall-together.handler-done");
            }
        }
        catch (Exception e) when (e is PacksterException or IOException or UnauthorizedAccessException)
        {
            await CompensateAsync(ran, handlerTimeout).ConfigureAwait(false);
            foreach (var (entry, names) in stopped.Where(s => s.Names.Count > 0)) RestartServices(entry, names);
            throw;
        }

        var history = new List<HistoryEntry>();
        var outcomes = entries.Select(entry => Remove(state, entry, history)).ToList();
        alsoChange(state);
        // The commit comes first: a kill before it leaves the old lockfile with every directory in place, a kill after
        // it leaves directories no deployment records, which recovery deletes. Trashing first would let recovery finish
        // the uninstalls of the directories already trashed and keep the others: half a transaction.
        session.Commit(state, history);
        CrashPoint.Hit("uninstall-together.committed");
        foreach (var entry in entries)
        {
            try
            {
                _location.MoveToTrash(entry.Hash, session.Lock);
            }
            catch (Exception e) when (e is PacksterException or IOException or UnauthorizedAccessException)
            {
                _options.Messages.WriteLine($"warning: the directory of {entry.Id} {entry.Version} could not be removed yet ({e.Message}); the next command that changes the location removes it");
            }
        }
        _location.EmptyTrash(session.Lock);
        return outcomes;
    }

    /// <summary>Answers uninstall handlers that ran with the same deployments' install handlers, newest first; failures are warnings.</summary>
    private async Task CompensateAsync(List<DeployedPackage> ran, TimeSpan? handlerTimeout)
    {
        for (var i = ran.Count - 1; i >= 0; i--)
        {
            var deployed = ran[i];
            try
            {
                await RunHandlersAsync(deployed, HandlerAction.Install, handlerTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PacksterException or IOException or UnauthorizedAccessException)
            {
                _options.Messages.WriteLine($"warning: running the install handlers of {deployed.Entry.Id} {deployed.Entry.Version} again after a failed uninstall: {e.Message}");
            }
        }
    }

    private bool IsRecorded(DeploymentEntry entry)
    {
        try
        {
            return _location.ReadState().Find(entry.Hash) is not null;
        }
        catch (PacksterException)
        {
            return true;
        }
    }

    private static bool IsHandlerFailure(ErrorCode code) => (int)code / 1000 == 7 && code != ErrorCode.HandlerCancelled;

    /// <summary>
    /// The remaining deployment of the package that becomes active: the highest version (among equal versions, the
    /// lowest deployment hash, the lockfile's order) whose claims are free in this location and in the locations enabled
    /// with it. Null when none is left or every one conflicts.
    /// </summary>
    private DeploymentEntry? PromoteSuccessor(LocationState state, DeploymentEntry removed)
    {
        var enabled = new EnabledLocations(_location.Paths);
        var outside = enabled.IsEnabled(_location) ? enabled.OwnersOutside(_location) : [];
        foreach (var candidate in state.OfPackage(removed.Id))
        {
            DeploymentResources resources;
            try
            {
                resources = DeployedPackage.Load(_location, candidate).Resources;
            }
            catch (PacksterException e) when (ParameterErrors.IsParameterError(e.Code) || e is LocationErrors.DeploymentDamaged)
            {
                // Its recorded parameters are refused (a value activation would not take), or its manifest is missing:
                // it cannot become active.
                continue;
            }
            var change = new ResourceChange(LocationActivation.OwnerOf(state, candidate), resources.Claims);
            if (ResourceGuard.FindConflicts(LocationActivation.Owners(state), change).Count > 0) continue;
            if (ResourceGuard.FindConflicts(outside, change).Count > 0) continue;
            candidate.Active = true;
            candidate.Claims.Clear();
            foreach (var c in resources.Claims) candidate.Claims.Add(ClaimText.Format(c));
            return candidate;
        }
        return null;
    }

    /// <summary>Runs the uninstall handlers of a deployment that is on disk (recorded or not): a transaction's undo.</summary>
    internal async Task RunUninstallHandlersAsync(DeploymentEntry entry, TimeSpan? handlerTimeout, CancellationToken ct)
    {
        await RunHandlersAsync(DeployedPackage.Load(_location, entry), HandlerAction.Uninstall, handlerTimeout, ct).ConfigureAwait(false);
    }

    /// <summary>Runs the deployment's <paramref name="action"/> handlers, if it has any, in its directory.</summary>
    private async Task RunHandlersAsync(DeployedPackage deployed, HandlerAction action, TimeSpan? handlerTimeout, CancellationToken ct)
    {
        var plan = _options.Executors.Plan(HandlerSpecs.From(deployed.Manifest), action, deployed.Path, handlerTimeout);
        if (plan.IsEmpty) return;
        var entry = deployed.Entry;
        Directory.CreateDirectory(_location.LogsDirectory);
        var logPath = Path.Combine(_location.LogsDirectory, $"{entry.Id}-{entry.Version}-{entry.Hash.Hex[..12]}-{action.ToString().ToLowerInvariant()}.log");
        var parametersFile = Path.Combine(_location.StagingDirectory, $"{entry.Hash.Hex}.parameters.json");
        // HandlerEnvironment.Build creates the file owner-only; writing it here first would leave it world-readable.
        try
        {
            var context = new HandlerContext(action, entry.Id, entry.Version, deployed.Path, _location.Path, deployed.Parameters.Json);
            var env = HandlerEnvironment.Build(context, parametersFile, _options.BaseEnvironment);
            await new HandlerRunner(_options.HandlerOutput).RunPlanAsync(plan, context, env, logPath, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(parametersFile);
        }
    }
}

/// <summary>
/// What an uninstall did: <see cref="Removed"/> is gone; <see cref="NowActive"/> took over when the active deployment
/// went; <see cref="NoneActive"/> when the active one went and the package's remaining deployments all stay inactive.
/// </summary>
public sealed record UninstallOutcome(DeploymentEntry Removed, DeploymentEntry? NowActive, bool NoneActive)
{
    /// <summary>Recovery had just dropped <see cref="Removed"/> from the lockfile (its directory or record was gone): nothing was left to remove.</summary>
    public bool AlreadyGone { get; init; }
}
