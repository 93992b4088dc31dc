using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Deployments;

namespace Packster.Cli.Commands;

/// <summary><c>packster install-file &lt;file&gt; [--location L] [--parameters json | --parameters-file f] [-p k=v]… [--force] [--inactive] [--dry-run] [--json]</c>.</summary>
internal static class InstallFileCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("package-file") { Description = "A .packster file" };
        var location = CommonOptions.Location();
        var parameters = ParameterOptions.Create();
        var force = CommonOptions.Force();
        var inactive = CommonOptions.Inactive();
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var bom = SbomCommand.BomOption();
        var platform = CommonOptions.Platform("with --dry-run");
        var command = new Command("install-file", "Deploy a package file into a location") { file, location, force, inactive, dryRun, json, timeout, bom, platform };
        parameters.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            SbomCommand.RequireDryRun(parse.GetValue(bom), parse.GetValue(dryRun));
            var loc = context.ResolveLocation(parse.GetValue(location));
            // The location's state is read on another core while the options, the configuration and the package are.
            if (!parse.GetValue(dryRun)) loc.StartReadAhead();
            var request = new InstallRequest(context.ResolvePath(parse.GetValue(file)!))
            {
                Parameters = parameters.ReadJson(parse, context),
                ParameterPairs = parameters.Pairs(parse),
                Force = parse.GetValue(force),
                Inactive = parse.GetValue(inactive),
                DryRun = parse.GetValue(dryRun),
                Platform = CommonOptions.ParsePlatform(parse.GetValue(platform)),
                HandlerTimeout = CommonOptions.ParseTimeout(parse.GetValue(timeout)),
            };
            var outcome = await ProgressDisplay.RunAsync(context, "installing", progress =>
                new Installer(loc, InstallerDefaults.For(context, progress)).InstallAsync(request, ct)).ConfigureAwait(false);
            if (parse.GetValue(bom) is { } bomFile) SbomCommand.WritePlanned(context, loc, bomFile, [outcome], _ => request.PackagePath, ct);
            InstallOutput.Write(context, outcome, parse.GetValue(json));
            DeploymentCommands.NoteServicesRunningFromOthers(context, loc, outcome);
            return 0;
        });
        return command;
    }
}

/// <summary>How install outcomes are shown: the JSON shape in PRODUCT.md, or a line for people.</summary>
internal static class InstallOutput
{
    public static void Write(CliContext context, InstallOutcome outcome, bool json)
    {
        var status = outcome.Status switch
        {
            InstallStatus.Installed => "installed",
            InstallStatus.Unchanged => "unchanged",
            _ => "planned",
        };
        if (json)
        {
            var node = new JsonObject
            {
                ["id"] = outcome.Id.Value,
                ["version"] = outcome.Version.ToString(),
                ["package"] = outcome.Package.FileName,
                ["deployment"] = outcome.Deployment.Hex,
                ["path"] = outcome.Path,
                ["status"] = status,
                ["active"] = outcome.Active,
            };
            if (outcome.Plan is { } plan)
            {
                node["plan"] = new JsonObject
                {
                    ["files"] = plan.FileCount,
                    ["bytes"] = plan.Bytes,
                    ["claims"] = new JsonArray([.. plan.Claims.Select(c => (JsonNode)c)]),
                    ["handlers"] = new JsonArray([.. plan.Handlers.Select(h => (JsonNode)h)]),
                    ["replaces"] = plan.Replaces,
                    ["activate"] = plan.WouldActivate,
                    ["alreadyInstalled"] = plan.AlreadyInstalled,
                };
            }
            CommonOptions.WriteJson(context.Out, node);
            return;
        }
        if (outcome.Plan is { } p)
        {
            var o = context.Out;
            o.WriteLine($"would install {outcome.Id} {outcome.Version}{(p.AlreadyInstalled ? " (already installed: unchanged unless --force)" : "")}");
            o.WriteLine($"  deployment  {outcome.Deployment}");
            o.WriteLine($"  target      {outcome.Path}");
            o.WriteLine($"  payload     {Words.Counted(p.FileCount, "file")}, {Bytes.Format(p.Bytes)}");
            o.WriteLine($"  active      {(p.WouldActivate ? "yes" : "no")}{(p.Replaces is null ? "" : $", replacing {p.Replaces}")}");
            o.WriteLine($"  claims      {(p.Claims.Count == 0 ? "none" : string.Join(", ", p.Claims.Select(TerminalText.Printable)))}");
            o.WriteLine($"  handlers    {(p.Handlers.Count == 0 ? "none" : string.Join(", ", p.Handlers))}");
            return;
        }
        context.Out.WriteLine($"{status} {outcome.Id} {outcome.Version} → {outcome.Path}{(outcome.Active ? "" : " (inactive)")}");
    }
}

/// <summary>The installer's connections to this process: handler output and messages on stderr, the process environment.</summary>
internal static class InstallerDefaults
{
    public static InstallerOptions For(CliContext context, IProgress<(long Done, long Total)>? progress = null) => new()
    {
        HandlerOutput = context.Err,
        Messages = context.Err,
        LicenseRules = [context.Config.Rules.Licenses],
        DenyRules = context.Config.Rules.Deny,
        TrustRules = [context.Config.Rules.Trust],
        Keys = TrustCommands.Keys(context),
        BaseEnvironment = context.HandlerEnvironment,
        Executors = context.Executors,
        ExtractionProgress = progress is null ? null : new Progress<Packster.Packaging.ExtractionProgress>(p => progress.Report((p.BytesDone, p.BytesTotal))),
    };
}
