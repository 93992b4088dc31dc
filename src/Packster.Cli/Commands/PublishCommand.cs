using System.CommandLine;
using System.Text.Json;
using Packster.Sources;

namespace Packster.Cli.Commands;

/// <summary><c>packster publish &lt;file…&gt; --source S [--json]</c>: verify each package and store it in a folder or Artifactory source.</summary>
internal static class PublishCommand
{
    public static Command Create(CliContext context)
    {
        var files = new Argument<string[]>("file") { Description = "Package files ({id}-{version}-{sha256}.packster)", Arity = ArgumentArity.OneOrMore };
        var source = new Option<string>("--source") { Description = "The source to publish to (folder or artifactory)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print [{\"id\",\"version\",\"sha256\",\"source\",\"status\",\"location\"}] as JSON" };
        var command = new Command("publish", "Publish package files (and the .sig beside each, when signed) to a source; identical re-publishing succeeds, a taken version is a conflict") { files, source, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var config = SourceCommand.LoadConfig(context);
            var target = SourceFactory.Open(config.Get(parse.GetValue(source)!), SourceCommand.SourceContextFor(context));
            var results = new List<PublishResult>();
            try
            {
                foreach (var file in parse.GetValue(files)!)
                {
                    var result = await target.PublishAsync(context.ResolvePath(file), cancellationToken);
                    results.Add(result);
                    if (!parse.GetValue(json))
                        context.Out.WriteLine($"{(result.Status == PublishStatus.Published ? "published" : "unchanged")} {result.File.Id} {result.File.Version} to {target.Name}: {result.Location}{(result.Signed ? " (with its signature)" : "")}");
                }
            }
            finally
            {
                (target as IDisposable)?.Dispose();
            }
            if (parse.GetValue(json)) context.Out.WriteLine(RenderJson(results, target.Name));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string RenderJson(List<PublishResult> results, string source)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("id", r.File.Id.Value);
                w.WriteString("version", r.File.Version.ToString());
                w.WriteString("sha256", r.File.Sha256.Hex);
                w.WriteString("file", r.File.FileName);
                w.WriteString("source", source);
                w.WriteString("status", r.Status == PublishStatus.Published ? "published" : "unchanged");
                w.WriteString("location", r.Location);
                w.WriteBoolean("signed", r.Signed);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
