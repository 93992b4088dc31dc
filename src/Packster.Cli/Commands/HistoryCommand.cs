using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Packster.Deployments;

namespace Packster.Cli.Commands;

/// <summary><c>packster history [L] [--json]</c>: the location's operation log, oldest first (spec/lockfile.md § History).</summary>
internal static class HistoryCommand
{
    public static Command Create(CliContext context)
    {
        var locationArgument = new Argument<string?>("location") { Description = "Location path or id (default: --location, PACKSTER_LOCATION, the default location)", Arity = ArgumentArity.ZeroOrOne };
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var command = new Command("history", "Show what was installed, upgraded, switched and removed in a location, oldest first") { locationArgument, location, json };
        command.SetAction((parse, ct) =>
        {
            var loc = context.ResolveLocation(parse.GetValue(locationArgument) ?? parse.GetValue(location));
            var entries = History.Read(loc);
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

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
}
