using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster bundle install &lt;bundle.toml&gt; [--location L] [--locked [--lockfile F]] [--source S] [--offline] [--dry-run [--bom FILE]] [--json]</c> and
/// <c>packster bundle delete &lt;bundle.toml&gt; [--location L] [--json]</c> (spec/bundle.md).
/// </summary>
internal static class BundleCommand
{
    public static Command Create(CliContext context) => new("bundle", "Install or delete a set of requirements together") { Install(context), Delete(context) };

    private static Command Install(CliContext context)
    {
        var file = new Argument<string>("bundle-file") { Description = "A bundle file: [packages] id = \"range\" or id = { version, parameters }" };
        var location = CommonOptions.Location();
        var locked = new Option<bool>("--locked") { Description = "Install exactly the package files the lockfile pins; fail if the bundle file differs from it" };
        var lockfile = new Option<string?>("--lockfile") { Description = "With --locked: the lockfile (or location directory) to take the pins from (default: the target location's)" };
        var source = SupplyOptions.Source();
        var offline = SupplyOptions.Offline();
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var dryRun = CommonOptions.DryRun();
        var bom = SbomCommand.BomOption();
        var command = new Command("install", "Resolve and install every requirement of a bundle file and record them in the location's bundle")
        {
            file, location, locked, lockfile, source, offline, json, timeout, dryRun, bom,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(lockfile) is not null && r.GetResult(locked) is null) r.AddError("--lockfile needs --locked");
        });
        command.SetAction(async (parse, ct) =>
        {
            SbomCommand.RequireDryRun(parse.GetValue(bom), parse.GetValue(dryRun));
            var bundle = BundleFile.Load(context.ResolvePath(parse.GetValue(file)!));
            var loc = context.ResolveLocation(parse.GetValue(location));
            var handlerTimeout = CommonOptions.ParseTimeout(parse.GetValue(timeout));
            using var supply = SupplyOptions.Open(context, parse.GetValue(source), parse.GetValue(offline));
            var results = await ProgressDisplay.RunAsync(context, "installing", progress =>
            {
                var installer = new BundleInstaller(loc, InstallerDefaults.For(context, progress), supply.Supply) { DryRun = parse.GetValue(dryRun) };
                if (!parse.GetValue(locked)) return installer.InstallAsync(bundle, handlerTimeout, ct);
                var pinsPath = PinsPath(context, parse.GetValue(lockfile), loc);
                return installer.InstallLockedAsync(bundle, ReadPins(pinsPath, parse.GetValue(lockfile)), pinsPath, handlerTimeout, ct);
            }).ConfigureAwait(false);
            if (parse.GetValue(bom) is { } bomFile)
            {
                // Every package the plan names, [install-bundle] entries included, was fetched into the download cache
                // (spec/bom.md § Before a change).
                SbomCommand.WritePlanned(context, loc, bomFile, [.. results.SelectMany(SbomCommand.Planned)],
                    o => supply.Supply.Cache.PathOf(o.Package), ct);
            }
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonArray([.. results.Select(r => (JsonNode)InstallResultOutput.ToJson(r))]));
            }
            else
            {
                foreach (var r in results) InstallResultOutput.Write(context, r, json: false);
                if (bundle.Packages.Count == 0) context.Out.WriteLine($"nothing to install: {bundle.Path} has no requirements in [packages]");
            }
            return InstallResultOutput.ReportBundleErrors(context, results.SelectMany(r => r.BundleErrors), parse.GetValue(PacksterApp.Verbose));
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var file = new Argument<string>("bundle-file") { Description = "The bundle file whose requirements to remove" };
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var timeout = CommonOptions.HandlerTimeout();
        var command = new Command("delete", "Uninstall what a bundle file's requirements resolved to and remove them from the location's bundle")
        {
            file, location, json, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var bundle = BundleFile.Load(context.ResolvePath(parse.GetValue(file)!));
            var loc = context.ResolveLocation(parse.GetValue(location));
            var removals = await new BundleInstaller(loc, InstallerDefaults.For(context), new PackageSupply([], new Packster.Sources.Cache.PackageCache(context.Paths.CacheDirectory), Offline: true))
                .DeleteAsync(bundle, CommonOptions.ParseTimeout(parse.GetValue(timeout)), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonArray([.. removals.Select(r => (JsonNode)new JsonObject
                {
                    ["id"] = r.Id.Value,
                    ["version"] = r.Uninstalled?.Version.ToString(),
                    ["deployment"] = r.Uninstalled?.Hash.Hex,
                    ["status"] = r.Uninstalled is null ? "removed" : "uninstalled",
                })]));
            }
            else
            {
                foreach (var r in removals)
                {
                    context.Out.WriteLine(r.Uninstalled is { } u ? $"uninstalled {u.Id} {u.Version} ({u.Hash.Hex[..12]})" : $"removed {r.Id} from the bundle (its deployment was already gone)");
                }
                if (removals.Count == 0) context.Out.WriteLine($"nothing of {bundle.Path} is in the bundle of location {loc.Id}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The pins at <paramref name="path"/>. A file given with <c>--lockfile</c> that is not a lockfile packster can read
    /// is said to be that, with what to give instead: the hint for a location's own lockfile (restore it from a backup)
    /// does not fit a file the user named.
    /// </summary>
    private static LocationState ReadPins(string path, string? option)
    {
        try
        {
            return Lockfile.Read(path);
        }
        catch (PacksterException e) when (option is not null && e.Code == ErrorCode.LockfileUnreadable)
        {
            throw LocationErrors.PinsUnreadable(e, path);
        }
    }

    /// <summary>The lockfile <c>--locked</c> takes pins from: <c>--lockfile</c> (a file, or a location directory), else the target's.</summary>
    private static string PinsPath(CliContext context, string? option, Location target)
    {
        if (option is null) return target.LockfilePath;
        var path = context.ResolvePath(option);
        if (Directory.Exists(path)) path = Path.Combine(path, Lockfile.FileName);
        if (!File.Exists(path)) throw new PacksterException(ErrorCode.PathNotFound, $"lockfile '{path}' does not exist", "pass a packster-location.json or the location directory holding one");
        return path;
    }
}
