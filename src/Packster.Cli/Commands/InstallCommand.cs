using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Sources;
using Packster.Sources.Cache;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster install &lt;id&gt;[@&lt;range&gt;] [--source S] [--location L] [--parameters json | --parameters-file f] [-p k=v]…
/// [--force] [--inactive] [--dry-run] [--offline] [--json]</c> (spec/sources.md § install by id).
/// </summary>
internal static class InstallCommand
{
    public static Command Create(CliContext context)
    {
        var package = new Argument<string>("package") { Description = "<id> or <id>@<range> (1.2.3, ^1.2, ~1.2.3, >=1.0 <2.0, 1.*, [1.0,2.0), latest)" };
        var source = SupplyOptions.Source();
        var offline = SupplyOptions.Offline();
        var location = CommonOptions.Location();
        var parameters = ParameterOptions.Create();
        var force = CommonOptions.Force();
        var inactive = CommonOptions.Inactive();
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var bom = SbomCommand.BomOption();
        var platform = CommonOptions.Platform("with --dry-run");
        var command = new Command("install", "Resolve a package across the sources and deploy it, dependencies first")
        {
            package, source, offline, location, force, inactive, dryRun, json, timeout, bom, platform,
        };
        parameters.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            SbomCommand.RequireDryRun(parse.GetValue(bom), parse.GetValue(dryRun));
            var request = InstallByIdRequest.Parse(parse.GetValue(package)!) with
            {
                Parameters = parameters.ReadJson(parse, context),
                ParameterPairs = parameters.Pairs(parse),
                Force = parse.GetValue(force),
                Inactive = parse.GetValue(inactive),
                DryRun = parse.GetValue(dryRun),
                Platform = CommonOptions.ParsePlatform(parse.GetValue(platform)),
                HandlerTimeout = CommonOptions.ParseTimeout(parse.GetValue(timeout)),
            };
            var loc = context.ResolveLocation(parse.GetValue(location));
            var result = await ProgressDisplay.RunAsync(context, "installing", async progress =>
            {
                using var supply = SupplyOptions.Open(context, parse.GetValue(source), parse.GetValue(offline), progress);
                // --platform (with --dry-run) also picks among a version's platform builds for that machine.
                return await new PackageInstaller(loc, InstallerDefaults.For(context, progress), supply.Supply with { Platform = request.Platform })
                    .InstallAsync(request, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            if (parse.GetValue(bom) is { } bomFile)
            {
                // A dry run has fetched every package it plans into the download cache, its [install-bundle] entries
                // with it (spec/bom.md § Before a change).
                var cache = new PackageCache(context.Paths.CacheDirectory);
                SbomCommand.WritePlanned(context, loc, bomFile, [.. SbomCommand.Planned(result)], o => cache.PathOf(o.Package), ct);
            }
            InstallResultOutput.Write(context, result, parse.GetValue(json));
            foreach (var installed in result.Dependencies.Append(result.Root)) DeploymentCommands.NoteServicesRunningFromOthers(context, loc, installed);
            return InstallResultOutput.ReportBundleErrors(context, result.BundleErrors, parse.GetValue(PacksterApp.Verbose));
        });
        return command;
    }
}

/// <summary><c>--source</c> and <c>--offline</c>, and the sources and cache they select.</summary>
internal static class SupplyOptions
{
    public static Option<string?> Source() => new("--source") { Description = "Resolve only from this configured source" };

    public static Option<bool> Offline() => new("--offline") { Description = "Use only package files already in the download cache" };

    public static OpenSupply Open(CliContext context, string? source, bool offline, IProgress<(long Done, long Total)>? downloads = null)
    {
        var config = SourceCommand.LoadConfig(context);
        IReadOnlyList<IPackageSource> sources = offline ? [] : SourceFactory.Open(config, SourceCommand.SourceContextFor(context), source);
        var cache = new PackageCache(context.Paths.CacheDirectory)
        {
            DownloadProgress = downloads,
            SignatureRules = PackageAcquisition.Combined(config.Sources.SelectMany(d => d.TrustRules())),
        };
        return new OpenSupply(new PackageSupply(sources, cache, offline) { Warnings = context.Err });
    }
}

/// <summary>A supply whose sources (some hold HTTP clients) are disposed with it.</summary>
internal sealed class OpenSupply(PackageSupply supply) : IDisposable
{
    public PackageSupply Supply { get; } = supply;

    public void Dispose()
    {
        foreach (var s in Supply.Sources.OfType<IDisposable>()) s.Dispose();
    }
}

/// <summary>
/// How an install by id is shown: the install-file JSON object for the named package with <c>source</c>,
/// <c>dependencies</c> (same shape, install order) and <c>bundle</c> (entries it brought, same shape as this);
/// for people, one line per deployment, dependencies first.
/// </summary>
internal static class InstallResultOutput
{
    public static void Write(CliContext context, PackageInstallResult result, bool json)
    {
        if (json)
        {
            CommonOptions.WriteJson(context.Out, ToJson(result));
            return;
        }
        foreach (var d in result.Dependencies) context.Out.WriteLine($"{Line(d)} (dependency)");
        InstallOutput.Write(context, result.Root, json: false);
        foreach (var b in result.Bundle) Write(context, b, json: false);
    }

    public static JsonObject ToJson(PackageInstallResult result)
    {
        var node = Outcome(result.Root);
        node["source"] = result.Source;
        node["dependencies"] = new JsonArray([.. result.Dependencies.Select(d => (JsonNode)Outcome(d))]);
        node["bundle"] = new JsonArray([.. result.Bundle.Select(b => (JsonNode)ToJson(b))]);
        AddBundleErrors(node, result.BundleErrors);
        return node;
    }

    /// <summary><c>bundleErrors</c> of an install's or an upgrade's JSON, when an <c>[install-bundle]</c> step failed after the commit.</summary>
    public static void AddBundleErrors(JsonObject node, IReadOnlyList<PacksterException> errors)
    {
        if (errors.Count == 0) return;
        node["bundleErrors"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject
        {
            ["code"] = ExitCodes.Format(e.Code),
            ["message"] = e.Message,
        })]);
    }

    /// <summary>
    /// The <c>[install-bundle]</c> steps that failed after their package was committed (spec/bundle.md § install-bundle),
    /// each reported as an error; the exit code is the first one's, 0 when none failed.
    /// </summary>
    public static int ReportBundleErrors(CliContext context, IEnumerable<PacksterException> errors, bool verbose)
    {
        var exit = 0;
        foreach (var error in errors)
        {
            var code = PacksterApp.Report(error, context.Err, verbose);
            if (exit == 0) exit = code;
        }
        return exit;
    }

    /// <summary>One deployment of an install's or an upgrade's JSON: the package named, or one of its dependencies.</summary>
    internal static JsonObject Outcome(InstallOutcome outcome)
    {
        var node = new JsonObject
        {
            ["id"] = outcome.Id.Value,
            ["version"] = outcome.Version.ToString(),
            ["package"] = outcome.Package.FileName,
            ["deployment"] = outcome.Deployment.Hex,
            ["path"] = outcome.Path,
            ["status"] = Status(outcome.Status),
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
        return node;
    }

    private static string Status(InstallStatus status) => status switch
    {
        InstallStatus.Installed => "installed",
        InstallStatus.Unchanged => "unchanged",
        _ => "planned",
    };

    /// <summary>One deployment as the text output shows it: <c>would install util 1.0.0 → …</c> in a dry run.</summary>
    public static string Line(InstallOutcome o) =>
        o.Status == InstallStatus.Planned ? $"would install {o.Id} {o.Version} → {o.Path}" : $"{Status(o.Status)} {o.Id} {o.Version} → {o.Path}{(o.Active ? "" : " (inactive)")}";
}
