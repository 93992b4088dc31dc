using System.CommandLine;
using System.Text.Json;
using Packster.Sources.Config;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster config trust|untrust|trusted</c>: which project config files (<c>./packster.toml</c>) the user has reviewed
/// and lets packster read (spec/sources.md §1.1).
/// </summary>
internal static class ConfigCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("config", "Trust or untrust project config files (./packster.toml), which are ignored until trusted");
        command.Subcommands.Add(Trust(context));
        command.Subcommands.Add(Untrust(context));
        command.Subcommands.Add(Trusted(context));
        return command;
    }

    private static Argument<string> FileArgument() =>
        new("file") { Description = $"The project config file (default ./{ConfigFiles.ProjectFileName})", DefaultValueFactory = _ => ConfigFiles.ProjectFileName };

    private static Command Trust(CliContext context)
    {
        var file = FileArgument();
        var allow = new Option<bool>("--allow-credentials")
        {
            Description = "Also let the file name credentials (token-env, user, password-env), insecure = true, ca-file and the signing keys to trust ([trust] trusted-keys)",
        };
        var command = new Command("trust", "Trust a project config file as it is now (its path and SHA-256 are recorded; a change needs trusting again)") { file, allow };
        command.SetAction(parse =>
        {
            var (record, config) = ConfigFiles.Trust(context.Paths, parse.GetValue(file)!, parse.GetValue(allow), context.Err);
            var sources = config.Sources.Count == 0 ? "no sources" : "sources " + string.Join(", ", config.Sources.Select(s => $"{s.Name} ({s.Kind.ToConfigText()} {TerminalText.Printable(s.Url)})"));
            context.Out.WriteLine($"trusted {TerminalText.Printable(record.Path)} (sha256 {record.Sha256}{(record.AllowCredentials ? ", credentials allowed" : "")}): {sources}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Untrust(CliContext context)
    {
        var file = FileArgument();
        var command = new Command("untrust", "Stop trusting a project config file") { file };
        command.SetAction(parse =>
        {
            var path = context.ResolvePath(parse.GetValue(file)!);
            context.Out.WriteLine(ConfigFiles.Untrust(context.Paths, path, context.Err) ? $"untrusted {path}" : $"{path} was not trusted");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Trusted(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print [{\"path\",\"sha256\",\"allow-credentials\"}] as JSON" };
        var command = new Command("trusted", "List the trusted project config files") { json };
        command.SetAction(parse =>
        {
            var records = ConfigTrust.Load(context.Paths).Records;
            if (parse.GetValue(json))
            {
                using var stream = new MemoryStream();
                using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartArray();
                    foreach (var r in records) r.WriteTo(w);
                    w.WriteEndArray();
                }
                context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            }
            else if (records.Count == 0)
            {
                context.Out.WriteLine("no trusted project config files");
            }
            else
            {
                foreach (var r in records) context.Out.WriteLine($"{r.Path}\t{r.Sha256}{(r.AllowCredentials ? "\tcredentials allowed" : "")}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
