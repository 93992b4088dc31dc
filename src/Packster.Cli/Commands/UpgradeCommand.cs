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
        var package = new Argument<string>("id") { Description = "The package whose active deployment to upgrade" };
        var to = new Option<string?>("--to") { Description = "Upgrade within this range (1.2.3, ^1.2, ~1.2.3, >=1.0 <2.0, 1.*, [1.0,2.0), latest); default: any version" };
        var source = SupplyOptions.Source();
        var offline = SupplyOptions.Offline();
        var location = CommonOptions.Location();
        var dryRun = new Option<bool>("--dry-run") { Description = "Resolve, print the plan and change nothing" };
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var command = new Command("upgrade", "Replace a package's active deployment with the highest version the sources offer, keeping its parameters")
        {
            package, to, source, offline, location, dryRun, json, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var idText = parse.GetValue(package)!;
            if (!PackageId.TryParse(idText, out var id, out var why)) throw InstallErrors.InvalidRequest(idText, why);
            VersionRange? range = null;
            if (parse.GetValue(to) is { } rangeText && !VersionRange.TryParse(rangeText, out range, out var rangeWhy))
                throw InstallErrors.InvalidRange(rangeText, $"--to {rangeText}", rangeWhy);
            var request = new UpgradeRequest(id, range)
            {
                DryRun = parse.GetValue(dryRun),
                HandlerTimeout = CommonOptions.ParseTimeout(parse.GetValue(timeout)),
            };
            var loc = context.ResolveLocation(parse.GetValue(location));
            var result = await ProgressDisplay.RunAsync(context, "upgrading", async progress =>
            {
                using var supply = SupplyOptions.Open(context, parse.GetValue(source), parse.GetValue(offline), progress);
                return await new Upgrader(loc, InstallerDefaults.For(context, progress), supply.Supply).UpgradeAsync(request, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            Write(context, result, loc, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static void Write(CliContext context, UpgradeResult result, Packster.Locations.Location location, bool json)
    {
        var root = result.Root;
        var previous = result.Previous;
        if (json)
        {
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
            };
            CommonOptions.WriteJson(context.Out, node);
            return;
        }
        var o = context.Out;
        switch (root.Status)
        {
            case InstallStatus.Unchanged:
                o.WriteLine($"{previous.Id} {previous.Version} is up to date");
                break;
            case InstallStatus.Planned:
                o.WriteLine($"would upgrade {root.Id} {previous.Version} → {root.Version} ({root.Path})");
                foreach (var p in result.DroppedParameters) o.WriteLine($"  would drop parameter '{p}' ({root.Version} no longer declares it)");
                o.WriteLine($"  {previous.Version} would stay deployed, inactive ({previous.Hash.Hex[..12]})");
                break;
            default:
                foreach (var d in result.Dependencies.Where(d => d.Status == InstallStatus.Installed)) o.WriteLine($"installed {d.Id} {d.Version} → {d.Path} (dependency)");
                o.WriteLine($"upgraded {root.Id} {previous.Version} → {root.Version} → {root.Path}");
                o.WriteLine($"{previous.Id} {previous.Version} stays deployed, inactive ({previous.Hash.Hex[..12]})");
                // By hash and with the location: id@version may match several parameter sets, and without --location
                // 'use' would look in another location.
                o.WriteLine($"hint: 'packster use {previous.Hash.Hex[..12]} --location {location.Id}' goes back");
                break;
        }
    }
}
