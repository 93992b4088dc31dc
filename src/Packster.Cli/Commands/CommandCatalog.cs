using System.CommandLine;

namespace Packster.Cli.Commands;

/// <summary>Every top-level command, in the order `--help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All(CliContext context)
    {
        yield return ManifestCommand.Create(context);
        yield return SourceCommand.Create(context);
        yield return SearchCommand.Create(context);
        yield return PublishCommand.Create(context);
    }
}
