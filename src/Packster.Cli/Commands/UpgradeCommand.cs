using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Model;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster upgrade &lt;id&gt; [--to &lt;range&gt;] [--location L] [--source S] [--offline] [--dry-run] [--json]</c>
/// (spec/lockfile.md § Upgrade).
/// </summary>
internal static class UpgradeCommand
{
    public static Command Create(CliContext context)
    {
        var package = new Argument<string[]>("id")
        {
            Description = "The packages whose active deployments to upgrade; several are upgraded together, in one commit",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var all = new Option<bool>("--all") { Description = "Upgrade every package with an active, unpinned deployment, in one commit" };
        var to = new Option<string?>("--to") { Description = "Upgrade within this range (1.2.3, ^1.2, ~1.2.3, >=1.0 <2.0, 1.*, [1.0,2.0), latest); default: any version" };
        var source = SupplyOptions.Source();
        var offline = SupplyOptions.Offline();
        var location = CommonOptions.Location();
        var dryRun = new Option<bool>("--dry-run") { Description = "Resolve, print the plan and change nothing" };
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var command = new Command("upgrade", "Replace a package's active deployment with the highest version the sources offer, keeping its parameters")
        {
            package, all, to, source, offline, location, dryRun, json, timeout,
        };
        command.Validators.Add(r =>
        {
            var ids = r.GetValue(package) ?? [];
            if (r.GetValue(all) == (ids.Length > 0)) r.AddError("name the packages to upgrade, or give --all");
            if (r.GetResult(to) is not null && ids.Length != 1) r.AddError("--to applies to one package: name exactly one");
        });
        command.SetAction(async (parse, ct) =>
        {
            VersionRange? range = null;
            if (parse.GetValue(to) is { } rangeText && !VersionRange.TryParse(rangeText, out range, out var rangeWhy))
                throw InstallErrors.InvalidRange(rangeText, $"--to {rangeText}", rangeWhy);
            var loc = context.ResolveLocation(parse.GetValue(location));
            var several = parse.GetValue(all) || parse.GetValue(package)!.Length > 1;
            var results = await ProgressDisplay.RunAsync(context, "upgrading", async progress =>
            {
                using var supply = SupplyOptions.Open(context, parse.GetValue(source), parse.GetValue(offline), progress);
                var upgrader = new Upgrader(loc, InstallerDefaults.For(context, progress), supply.Supply);
                IReadOnlyList<PackageId> ids = parse.GetValue(all) ? upgrader.Upgradable() : [.. parse.GetValue(package)!.Select(ParseId)];
                var requests = ids.Select(id => new UpgradeRequest(id, range)
                {
                    DryRun = parse.GetValue(dryRun),
                    HandlerTimeout = CommonOptions.ParseTimeout(parse.GetValue(timeout)),
                }).ToList();
                return await upgrader.UpgradeAllAsync(requests, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                // One package: its object, as always; several (or --all): an array of them.
                CommonOptions.WriteJson(context.Out, several ? new JsonArray([.. results.Select(r => (JsonNode)ToJson(r))]) : ToJson(results[0]));
            }
            else
            {
                if (several && results.Count == 0) context.Out.WriteLine($"no active, unpinned package to upgrade in location {loc.Id}");
                foreach (var result in results) Write(context, result, loc);
            }
            foreach (var result in results) DeploymentCommands.NoteServicesRunningFromOthers(context, loc, result.Root);
            // An [install-bundle] step that failed after the commit (spec/bundle.md § install-bundle): the upgrade stands,
            // the error is reported and gives the exit code, as for install.
            return InstallResultOutput.ReportBundleErrors(context, results.SelectMany(r => r.BundleErrors), parse.GetValue(PacksterApp.Verbose));
        });
        return command;
    }

    private static PackageId ParseId(string text) =>
        PackageId.TryParse(text, out var id, out var why) ? id : throw InstallErrors.InvalidRequest(text, why);

    private static JsonObject ToJson(UpgradeResult result)
    {
        var root = result.Root;
        var previous = result.Previous;
        var node = new JsonObject
        {
            ["id"] = root.Id.Value,
            ["version"] = root.Version.ToString(),
            ["package"] = root.Package.FileName,
            ["deployment"] = root.Deployment.Hex,
            ["path"] = root.Path,
            ["status"] = root.Status switch
            {
                InstallStatus.Installed => "upgraded",
                InstallStatus.Unchanged => "unchanged",
                _ => "planned",
            },
            ["active"] = root.Active,
            ["source"] = result.Source,
            ["previous"] = new JsonObject { ["version"] = previous.Version.ToString(), ["deployment"] = previous.Hash.Hex },
            ["droppedParameters"] = new JsonArray([.. result.DroppedParameters.Select(p => (JsonNode)p)]),
            // As install's "dependencies": every dependency the new version resolved, in install order, with its status
            // (installed, unchanged when an existing deployment is reused, planned with --dry-run).
            ["dependencies"] = new JsonArray([.. result.Dependencies.Select(d => (JsonNode)InstallResultOutput.Outcome(d))]),
            // As install's "bundle" (spec/bundle.md § install-bundle): the entries installed after the upgrade's commit
            // (planned, with --dry-run).
            ["bundle"] = new JsonArray([.. result.Bundle.Select(b => (JsonNode)InstallResultOutput.ToJson(b))]),
        };
        InstallResultOutput.AddBundleErrors(node, result.BundleErrors);
        return node;
    }

    private static void Write(CliContext context, UpgradeResult result, Packster.Locations.Location location)
    {
        var root = result.Root;
        var previous = result.Previous;
        var o = context.Out;
        switch (root.Status)
        {
            case InstallStatus.Unchanged:
                o.WriteLine($"{previous.Id} {previous.Version} is up to date");
                break;
            case InstallStatus.Planned:
                // The new dependencies it would install first, as install --dry-run lists them (and the run, installed).
                foreach (var d in result.Dependencies.Where(d => d.Status == InstallStatus.Planned)) o.WriteLine($"{InstallResultOutput.Line(d)} (dependency)");
                o.WriteLine($"would upgrade {root.Id} {previous.Version} → {root.Version} ({root.Path})");
                foreach (var p in result.DroppedParameters) o.WriteLine($"  would drop parameter '{p}' ({root.Version} no longer declares it)");
                o.WriteLine($"  {previous.Version} would stay deployed, inactive ({previous.Hash.Hex[..12]})");
                // What its [install-bundle] would install after the commit, shown as install --dry-run shows it.
                foreach (var b in result.Bundle) InstallResultOutput.Write(context, b, json: false);
                break;
            default:
                foreach (var d in result.Dependencies.Where(d => d.Status == InstallStatus.Installed)) o.WriteLine($"installed {d.Id} {d.Version} → {d.Path} (dependency)");
                o.WriteLine($"upgraded {root.Id} {previous.Version} → {root.Version} → {root.Path}");
                // What its [install-bundle] installed after the commit, shown as install shows it.
                foreach (var b in result.Bundle) InstallResultOutput.Write(context, b, json: false);
                o.WriteLine($"{previous.Id} {previous.Version} stays deployed, inactive ({previous.Hash.Hex[..12]})");
                // By hash and with the location: id@version may match several parameter sets, and without --location
                // 'use' would look in another location.
                o.WriteLine($"hint: 'packster use {previous.Hash.Hex[..12]} --location {location.Id}' goes back");
                break;
        }
    }
}
