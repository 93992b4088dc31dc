using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;
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
    IReadOnlyList<string> Policy)
{
    public bool IsEmpty => Install.Count == 0 && Activate.Count == 0 && Deactivate.Count == 0 && Remove.Count == 0 && Pins.Count == 0 && !Bundle && Policy.Count == 0;
}

/// <summary>
/// <c>packster import</c> and <c>packster sync</c> (spec/export.md): make a location hold what an environment file
/// lists. The plan is computed first; every package file is fetched (cache, then sources, each verified by its
/// sha256) and every deployment's hash checked against the file before the location changes. Then, in order: the
/// policy, the missing deployments (installed inactive, handlers run), the active set (through the resource
/// guard), pins, the bundle and, with prune, removal of what the file does not list. Each step is its own commit; a
/// sync interrupted half-way is completed by running it again.
/// </summary>
public sealed class EnvironmentSync(Location location, InstallerOptions options, PackageSupply supply)
{
    /// <summary>Per package id, parameter values (secret ones) the file does not carry: <c>--secrets-file</c>.</summary>
    public IReadOnlyDictionary<string, JsonObject> Secrets { get; init; } = new Dictionary<string, JsonObject>();

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
        var bundle = !SameBundle(state, file, prune);
        var policy = PolicyChanges(file);
        return new SyncPlan(install, activate, deactivate, remove, pins, bundle, policy);
    }

    public async Task<SyncPlan> ApplyAsync(EnvironmentFile file, bool prune, TimeSpan? handlerTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var plan = Plan(file, prune);
        var installer = new Installer(location, options);

        // Everything that can be checked is checked before the first change: each file fetched and verified, each
        // deployment hash computed (a dry run, under the file's policy) and compared with the one the environment
        // recorded. The policy is written first so the dry runs obey it, and put back when a check fails.
        var policyBefore = File.Exists(location.PolicyPath) ? File.ReadAllBytes(location.PolicyPath) : null;
        WritePolicy(file, plan.Policy);
        List<(EnvironmentDeployment Wanted, SuppliedPackage Package, InstallRequest Request)> prepared;
        try
        {
            prepared = await PrepareAsync(plan, handlerTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (plan.Policy.Count > 0)
            {
                if (policyBefore is null) File.Delete(location.PolicyPath);
                else AtomicFile.Write(location.PolicyPath, policyBefore);
            }
            throw;
        }

        foreach (var (_, package, request) in prepared)
        {
            await installer.InstallAsync(package.File, request, cancellationToken).ConfigureAwait(false);
        }
        var switcher = new Switcher(location, options);
        foreach (var d in plan.Deactivate) Deactivate(d.Hash, cancellationToken);
        foreach (var d in plan.Activate) switcher.Use(d.Deployment.Hex, cancellationToken);
        foreach (var (deployment, pinned) in plan.Pins) switcher.SetPinned(deployment.Hex, pinned, cancellationToken);
        if (plan.Bundle) RecordBundle(file, prune, cancellationToken);
        var uninstaller = new Uninstaller(location, options);
        foreach (var d in plan.Remove) await uninstaller.UninstallAsync(d.Hash.Hex, force: false, handlerTimeout, cancellationToken).ConfigureAwait(false);
        return plan;
    }

    private async Task<List<(EnvironmentDeployment Wanted, SuppliedPackage Package, InstallRequest Request)>> PrepareAsync(SyncPlan plan,
        TimeSpan? handlerTimeout, CancellationToken cancellationToken)
    {
        var prepared = new List<(EnvironmentDeployment Wanted, SuppliedPackage Package, InstallRequest Request)>();
        // The dry runs' warnings (an unsigned package under "warn") would repeat those of the installs that follow.
        var checker = new Installer(location, options with { Messages = TextWriter.Null });
        foreach (var wanted in plan.Install)
        {
            var package = await supply.ExactAsync(wanted.Package, cancellationToken).ConfigureAwait(false);
            var request = new InstallRequest(package.File.Path)
            {
                Parameters = Parameters(wanted),
                Inactive = true,
                HandlerTimeout = handlerTimeout,
                SourceTrust = package.SignatureRules,
            };
            var planned = await checker.InstallAsync(package.File, request with { DryRun = true }, cancellationToken).ConfigureAwait(false);
            if (planned.Deployment != wanted.Deployment)
            {
                throw new PacksterException(ErrorCode.EnvironmentMismatch,
                    $"{wanted.Package.FileName} with the parameters recorded for it gives deployment {planned.Deployment}, not the {wanted.Deployment} it records; nothing was changed",
                    "the parameters were edited, or a secret parameter is missing: give it with --secrets-file");
            }
            prepared.Add((wanted, package, request));
        }
        return prepared;
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

    /// <summary>A package the environment lists with no active deployment: its active one is deactivated, claims released.</summary>
    private void Deactivate(Sha256Digest hash, CancellationToken cancellationToken)
    {
        using var session = LocationSession.Open(location, options.Messages, cancellationToken);
        var state = session.State;
        if (state.Find(hash) is not { Active: true } entry) return;
        entry.Active = false;
        entry.Claims.Clear();
        session.Commit(state, [HistoryEntry.Now(options.Clock, "deactivate", entry)]);
    }

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

    private void RecordBundle(EnvironmentFile file, bool prune, CancellationToken cancellationToken)
    {
        if (prune)
        {
            var extra = location.ReadState().Bundle.Keys.Where(id => !file.Bundle.Any(b => b.Id == id)).ToList();
            if (extra.Count > 0) BundleRecorder.Remove(location, extra, options.Messages, cancellationToken);
        }
        if (file.Bundle.Count > 0) BundleRecorder.Record(location, file.Bundle, options.Messages, cancellationToken);
    }

    /// <summary>The policy tables whose keys differ from the location's policy file.</summary>
    private List<string> PolicyChanges(EnvironmentFile file)
    {
        if (file.Policy.Count == 0) return [];
        var current = EnvironmentFile.Of(location, file.Path).Policy;
        return [.. file.Policy.Where(p => !current.TryGetValue(p.Key, out var have) || TomlValue.From(have).Text != TomlValue.From(p.Value).Text).Select(p => p.Key)];
    }

    private void WritePolicy(EnvironmentFile file, IReadOnlyList<string> tables)
    {
        if (tables.Count == 0) return;
        EditedTomlFile.Edit(location.PolicyPath, editor =>
        {
            foreach (var table in tables)
            {
                foreach (var (key, value) in file.Policy[table]) editor.Set([table, key], TomlValue.From(value));
            }
        });
    }
}
