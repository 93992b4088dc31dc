using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// <c>packster upgrade &lt;id&gt; [--to &lt;range&gt;]</c> (spec/lockfile.md § Upgrade): from the package's active, unpinned
/// deployment to the highest version the sources offer within the range, with the active deployment's parameters
/// carried over. The install goes through the normal installer, so the new version takes over, its upgrade handler
/// sees <c>PACKSTER_PREVIOUS_*</c>, and the old deployment stays deployed, inactive.
/// </summary>
public sealed class Upgrader
{
    private readonly Location _location;
    private readonly InstallerOptions _options;
    private readonly PackageSupply _supply;

    public Upgrader(Location location, InstallerOptions options, PackageSupply supply)
    {
        _location = location;
        _options = options;
        _supply = supply;
    }

    public async Task<UpgradeResult> UpgradeAsync(UpgradeRequest request, CancellationToken cancellationToken = default) =>
        (await UpgradeAllAsync([request], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Upgrades every package of <paramref name="requests"/> as one transaction (spec/lockfile.md § Transactions): every
    /// new deployment staged, then one commit, or, when any install fails, the location as it was. A dry run plans each
    /// against the state the ones planned before it would leave (spec/lockfile.md § Dry run), as the run upgrades each in
    /// the transaction that has the earlier ones, so it meets the same conflicts and releases.
    /// The <c>[install-bundle]</c> entries of the packages installed follow that commit, each package's step a
    /// transaction of its own, as for <c>install</c> (spec/bundle.md § install-bundle): a failing entry leaves the
    /// upgrade in place and is kept in <see cref="UpgradeResult.BundleErrors"/>.
    /// </summary>
    public async Task<IReadOnlyList<UpgradeResult>> UpgradeAllAsync(IReadOnlyList<UpgradeRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var results = new List<UpgradeResult>();
        PlannedState? planned = null;
        if (requests.All(r => r.DryRun))
        {
            planned = new PlannedState(_location.ReadState());
            foreach (var request in requests) results.Add(await PlanOneAsync(request, planned, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            await using var transaction = LocationTransaction.Begin(_location, _options.Messages, cancellationToken);
            foreach (var request in requests) results.Add(await UpgradeOneAsync(request with { DryRun = false }, transaction, null, cancellationToken).ConfigureAwait(false));
            if (transaction.Changes > 0) transaction.Commit();
        }
        // The upgrades are committed: what their [install-bundle] brings cannot undo them. A dry run plans those steps
        // the same way, after all of its upgrades, changing nothing, so it names what the run would install and the
        // entries that would fail.
        var bundles = new PackageInstaller(_location, _options, _supply) { Planned = planned };
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Installed is not { } installed) continue;
            var done = await bundles.InstallBundleAsync(installed, requests[i].HandlerTimeout, cancellationToken).ConfigureAwait(false);
            results[i] = results[i] with { Installed = null, Bundle = done.Bundle, BundleErrors = done.BundleErrors };
        }
        return results;
    }

    /// <summary>The ids of every package with an active, unpinned deployment: what <c>upgrade --all</c> upgrades.</summary>
    public IReadOnlyList<PackageId> Upgradable() =>
        [.. _location.ReadState().ActiveDeployments.Where(d => !d.Pinned).Select(d => d.Id).Distinct().OrderBy(id => id.Value, StringComparer.Ordinal)];

    /// <summary>
    /// The dry run of <paramref name="request"/> against <paramref name="planned"/>, which it adds to. The new version's
    /// install is planned there by the installer; making an already deployed new version active again is played there too.
    /// </summary>
    private async Task<UpgradeResult> PlanOneAsync(UpgradeRequest request, PlannedState planned, CancellationToken cancellationToken)
    {
        var result = await UpgradeOneAsync(request, null, planned, cancellationToken).ConfigureAwait(false);
        var root = result.Root;
        if (root is { Status: InstallStatus.Planned, Active: false } && root.Plan is { AlreadyInstalled: true } && planned.State.Find(root.Deployment) is { } again)
        {
            Switcher.Activate(_location, planned.State, again, _options.Clock);
            result = result with { Root = root with { Active = true } };
        }
        return result;
    }

    /// <summary>
    /// One upgrade, in <paramref name="transaction"/>; or, for a dry run, planned against <paramref name="planned"/>
    /// (null only for the run).
    /// </summary>
    private async Task<UpgradeResult> UpgradeOneAsync(UpgradeRequest request, LocationTransaction? transaction, PlannedState? planned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var state = transaction?.State ?? planned?.State ?? _location.ReadState();
        var current = ActiveDeployment(state, request.Id);
        var supplied = await _supply.ResolveAllowedAsync(request.Id, request.Range, Deny.DenyList.For(_options.DenyRules, _location.PolicyPath), cancellationToken).ConfigureAwait(false);
        var manifest = supplied.File.Manifest;
        if (manifest.Version <= current.Version)
        {
            var unchanged = new InstallOutcome(current.Id, current.Version, current.Package, current.Hash,
                _location.DeploymentDirectory(current.Hash), InstallStatus.Unchanged, current.Active);
            return new UpgradeResult(unchanged, supplied.Source, current, [], []);
        }

        WarnBrokenDependents(state, manifest.Id, manifest.Version, request.DryRun);
        var dropped = current.Parameters.Select(p => p.Key).Where(k => !manifest.Parameters.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (dropped.Count > 0 && !request.DryRun)
        {
            _options.Messages.WriteLine($"warning: {manifest.Id} {manifest.Version} no longer declares parameter{(dropped.Count > 1 ? "s" : "")} {string.Join(", ", dropped.Select(d => $"'{d}'"))}; dropped");
        }
        var carried = new JsonObject();
        foreach (var (key, value) in current.Parameters)
        {
            if (manifest.Parameters.ContainsKey(key)) carried[key] = value?.DeepClone();
        }
        // Upgrade gives the new version only the values the old one had: one it must be given and was not is named
        // with the package, and with the command that can give it (upgrade itself takes no parameters).
        if (manifest.Parameters.Values.FirstOrDefault(d => d.MustBeGiven && !carried.ContainsKey(d.Name)) is { } needed)
        {
            throw new PacksterException(ErrorCode.ParameterMissing, needed.Secret
                    ? $"{manifest.Id} {manifest.Version} needs secret parameter '{needed.Name}' (required, without a default), and packster keeps no copy of a secret to carry over"
                    : $"{manifest.Id} {manifest.Version} adds parameter '{needed.Name}', required and without a default: upgrade carries over only the values {current.Id} {current.Version} had",
                $"install it with 'packster install {manifest.Id}@{manifest.Version} -p {needed.Name}=…', giving the parameters it had too ('packster list --json' shows them)");
        }

        var install = new InstallByIdRequest(request.Id, request.Range)
        {
            Parameters = JsonSerializer.SerializeToElement(carried, SourcesJsonContext.Default.JsonObject),
            DryRun = request.DryRun,
            HandlerTimeout = request.HandlerTimeout,
            AsDependency = current.Dependency,
        };
        var result = await new PackageInstaller(_location, _options, _supply) { Transaction = transaction, BundleAfterCommit = true, Planned = planned }
            .InstallAsync(supplied, install, cancellationToken).ConfigureAwait(false);
        var root = result.Root;
        if (root.Status == InstallStatus.Unchanged && !root.Active && transaction?.State.Find(root.Deployment) is { } again)
        {
            // The new version was already deployed with these parameters, inactive (after a `use` of the old one):
            // upgrading means making it the active one again.
            transaction.Record([Switcher.Activate(_location, transaction.State, again, _options.Clock)], $"the switch to {again}", _ => Task.CompletedTask);
            root = root with { Status = InstallStatus.Installed, Active = true };
        }
        return new UpgradeResult(root, result.Source, current, result.Dependencies, dropped) { Installed = result.PendingBundle.Count > 0 ? result : null };
    }

    /// <summary>
    /// One stderr line for each active deployment of another package whose <c>[dependencies]</c> require
    /// <paramref name="id"/> in a range <paramref name="version"/> is outside (spec/lockfile.md § Upgrade, 3): the
    /// upgrade goes on, as the user asked for that version, but the dependent is named before it runs against it.
    /// A manifest that cannot be read is passed over: <c>verify</c> is the command that judges it.
    /// </summary>
    private void WarnBrokenDependents(LocationState state, PackageId id, PackageVersion version, bool dryRun)
    {
        foreach (var dependent in state.ActiveDeployments.Where(d => d.Id != id).OrderBy(d => d.Id.Value, StringComparer.Ordinal))
        {
            Manifest.Manifest manifest;
            try
            {
                manifest = Manifest.ManifestReader.ReadFromDirectory(_location.DeploymentDirectory(dependent.Hash));
            }
            catch (PacksterException)
            {
                continue;
            }
            foreach (var requirement in manifest.Dependencies.Where(r => r.Id == id && !r.Range.Satisfies(version)))
            {
                _options.Messages.WriteLine($"warning: {dependent.Id} {dependent.Version} (active) requires {id} {requirement.Range}, which {id} {version} is outside{(dryRun ? "" : "; upgrading anyway")}");
            }
        }
    }

    /// <summary>The deployment an upgrade starts from: active and not pinned.</summary>
    private DeploymentEntry ActiveDeployment(LocationState state, PackageId id)
    {
        var active = state.OfPackage(id).FirstOrDefault(d => d.Active);
        if (active is null)
        {
            var deployed = state.OfPackage(id).Any();
            throw new PacksterException(ErrorCode.DeploymentNotFound,
                deployed
                    ? $"{id} has no active deployment in location {_location.Id}; nothing to upgrade from"
                    : $"{id} is not installed in location {_location.Id}; nothing to upgrade",
                deployed ? $"make one active with `packster use {id}@<version>`" : $"install it with `packster install {id}`");
        }
        if (active.Pinned)
        {
            throw new PacksterException(ErrorCode.DeploymentNotFound,
                $"{id} {active.Version} is pinned in location {_location.Id}; upgrade leaves pinned deployments alone",
                $"unpin it first: `packster unpin {id}`");
        }
        return active;
    }
}

/// <summary>What <c>packster upgrade</c> asks for. <see cref="Range"/> null means any stable version.</summary>
public sealed record UpgradeRequest(PackageId Id, VersionRange? Range)
{
    public bool DryRun { get; init; }
    public TimeSpan? HandlerTimeout { get; init; }
}

/// <summary>
/// What an upgrade did: <see cref="Root"/> is the new deployment (status Installed), or the current one when it was
/// already the highest (status Unchanged), or the plan (status Planned). <see cref="Previous"/> is where it started.
/// </summary>
public sealed record UpgradeResult(
    InstallOutcome Root,
    string Source,
    DeploymentEntry Previous,
    IReadOnlyList<InstallOutcome> Dependencies,
    IReadOnlyList<string> DroppedParameters)
{
    public bool Upgraded => Root.Status == InstallStatus.Installed;

    /// <summary>
    /// The <c>[install-bundle]</c> steps that failed after the upgrade's commit (spec/bundle.md § install-bundle), each
    /// naming the package whose entries they were; the upgrade stands.
    /// </summary>
    public IReadOnlyList<PacksterException> BundleErrors { get; init; } = [];

    /// <summary>
    /// What the <c>[install-bundle]</c> steps that ran after the upgrade's commit installed, in order (as
    /// <see cref="PackageInstallResult.Bundle"/> for an install); empty when none ran or none succeeded.
    /// </summary>
    public IReadOnlyList<PackageInstallResult> Bundle { get; init; } = [];

    /// <summary>The install whose <c>[install-bundle]</c> step is still to run, once the upgrade has committed.</summary>
    internal PackageInstallResult? Installed { get; init; }
}
