using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Sources.Installation;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster export [--location L] [-o FILE]</c>, <c>packster import FILE --location L</c> and <c>packster sync FILE
/// [--location L] [--prune] [--dry-run]</c> (spec/export.md).
/// </summary>
internal static class EnvironmentCommands
{
    public static Command Export(CliContext context)
    {
        var location = CommonOptions.Location();
        var output = new Option<string?>("--output", "-o") { Description = "Write the environment file here (default: stdout), e.g. env.packster-lock.toml" };
        var command = new Command("export", "Write everything needed to recreate the location elsewhere: deployments, parameters, active set, bundle, policy") { location, output };
        command.SetAction(parse =>
        {
            var target = CommonOptions.OutputPath(context, parse.GetValue(output), "--output");
            var loc = context.ResolveLocation(parse.GetValue(location));
            var file = EnvironmentFile.Of(loc, target ?? "-");
            var text = file.Render(DateTimeOffset.UtcNow);
            if (target is null)
            {
                context.Out.Write(text);
                return 0;
            }
            OutputFile.Write(target, System.Text.Encoding.UTF8.GetBytes(text), "environment file");
            context.Err.WriteLine($"wrote {target}: {file.Deployments.Count} deployment{(file.Deployments.Count == 1 ? "" : "s")} of location {loc.Id}");
            return 0;
        });
        return command;
    }

    public static Command Import(CliContext context) => Create(context, import: true);

    public static Command Sync(CliContext context) => Create(context, import: false);

    private static Command Create(CliContext context, bool import)
    {
        var file = new Argument<string>("file") { Description = "An environment file written by 'packster export'" };
        var location = CommonOptions.Location();
        var prune = new Option<bool>("--prune") { Description = "Also uninstall the deployments the file does not list" };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var secrets = new Option<string?>("--secrets-file") { Description = "A JSON file { \"<id>\": { \"<parameter>\": value } } with the secret parameters the environment file never holds" };
        var source = SupplyOptions.Source();
        var offline = SupplyOptions.Offline();
        var timeout = CommonOptions.HandlerTimeout();
        var command = import
            ? new Command("import", "Recreate an exported environment in an empty location, fetching every package by its sha256") { file, location, dryRun, json, secrets, source, offline, timeout }
            : new Command("sync", "Make a location match an environment file: install what is missing, switch the active set, with --prune remove the rest")
            {
                file, location, prune, dryRun, json, secrets, source, offline, timeout,
            };
        command.SetAction(async (parse, ct) =>
        {
            var environment = EnvironmentFile.Load(context.ResolvePath(parse.GetValue(file)!));
            var loc = context.ResolveLocation(parse.GetValue(location));
            if (import && loc.ReadState().Deployments.Count > 0)
            {
                throw new PacksterException(ErrorCode.EnvironmentMismatch, $"location {loc.Id} already has deployments; import recreates an environment in an empty location",
                    "use 'packster sync' to make an existing location match the file");
            }
            using var supply = SupplyOptions.Open(context, parse.GetValue(source), parse.GetValue(offline));
            var asJson = parse.GetValue(json);
            var dry = parse.GetValue(dryRun);
            // In words, what is done is said as it is done: a removal that fails after the commit leaves the lines of
            // what did change printed (spec/export.md § sync, step 4).
            var sync = new EnvironmentSync(loc, InstallerDefaults.For(context), supply.Supply)
            {
                Secrets = ReadSecrets(context, parse.GetValue(secrets)),
                SecretsFile = parse.GetValue(secrets) is { } secretsFile ? context.ResolvePath(secretsFile) : "--secrets-file",
                Committed = asJson ? null : p => ReportChanges(context, p, ""),
                Removed = asJson ? null : d => context.Out.WriteLine(RemoveLine(d, "")),
            };
            var pruning = !import && parse.GetValue(prune);
            var plan = dry ? await sync.CheckAsync(environment, pruning, ct).ConfigureAwait(false)
                : await sync.ApplyAsync(environment, pruning, CommonOptions.ParseTimeout(parse.GetValue(timeout)), ct).ConfigureAwait(false);
            if (asJson || dry) Report(context, plan, dry, asJson, loc.Id.Value);
            else if (plan.IsEmpty) context.Out.WriteLine($"location {loc.Id} already matches the file");
            return 0;
        });
        return command;
    }

    /// <summary>The most a <c>--secrets-file</c> may hold (spec/export.md): parameters of every package, with room to spare.</summary>
    private const int MaxSecretsFileBytes = 16 * 1024 * 1024;

    private static Dictionary<string, JsonObject> ReadSecrets(CliContext context, string? file)
    {
        if (file is null) return [];
        var path = context.ResolvePath(file);
        FileSystemErrors.RequireFile(path, "secrets file");
        var bytes = SmallFile.ReadGiven(path, MaxSecretsFileBytes,
            why => new PacksterException(ErrorCode.InvalidArgument, $"secrets file '{path}' was not read: {why}"));
        JsonDocument document;
        try
        {
            // Names are compared for duplicates only once each is known to be text (below): comparing decodes them,
            // and a lone surrogate escape cannot be decoded.
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new PacksterException(ErrorCode.InvalidArgument, $"secrets file '{path}' is not JSON: {StrictJson.Reason(e)}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Any(kv => kv.Value.ValueKind != JsonValueKind.Object))
                throw new PacksterException(ErrorCode.InvalidArgument, $"secrets file '{path}' must be a JSON object of objects: {{ \"<package id>\": {{ \"<parameter>\": value }} }}");
            var secrets = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
            foreach (var package in root.EnumerateObject())
            {
                // Secret values are judged as --parameters are (spec/parameters.md § Validation): a name or string that
                // is not Unicode text (a lone surrogate escape) is PST3008 naming the package and the parameter.
                var id = StrictJson.Name(package) ?? throw ParameterErrors.InvalidUnicode($"secrets file '{path}'", "a package id");
                var values = ParameterInput.ParseJson(package.Value.GetRawText(), $"secrets file '{path}': package '{id}'");
                secrets[id] = JsonObject.Create(values)!;
            }
            try
            {
                using var _ = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
            }
            catch (JsonException e)
            {
                throw new PacksterException(ErrorCode.InvalidArgument, $"secrets file '{path}' is not JSON: {StrictJson.Reason(e)}");
            }
            return secrets;
        }
    }

    private static void Report(CliContext context, SyncPlan plan, bool dryRun, bool json, string location)
    {
        if (json)
        {
            CommonOptions.WriteJson(context.Out, new JsonObject
            {
                ["dryRun"] = dryRun,
                ["install"] = new JsonArray([.. plan.Install.Select(d => (JsonNode)d.Package.FileName)]),
                ["activate"] = new JsonArray([.. plan.Activate.Select(d => (JsonNode)$"{d.Package.Id}@{d.Package.Version}")]),
                ["deactivate"] = new JsonArray([.. plan.Deactivate.Select(d => (JsonNode)$"{d.Id}@{d.Version}")]),
                ["remove"] = new JsonArray([.. plan.Remove.Select(d => (JsonNode)$"{d.Id}@{d.Version}")]),
                ["pins"] = plan.Pins.Count,
                ["dependencyMarks"] = plan.Marks.Count,
                ["bundle"] = plan.Bundle,
                ["policy"] = new JsonArray([.. plan.Policy.Select(p => (JsonNode)p)]),
            });
            return;
        }
        var verb = dryRun ? "would " : "";
        ReportChanges(context, plan, verb);
        foreach (var d in plan.Remove) context.Out.WriteLine(RemoveLine(d, verb));
        if (plan.IsEmpty) context.Out.WriteLine($"location {location} already matches the file");
    }

    private static string RemoveLine(Locations.DeploymentEntry d, string verb) => $"{verb}remove {d.Id} {d.Version} ({d.Hash.Hex[..12]})";

    /// <summary>The lines of what the plan's one commit changes (or would): all but the removals, which come after it.</summary>
    private static void ReportChanges(CliContext context, SyncPlan plan, string verb)
    {
        foreach (var p in plan.Policy) context.Out.WriteLine(p == EnvironmentFile.DenyKey ? $"{verb}set the location's deny list" : $"{verb}set the location's [{p}] policy");
        foreach (var d in plan.Install) context.Out.WriteLine($"{verb}install {d.Package.Id} {d.Package.Version} ({d.Deployment.Hex[..12]})");
        foreach (var d in plan.Deactivate) context.Out.WriteLine($"{verb}deactivate {d.Id} {d.Version} ({d.Hash.Hex[..12]})");
        foreach (var d in plan.Activate) context.Out.WriteLine($"{verb}activate {d.Package.Id} {d.Package.Version} ({d.Deployment.Hex[..12]})");
        foreach (var (d, pinned) in plan.Pins) context.Out.WriteLine($"{verb}{(pinned ? "pin" : "unpin")} {d.Hex[..12]}");
        foreach (var (d, dependency) in plan.Marks) context.Out.WriteLine($"{verb}{(dependency ? "mark" : "unmark")} {d.Hex[..12]} as a dependency");
        if (plan.Bundle) context.Out.WriteLine($"{verb}update the bundle");
    }
}
