using System.CommandLine;
using System.Text.Json.Nodes;
using Packster.Licensing;
using Packster.Locations;
using Packster.Toml.Editing;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster licenses [--location L] [--json]</c>: every active deployment's licence and what the policy says of it;
/// <c>packster licenses allow|deny ENTRY… [--location L]</c> and <c>packster licenses policy</c> (spec/licenses.md).
/// </summary>
internal static class LicenseCommands
{
    public static Command Create(CliContext context)
    {
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var command = new Command("licenses", "Show the licence of every active deployment and whether the licence policy allows it") { location, json };
        command.SetAction(parse =>
        {
            var loc = context.ResolveLocation(parse.GetValue(location));
            var policy = PolicyOf(context, loc);
            var rows = LocationSnapshot.Read(loc, snapshot => snapshot.State.ActiveDeployments
                .OrderBy(d => d.Id.Value, StringComparer.Ordinal)
                .Select(d => (Entry: d, License: snapshot.Files(d, dir => Manifest.ManifestReader.Read(Path.Combine(dir, Manifest.Manifest.FileName)).License).Value))
                .ToList());
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonArray([.. rows.Select(r =>
                {
                    var refusal = policy.Refusal(r.License);
                    return (JsonNode)new JsonObject
                    {
                        ["id"] = r.Entry.Id.Value,
                        ["version"] = r.Entry.Version.ToString(),
                        ["license"] = r.License,
                        ["allowed"] = refusal is null,
                        ["refusal"] = refusal,
                    };
                })]));
                return 0;
            }
            if (rows.Count == 0) context.Err.WriteLine($"location {loc.Id} has no active deployments");
            foreach (var (entry, license) in rows)
            {
                var refusal = policy.Refusal(license);
                context.Out.WriteLine($"{entry.Id,-24} {entry.Version,-14} {(license is null ? "(none declared)" : TerminalText.Printable(license)),-40} {(refusal is null ? "allowed" : "refused: " + refusal)}");
            }
            return 0;
        });
        command.Subcommands.Add(Edit(context, "allow"));
        command.Subcommands.Add(Edit(context, "deny"));
        command.Subcommands.Add(Show(context));
        return command;
    }

    private static LicensePolicy PolicyOf(CliContext context, Location location) =>
        new([context.Config.Rules.Licenses, LicenseRules.Read(location.PolicyPath, RulesFileKind.LocationPolicy)]);

    private static Command Show(CliContext context)
    {
        var location = CommonOptions.Location();
        var json = CommonOptions.Json();
        var command = new Command("policy", "Show the licence rules in force: the user's (config.toml) and the location's (packster-policy.toml)") { location, json };
        command.SetAction(parse =>
        {
            // Without a location (none asked for, no default) the user's rules are still worth showing, said to be alone.
            var loc = context.ResolveLocationOrNone(parse.GetValue(location));
            var user = context.Config.Rules.Licenses;
            IReadOnlyList<(string Scope, LicenseRules Rules)> rules = loc is null
                ? [("user", user)]
                : [("user", user), ("location", LicenseRules.Read(loc.PolicyPath, RulesFileKind.LocationPolicy))];
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(context.Out, new JsonArray([.. rules.Select(r => (JsonNode)new JsonObject
                {
                    ["scope"] = r.Scope,
                    ["file"] = r.Rules.Origin,
                    ["allow"] = new JsonArray([.. r.Rules.Allow.Select(a => (JsonNode)a)]),
                    ["deny"] = new JsonArray([.. r.Rules.Deny.Select(d => (JsonNode)d)]),
                })]));
                return 0;
            }
            foreach (var (scope, r) in rules)
            {
                context.Out.WriteLine($"{scope} ({r.Origin}): allow [{string.Join(", ", r.Allow)}], deny [{string.Join(", ", r.Deny)}]");
            }
            if (loc is null) context.Out.WriteLine(context.NoLocationNote("licence policy"));
            context.Out.WriteLine($"SPDX licence list {SpdxLicense.ListDescription}; a package must pass {(loc is null ? "these and the rules of the location it is installed into" : "both")}");
            return 0;
        });
        return command;
    }

    private static Command Edit(CliContext context, string list)
    {
        var entries = new Argument<string[]>("entry") { Description = "SPDX licence ids or exceptions, LicenseRef-…, or the classes osi-approved and copyleft", Arity = ArgumentArity.OneOrMore };
        var location = CommonOptions.Location();
        location.Description = "Change this location's packster-policy.toml instead of the user config";
        var command = new Command(list, list == "allow"
            ? "Add licences to the allow list: once it is not empty, only licences on it are installed"
            : "Add licences to the deny list: a licence on it is never installed")
        {
            entries, location,
        };
        command.SetAction((parse, ct) =>
        {
            var added = parse.GetValue(entries)!;
            if (added.Select(LicenseRules.Invalid).FirstOrDefault(w => w is not null) is { } why)
            {
                throw new PacksterException(ErrorCode.LicensePolicyInvalid, why, "see 'packster licenses --help' and spec/licenses.md § Policy");
            }
            var loc = parse.GetValue(location) is { } l ? context.ResolveLocation(l) : null;
            // Read, changed and written under the location's lock (spec/licenses.md § Policy).
            var edited = PolicyFileEdit.Run(context, loc, (file, kind) =>
            {
                var current = LicenseRules.Read(file, kind);
                var values = (list == "allow" ? current.Allow : current.Deny).Concat(added).Distinct(StringComparer.Ordinal).ToList();
                EditedTomlFile.Edit(file, editor => editor.Set(["licenses", list], TomlValue.Strings(values)), kind == RulesFileKind.LocationPolicy);
                return (File: file, Values: values);
            }, ct);
            context.Out.WriteLine($"licenses.{list} = [{string.Join(", ", edited.Values.Select(TomlString))}] in {edited.File}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>A license expression as a TOML basic string, so the printed line is the TOML the file holds.</summary>
    private static string TomlString(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
