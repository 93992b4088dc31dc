using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Activation;
using Packster.Deployments;
using Packster.Locations;

namespace Packster.Cli.Commands;

/// <summary><c>list</c>, <c>which</c>, <c>locate</c> and <c>verify</c>: read-only questions about a location.</summary>
internal static class QueryCommands
{
    public static Command List(CliContext context)
    {
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var command = new Command("list", "List the deployments of a location") { location, json };
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var deployed = DeploymentListing.Read(loc);
            if (parse.GetValue(json))
            {
                // Written straight out: at a thousand deployments, building JsonNodes first cost as much as loading them.
                // Property names as UTF-8 literals: not transcoded and checked again for every deployment.
                CommonOptions.WriteJson(context, w =>
                {
                    w.WriteStartArray();
                    foreach (var d in deployed)
                    {
                        var resources = d.Resources;
                        w.WriteStartObject();
                        w.WriteString("id"u8, d.Entry.Id.Value);
                        w.WriteString("version"u8, d.Entry.Version.ToString());
                        w.WriteString("package"u8, d.Entry.Package.FileName);
                        w.WriteString("deployment"u8, d.Entry.Hash.Hex);
                        w.WriteString("path"u8, d.Path);
                        w.WriteBoolean("active"u8, d.Entry.Active);
                        w.WriteBoolean("pinned"u8, d.Entry.Pinned);
                        w.WriteBoolean("dependency"u8, d.Entry.Dependency);
                        if (d.Entry.Signer is { } signer) w.WriteString("signer"u8, signer);
                        else w.WriteNull("signer"u8);
                        w.WriteString("status"u8, StatusName(d));
                        if (d.Problem is { } problem) w.WriteString("problem"u8, problem);
                        w.WritePropertyName("parameters"u8);
                        d.Entry.WriteParameters(w);
                        w.WriteStartArray("shims"u8);
                        foreach (var s in resources?.ShimNames ?? []) w.WriteStringValue(s);
                        w.WriteEndArray();
                        w.WriteStartObject("env"u8);
                        foreach (var (key, value) in resources?.Env ?? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty) w.WriteString(key, value);
                        w.WriteEndObject();
                        w.WriteStartArray("ports"u8);
                        foreach (var p in resources?.Ports ?? []) w.WriteNumberValue(p);
                        w.WriteEndArray();
                        w.WriteEndObject();
                        CommonOptions.FlushSome(w);
                    }
                    w.WriteEndArray();
                });
                WarnOfProblems(context, deployed);
                return 0;
            }
            if (deployed.Count == 0)
            {
                context.Err.WriteLine($"location {loc.Id} ({loc.Path}) has no deployments");
                return 0;
            }
            foreach (var d in deployed)
            {
                var flags = (d.Entry.Active ? "active" : "inactive") + (d.Entry.Pinned ? ", pinned" : "")
                    + (d.Presence == DeploymentPresence.Deployed && !d.Damaged ? "" : ", " + StatusName(d));
                var shimList = d.Resources?.ShimNames ?? [];
                var shims = shimList.Count == 0 ? "" : $"  shims: {string.Join(' ', shimList)}";
                context.Out.WriteLine($"{d.Entry.Id,-24} {d.Entry.Version,-14} {d.Entry.Hash.Hex[..12]}  {flags}{shims}");
            }
            WarnOfProblems(context, deployed);
            return 0;
        });
        return command;
    }

    public static Command Which(CliContext context)
    {
        var shim = new Argument<string>("shim") { Description = "A shim name" };
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var command = new Command("which", "Show which deployment owns a shim and what it runs") { shim, location, json };
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var name = parse.GetValue(shim)!;
            // The lockfile says which active deployment claims the shim; only that one's manifest is read.
            var owners = LocationSnapshot.Read(loc, snapshot => snapshot.State.ActiveDeployments
                .Where(d => d.Claims.Any(c => string.Equals(c, "shim:" + name, StringComparison.OrdinalIgnoreCase)))
                .Select(d => (Entry: d, Found: snapshot.Files(d, dir => DeployedPackage.Load(loc, d, dir))))
                .ToList());
            foreach (var (entry, found) in owners)
            {
                if (found.Value is not { } d) continue;
                var match = d.Resources.Shims.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
                if (match is null) continue;
                // What is in the shims folder now, not what a render would choose: that is what runs.
                var kind = ShimWriter.KindOf(loc.ShimsDirectory, match.Name, ShimPlatforms.Current)?.Describe() ?? "missing";
                if (parse.GetValue(json))
                {
                    CommonOptions.WriteJson(context.Out, new JsonObject
                    {
                        ["shim"] = match.Name,
                        ["id"] = d.Entry.Id.Value,
                        ["version"] = d.Entry.Version.ToString(),
                        ["deployment"] = d.Entry.Hash.Hex,
                        ["target"] = match.TargetPath,
                        ["args"] = new JsonArray([.. match.Args.Select(a => (JsonNode)a)]),
                        ["path"] = Path.Combine(loc.ShimsDirectory, match.Name),
                        ["kind"] = kind,
                        ["status"] = StatusName(found.Presence),
                    });
                }
                else
                {
                    var removing = found.Presence == DeploymentPresence.Removing ? " (being removed)" : "";
                    context.Out.WriteLine($"{match.Name}: {d.Entry.Id} {d.Entry.Version} (deployment {d.Entry.Hash.Hex[..12]}){removing} → {match.TargetPath}{(match.Args.Count == 0 ? "" : " " + TerminalText.Printable(string.Join(' ', match.Args)))} [{kind}]");
                }
                return 0;
            }
            throw new PacksterException(ErrorCode.DeploymentNotFound, $"no active deployment in location {loc.Id} provides a shim named '{name}'",
                "run 'packster list' to see the shims of each deployment");
        });
        return command;
    }

    public static Command Locate(CliContext context)
    {
        var pattern = new Argument<string>("pattern")
        {
            Description = "A glob matched against file paths inside the deployments (e.g. 'bin/*', '**/*.so'), "
                + "or <id>:<name> for a path the package declares in its [locator] table (e.g. 'python:site-packages')",
        };
        var location = CommonOptions.Location();
        var all = new Option<bool>("--all") { Description = "Search inactive deployments too (globs only)" };
        var json = CommonOptions.Json();
        var command = new Command("locate", "Find files in the active deployments, or the paths a package's [locator] names") { pattern, location, all, json };
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            if (Locator.TryParseQuery(parse.GetValue(pattern)!, out var selector, out var name))
            {
                if (parse.GetValue(all)) throw new PacksterException(ErrorCode.InvalidArgument, "--all searches files by glob; a locator (<id>:<name>) names one deployment", $"drop --all, or select the deployment: '{selector}@<version>:{name}'");
                return LocateByName(context, Locator.Find(loc, selector, name), parse.GetValue(json));
            }
            var glob = Packster.Packaging.PackageIgnore.Parse(parse.GetValue(pattern)!);
            // Deployments being removed are skipped: their files are no longer where the answer would point.
            var records = LocationSnapshot.Read(loc, snapshot => snapshot.State.Deployments
                .Where(d => d.Active || parse.GetValue(all))
                .Select(d => (Entry: d, Record: snapshot.Files(d, DeploymentRecord.ReadFrom, fromTrash: false).Value))
                .ToList());
            var matches = new JsonArray();
            foreach (var (entry, record) in records)
            {
                if (record is null) continue;
                foreach (var path in record.Files.Select(f => f.Path).Concat(record.Links.Select(l => l.Path)))
                {
                    if (!glob.IsIgnored(path, isDirectory: false)) continue;
                    var full = Path.Combine(loc.DeploymentDirectory(entry.Hash), path);
                    if (!parse.GetValue(json)) context.Out.WriteLine($"{entry.Id}@{entry.Version}: {full}");
                    matches.Add((JsonNode)new JsonObject { ["id"] = entry.Id.Value, ["version"] = entry.Version.ToString(), ["deployment"] = entry.Hash.Hex, ["path"] = full });
                }
            }
            if (matches.Count > 0)
            {
                if (parse.GetValue(json)) CommonOptions.WriteJson(context.Out, matches);
                return ExitCodes.Success;
            }
            throw new PacksterException(ErrorCode.NoFileMatches,
                $"no file in the {(parse.GetValue(all) ? "" : "active ")}deployments of location {loc.Id} matches '{parse.GetValue(pattern)}'",
                parse.GetValue(all) ? "patterns are globs over paths inside a deployment, e.g. 'bin/*' or '**/*.so'" : "--all searches inactive deployments too");
        });
        return command;
    }

    /// <summary>One path per line, bare, so <c>$(packster locate python:home)</c> works; JSON names the deployment too.</summary>
    private static int LocateByName(CliContext context, LocatorMatch match, bool json)
    {
        var d = match.Deployment;
        if (json)
        {
            CommonOptions.WriteJson(context.Out, new JsonObject
            {
                ["id"] = d.Id.Value,
                ["version"] = d.Version.ToString(),
                ["deployment"] = d.Hash.Hex,
                ["name"] = match.Name,
                ["pattern"] = match.Pattern.Value,
                ["paths"] = new JsonArray([.. match.Paths.Select(p => (JsonNode)p)]),
            });
        }
        else
        {
            foreach (var path in match.Paths) context.Out.WriteLine(path);
        }
        return ExitCodes.Success;
    }

    public static Command Verify(CliContext context)
    {
        var location = CommonOptions.LocationArgument();
        var locationOption = CommonOptions.Location();
        var json = CommonOptions.Json();
        var quick = new Option<bool>("--quick")
        {
            Description = "Read only files whose size or modification time changed since the last quick run, comparing them by XXH128 "
                + "(the first run hashes everything and keeps an index in .packster/verify-index); catches accidents, not tampering",
        };
        var command = new Command("verify", "Check every deployed file against its recorded SHA-256") { location, locationOption, json, quick };
        CommonOptions.OneLocation(command, location, locationOption);
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location) ?? parse.GetValue(locationOption));
            // Files first, then each deployment's recorded signature against today's keys and policy (spec/signing.md § Verify).
            var policy = new Packster.Trust.TrustPolicy([context.Config.Rules.Trust, Packster.Trust.TrustRules.Read(loc.PolicyPath, RulesFileKind.LocationPolicy)]);
            var results = policy.Recheck(DeploymentVerifier.Verify(loc, parse.GetValue(quick)), TrustCommands.Keys(context));
            var problems = results.SelectMany(r => r.Problems.Select(p => (r, p))).ToList();
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
                {
                    ["directory"] = r.Directory,
                    ["ok"] = r.Problems.Count == 0,
                    ["removing"] = r.Removing,
                    ["quick"] = r.Quick is not { } q ? null : new JsonObject
                    {
                        ["unchanged"] = q.ByStat,
                        ["xxhash"] = q.ByXxHash,
                        ["sha256"] = q.BySha256,
                        ["bytesRead"] = q.BytesRead,
                        ["indexCurrent"] = q.IndexCurrent,
                        ["foldersListed"] = q.FoldersListed,
                        ["recordRead"] = q.RecordRead,
                    },
                    ["problems"] = new JsonArray([.. r.Problems.Select(p => (JsonNode)new JsonObject { ["kind"] = p.Kind.ToString(), ["path"] = p.Path, ["detail"] = p.Detail })]),
                })]));
            }
            else
            {
                foreach (var (r, p) in problems) context.Out.WriteLine($"{r.Directory}: {p.Kind}: {p.Path}: {p.Detail}");
                foreach (var r in results.Where(r => r.Removing)) context.Out.WriteLine($"{r.Directory}: being removed (not verified)");
                var removing = results.Count(r => r.Removing);
                context.Err.WriteLine($"verified {Counted(results.Count - removing, "deployment")}: {(problems.Count == 0 ? "all intact" : Counted(problems.Count, "problem"))}"
                    + (removing == 0 ? "" : $"; {removing} being removed"));
                if (parse.GetValue(quick)) WriteQuickSummary(context, results);
            }
            if (problems.Count > 0)
            {
                var signatures = problems.Count(p => p.p.Kind == VerificationProblemKind.Signature);
                if (signatures == problems.Count)
                {
                    throw new PacksterException(ErrorCode.SignatureRefused, $"location {loc.Id}: {Counted(signatures, "deployment")} no longer {(signatures == 1 ? "passes" : "pass")} the signature policy",
                        "'packster trust show' prints the policy; reinstall them from a package signed by a trusted key, or uninstall them");
                }
                // A deployment whose folder is gone is not "files that differ": the next command that changes the
                // location drops it from the lockfile (spec/lockfile.md § Recovery), and a plain install brings it back.
                var gone = problems.Count(p => p.p.Kind == VerificationProblemKind.Missing && p.p.Path == ".");
                var files = problems.Count - signatures - gone;
                var what = new List<string>();
                if (files > 0) what.Add(files == 1 ? "1 deployed file differs from its record" : $"{files} deployed files differ from their records");
                if (gone > 0) what.Add($"{gone} deployment folder{(gone == 1 ? " is" : "s are")} missing");
                if (signatures > 0) what.Add($"{Counted(signatures, "deployment")} no longer {(signatures == 1 ? "passes" : "pass")} the signature policy");
                throw new PacksterException(ErrorCode.LocationInconsistent, $"location {loc.Id}: {string.Join(", and ", what)}",
                    files > 0
                        ? "reinstall the affected packages with --force" + (gone > 0 ? "; a missing folder's deployment is dropped by the next command that changes the location, and a plain install brings it back" : "")
                        : LocationErrors.MissingFolderHint);
            }
            return 0;
        });
        return command;
    }

    /// <summary>"1 deployment", "2 deployments": a count with its noun, singular for one.</summary>
    private static string Counted(int count, string noun) => Words.Counted(count, noun);

    private static void WriteQuickSummary(CliContext context, IReadOnlyList<DeploymentVerification> results)
    {
        var stats = results.Where(r => r.Quick is not null).Select(r => r.Quick!).ToList();
        context.Err.WriteLine($"quick: {Words.Counted(stats.Sum(q => q.ByStat), "file")} unchanged since the last check, {stats.Sum(q => q.ByXxHash)} re-read by XXH128, "
            + $"{stats.Sum(q => q.BySha256)} by SHA-256 ({Bytes.Format(stats.Sum(q => q.BytesRead))} read)");
        if (stats.Any(q => !q.IndexCurrent)) context.Err.WriteLine("warning: the quick-verify index could not be written; the next quick run reads those files again");
    }

    /// <summary>One warning per deployment listed without its resources: its recorded parameters are refused, or it is damaged.</summary>
    private static void WarnOfProblems(CliContext context, IReadOnlyList<ListedDeployment> deployed)
    {
        foreach (var d in deployed)
        {
            if (d.Damaged)
            {
                context.Err.WriteLine($"warning: {d.Problem}; reinstall it with --force to restore it ('packster verify' checks the location)");
            }
            else if (d.Problem is { } problem)
            {
                context.Err.WriteLine($"warning: {d.Entry.Id} {d.Entry.Version} ({d.Entry.Hash.Hex[..12]}) is listed without its shims, env and ports: {problem}");
            }
        }
    }

    private static string StatusName(ListedDeployment d) => d.Damaged ? "damaged" : StatusName(d.Presence);

    private static string StatusName(DeploymentPresence presence) => presence switch
    {
        DeploymentPresence.Deployed => "deployed",
        DeploymentPresence.Removing => "removing",
        _ => "missing",
    };
}
