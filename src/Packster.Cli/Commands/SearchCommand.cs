using System.CommandLine;
using System.Text.Json;
using Packster.Sources;

namespace Packster.Cli.Commands;

/// <summary><c>packster search &lt;pattern&gt; [--source S] [--json]</c>: ids, their versions and the source offering them.</summary>
internal static class SearchCommand
{
    public static Command Create(CliContext context)
    {
        var pattern = new Argument<string>("pattern") { Description = "Part of an id, or a pattern with * and ?" };
        var source = new Option<string?>("--source") { Description = "Search only this source" };
        var json = new Option<bool>("--json") { Description = "Print [{\"id\",\"versions\",\"source\"}] as JSON" };
        var command = new Command("search", "Search the configured sources for packages") { pattern, source, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var config = SourceCommand.LoadConfig(context);
            var sources = SourceFactory.Open(config, SourceCommand.SourceContextFor(context), parse.GetValue(source));
            // spec/sources.md § search: with no source to ask, "no packages match" would answer for sources never asked.
            // PST8000, as install says; when a project file was ignored, its hint names that file (PacksterApp.Report).
            if (sources.Count == 0) throw SourceErrors.NoSourcesToSearch(parse.GetValue(pattern)!);
            var rows = new List<(string Id, List<string> Versions, string Source)>();
            var failed = 0;
            try
            {
                foreach (var s in sources)
                {
                    IReadOnlyList<PackageEntry> found;
                    try
                    {
                        found = await s.SearchAsync(parse.GetValue(pattern)!, cancellationToken);
                    }
                    // spec/sources.md § search: across several sources, one that cannot be used (its credential unset,
                    // its server down) is a warning naming it while the others are searched; alone, it is the error.
                    catch (PacksterException e) when (sources.Count > 1)
                    {
                        context.Err.WriteLine($"warning: source '{s.Name}' was not searched: {e.Message} ({ExitCodes.Format(e.Code)})");
                        failed++;
                        if (failed == sources.Count) throw;
                        continue;
                    }
                    rows.AddRange(found.GroupBy(e => e.Id).OrderBy(g => g.Key)
                        .Select(g => (g.Key.Value, g.Select(e => e.Version).Distinct().Order().Select(v => v.ToString()).ToList(), s.Name)));
                }
            }
            finally
            {
                foreach (var s in sources.OfType<IDisposable>()) s.Dispose();
            }
            rows = [.. rows.OrderBy(r => r.Id, StringComparer.Ordinal)];
            if (parse.GetValue(json)) context.Out.WriteLine(RenderJson(rows));
            else if (rows.Count == 0) context.Out.WriteLine($"no packages match '{TerminalText.Printable(parse.GetValue(pattern)!)}'");
            else foreach (var r in rows) context.Out.WriteLine($"{r.Id}\t{string.Join(", ", r.Versions)}\t{r.Source}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string RenderJson(List<(string Id, List<string> Versions, string Source)> rows)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var (id, versions, source) in rows)
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteStartArray("versions");
                foreach (var v in versions) w.WriteStringValue(v);
                w.WriteEndArray();
                w.WriteString("source", source);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
