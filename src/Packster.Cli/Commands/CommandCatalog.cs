using System.CommandLine;

namespace Packster.Cli.Commands;

/// <summary>Every top-level command, in the order `--help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All(CliContext context)
    {
        yield return PackCommand.Create(context);
        yield return InstallFileCommand.Create(context);
        yield return InstallCommand.Create(context);
        yield return FetchCommand.Create(context);
        yield return UpgradeCommand.Create(context);
        yield return BundleCommand.Create(context);
        yield return DeploymentCommands.Uninstall(context);
        yield return DeploymentCommands.Use(context);
        yield return DeploymentCommands.Pin(context, pin: true);
        yield return DeploymentCommands.Pin(context, pin: false);
        yield return QueryCommands.List(context);
        yield return QueryCommands.Which(context);
        yield return QueryCommands.Locate(context);
        yield return QueryCommands.Verify(context);
        yield return TestCommand.Create(context);
        yield return HistoryCommand.Create(context);
        yield return GenerationCommands.List(context);
        yield return GenerationCommands.RollBack(context);
        yield return ServiceCommand.Create(context);
        yield return EnvironmentCommands.Export(context);
        yield return EnvironmentCommands.Import(context);
        yield return EnvironmentCommands.Sync(context);
        yield return MirrorCommand.Create(context);
        yield return SbomCommand.Create(context);
        yield return LicenseCommands.Create(context);
        yield return TrustCommands.Key(context);
        yield return TrustCommands.Sign(context);
        yield return TrustCommands.Trust(context);
        yield return GcCommand.Create(context);
        yield return LocationCommand.Create(context);
        yield return ActivationCommands.Init(context);
        yield return ActivationCommands.Shell(context);
        yield return ManifestCommand.Create(context);
        yield return SourceCommand.Create(context);
        yield return ConfigCommand.Create(context);
        yield return SearchCommand.Create(context);
        yield return PublishCommand.Create(context);
    }
}
