using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary><c>packster gc [--location L] [--dry-run] [--json]</c> (spec/lockfile.md § Garbage collection).</summary>
internal static class GcCommand
{
    public static Command Create(CliContext context)
    {
        var location = CommonOptions.Location();
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be removed and change nothing" };
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var command = new Command("gc", "Remove inactive, unpinned deployments the location's bundle does not reference") { location, dryRun, json, timeout };
        command.SetAction(async (parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var dry = parse.GetValue(dryRun);
            var result = await new GarbageCollector(loc, InstallerDefaults.For(context))
                .CollectAsync(dry, CommonOptions.ParseTimeout(parse.GetValue(timeout)), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonObject
                {
                    ["dryRun"] = dry,
                    ["removed"] = new JsonArray([.. result.Removed.Select(d => (JsonNode)Entry(loc, d))]),
                    ["skipped"] = new JsonArray([.. result.Skipped.Select(s =>
                    {
                        var node = Entry(loc, s.Deployment);
                        node["reason"] = s.Reason;
                        return (JsonNode)node;
                    })]),
                });
                return 0;
            }
            var verb = dry ? "would remove" : "removed";
            foreach (var d in result.Removed) context.Out.WriteLine($"{verb} {d.Id} {d.Version} ({d.Hash.Hex[..12]})");
            foreach (var s in result.Skipped) context.Out.WriteLine($"kept {s.Deployment.Id} {s.Deployment.Version} ({s.Deployment.Hash.Hex[..12]}): uninstall handler failed");
            if (result.Removed.Count == 0 && result.Skipped.Count == 0) context.Out.WriteLine($"nothing to remove in location {loc.Id}");
            return 0;
        });
        return command;
    }

    private static JsonObject Entry(Location location, DeploymentEntry d) => new()
    {
        ["id"] = d.Id.Value,
        ["version"] = d.Version.ToString(),
        ["package"] = d.Package.FileName,
        ["deployment"] = d.Hash.Hex,
        ["path"] = location.DeploymentDirectory(d.Hash),
    };
}
