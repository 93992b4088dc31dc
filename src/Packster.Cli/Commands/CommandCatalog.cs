using System.CommandLine;

namespace Packster.Cli.Commands;

/// <summary>Every top-level command, in the order `--help` lists them, each made only when asked for.</summary>
internal static class CommandCatalog
{
    /// <summary>A top-level command's name and how to make it.</summary>
    public sealed record Entry(string Name, Func<CliContext, Command> Create);

    public static readonly IReadOnlyList<Entry> Entries =
    [
        new("pack", static context => PackCommand.Create(context)),
        new("install-file", static context => InstallFileCommand.Create(context)),
        new("install", static context => InstallCommand.Create(context)),
        new("fetch", static context => FetchCommand.Create(context)),
        new("upgrade", static context => UpgradeCommand.Create(context)),
        new("bundle", static context => BundleCommand.Create(context)),
        new("uninstall", static context => DeploymentCommands.Uninstall(context)),
        new("use", static context => DeploymentCommands.Use(context)),
        new("pin", static context => DeploymentCommands.Pin(context, pin: true)),
        new("unpin", static context => DeploymentCommands.Pin(context, pin: false)),
        new("list", static context => QueryCommands.List(context)),
        new("which", static context => QueryCommands.Which(context)),
        new("locate", static context => QueryCommands.Locate(context)),
        new("verify", static context => QueryCommands.Verify(context)),
        new("test", static context => TestCommand.Create(context)),
        new("history", static context => HistoryCommand.Create(context)),
        new("generations", static context => GenerationCommands.List(context)),
        new("rollback", static context => GenerationCommands.RollBack(context)),
        new("service", static context => ServiceCommand.Create(context)),
        new("export", static context => EnvironmentCommands.Export(context)),
        new("import", static context => EnvironmentCommands.Import(context)),
        new("sync", static context => EnvironmentCommands.Sync(context)),
        new("mirror", static context => MirrorCommand.Create(context)),
        new("sbom", static context => SbomCommand.Create(context)),
        new("licenses", static context => LicenseCommands.Create(context)),
        new("key", static context => TrustCommands.Key(context)),
        new("sign", static context => TrustCommands.Sign(context)),
        new("trust", static context => TrustCommands.Trust(context)),
        new("gc", static context => GcCommand.Create(context)),
        new("location", static context => LocationCommand.Create(context)),
        new("init", static context => ActivationCommands.Init(context)),
        new("shell", static context => ActivationCommands.Shell(context)),
        new("manifest", static context => ManifestCommand.Create(context)),
        new("source", static context => SourceCommand.Create(context)),
        new("config", static context => ConfigCommand.Create(context)),
        new("search", static context => SearchCommand.Create(context)),
        new("publish", static context => PublishCommand.Create(context)),
    ];

    public static IEnumerable<Command> All(CliContext context) => Entries.Select(e => e.Create(context));

    /// <summary>
    /// The commands a run with <paramref name="args"/> needs: only the one its first word names exactly, else all of
    /// them (help, a misspelt name and its suggestion, an option first). Making every command's options took a tenth
    /// of the start of each run.
    /// </summary>
    public static IEnumerable<Command> For(CliContext context, IReadOnlyList<string> args) =>
        args.Count > 0 && Entries.FirstOrDefault(e => e.Name == args[0]) is { } named ? [named.Create(context)] : All(context);
}
