using Packster.Deployments;
using Packster.Locations;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// <c>packster bundle install|delete</c> (spec/bundle.md). Install resolves every requirement before installing any
/// (so an unknown package or an unmet range changes nothing), installs each with its dependencies, then records all
/// requirements and their resolutions in the location's bundle in one commit. Locked, it installs exactly the package
/// files pinned by a lockfile instead of resolving ranges.
/// </summary>
public sealed class BundleInstaller
{
    private readonly Location _location;
    private readonly InstallerOptions _options;
    private readonly PackageSupply _supply;

    public BundleInstaller(Location location, InstallerOptions options, PackageSupply supply)
    {
        _location = location;
        _options = options;
        _supply = supply;
    }

    /// <summary>Plan only: resolve and check everything, report what each install would do, change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Resolves each requirement to the highest matching version across the sources and installs it.</summary>
    public async Task<IReadOnlyList<PackageInstallResult>> InstallAsync(BundleFile bundle, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        // Nothing to install: the location is not even locked (spec/bundle.md §2).
        if (bundle.Packages.Count == 0) return [];
        // The location is read on another core while the packages are resolved and fetched (LocationReadAhead).
        if (!DryRun) _location.StartReadAhead();
        var deny = Deny.DenyList.For(_options.DenyRules, _location.PolicyPath);
        var resolved = await AcquireAllAsync(bundle.Packages, (supply, entry, ct) => supply.ResolveAllowedAsync(entry.Id, entry.Range, deny, ct), cancellationToken).ConfigureAwait(false);
        return await InstallResolvedAsync(resolved, handlerTimeout, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Installs exactly what <paramref name="pins"/> (a lockfile's state, read from <paramref name="pinsPath"/>) resolved
    /// each requirement to. Fails, changing nothing, when a requirement of the bundle file is not in the lockfile's
    /// bundle with the same range and parameters, or was never resolved there.
    /// </summary>
    public async Task<IReadOnlyList<PackageInstallResult>> InstallLockedAsync(BundleFile bundle, LocationState pins, string pinsPath,
        TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(pins);
        if (bundle.Packages.Count == 0) return [];
        if (!DryRun) _location.StartReadAhead();
        var pinned = new Dictionary<PackageId, ResolvedRequirement>();
        foreach (var entry in bundle.Packages)
        {
            if (!pins.Bundle.TryGetValue(entry.Id, out var requirement))
                throw Mismatch(bundle, pinsPath, $"'{entry.Id}' is in the bundle file but not in the lockfile's bundle");
            if (!entry.SameAs(requirement))
                throw Mismatch(bundle, pinsPath, $"'{entry.Id}' is {Describe(entry.Range.ToString(), entry.Parameters)} in the bundle file but {Describe(requirement.Range, requirement.Parameters)} in the lockfile");
            var resolution = requirement.Resolved
                ?? throw Mismatch(bundle, pinsPath, $"'{entry.Id}' has no resolution in the lockfile (it was never installed)");
            // A resolution is installed as it is, so it must be one the requirement could have chosen (spec/bundle.md §3):
            // a lockfile edited, or given an environment's bundle, may name another package or a version outside the range.
            if (resolution.Package.Id != entry.Id)
                throw Mismatch(bundle, pinsPath, $"'{entry.Id}' is resolved in the lockfile to {resolution.Package.FileName}, a package of another id");
            if (!entry.Range.Satisfies(resolution.Package.Version))
                throw Mismatch(bundle, pinsPath, $"'{entry.Id}' is resolved in the lockfile to version {resolution.Package.Version}, outside its range '{entry.Range}'");
            pinned[entry.Id] = resolution;
        }

        var resolved = await AcquireAllAsync(bundle.Packages, (supply, entry, ct) => supply.ExactAsync(pinned[entry.Id].Package, ct), cancellationToken).ConfigureAwait(false);
        return await InstallResolvedAsync(resolved, handlerTimeout, new LockedPins(pinned, bundle.Path, pinsPath, _location), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uninstalls the deployment each requirement of <paramref name="bundle"/> resolved to in this location and removes the
    /// requirement from the bundle. Requirements the location's bundle does not have are skipped; dependencies stay.
    /// </summary>
    public async Task<IReadOnlyList<BundleRemoval>> DeleteAsync(BundleFile bundle, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        // Every requirement's uninstall and its removal from the bundle: one transaction (spec/bundle.md §4).
        if (!bundle.Packages.Any(p => _location.ReadState().Bundle.ContainsKey(p.Id))) return [];
        var chosen = new Dictionary<PackageId, Model.Sha256Digest?>();
        var outcomes = await new Uninstaller(_location, _options).UninstallTogetherAsync(state =>
        {
            foreach (var package in bundle.Packages)
            {
                if (state.Bundle.TryGetValue(package.Id, out var requirement)) chosen.TryAdd(package.Id, requirement.Resolved?.Deployment);
            }
            return chosen.Values.OfType<Model.Sha256Digest>();
        }, state =>
        {
            foreach (var id in chosen.Keys) state.Bundle.Remove(id);
        }, handlerTimeout, cancellationToken).ConfigureAwait(false);
        var removals = chosen.Select(c => new BundleRemoval(c.Key, outcomes.FirstOrDefault(o => o.Removed.Hash == c.Value)?.Removed)).ToList();
        return removals;
    }

    /// <summary>How many requirements' packages are resolved and fetched at once (spec/bundle.md § Fetching).</summary>
    internal const int FetchesAtOnce = 8;

    /// <summary>
    /// Each requirement's package, resolved and fetched into the cache up to <see cref="FetchesAtOnce"/> at a time (one
    /// after the other, a bundle of 100 from a server 20 ms away spent over 2 s waiting for answers), in the bundle's order.
    /// Every fetch is let finish; the error is then the one of the first failing requirement in the bundle's order, as
    /// when they were fetched one by one. Installing stays in order, after all of them are fetched.
    /// </summary>
    private async Task<List<(BundleEntry Entry, SuppliedPackage Package)>> AcquireAllAsync(IReadOnlyList<BundleEntry> entries,
        Func<PackageSupply, BundleEntry, CancellationToken, Task<SuppliedPackage>> acquire, CancellationToken cancellationToken)
    {
        // Warnings (a source falling through, a platform build chosen) may now come from several fetches at once.
        var supply = _supply.Warnings is { } warnings ? _supply with { Warnings = TextWriter.Synchronized(warnings) } : _supply;
        using var gate = new SemaphoreSlim(FetchesAtOnce);
        var fetches = entries.Select(async entry =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await acquire(supply, entry, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(fetches).ConfigureAwait(false);
        }
        catch (Exception) when (fetches.Any(f => !f.IsCompletedSuccessfully))
        {
            // Judged below, in the bundle's order.
        }
        var resolved = new List<(BundleEntry Entry, SuppliedPackage Package)>(entries.Count);
        // Awaiting each in order throws the first failure the bundle's order meets, as it was thrown.
        foreach (var (entry, fetch) in entries.Zip(fetches)) resolved.Add((entry, await fetch.ConfigureAwait(false)));
        return resolved;
    }

    private async Task<IReadOnlyList<PackageInstallResult>> InstallResolvedAsync(List<(BundleEntry Entry, SuppliedPackage Package)> resolved,
        TimeSpan? handlerTimeout, LockedPins? pinned, CancellationToken cancellationToken)
    {
        var results = new List<PackageInstallResult>();
        var requirements = new List<BundleRequirement>();
        // A package of the bundle the licence, deny or signature rules refuse is refused before the location is locked
        // (its dependencies are planned under the lock, and judged there).
        if (!DryRun)
        {
            var policy = new Installer(_location, _options);
            foreach (var (_, package) in resolved) policy.RefuseByPolicy(package.File, package.SignatureRules);
        }
        // Every requirement, its dependencies and the bundle record: one transaction (spec/lockfile.md § Transactions);
        // the [install-bundle] entries of the packages it installed follow its commit (spec/bundle.md § install-bundle).
        var transaction = DryRun ? null : LocationTransaction.Begin(_location, _options.Messages, cancellationToken);
        var installer = new PackageInstaller(_location, _options, _supply) { Transaction = transaction, BundleAfterCommit = true };
        await using (transaction)
        {
            await InstallEachAsync(transaction, installer, resolved, results, requirements, handlerTimeout, pinned, cancellationToken).ConfigureAwait(false);
        }
        for (var i = 0; i < results.Count; i++) results[i] = await installer.InstallBundleAsync(results[i], handlerTimeout, cancellationToken).ConfigureAwait(false);
        return results;
    }

    private static async Task InstallEachAsync(LocationTransaction? transaction, PackageInstaller installer, List<(BundleEntry Entry, SuppliedPackage Package)> resolved,
        List<PackageInstallResult> results, List<BundleRequirement> requirements, TimeSpan? handlerTimeout, LockedPins? pinned,
        CancellationToken cancellationToken)
    {
        var dryRun = transaction is null;
        foreach (var (entry, package) in resolved)
        {
            var result = await installer.InstallAsync(package, new InstallByIdRequest(entry.Id, entry.Range)
            {
                Parameters = entry.ParametersElement,
                HandlerTimeout = handlerTimeout,
                DryRun = dryRun,
            }, cancellationToken).ConfigureAwait(false);
            if (pinned is not null && pinned.Resolutions[entry.Id].Deployment != result.Root.Deployment)
            {
                throw InstallErrors.PinnedDeploymentDiffers(entry.Id, result.Root.Deployment, pinned.Resolutions[entry.Id].Deployment, pinned.BundlePath, pinned.PinsPath, pinned.Target);
            }
            results.Add(result);
            var requirement = entry.ToRequirement();
            requirement.Resolved = new ResolvedRequirement(result.Root.Package, result.Root.Deployment);
            requirements.Add(requirement);
        }
        if (transaction is null) return;
        // A bundle install that changes nothing commits nothing: no generation, no history (spec/lockfile.md § History).
        var changed = requirements.Where(r => !transaction.State.Bundle.TryGetValue(r.Id, out var recorded) || !Same(r, recorded)).ToList();
        foreach (var requirement in changed) transaction.State.Bundle[requirement.Id] = requirement;
        if (changed.Count > 0) transaction.Record([], "the bundle record", _ => Task.CompletedTask);
        if (transaction.Changes > 0) transaction.Commit();
    }

    /// <summary>Whether the lockfile would hold the same bytes for both: range as written, parameters (absent is not <c>{}</c>), resolution.</summary>
    private static bool Same(BundleRequirement a, BundleRequirement b) =>
        a.Range == b.Range && a.Resolved == b.Resolved
        && (a.Parameters is null ? b.Parameters is null : b.Parameters is not null && System.Text.Json.Nodes.JsonNode.DeepEquals(a.Parameters, b.Parameters));

    private static string Describe(string range, System.Text.Json.Nodes.JsonObject? parameters) =>
        parameters is null || parameters.Count == 0 ? $"\"{range}\"" : $"\"{range}\" with parameters {parameters.ToJsonString()}";

    private PacksterException Mismatch(BundleFile bundle, string pinsPath, string what) =>
        InstallErrors.LockMismatch(bundle.Path, pinsPath, _location, what);
}

/// <summary>What a locked install takes: each requirement's resolution, read from <paramref name="PinsPath"/>, for <paramref name="BundlePath"/> into <paramref name="Target"/>.</summary>
internal sealed record LockedPins(Dictionary<PackageId, ResolvedRequirement> Resolutions, string BundlePath, string PinsPath, Location Target);

/// <summary>One requirement removed from a bundle and the deployment uninstalled with it (null when it was already gone).</summary>
public sealed record BundleRemoval(PackageId Id, DeploymentEntry? Uninstalled);
