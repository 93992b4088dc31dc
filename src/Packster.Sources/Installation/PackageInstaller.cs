using System.Text.Json;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// <c>packster install &lt;id&gt;[@&lt;range&gt;]</c> (spec/sources.md § install by id): resolve the package across sources,
/// plan its dependencies completely (a missing one or a cycle fails before anything is installed), install the
/// dependencies in order with their default parameters, then the package exactly as <c>install-file</c> would, and
/// commit; then the <c>[install-bundle]</c> entries of every package this run installed, recorded in the location's
/// bundle, in a commit of their own for each such package (spec/bundle.md § install-bundle: their failure leaves the
/// package installed).
/// </summary>
public sealed class PackageInstaller
{
    private readonly Location _location;
    private readonly InstallerOptions _options;
    private readonly PackageSupply _supply;

    /// <summary>Bundle entries being installed by this run: an <c>[install-bundle]</c> loop must end.</summary>
    private readonly HashSet<PackageId> _bundling = [];

    /// <summary>
    /// This installer installs the entries of an <c>[install-bundle]</c> step: the entries its packages bring in turn are
    /// part of the same step, planned in it too in a dry run, and a failure is the step's.
    /// </summary>
    private bool _inStep;

    public PackageInstaller(Location location, InstallerOptions options, PackageSupply supply)
    {
        _location = location;
        _options = options;
        _supply = supply;
    }

    /// <summary>Resolves <paramref name="request"/>'s id and range across the sources, then installs as below.</summary>
    public async Task<PackageInstallResult> InstallAsync(InstallByIdRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The location is read on another core while the package is resolved and fetched (LocationReadAhead).
        if (!request.DryRun && Transaction is null) _location.StartReadAhead();
        var root = await _supply.ResolveAllowedAsync(request.Id, request.Range, DenyList(), cancellationToken).ConfigureAwait(false);
        return await InstallAsync(root, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The transaction this install takes part in (a bundle install's); null: the install, its dependencies and the
    /// bundle entries it brings are one transaction of their own (spec/lockfile.md § Transactions).
    /// </summary>
    public LocationTransaction? Transaction { get; init; }

    /// <summary>
    /// With <see cref="Transaction"/>: the <c>[install-bundle]</c> entries of the packages installed are not installed
    /// in it but left in <see cref="PackageInstallResult.PendingBundle"/>, for <see cref="InstallBundleAsync"/> once the
    /// transaction has committed (a bundle install's). Without it they join the given transaction (an upgrade's, or the
    /// step of another package's entries).
    /// </summary>
    public bool BundleAfterCommit { get; init; }

    /// <summary>
    /// For a dry run: the state the installs planned before would leave (a bundle install's earlier packages), which
    /// each plan of this installer reads and adds to; null: a dry run starts one from the lockfile as it is, shared by
    /// everything it plans — dependencies, the package, the entries of their <c>[install-bundle]</c>.
    /// </summary>
    public PlannedState? Planned
    {
        get => _planned;
        init => _planned = value;
    }

    private PlannedState? _planned;

    /// <summary>Installs an already resolved package with its dependencies and bundle entries, all or nothing.</summary>
    public async Task<PackageInstallResult> InstallAsync(SuppliedPackage root, InstallByIdRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(request);
        if (!request.DryRun && Transaction is null) _location.StartReadAhead();
        var plan = await DependencyPlanner.PlanAsync(root, _location.ReadState(), _supply, _location, DenyList(), cancellationToken).ConfigureAwait(false);
        if (request.DryRun)
        {
            // Each step is planned against the state the steps planned before it would leave, claims included, as the
            // run installs each in a transaction that has the earlier ones (spec/lockfile.md § Dry run).
            _planned ??= new PlannedState(_location.ReadState());
            var planned = await InstallPlannedAsync(root, plan, request, Transaction, cancellationToken).ConfigureAwait(false);
            // The [install-bundle] steps the run would take after its commit are planned too (spec/bundle.md
            // § install-bundle); a bundle install or an upgrade plans them itself, after all of its packages.
            return BundleAfterCommit ? planned : await InstallBundleAsync(planned, request.HandlerTimeout, cancellationToken).ConfigureAwait(false);
        }
        if (Transaction is not null) return await InstallPlannedAsync(root, plan, request, Transaction, cancellationToken).ConfigureAwait(false);
        // A package the licence, deny or signature rules refuse is refused before the location is locked.
        var policy = new Installer(_location, _options);
        foreach (var step in plan.Dependencies)
        {
            if (step.Package is { } dependency) policy.RefuseByPolicy(dependency.File, dependency.SignatureRules);
        }
        policy.RefuseByPolicy(root.File, root.SignatureRules);
        PackageInstallResult result;
        await using (var transaction = LocationTransaction.Begin(_location, _options.Messages, cancellationToken))
        {
            result = await InstallPlannedAsync(root, plan, request, transaction, cancellationToken).ConfigureAwait(false);
            if (transaction.Changes > 0) transaction.Commit();
        }
        // The package and its dependencies are committed: what their [install-bundle] brings cannot undo them.
        return await InstallBundleAsync(result, request.HandlerTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The <c>[install-bundle]</c> step of the packages <paramref name="result"/> installed, after their commit
    /// (spec/bundle.md § install-bundle): for each such package in install order, its entries (with their dependencies and
    /// what they bring in turn) are installed and recorded in the bundle as one transaction of its own. A failure undoes
    /// that step only, leaves the package installed, and is kept in <see cref="PackageInstallResult.BundleErrors"/>
    /// naming the package; the other packages' steps still run. An interrupt ends the run. For a dry run's
    /// <paramref name="result"/> (a plan), each step is planned the same way and nothing changes: what it would install,
    /// or the error it would end with.
    /// </summary>
    internal async Task<PackageInstallResult> InstallBundleAsync(PackageInstallResult result, TimeSpan? handlerTimeout, CancellationToken cancellationToken)
    {
        if (result.PendingBundle.Count == 0) return result;
        // Only a dry run reports a planned package.
        var dryRun = result.Root.Status == InstallStatus.Planned;
        var bundle = new List<PackageInstallResult>(result.Bundle);
        var errors = new List<PacksterException>(result.BundleErrors);
        foreach (var manifest in result.PendingBundle)
        {
            try
            {
                IReadOnlyList<PackageInstallResult> brought;
                if (dryRun)
                {
                    brought = await JoinBundleAsync([manifest], handlerTimeout, null, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await using var transaction = LocationTransaction.Begin(_location, _options.Messages, cancellationToken);
                    transaction.Scope = $"the [install-bundle] of {manifest.Id} {manifest.Version}";
                    brought = await JoinBundleAsync([manifest], handlerTimeout, transaction, cancellationToken).ConfigureAwait(false);
                    if (transaction.Changes > 0) transaction.Commit();
                }
                bundle.AddRange(brought);
            }
            catch (Exception e) when (e is PacksterException { Code: not ErrorCode.Interrupted } or IOException or UnauthorizedAccessException)
            {
                var failure = e as PacksterException ?? FileSystemErrors.Classify(e) ?? new PacksterException(ErrorCode.Internal, e.Message, null, e);
                errors.Add(new PacksterException(failure.Code,
                    $"{failure.Message}; {manifest.Id} {manifest.Version} {(dryRun ? "would be installed" : "stays installed")}, without the entries of its [install-bundle]",
                    failure.Hint, failure));
            }
        }
        return result with { Bundle = bundle, BundleErrors = errors, PendingBundle = [] };
    }

    private async Task<PackageInstallResult> InstallPlannedAsync(SuppliedPackage root, InstallPlan plan, InstallByIdRequest request, LocationTransaction? transaction,
        CancellationToken cancellationToken)
    {
        var installer = new Installer(_location, _options) { Transaction = transaction, Planned = request.DryRun ? _planned : null };
        var dependencies = new List<InstallOutcome>();
        var installed = new List<Manifest.Manifest>();
        foreach (var step in plan.Dependencies)
        {
            if (step.Existing is { } existing)
            {
                dependencies.Add(new InstallOutcome(existing.Id, existing.Version, existing.Package, existing.Hash,
                    _location.DeploymentDirectory(existing.Hash), InstallStatus.Unchanged, existing.Active));
                continue;
            }
            var package = step.Package!.File;
            var outcome = await installer.InstallAsync(package, new InstallRequest(package.Path)
            {
                DryRun = request.DryRun,
                Platform = request.Platform,
                HandlerTimeout = request.HandlerTimeout,
                SourceTrust = step.Package.SignatureRules,
            }, cancellationToken).ConfigureAwait(false);
            dependencies.Add(outcome);
            if (WouldInstall(outcome, force: false)) installed.Add(package.Manifest);
            // Installed only because something depends on it: gc --orphans may remove it once nothing does.
            if (outcome.Status == InstallStatus.Installed && transaction?.State.Find(outcome.Deployment) is { } entry) entry.Dependency = true;
        }

        var rootOutcome = await installer.InstallAsync(root.File, request.ForFile(root.File.Path) with { SourceTrust = root.SignatureRules }, cancellationToken).ConfigureAwait(false);
        if (WouldInstall(rootOutcome, request.Force)) installed.Add(root.File.Manifest);
        if (!request.DryRun) MarkRoot(transaction!, rootOutcome, request.AsDependency);
        var pending = installed.Where(m => m.InstallBundle.Count > 0).ToList();
        // Joined after the commit (an install of its own, a bundle install, an upgrade), or in the caller's transaction
        // (the step of another package's entries); a dry run plans them at the same moments.
        var afterCommit = request.DryRun ? !_inStep : Transaction is null || BundleAfterCommit;
        var bundle = afterCommit ? [] : await JoinBundleAsync(pending, request.HandlerTimeout, transaction, cancellationToken).ConfigureAwait(false);
        return new PackageInstallResult(rootOutcome, root.Source, dependencies, bundle)
        {
            PendingBundle = afterCommit ? pending : [],
        };
    }

    /// <summary>
    /// Whether the run installs <paramref name="outcome"/>'s package (status <c>installed</c>), so that its
    /// <c>[install-bundle]</c> step runs: installed, or in a dry run planned for a deployment not there yet (or there,
    /// with --force).
    /// </summary>
    private static bool WouldInstall(InstallOutcome outcome, bool force) => outcome.Status switch
    {
        InstallStatus.Installed => true,
        InstallStatus.Planned => outcome.Plan is { AlreadyInstalled: false } || force,
        _ => false,
    };

    /// <summary>
    /// The package asked for is the user's own from now on (its dependency mark cleared), unless the request carries the
    /// mark over (an upgrade of a dependency). A mark that changes on an unchanged deployment is a change to commit.
    /// </summary>
    private static void MarkRoot(LocationTransaction transaction, InstallOutcome outcome, bool asDependency)
    {
        if (transaction.State.Find(outcome.Deployment) is not { } entry || entry.Dependency == asDependency) return;
        entry.Dependency = asDependency;
        if (outcome.Status == InstallStatus.Unchanged) transaction.Record([], $"{entry.Id} {entry.Version} marked as {(asDependency ? "a dependency" : "requested")}", _ => Task.CompletedTask);
    }

    /// <summary>The user's deny rules and the location's (spec/resolver.md § Deny list).</summary>
    private Deny.DenyList DenyList() => Deny.DenyList.For(_options.DenyRules, _location.PolicyPath);

    /// <summary>
    /// The <c>[install-bundle]</c> entries of the packages just installed join the location's bundle, installed and
    /// resolved. A requirement the bundle already has for that id is the user's and stays as it is. Without
    /// <paramref name="transaction"/> (a dry run) the entries are planned the same way and nothing is recorded.
    /// </summary>
    private async Task<IReadOnlyList<PackageInstallResult>> JoinBundleAsync(IReadOnlyList<Manifest.Manifest> installed, TimeSpan? handlerTimeout,
        LocationTransaction? transaction, CancellationToken cancellationToken)
    {
        var wanted = installed.SelectMany(m => m.InstallBundle.Select(entry => (Manifest: m, Entry: entry))).ToList();
        if (wanted.Count == 0) return [];
        var bundle = transaction?.State.Bundle ?? (_planned?.State ?? _location.ReadState()).Bundle;
        var nested = new PackageInstaller(_location, _options, _supply) { Transaction = transaction, Planned = transaction is null ? _planned : null };
        nested._inStep = true;
        nested._bundling.UnionWith(_bundling);
        var results = new List<PackageInstallResult>();
        var recorded = new List<BundleRequirement>();
        foreach (var (from, entry) in wanted)
        {
            if (bundle.ContainsKey(entry.Id) || !_bundling.Add(entry.Id)) continue;
            nested._bundling.Add(entry.Id);
            PackageInstallResult result;
            try
            {
                result = await nested.InstallAsync(new InstallByIdRequest(entry.Id, entry.Range)
                {
                    Parameters = entry.Parameters,
                    HandlerTimeout = handlerTimeout,
                    DryRun = transaction is null,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (PacksterException e)
            {
                // The requirement is the package's, not the user's: say where it came from.
                throw new PacksterException(e.Code, $"{from.Id} {from.Version}'s [install-bundle] entry {entry.Id} = \"{entry.Range}\": {e.Message}", e.Hint, e);
            }
            results.Add(result);
            recorded.Add(new BundleRequirement(entry.Id, entry.Range.ToString(), BundleEntry.ToObject(entry.Parameters))
            {
                Resolved = new ResolvedRequirement(result.Root.Package, result.Root.Deployment),
            });
        }
        // Recorded in the transaction's state: committed with the installs, or not at all (nor in a dry run).
        if (transaction is null) return results;
        foreach (var requirement in recorded) transaction.State.Bundle[requirement.Id] = requirement;
        if (recorded.Count > 0) transaction.Record([], "the bundle entries", _ => Task.CompletedTask);
        return results;
    }
}

/// <summary>What an install by id did: the named package, its dependencies in install order, and the bundle entries it brought.</summary>
public sealed record PackageInstallResult(
    InstallOutcome Root,
    string Source,
    IReadOnlyList<InstallOutcome> Dependencies,
    IReadOnlyList<PackageInstallResult> Bundle)
{
    /// <summary>
    /// The <c>[install-bundle]</c> steps that failed after the package was committed (spec/bundle.md § install-bundle):
    /// each names the package whose entries it was; the package stays installed. The command reports them and exits
    /// with the first one's code.
    /// </summary>
    public IReadOnlyList<PacksterException> BundleErrors { get; init; } = [];

    /// <summary>Installed packages whose <c>[install-bundle]</c> step is still to run, after the commit.</summary>
    internal IReadOnlyList<Manifest.Manifest> PendingBundle { get; init; } = [];
}
