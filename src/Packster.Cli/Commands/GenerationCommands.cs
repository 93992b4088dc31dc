using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Locations;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster generations [--location L] [--json]</c> and <c>packster rollback [--to N|TIME] [--location L] [--dry-run]
/// [--json]</c> (spec/lockfile.md § Generations).
/// </summary>
internal static class GenerationCommands
{
    public static Command List(CliContext context)
    {
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var command = new Command("generations", "List the location's generations: every committed state, with its time, command and active set") { location, json };
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var all = Generations.Summaries(loc);
            var current = all.Count > 0 && Lockfile.Serialize(loc.ReadState()) is var bytes && Model.Sha256Digest.Compute(bytes) == all[^1].LockfileSha256 ? all[^1].Number : (int?)null;
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonArray([.. all.Select(g => (JsonNode)ToJson(g, g.Number == current))]));
                return 0;
            }
            if (all.Count == 0)
            {
                context.Out.WriteLine($"no generations recorded in location {loc.Id} yet (the next change records the first)");
                return 0;
            }
            foreach (var g in all)
            {
                var active = string.Join(", ", g.Active.Select(d => $"{d.Id}@{d.Version}"));
                context.Out.WriteLine($"{g.Number,4}{(g.Number == current ? "*" : " ")} {Generations.Stamp(g.Time)}  {TerminalText.Printable(g.Command)}");
                context.Out.WriteLine($"       active: {(active.Length == 0 ? "(nothing)" : active)}");
            }
            return 0;
        });
        return command;
    }

    public static JsonObject ToJson(GenerationSummary g, bool current) => new()
    {
        ["generation"] = g.Number,
        ["time"] = Generations.Stamp(g.Time),
        ["command"] = g.Command,
        ["lockfile-sha256"] = g.LockfileSha256.Hex,
        ["current"] = current,
        ["active"] = new JsonArray([.. g.Active.Select(d => (JsonNode)new JsonObject
        {
            ["id"] = d.Id.Value,
            ["version"] = d.Version.ToString(),
            ["deployment"] = d.Hash.Hex,
            ["pinned"] = d.Pinned,
        })]),
        ["bundle"] = new JsonArray([.. g.Bundle.Select(id => (JsonNode)id.Value)]),
    };

    public static Command RollBack(CliContext context)
    {
        var location = CommonOptions.Location();
        var to = new Option<string?>("--to") { Description = "The generation to restore: its number, or a time (the last generation made at or before it); default: the one before the current" };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var source = SupplyOptions.Source();
        var offline = SupplyOptions.Offline();
        var timeout = CommonOptions.HandlerTimeout();
        var command = new Command("rollback",
            "Make an earlier generation's active set, pins and bundle current again, in one commit; deployments removed since are installed again from the download cache or the sources")
        {
            location, to, dryRun, json, source, offline, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var selector = parse.GetValue(to) ?? Previous(loc);
            using var supply = SupplyOptions.Open(context, parse.GetValue(source), parse.GetValue(offline));
            var result = await new RollbackReinstaller(loc, InstallerDefaults.For(context), supply.Supply)
                .ToAsync(selector, parse.GetValue(dryRun), CommonOptions.ParseTimeout(parse.GetValue(timeout)), ct).ConfigureAwait(false);
            if (!result.DryRun)
            {
                // A service of a package whose active deployment the rollback changed: kept as after 'use' while that
                // deployment declares it, else stopped (spec/activation.md § Services).
                var changed = result.Deactivated.Concat(result.Activated).Select(d => d.Id);
                foreach (var stopped in ServiceManager.StopServicesNoLongerDeclared(loc, changed, TimeSpan.FromSeconds(10)))
                {
                    context.Err.WriteLine($"stopped service {stopped}: after the rollback no active deployment of its package declares it");
                }
                foreach (var active in result.Activated) DeploymentCommands.NoteServicesRunningFromOthers(context, loc, active);
            }
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonObject
                {
                    ["generation"] = result.Target.Number,
                    ["dryRun"] = result.DryRun,
                    ["reinstalled"] = new JsonArray([.. result.Reinstalled.Select(d => (JsonNode)$"{d.Id}@{d.Version}")]),
                    ["activated"] = new JsonArray([.. result.Activated.Select(d => (JsonNode)$"{d.Id}@{d.Version}")]),
                    ["deactivated"] = new JsonArray([.. result.Deactivated.Select(d => (JsonNode)$"{d.Id}@{d.Version}")]),
                });
                return 0;
            }
            var verb = result.DryRun ? "would " : "";
            foreach (var d in result.Reinstalled) context.Out.WriteLine($"{verb}reinstall {d.Id} {d.Version} ({d.Hash.Hex[..12]})");
            foreach (var d in result.Activated) context.Out.WriteLine($"{verb}activate {d.Id} {d.Version} ({d.Hash.Hex[..12]})");
            foreach (var d in result.Deactivated) context.Out.WriteLine($"{verb}deactivate {d.Id} {d.Version} ({d.Hash.Hex[..12]})");
            context.Err.WriteLine(result.DryRun ? $"dry run: location {loc.Id} would return to generation {result.Target.Number}; nothing changed"
                : $"location {loc.Id} is at the state of generation {result.Target.Number} ({Generations.Stamp(result.Target.Time)})");
            return 0;
        });
        return command;
    }

    /// <summary>The generation before the current one: what a bare <c>rollback</c> restores.</summary>
    private static string Previous(Location location)
    {
        var all = Generations.LastSummaries(location, 2);
        if (all.Count < 2) throw new PacksterException(ErrorCode.GenerationNotFound, $"location {location.Id} has no earlier generation to roll back to", "'packster generations' lists them");
        return all[^2].Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
