using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;
using Packster.Toml;
using Packster.Toml.Editing;

namespace Packster.Sources.Installation;

/// <summary>What a sync would change (spec/export.md § sync), computed before anything changes.</summary>
public sealed record SyncPlan(
    IReadOnlyList<EnvironmentDeployment> Install,
    IReadOnlyList<EnvironmentDeployment> Activate,
    IReadOnlyList<DeploymentEntry> Deactivate,
    IReadOnlyList<DeploymentEntry> Remove,
    IReadOnlyList<(Sha256Digest Deployment, bool Pinned)> Pins,
    bool Bundle,
    IReadOnlyList<string> Policy,
    IReadOnlyList<(Sha256Digest Deployment, bool Dependency)> Marks)
{
    public bool IsEmpty => Install.Count == 0 && Activate.Count == 0 && Deactivate.Count == 0 && Remove.Count == 0 && Pins.Count == 0 && !Bundle && Policy.Count == 0
        && Marks.Count == 0;
}

/// <summary>
/// <c>packster import</c> and <c>packster sync</c> (spec/export.md): make a location hold what an environment file
/// lists. The plan is computed first; every package file is fetched (cache, then sources, each verified by its
/// sha256) and every deployment's hash checked against the file before the location changes, under the file's policy
/// judged from a copy outside the location. Then in one transaction (one commit, or nothing) the missing deployments
/// (installed inactive, handlers run), the active set (through the resource guard), pins, the bundle and the policy
/// file, which the commit carries (spec/lockfile.md § Recovery); then, with prune, removal of what the file does not
/// list, each its own commit (an uninstall handler that ran cannot be taken back).
/// </summary>
public sealed class EnvironmentSync(Location location, InstallerOptions options, PackageSupply supply)
{
    /// <summary>Per package id, parameter values (secret ones) the file does not carry: <c>--secrets-file</c>.</summary>
    public IReadOnlyDictionary<string, JsonObject> Secrets { get; init; } = new Dictionary<string, JsonObject>();

    /// <summary>The path of the <c>--secrets-file</c> <see cref="Secrets"/> came from, named in the errors about its entries.</summary>
    public string SecretsFile { get; init; } = "--secrets-file";

    /// <summary>Told the plan once its one commit stands (or nothing needed one), before the removals: what is done already if one of those fails.</summary>
    public Action<SyncPlan>? Committed { get; init; }

    /// <summary>Told each deployment a prune removed, once its own commit stands.</summary>
    public Action<DeploymentEntry>? Removed { get; init; }

    public SyncPlan Plan(EnvironmentFile file, bool prune)
    {
        ArgumentNullException.ThrowIfNull(file);
        var state = location.ReadState();
        var install = file.Deployments.Where(d => state.Find(d.Deployment) is null).ToList();
        var activate = file.Deployments.Where(d => d.Active && state.Find(d.Deployment) is not { Active: true }).ToList();
        var listed = file.Deployments.Select(d => d.Deployment).ToHashSet();
        var filePackages = file.Deployments.Select(d => d.Package.Id).ToHashSet();
        // A package the file lists with nothing active ends with nothing active; one it does not list is left alone (or pruned).
        var deactivate = state.ActiveDeployments.Where(d => filePackages.Contains(d.Id) && !file.Deployments.Any(f => f.Active && f.Package.Id == d.Id)).ToList();
        var remove = prune ? state.Deployments.Where(d => !listed.Contains(d.Hash)).ToList() : [];
        var pins = file.Deployments.Where(d => (state.Find(d.Deployment)?.Pinned ?? false) != d.Pinned).Select(d => (d.Deployment, d.Pinned)).ToList();
        // Installed as another package's dependency (spec/lockfile.md .dependency): the file says so for each, as for pins.
        var marks = file.Deployments.Where(d => (state.Find(d.Deployment)?.Dependency ?? false) != d.Dependency).Select(d => (d.Deployment, d.Dependency)).ToList();
        var bundle = !SameBundle(state, file, prune);
        var policy = PolicyChanges(file);
        return new SyncPlan(install, activate, deactivate, remove, pins, bundle, policy, marks);
    }

    /// <summary>
    /// What <c>--dry-run</c> reports: the plan, after the checks of step 2 (spec/export.md § sync) that the real run
    /// makes before changing anything — each missing package fetched and verified and its deployment hash computed
    /// with the recorded parameters (plus secrets) — and the resource guard of step 3 on the active set it would make,
    /// so a refusal is the same error, and the warnings the run's installs would give (an unsigned package under
    /// <c>signatures = "warn"</c>) are given. The file's policy is judged from a copy of the location's policy file
    /// outside the location, which is left as it is.
    /// </summary>
    public async Task<SyncPlan> CheckAsync(EnvironmentFile file, bool prune, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        RequireListed(file);
        var plan = Plan(file, prune);
        RequireReproduced(file);
        if (plan.Install.Count == 0)
        {
            GuardActivations(plan, []);
            return plan;
        }
        List<Prepared> prepared = [];
        await UnderPolicyCopyAsync(file, plan, async (copy, judged) =>
        {
            // No install follows to give the checks' warnings (an unsigned package under "warn"), so they are given
            // here, once all the checks pass: the run gives them with its installs, and a run its checks refuse, none.
            using var warnings = new StringWriter();
            prepared = await PrepareAsync(judged, warnings, plan, null, copy, cancellationToken).ConfigureAwait(false);
            judged.Messages.Write(warnings.ToString());
        }).ConfigureAwait(false);
        GuardActivations(plan, prepared.ToDictionary(p => p.Wanted.Deployment, p => p.Claims));
        return plan;
    }

    /// <summary>
    /// Runs <paramref name="action"/> with the path of a copy, outside the location, of the location's policy file with
    /// the file's policy written into it (null when the plan changes no policy): what the checks and installs are judged
    /// under, so the location's own policy file changes only with the commit. A refusal that names the copy names the
    /// location's policy file instead (spec/export.md § sync: the same error as the real run's), and so does every
    /// message printed meanwhile (a warning of signatures = "warn"): the action gets the installer options with their
    /// messages renamed so.
    /// </summary>
    private async Task UnderPolicyCopyAsync(EnvironmentFile file, SyncPlan plan, Func<string?, InstallerOptions, Task> action)
    {
        string? policyCopy = null;
        RenamingWriter? messages = null;
        try
        {
            if (plan.Policy.Count > 0)
            {
                policyCopy = Path.Combine(Path.GetTempPath(), $"packster-policy-{Guid.NewGuid():N}.toml");
                messages = new RenamingWriter(options.Messages, policyCopy, location.PolicyPath);
                CopyPolicy(file, plan, policyCopy);
            }
            await action(policyCopy, messages is null ? options : options with { Messages = messages }).ConfigureAwait(false);
        }
        catch (PacksterException e) when (policyCopy is not null && e.Message.Contains(policyCopy, StringComparison.Ordinal))
        {
            // A rule of the copy refused a package (PST4050, PST4060, PST403x): named as the real run names it, by the
            // location's policy file the run writes it to.
            throw new PacksterException(e.Code, e.Message.Replace(policyCopy, location.PolicyPath, StringComparison.Ordinal), e.Hint, e);
        }
        finally
        {
            messages?.Dispose();
            if (policyCopy is not null) File.Delete(policyCopy);
        }
    }

    /// <summary>Makes <paramref name="copy"/> the location's policy file as it is now, with the file's policy written into it.</summary>
    private void CopyPolicy(EnvironmentFile file, SyncPlan plan, string copy)
    {
        File.Delete(copy);
        if (PolicyExists()) File.Copy(location.PolicyPath, copy);
        WritePolicy(file, plan.Policy, copy);
    }

    /// <summary>
    /// The resource guard of step 3 for <c>--dry-run</c> (spec/export.md § sync): the deactivations, then each
    /// activation in the run's order, each judged by <see cref="Switcher.EnsureCanActivate"/> against the claims the
    /// location holds with the ones before it applied, so two deployments of the file that claim one port are refused
    /// as the run refuses them (PST6000), before anything is installed. <paramref name="installed"/>: the claims of the
    /// deployments the run would install (from their dry runs); the others are the location's own.
    /// </summary>
    private void GuardActivations(SyncPlan plan, Dictionary<Sha256Digest, IReadOnlyList<string>> installed)
    {
        if (plan.Activate.Count == 0) return;
        var state = location.ReadState();
        var owners = LocationActivation.Owners(state);
        var active = state.ActiveDeployments.ToDictionary(d => d.Id, d => LocationActivation.OwnerOf(state, d));
        List<Resources.ResourceClaim> HeldBy(Resources.ResourceOwner owner) => [.. owners.Where(o => o.Value.IsSameDeployment(owner)).Select(o => o.Key)];
        foreach (var d in plan.Deactivate)
        {
            if (!active.Remove(d.Id, out var owner)) continue;
            foreach (var claim in HeldBy(owner)) owners.Remove(claim);
        }
        foreach (var d in plan.Activate)
        {
            var owner = new Resources.ResourceOwner(state.LocationId.Value, d.Package.Id, d.Package.Version, d.Deployment);
            IReadOnlyList<Resources.ResourceClaim> claims = installed.TryGetValue(d.Deployment, out var texts) ? [.. texts.Select(ClaimText.Parse)]
                : state.Find(d.Deployment) is { } entry ? DeployedPackage.Load(location, entry).Resources.Claims : [];
            var release = active.TryGetValue(d.Package.Id, out var current) ? HeldBy(current) : [];
            Switcher.EnsureCanActivate(location, owners, new Resources.ResourceChange(owner, claims, release));
            foreach (var claim in release) owners.Remove(claim);
            foreach (var claim in claims) owners[claim.Of(d.Deployment)] = owner;
            active[d.Package.Id] = owner;
        }
    }

    public async Task<SyncPlan> ApplyAsync(EnvironmentFile file, bool prune, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        RequireListed(file);
        var plan = Plan(file, prune);
        RequireReproduced(file);

        // Everything that can be checked is checked before the first change: each file fetched and verified, each
        // deployment hash computed (a dry run, under the file's policy) and compared with the one the environment
        // recorded. The file's policy is judged from a copy outside the location; the location's policy file is
        // written with the commit, so a failure or a kill anywhere before it leaves it as it was.
        await UnderPolicyCopyAsync(file, plan, async (copy, judged) =>
        {
            // The checks' warnings would repeat those of the installs that follow.
            var prepared = await PrepareAsync(judged, TextWriter.Null, plan, handlerTimeout, copy, cancellationToken).ConfigureAwait(false);
            await ApplyTogetherAsync(judged, file, prune, plan, prepared, copy, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

        Committed?.Invoke(plan);

        // Removals come after the commit, each its own (spec/export.md § sync): an uninstall handler that ran cannot be taken back.
        var uninstaller = new Uninstaller(location, options);
        foreach (var d in plan.Remove)
        {
            await uninstaller.UninstallAsync(d.Hash.Hex, force: false, handlerTimeout, cancellationToken).ConfigureAwait(false);
            Removed?.Invoke(d);
        }
        return plan;
    }

    /// <summary>
    /// A deployment of the file checked before anything changes: its package file, the request that installs it, and
    /// the claims it makes when active (from its dry run).
    /// </summary>
    private sealed record Prepared(EnvironmentDeployment Wanted, SuppliedPackage Package, InstallRequest Request, IReadOnlyList<string> Claims);

    /// <summary>
    /// Step 2's checks of the deployments to install (spec/export.md § sync), each by a dry run of its install.
    /// <paramref name="warnings"/>: where their warnings go (an unsigned package under <c>signatures = "warn"</c>) —
    /// nowhere when the installs follow and give them; for <c>--dry-run</c>, which has no installs, kept until all the
    /// checks pass.
    /// </summary>
    private async Task<List<Prepared>> PrepareAsync(InstallerOptions judged, TextWriter warnings, SyncPlan plan,
        TimeSpan? handlerTimeout, string? policyPath, CancellationToken cancellationToken)
    {
        var prepared = new List<Prepared>();
        var checker = new Installer(location, judged with { Messages = warnings }) { PolicyPath = policyPath };
        foreach (var wanted in plan.Install)
        {
            var package = await FetchAsync(wanted, cancellationToken).ConfigureAwait(false);
            RequireSecret(wanted, package.File.Manifest);
            var request = new InstallRequest(package.File.Path)
            {
                Parameters = Parameters(wanted),
                Inactive = true,
                HandlerTimeout = handlerTimeout,
                SourceTrust = package.SignatureRules,
            };
            InstallOutcome planned;
            try
            {
                planned = await checker.InstallAsync(package.File, request with { DryRun = true }, cancellationToken).ConfigureAwait(false);
            }
            catch (PacksterException e) when (e.Code == ErrorCode.ParameterMissing)
            {
                // import and sync take no --parameters or -p: a parameter the file cannot hold (a secret) comes from the secrets file.
                var id = wanted.Package.Id.Value;
                throw new PacksterException(e.Code, $"{wanted.Package.FileName}: {e.Message}; nothing was changed",
                    $"give it in the file named by --secrets-file: {{\"{id}\": {{\"<parameter>\": …}}}}", e);
            }
            if (planned.Deployment != wanted.Deployment)
            {
                throw NotReproduced(wanted, planned.Deployment, "the parameters were edited, or a secret parameter is missing: give it with --secrets-file");
            }
            prepared.Add(new Prepared(wanted, package, request, planned.Plan?.ClaimsWhenActive ?? []));
        }
        return prepared;
    }

    /// <summary>
    /// The exact package file of <paramref name="wanted"/>, from the cache or a source that lists it. None does: PST8004
    /// with a hint import and sync can follow (they take no --locked; the file records no source per deployment).
    /// With --offline a file not in the cache is PST8011, whose own hint fits.
    /// </summary>
    private async Task<SuppliedPackage> FetchAsync(EnvironmentDeployment wanted, CancellationToken cancellationToken)
    {
        try
        {
            return await supply.ExactAsync(wanted.Package, cancellationToken).ConfigureAwait(false);
        }
        catch (PacksterException e) when (e.Code == ErrorCode.PackageNotFound)
        {
            throw new PacksterException(e.Code, e.Message,
                "the environment file records no source: add a source that offers this exact file ('packster source add <name> --type folder --url <dir>', "
                    + "or --type http|oci), then run the command again (with --source, only that source is asked)", e);
        }
    }

    /// <summary>
    /// Step 2's check of the deployments the location has already (spec/export.md § sync): the file's parameters of
    /// each, with its package's sha256, must give the deployment hash the file records, as they must for one to install
    /// — else the bundle entry or the pin recorded for it would belong to another deployment than the one it names.
    /// The manifest is the deployment's own; secrets are not in the hash (spec/parameters.md § Secret parameters), so
    /// none is needed. PST8018 as for a deployment to install, before anything is fetched or changed.
    /// </summary>
    private void RequireReproduced(EnvironmentFile file)
    {
        var state = location.ReadState();
        foreach (var wanted in file.Deployments)
        {
            if (state.Find(wanted.Deployment) is not { } entry) continue;
            RequireIntact(entry);
            var manifest = DeployedPackage.ReadManifest(location, entry, null, null);
            EffectiveParameters parameters;
            try
            {
                parameters = EffectiveParameters.ResolveStored(manifest.Parameters,
                    JsonSerializer.SerializeToElement(wanted.Parameters, SourcesJsonContext.Default.JsonObject));
            }
            catch (PacksterException e)
            {
                throw new PacksterException(e.Code, $"{wanted.Package.FileName}: {e.Message}; nothing was changed", e.Hint, e);
            }
            var gives = DeploymentHash.Compute(wanted.Package.Sha256, parameters);
            if (gives != wanted.Deployment)
            {
                throw NotReproduced(wanted, gives, "the parameters were edited: give the ones the location's deployment has ('packster export' writes them), or the deployment hash they give");
            }
        }
    }

    /// <summary>
    /// A deployment the location holds whose folder, record or manifest is gone is damage in the location, said as
    /// <c>verify</c> says it (PST5007, spec/export.md § sync step 2), not a package source folder without its manifest:
    /// the user gave an environment file, and the check cannot be made without the deployment's own manifest.
    /// </summary>
    private void RequireIntact(DeploymentEntry entry)
    {
        var home = location.DeploymentDirectory(entry.Hash);
        var named = $"deployment {entry.Id} {entry.Version} ({entry.Hash.Hex[..12]}) of location {location.Id}";
        const string Verify = "'packster verify' checks the location's deployments; ";
        if (!Directory.Exists(home))
        {
            throw new PacksterException(ErrorCode.LocationInconsistent, $"the folder of {named} is missing ('{home}'); nothing was changed",
                Verify + $"a plain install of {entry.Id} {entry.Version} brings it back");
        }
        foreach (var (name, repair) in new[]
        {
            (DeploymentRecord.FileName, $", or 'packster location repair {location.Id}' to drop it"),
            (Manifest.Manifest.FileName, null),
        })
        {
            var path = Path.Combine(home, name);
            if (!File.Exists(path)) throw LocationErrors.Damaged(location.Id, entry, $"its {name} is missing ('{path}'); nothing was changed", repair);
        }
    }

    /// <summary>PST8018: the file's package and parameters for <paramref name="wanted"/> give deployment <paramref name="gives"/>, not the one it records.</summary>
    private static PacksterException NotReproduced(EnvironmentDeployment wanted, Sha256Digest gives, string hint) =>
        new(ErrorCode.EnvironmentMismatch,
            $"{wanted.Package.FileName} with the parameters recorded for it gives deployment {gives}, not the {wanted.Deployment} it records; nothing was changed", hint);

    /// <summary>
    /// A secrets file entry for a package the environment file does not list would be taken for nothing (spec/export.md):
    /// PST1001 naming the secrets file, the package and the environment file, before anything is read from the sources.
    /// </summary>
    private void RequireListed(EnvironmentFile file)
    {
        var listed = file.Deployments.Select(d => d.Package.Id.Value).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var id in Secrets.Keys.Where(id => !listed.Contains(id)))
        {
            var meant = Manifest.DidYouMean.Closest(id, listed);
            throw new PacksterException(ErrorCode.InvalidArgument,
                $"secrets file '{SecretsFile}' gives parameters for package '{id}', which {file.Path} does not list"
                    + (meant is null ? "" : $"; did you mean '{meant}'?") + "; nothing was changed",
                listed.Count == 0 ? $"the environment file lists no package: remove '{id}' from the secrets file"
                    : $"the environment file lists {string.Join(", ", listed)}: remove '{id}' from the secrets file or correct it");
        }
    }

    /// <summary>
    /// Each secrets file parameter of <paramref name="wanted"/>'s package must be one of its secret parameters
    /// (spec/export.md): an undeclared one is PST3001, one that is not secret (the environment file records its value)
    /// PST1001, both naming the secrets file, the package and the parameter, before the deployment hash is computed.
    /// </summary>
    private void RequireSecret(EnvironmentDeployment wanted, Manifest.Manifest manifest)
    {
        var id = wanted.Package.Id.Value;
        if (!Secrets.TryGetValue(id, out var secrets)) return;
        var where = $"secrets file '{SecretsFile}': package '{id}': parameter";
        foreach (var (name, _) in secrets)
        {
            if (!manifest.Parameters.TryGetValue(name, out var declaration))
            {
                var declared = manifest.Parameters.Values.Where(d => d.Secret).Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
                var meant = Manifest.DidYouMean.Closest(name, declared);
                throw new PacksterException(ErrorCode.ParameterUnknown,
                    $"{where} '{name}' is not declared by {wanted.Package.FileName}" + (meant is null ? "" : $"; did you mean '{meant}'?") + "; nothing was changed",
                    declared.Count == 0 ? $"{wanted.Package.Id} {wanted.Package.Version} declares no secret parameters: remove '{name}' from the secrets file"
                        : $"its secret parameters: {string.Join(", ", declared)}");
            }
            if (!declaration.Secret)
            {
                throw new PacksterException(ErrorCode.InvalidArgument,
                    $"{where} '{name}' of {wanted.Package.FileName} is not secret, so the environment file records its value, not the secrets file; nothing was changed",
                    $"remove '{name}' from the secrets file (a value other than the recorded one would be another deployment)");
            }
        }
    }

    private JsonElement Parameters(EnvironmentDeployment wanted)
    {
        var parameters = (JsonObject)wanted.Parameters.DeepClone();
        if (Secrets.TryGetValue(wanted.Package.Id.Value, out var secrets))
        {
            foreach (var (key, value) in secrets) parameters[key] = value?.DeepClone();
        }
        return JsonSerializer.SerializeToElement(parameters, SourcesJsonContext.Default.JsonObject);
    }

    /// <summary>
    /// The missing deployments (installed inactive, handlers run), the active set (through the resource guard), pins,
    /// the bundle and the policy file, as one transaction (spec/lockfile.md § Transactions): one commit, or the location
    /// as it was. <paramref name="policyCopy"/>: where the file's policy is written (null: it changes none).
    /// </summary>
    private async Task ApplyTogetherAsync(InstallerOptions judged, EnvironmentFile file, bool prune, SyncPlan plan,
        List<Prepared> prepared, string? policyCopy, CancellationToken cancellationToken)
    {
        await using var transaction = LocationTransaction.Begin(location, judged.Messages, cancellationToken);
        // Made again under the lock, from the location's policy file as it is now (another command may have edited it).
        if (policyCopy is not null) CopyPolicy(file, plan, policyCopy);
        var installer = new Installer(location, judged) { Transaction = transaction, PolicyPath = policyCopy };
        foreach (var (wanted, package, request, _) in prepared)
        {
            // Judged again under the lock: another command may have installed it meanwhile.
            if (transaction.State.Find(wanted.Deployment) is not null) continue;
            await installer.InstallAsync(package.File, request, cancellationToken).ConfigureAwait(false);
        }
        var state = transaction.State;
        var history = new List<HistoryEntry>();
        foreach (var d in plan.Deactivate)
        {
            // A package the environment lists with no active deployment: its active one is deactivated, claims released.
            if (state.Find(d.Hash) is not { Active: true } entry) continue;
            entry.Active = false;
            entry.Claims.Clear();
            history.Add(HistoryEntry.Now(options.Clock, "deactivate", entry));
        }
        foreach (var d in plan.Activate)
        {
            var entry = state.Find(d.Deployment) ?? throw Gone(d.Deployment);
            if (!entry.Active) history.Add(Switcher.Activate(location, state, entry, options.Clock));
        }
        foreach (var (deployment, pinned) in plan.Pins)
        {
            var entry = state.Find(deployment) ?? throw Gone(deployment);
            if (entry.Pinned == pinned) continue;
            entry.Pinned = pinned;
            history.Add(HistoryEntry.Now(options.Clock, pinned ? "pin" : "unpin", entry));
        }
        var marked = false;
        foreach (var (deployment, dependency) in plan.Marks)
        {
            var entry = state.Find(deployment) ?? throw Gone(deployment);
            marked |= entry.Dependency != dependency;
            entry.Dependency = dependency;
        }
        if (plan.Bundle)
        {
            if (prune)
            {
                foreach (var id in state.Bundle.Keys.Where(id => !file.Bundle.Any(b => b.Id == id)).ToList()) state.Bundle.Remove(id);
            }
            foreach (var entry in file.Bundle) state.Bundle[entry.Id] = entry;
        }
        if (history.Count > 0 || plan.Bundle || marked) transaction.Record(history, "the active set, pins, dependency marks and bundle", _ => Task.CompletedTask);
        var policy = policyCopy is null ? null : EditedTomlFile.ReadText(policyCopy);
        if (transaction.Changes > 0)
        {
            // The policy file goes with the commit: it changes exactly when the lockfile does, a kill or not.
            transaction.Policy = policy;
            transaction.Commit();
        }
        else if (policy is not null)
        {
            // The policy is all that changes: its file alone, replaced atomically, under the lock.
            EditedTomlFile.Write(location.PolicyPath, policy, inLocation: true);
        }
    }

    private PacksterException Gone(Sha256Digest deployment) =>
        new(ErrorCode.DeploymentNotFound, $"deployment {deployment} of location {location.Id} was removed by another command while this one ran; nothing was changed",
            "run the command again");

    private static bool SameBundle(LocationState state, EnvironmentFile file, bool prune)
    {
        foreach (var wanted in file.Bundle)
        {
            if (!state.Bundle.TryGetValue(wanted.Id, out var have) || have.Range != wanted.Range || !JsonNode.DeepEquals(have.Parameters ?? [], wanted.Parameters ?? [])
                || have.Resolved != wanted.Resolved)
            {
                return false;
            }
        }
        return !prune || state.Bundle.Keys.All(id => file.Bundle.Any(b => b.Id == id));
    }

    /// <summary>
    /// The policy tables with a key the location's policy file does not hold as the file does, and <c>deny</c> when its
    /// list differs: what <see cref="WritePolicy"/> would change. Keys only the location has are not the file's to
    /// judge (they stay), so they make no change: else every sync reported one.
    /// </summary>
    private List<string> PolicyChanges(EnvironmentFile file)
    {
        if (file.Policy.Count == 0) return [];
        var current = EnvironmentFile.Of(location, file.Path).Policy;
        return [.. file.Policy.Where(p => !current.TryGetValue(p.Key, out var have) || !Holds(have, p.Value)).Select(p => p.Key)];

        static bool Holds(TomlNode have, TomlNode wanted) => wanted is TomlTable keys && have is TomlTable held
            ? keys.All(k => held.TryGetValue(k.Key, out var value) && Same(value, k.Value))
            : Same(have, wanted);

        static bool Same(TomlNode a, TomlNode b) => TomlValue.From(a).Text == TomlValue.From(b).Text;
    }

    /// <summary>Whether the location has a policy file; a folder in its place is refused, not taken for no policy (PST9005).</summary>
    private bool PolicyExists() =>
        FileSystemErrors.FileExists(location.PolicyPath, "cannot read", RulesFile.UnreadableHint(RulesFileKind.LocationPolicy));

    private static void WritePolicy(EnvironmentFile file, IReadOnlyList<string> tables, string path)
    {
        if (tables.Count == 0) return;
        EditedTomlFile.Edit(path, editor =>
        {
            foreach (var table in tables)
            {
                // The tables key by key (the location's other keys stay); the deny list, a top-level array, whole.
                if (file.Policy[table] is not TomlTable values)
                {
                    editor.Set([table], TomlValue.From(file.Policy[table]));
                    continue;
                }
                foreach (var (key, value) in values) editor.Set([table, key], TomlValue.From(value));
            }
        });
    }
}
