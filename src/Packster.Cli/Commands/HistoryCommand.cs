using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster history [L] [--package ID | --at N|TIME | --check] [--json]</c>: the location's operation log, oldest first, or one
/// package's part of it, or the location as it was at a generation (spec/lockfile.md § History, § Generations).
/// </summary>
internal static class HistoryCommand
{
    public static Command Create(CliContext context)
    {
        var locationArgument = CommonOptions.LocationArgument();
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var package = new Option<string?>("--package") { Description = "Only the events of this package id: its story in the location" };
        var at = new Option<string?>("--at") { Description = "Print the location as it was at this generation number or time: deployments, active set, parameters, claims" };
        var check = new Option<bool>("--check")
        {
            Description = "Replay the history's commit lines from an empty location and check that they give the lockfile byte for byte (PST5019 names the first line that does not)",
        };
        var command = new Command("history", "Show what was installed, upgraded, switched and removed in a location, oldest first") { locationArgument, location, json, package, at, check };
        CommonOptions.OneLocation(command, locationArgument, location);
        command.Validators.Add(r =>
        {
            var chosen = new[] { r.GetResult(at), r.GetResult(package), r.GetResult(check) }.Count(o => o is not null);
            if (chosen > 1) r.AddError("--at, --package and --check cannot be used together");
        });
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(package) is { Length: 0 })
            {
                throw new PacksterException(ErrorCode.InvalidArgument, "--package is empty: it names no package", "give --package a package id, or leave it out for the whole history");
            }
            var loc = context.ResolveLocation(parse.GetValue(locationArgument) ?? parse.GetValue(location));
            if (parse.GetValue(check))
            {
                Check(context, loc, parse.GetValue(json));
                return Task.FromResult(0);
            }
            if (parse.GetValue(at) is { } selector)
            {
                PrintAt(context, HistoryReplay.FindOrRebuild(loc, selector), parse.GetValue(json));
                return Task.FromResult(0);
            }
            var entries = History.ReadChecked(loc);
            if (parse.GetValue(package) is { } id) entries = [.. entries.Where(e => e.Id == id)];
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonArray([.. entries.Select(e => (JsonNode)e.ToJson())]));
                return Task.FromResult(0);
            }
            if (entries.Count == 0)
            {
                context.Out.WriteLine($"no history in location {loc.Id}");
                return Task.FromResult(0);
            }
            var rows = entries.Select(e => new[]
            {
                e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                e.Action,
                e.Id,
                e.Previous is { } p && p.Version != e.Version ? $"{p.Version} → {e.Version}" : e.Version,
                e.Deployment.Length >= 12 ? e.Deployment[..12] : e.Deployment,
            }).ToList();
            string[] header = ["TIME", "ACTION", "ID", "VERSION", "DEPLOYMENT"];
            var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
            context.Out.WriteLine(Line(header, widths));
            foreach (var r in rows) context.Out.WriteLine(Line(r, widths));
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary><c>history --check</c>: the replay of the commit lines against the lockfile (spec/history.md § Replay).</summary>
    private static void Check(CliContext context, Location location, bool json)
    {
        var result = HistoryReplay.Replay(location);
        var lockfile = File.ReadAllBytes(location.LockfilePath);
        var expected = Sha256Digest.Compute(lockfile).Hex;
        var replayed = Sha256Digest.Compute(result.Lockfile).Hex;
        if (result.Divergence is { } divergence)
        {
            throw new PacksterException(ErrorCode.HistoryDiverges, $"the history of location {location.Id} does not replay: {HistoryReplay.Describe(divergence)}",
                "the lockfile is not affected; 'packster generations' still lists the recorded states");
        }
        if (!string.Equals(expected, replayed, StringComparison.Ordinal))
        {
            throw new PacksterException(ErrorCode.HistoryDiverges,
                $"the history of location {location.Id} replays ({result.Commits} commit lines) to a lockfile with SHA-256 {replayed}, but {Lockfile.FileName} has {expected}: "
                + "it was changed after the last commit line, or that line is still owed",
                "the next packster command that changes the location records the lockfile whole in its commit line, and the history replays again");
        }
        if (json)
        {
            CommonOptions.WriteJson(context.Out, new JsonObject
            {
                ["location"] = location.Id.Value,
                ["commits"] = result.Commits,
                ["generation"] = result.LastGeneration,
                ["lockfile-sha256"] = expected,
            });
            return;
        }
        context.Out.WriteLine($"history of location {location.Id} replays to its lockfile: {result.Commits} commit lines"
            + (result.LastGeneration is { } g ? $", up to generation {g}" : "") + $", SHA-256 {expected}");
    }

    /// <summary>The location at one generation: every deployment with its parameters and claims, the active ones marked.</summary>
    private static void PrintAt(CliContext context, Generation generation, bool json)
    {
        var deployments = generation.State.Deployments.OrderBy(d => d.Id.Value, StringComparer.Ordinal).ThenBy(d => d.Version).ToList();
        if (json)
        {
            var node = GenerationCommands.ToJson(generation.Summary(), current: false);
            node.Remove("current");
            node["deployments"] = new JsonArray([.. deployments.Select(d => (JsonNode)new JsonObject
            {
                ["id"] = d.Id.Value,
                ["version"] = d.Version.ToString(),
                ["deployment"] = d.Hash.Hex,
                ["active"] = d.Active,
                ["pinned"] = d.Pinned,
                ["parameters"] = d.Parameters.DeepClone(),
                ["claims"] = new JsonArray([.. d.Claims.Select(c => (JsonNode)c)]),
            })]);
            CommonOptions.WriteJson(context.Out, node);
            return;
        }
        context.Out.WriteLine($"generation {generation.Number}, {Generations.Stamp(generation.Time)}: {TerminalText.Printable(generation.Command)}");
        if (deployments.Count == 0) context.Out.WriteLine("  (no deployments)");
        foreach (var d in deployments)
        {
            context.Out.WriteLine($"  {(d.Active ? "*" : " ")} {d.Id} {d.Version} ({d.Hash.Hex[..12]}){(d.Pinned ? " pinned" : "")}"
                + (d.Parameters.Count == 0 ? "" : $" parameters {JsonAsRead.ToJsonString(d.Parameters)}")
                + (d.Claims.Count == 0 ? "" : $" claims {string.Join(", ", d.Claims.Select(TerminalText.Printable))}"));
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
}
