using Packster.Cli;

return PacksterApp.Run(args, CliContext.FromProcess());
