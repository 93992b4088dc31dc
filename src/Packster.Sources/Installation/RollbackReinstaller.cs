using System.Text.Json;
using Packster.Deployments;
using Packster.Locations;

namespace Packster.Sources.Installation;

/// <summary>
/// <c>packster rollback</c> when the generation had active deployments that were removed since (spec/lockfile.md §
/// Generations): each is fetched by its package file name and sha256 (the download cache first, then the sources),
/// checked to give the same deployment hash with the parameters the generation recorded, installed again (inactive,
/// handlers run), and the generation's active set made current — all in one transaction, so either the whole
/// rollback commits or the location is as before. A deployment that cannot be brought back fails the rollback before
/// anything changes (PST5016), each named with why.
/// </summary>
public sealed class RollbackReinstaller(Location location, InstallerOptions options, PackageSupply supply)
{
    public async Task<RollbackResult> ToAsync(string selector, bool dryRun, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var target = HistoryReplay.FindOrRebuild(location, selector);
        // What is missing is judged before the lock, since fetching and checking packages is no work to hold it for;
        // it is judged again once the lock is held, and planned again when that differs: a command that held the lock
        // meanwhile (a gc) may have removed deployments the generation needs, which are then brought back as well.
        for (var attempt = 1; ; attempt++)
        {
            var missing = target.State.ActiveDeployments.Where(w => location.ReadState().Find(w.Hash) is null).ToList();
            if (missing.Count == 0 && dryRun) return new Rollback(location, options).To(target, dryRun, cancellationToken);
            if (missing.Count == 0)
            {
                PausePoint.Hit("rollback.before-lock");
                // Planned again at most a few times (each brings back what was missing): after that, refused as it is.
                if (attempt >= 3) return new Rollback(location, options).To(target, dryRun: false, cancellationToken);
                if (new Rollback(location, options).ToUnlessRemoved(target, cancellationToken) is { } done) return done;
                continue;
            }

            var prepared = await PrepareAsync(target, missing, handlerTimeout, cancellationToken).ConfigureAwait(false);
            if (dryRun)
            {
                // What the rollback would do, on a copy of the state holding the missing deployments, inactive as installed.
                var copy = Lockfile.Parse(Lockfile.Serialize(location.ReadState()), location.LockfilePath);
                foreach (var m in missing) copy.Deployments.Add(new DeploymentEntry(m.Package, m.Hash, m.Parameters) { Dependency = m.Dependency });
                var (wouldActivate, wouldDeactivate) = Rollback.Apply(location, copy, target);
                return new RollbackResult(target, wouldActivate, wouldDeactivate, DryRun: true) { Reinstalled = missing };
            }

            PausePoint.Hit("rollback.before-lock");
            await using var transaction = LocationTransaction.Begin(location, options.Messages, cancellationToken);
            // Removed while the rollback waited for the lock, and not prepared: planned again (nothing changed yet),
            // a few times at most, since each time brings back what was missing.
            var unplanned = target.State.ActiveDeployments.Where(w => transaction.State.Find(w.Hash) is null && !prepared.Any(p => p.Wanted.Hash == w.Hash));
            if (unplanned.Any() && attempt < 3) continue;
            var installer = new Installer(location, options) { Transaction = transaction };
            var reinstalled = new List<DeploymentEntry>();
            foreach (var (wanted, package, request) in prepared)
            {
                // Judged again under the lock: another command may have brought it back meanwhile.
                if (transaction.State.Find(wanted.Hash) is not null) continue;
                await installer.InstallAsync(package.File, request, cancellationToken).ConfigureAwait(false);
                if (transaction.State.Find(wanted.Hash) is { } entry) entry.Dependency = wanted.Dependency;
                reinstalled.Add(wanted);
            }
            var still = target.State.ActiveDeployments.Where(w => transaction.State.Find(w.Hash) is null).ToList();
            if (still.Count > 0) throw Incomplete(target, still.Select(m => (m, "it was removed again while the rollback ran")));
            var (activated, deactivated) = Rollback.Apply(location, transaction.State, target);
            var result = new RollbackResult(target, activated, deactivated, DryRun: false) { Reinstalled = reinstalled };
            transaction.Record(Rollback.History(result, options.Clock), $"the rollback to generation {target.Number}", _ => Task.CompletedTask);
            transaction.Commit();
            return result;
        }
    }

    /// <summary>Every missing deployment fetched and verified, or PST5016 naming each that cannot be brought back.</summary>
    private async Task<List<(DeploymentEntry Wanted, SuppliedPackage Package, InstallRequest Request)>> PrepareAsync(Generation target,
        List<DeploymentEntry> missing, TimeSpan? handlerTimeout, CancellationToken cancellationToken)
    {
        var prepared = new List<(DeploymentEntry, SuppliedPackage, InstallRequest)>();
        var failures = new List<(DeploymentEntry, string)>();
        // The dry runs' warnings (an unsigned package under "warn") would repeat those of the installs that follow.
        var checker = new Installer(location, options with { Messages = TextWriter.Null });
        foreach (var wanted in missing)
        {
            SuppliedPackage package;
            try
            {
                package = await supply.ExactAsync(wanted.Package, cancellationToken).ConfigureAwait(false);
            }
            catch (PacksterException e) when (e.Code != ErrorCode.Interrupted)
            {
                failures.Add((wanted, $"its package {wanted.Package.FileName} is in neither the download cache nor a source ({e.Message})"));
                continue;
            }
            var request = new InstallRequest(package.File.Path)
            {
                Parameters = JsonSerializer.SerializeToElement(wanted.Parameters, SourcesJsonContext.Default.JsonObject),
                Inactive = true,
                HandlerTimeout = handlerTimeout,
                SourceTrust = package.SignatureRules,
            };
            InstallOutcome planned;
            try
            {
                planned = await checker.InstallAsync(package.File, request with { DryRun = true }, cancellationToken).ConfigureAwait(false);
            }
            catch (PacksterException e) when (ParameterErrors.IsParameterError(e.Code))
            {
                // rollback takes no parameters: a required secret (never recorded) or a value the package now refuses
                // cannot be given here, so it is a deployment that cannot be brought back, named with the install that can.
                var why = e.Code == ErrorCode.ParameterMissing && e.Message.EndsWith(ParameterErrors.SecretNotKept, StringComparison.Ordinal)
                    ? $"{e.Message[..^ParameterErrors.SecretNotKept.Length]}; it is secret, and packster keeps no copy of a secret to install it again with"
                    : $"with the parameters the generation recorded, {e.Message}";
                failures.Add((wanted, why));
                continue;
            }
            if (planned.Deployment != wanted.Hash)
            {
                failures.Add((wanted, $"its package with the parameters the generation recorded gives deployment {planned.Deployment.Hex[..12]} (a secret parameter is never recorded)"));
                continue;
            }
            prepared.Add((wanted, package, request));
        }
        if (failures.Count > 0) throw Incomplete(target, failures);
        return prepared;
    }

    private PacksterException Incomplete(Generation target, IEnumerable<(DeploymentEntry Deployment, string Why)> failures)
    {
        var list = failures.ToList();
        var first = list[0].Deployment;
        return new(ErrorCode.RollbackIncomplete,
            $"generation {target.Number} of location {location.Id} needs deployments removed since that cannot be brought back: "
            + string.Join("; ", list.Select(f => $"{f.Deployment.Id} {f.Deployment.Version} ({f.Deployment.Hash.Hex[..12]}): {f.Why}")) + "; nothing was changed",
            $"install them again with the parameters they had (secret ones too), e.g. 'packster install {first.Id}@{first.Version} --inactive -p <parameter>=…', "
            + $"then roll back again; 'packster history --at {target.Number}' shows their recorded parameters");
    }
}
