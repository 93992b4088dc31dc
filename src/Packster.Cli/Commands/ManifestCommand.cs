using System.CommandLine;

namespace Packster.Cli.Commands;

/// <summary><c>packster manifest check &lt;dir&gt;</c>.</summary>
internal static class ManifestCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("manifest", "Work with packster-manifest.toml files");
        var dir = new Argument<string>("dir") { Description = "A package source folder (or its manifest file)" };
        var json = new Option<bool>("--json") { Description = "Print the validated manifest as JSON" };
        var check = new Command("check", "Validate a package's manifest; exit 0 when it is valid") { dir, json };
        check.SetAction(parse =>
        {
            context.Err.WriteLine($"manifest check {parse.GetValue(dir)}: not wired yet");
            return ExitCodes.Failure;
        });
        command.Subcommands.Add(check);
        return command;
    }
}
