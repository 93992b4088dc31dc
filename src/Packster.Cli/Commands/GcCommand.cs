using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary><c>packster gc [--location L] [--keep-generations K] [--drop-generations] [--orphans] [--dry-run] [--json]</c> (spec/lockfile.md § Garbage collection).</summary>
internal static class GcCommand
{
    public static Command Create(CliContext context)
    {
        var location = CommonOptions.Location();
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be removed and change nothing" };
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var keep = new Option<int>("--keep-generations")
        {
            Description = "Also keep the deployments active in any of the last K generations, so 'rollback' can return to them (default 1: only the current state's)",
            DefaultValueFactory = _ => 1,
            CustomParser = r => CommonOptions.WholeNumber(r, "--keep-generations", minimum: 1) ?? 1,
        };
        var drop = new Option<bool>("--drop-generations") { Description = "Also delete the records of generations older than the kept ones" };
        var orphans = new Option<bool>("--orphans")
        {
            Description = "Also uninstall deployments installed only as dependencies that no deployment in use needs any more, active or not",
        };
        var command = new Command("gc", "Remove inactive, unpinned deployments the location's bundle and its kept generations do not reference")
        {
            location, dryRun, json, timeout, keep, drop, orphans,
        };
        command.SetAction(async (parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var dry = parse.GetValue(dryRun);
            var collector = new GarbageCollector(loc, InstallerDefaults.For(context)) { KeepGenerations = parse.GetValue(keep), Orphans = parse.GetValue(orphans) };
            var result = await collector.CollectAsync(dry, CommonOptions.ParseTimeout(parse.GetValue(timeout)), ct).ConfigureAwait(false);
            // A dry run says what the real run would drop: the records older than the last K once its removals committed.
            var dropped = !parse.GetValue(drop) ? 0 : dry ? collector.GenerationsToDrop(result.Removed.Count) : collector.DropGenerations(ct);
            var (objects, bytes) = dry ? collector.CountStorePrune(result.Removed) : collector.PruneStore(ct);
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonObject
                {
                    ["dryRun"] = dry,
                    ["droppedGenerations"] = dropped,
                    ["storeObjectsRemoved"] = objects,
                    ["storeBytesFreed"] = bytes,
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
            if (dropped > 0) context.Out.WriteLine($"{(dry ? "would drop" : "dropped")} the records of {dropped} older generation{(dropped == 1 ? "" : "s")}");
            if (objects > 0) context.Out.WriteLine($"{verb} {objects} file{(objects == 1 ? "" : "s")} no deployment holds from the store ({Bytes.Format(bytes)})");
            if (result.Removed.Count == 0 && result.Skipped.Count == 0 && dropped == 0 && objects == 0) context.Out.WriteLine($"nothing to remove in location {loc.Id}");
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
