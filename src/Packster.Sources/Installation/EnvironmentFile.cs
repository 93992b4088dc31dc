using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;
using Packster.Toml;
using Packster.Toml.Editing;

namespace Packster.Sources.Installation;

/// <summary>One deployment of an environment file: the exact package file, the deployment it must give, its state.</summary>
/// <remarks><paramref name="Dependency"/>: installed only because another package's <c>[dependencies]</c> needed it
/// (spec/lockfile.md <c>.dependency</c>), so that <c>gc --orphans</c> treats it the same in the location made from the file.</remarks>
public sealed record EnvironmentDeployment(PackageFileName Package, Sha256Digest Deployment, JsonObject Parameters, bool Active, bool Pinned, bool Dependency = false);

/// <summary>
/// An environment file (spec/export.md), <c>*.packster-lock.toml</c>: everything needed to recreate a location
/// elsewhere — every deployment (exact package file, non-secret parameters, deployment hash, active and pinned), the
/// bundle, and the location's trust and licence policy and deny list. TOML, so a person can read, comment and edit it.
/// </summary>
/// <remarks><paramref name="Policy"/>: by key of the location's packster-policy.toml, the <c>[trust]</c> and
/// <c>[licenses]</c> tables and the <c>deny</c> array (spec/resolver.md § Deny list).</remarks>
public sealed record EnvironmentFile(
    string Path,
    string? Location,
    IReadOnlyList<EnvironmentDeployment> Deployments,
    IReadOnlyList<BundleRequirement> Bundle,
    IReadOnlyDictionary<string, TomlNode> Policy)
{
    /// <summary>The newest format this packster reads (and writes, when the file needs it): 2 added <c>[policy] deny</c>.</summary>
    public const int Format = 2;

    /// <summary>The format of a file without <c>[policy] deny</c>: written so that a packster that reads only format 1 reads it.</summary>
    public const int FirstFormat = 1;

    /// <summary>The key of the location's deny list in packster-policy.toml and in the file's <c>[policy]</c> table.</summary>
    public const string DenyKey = "deny";

    /// <summary>The policy tables an environment carries (from the location's packster-policy.toml).</summary>
    public static IReadOnlyList<string> PolicyTables { get; } = ["trust", "licenses"];

    /// <summary>What <c>[policy]</c> may hold: the deny list, then the tables.</summary>
    private static readonly string[] PolicyKeys = [DenyKey, .. PolicyTables];

    private static readonly string[] TopKeys = ["format", "location", "policy", "deployments", "bundle"];
    private static readonly string[] DeploymentKeys = ["id", "version", "package", "deployment", "active", "pinned", "dependency", "parameters"];
    private static readonly string[] BundleKeys = ["version", "parameters", "package", "deployment"];

    /// <summary>The environment of <paramref name="location"/> as its lockfile and policy file hold it now.</summary>
    public static EnvironmentFile Of(Location location, string path)
    {
        ArgumentNullException.ThrowIfNull(location);
        var state = location.ReadState();
        var deployments = state.Deployments.OrderBy(d => d.Id.Value, StringComparer.Ordinal).ThenBy(d => d.Version).ThenBy(d => d.Hash.Hex, StringComparer.Ordinal)
            .Select(d => new EnvironmentDeployment(d.Package, d.Hash, Representable(d), d.Active, d.Pinned, d.Dependency)).ToList();
        var policy = new Dictionary<string, TomlNode>(StringComparer.Ordinal);
        if (RulesFile.Read(location.PolicyPath, RulesFileKind.LocationPolicy) is { } document)
        {
            foreach (var table in PolicyTables)
            {
                if (document.TryGetValue(table, out var node) && node is TomlTable t) policy[table] = t;
            }
            if (document.TryGetValue(DenyKey, out var deny)) policy[DenyKey] = deny;
        }
        // A resolution whose deployment was uninstalled since names nothing the file lists, and the file holds each
        // resolution to one it lists (spec/export.md): the requirement is written without it, as one never installed.
        var bundle = state.Bundle.Values.Select(b => b.Resolved is { } r && state.Find(r.Deployment)?.Package != r.Package
            ? new BundleRequirement(b.Id, b.Range, b.Parameters) : b).ToList();
        return new EnvironmentFile(path, location.Id.Value, deployments, bundle, policy);
    }

    /// <summary>
    /// A copy of <paramref name="d"/>'s parameters, when TOML can hold them: a deployment that is not active may record a
    /// string without text (a lone surrogate, left by an older packster or by hand), which no TOML string can be, and
    /// exporting such a location was PST0001.
    /// </summary>
    private static JsonObject Representable(Locations.DeploymentEntry d)
    {
        var parameters = (JsonObject)d.Parameters.DeepClone();
        // A null inside an array or object parameter is valid JSON (spec/parameters.md) but TOML has no null: writing the
        // value without it would give another deployment hash, so the file would not reproduce the deployment.
        if (parameters.Select(p => NullWithin(p.Value, TomlValue.Key(p.Key))).FirstOrDefault(p => p is not null) is { } path)
        {
            throw new PacksterException(ErrorCode.EnvironmentValueUnrepresentable,
                $"deployment {d.Id} {d.Version} ({d.Hash.Hex[..12]}): parameter value {path} is null, and TOML has no null, so an environment file cannot hold it",
                "uninstall that deployment, or install the package again with a value without null, then export");
        }
        try
        {
            _ = Inline(parameters);
            return parameters;
        }
        catch (JsonException e) when (e.InnerException is InvalidOperationException)
        {
            throw new PacksterException(ErrorCode.ParameterInvalidUnicode,
                $"deployment {d.Id} {d.Version} ({d.Hash.Hex[..12]}): a parameter holds a lone UTF-16 surrogate escape (\\uD800–\\uDFFF without its pair), which is not Unicode text and no TOML string can hold",
                "uninstall that deployment, or install the package again with another value, then export");
        }
    }

    /// <summary>The path of the first null in <paramref name="value"/> (<c>a[1]</c>, <c>o.A</c>), or null when it holds none.</summary>
    private static string? NullWithin(JsonNode? value, string path) => value switch
    {
        null => path,
        JsonArray array => array.Select((item, i) => NullWithin(item, $"{path}[{i}]")).FirstOrDefault(p => p is not null),
        JsonObject obj => obj.Select(m => NullWithin(m.Value, $"{path}.{TomlValue.Key(m.Key)}")).FirstOrDefault(p => p is not null),
        _ => null,
    };

    /// <summary>
    /// The file's text: comments saying what it is, then format, location, policy, deployments, bundle; stable order.
    /// Format 2 only when the policy holds a deny list, the one thing format 1 cannot hold (spec/export.md § Format).
    /// </summary>
    public string Render(DateTimeOffset exportedAt)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Packster environment of location '{Location}', exported {exportedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} (spec/export.md).\n");
        text.Append("# Recreate it: packster import THIS-FILE --location L.  Make a location match it: packster sync THIS-FILE --location L.\n");
        text.Append("# Secret parameters are never written here; give them with --secrets-file.\n");
        text.Append(CultureInfo.InvariantCulture, $"format = {(Policy.ContainsKey(DenyKey) ? Format : FirstFormat)}\n");
        if (Location is not null) text.Append("location = ").Append(TomlValue.String(Location).Text).Append('\n');
        if (Policy.TryGetValue(DenyKey, out var deny)) text.Append("\n[policy]\n").Append(DenyKey).Append(" = ").Append(TomlValue.From(deny).Text).Append('\n');
        foreach (var (table, values) in Policy.Where(p => p.Value is TomlTable).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append("\n[policy.").Append(TomlValue.Key(table)).Append("]\n");
            foreach (var (key, value) in (TomlTable)values) text.Append(TomlValue.Key(key)).Append(" = ").Append(TomlValue.From(value).Text).Append('\n');
        }
        foreach (var d in Deployments)
        {
            text.Append("\n[[deployments]]\n");
            text.Append("id = ").Append(TomlValue.String(d.Package.Id.Value).Text).Append('\n');
            text.Append("version = ").Append(TomlValue.String(d.Package.Version.ToString()).Text).Append('\n');
            text.Append("package = ").Append(TomlValue.String(d.Package.FileName).Text).Append('\n');
            text.Append("deployment = ").Append(TomlValue.String(d.Deployment.Hex).Text).Append('\n');
            text.Append("active = ").Append(d.Active ? "true" : "false").Append('\n');
            text.Append("pinned = ").Append(d.Pinned ? "true" : "false").Append('\n');
            if (d.Dependency) text.Append("dependency = true\n");
            text.Append("parameters = ").Append(Inline(d.Parameters)).Append('\n');
        }
        foreach (var b in Bundle.OrderBy(b => b.Id.Value, StringComparer.Ordinal))
        {
            text.Append("\n[bundle.").Append(TomlValue.Key(b.Id.Value)).Append("]\n");
            text.Append("version = ").Append(TomlValue.String(b.Range).Text).Append('\n');
            if (b.Parameters is { Count: > 0 } p) text.Append("parameters = ").Append(Inline(p)).Append('\n');
            if (b.Resolved is { } r)
            {
                text.Append("package = ").Append(TomlValue.String(r.Package.FileName).Text).Append('\n');
                text.Append("deployment = ").Append(TomlValue.String(r.Deployment.Hex).Text).Append('\n');
            }
        }
        return text.ToString();
    }

    private static string Inline(JsonObject parameters) =>
        TomlValue.FromJson(JsonSerializer.SerializeToElement(parameters, SourcesJsonContext.Default.JsonObject)).Text;

    /// <summary>The most an environment file may hold (spec/export.md): 1,000 deployments with large parameters fit.</summary>
    public const int MaxFileBytes = 64 * 1024 * 1024;

    public static EnvironmentFile Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        FileSystemErrors.RequireFile(full, "environment file");
        return Parse(SmallFile.ReadGiven(full, MaxFileBytes,
            why => new PacksterException(ErrorCode.EnvironmentFileInvalid, $"environment file '{full}' was not read: {why}", "an environment file is TOML that 'packster export' writes")), full);
    }

    /// <summary>Reads and validates the whole file; PST8017 at the first problem, with its line and column.</summary>
    public static EnvironmentFile Parse(byte[] bytes, string path)
    {
        // spec/errors.md PST8017: an environment file that does not parse is the environment file's error too.
        var document = TomlFileErrors.Parsing(ErrorCode.EnvironmentFileInvalid, () => TomlDocument.Parse(bytes, path, TomlVersion.V1_1));
        Known(path, document, TopKeys, "an environment file");
        if (!document.TryGetValue("format", out var f)) throw Invalid(path, document.Position, $"'format' is required: {FirstFormat}, or {Format} for a file with [policy] {DenyKey}");
        var format = f as TomlInteger ?? throw Invalid(path, f.Position, $"'format' must be the integer {FirstFormat} or {Format}, found {f.TypeName}");
        if (format.Value is not (FirstFormat or Format))
            throw Invalid(path, format.Position, $"format {format.Value} is not supported (this packster reads formats {FirstFormat} and {Format}; written by a newer packster?)");
        var location = document.TryGetValue("location", out var l) ? (l as TomlString ?? throw Invalid(path, l.Position, "'location' must be a string")).Value : null;

        var policy = new Dictionary<string, TomlNode>(StringComparer.Ordinal);
        if (document.TryGetValue("policy", out var p))
        {
            if (p is not TomlTable policyTable) throw Invalid(path, p.Position, "'policy' must be a table");
            Known(path, policyTable, PolicyKeys, "[policy]");
            foreach (var (key, value) in policyTable)
            {
                if (key == DenyKey)
                {
                    // A format 1 reader refuses the key, so a file holding it says it is format 2 (spec/export.md § Format).
                    if (format.Value < Format)
                        throw Invalid(path, policyTable.KeyPosition(key), $"'policy.{DenyKey}' needs 'format = {Format}' (format {FirstFormat} has no deny list)");
                    // Judged here, by the rules the location's policy file is read with (PST2042), as the tables below.
                    _ = Deny.DenyRule.FromArray(path, value, position => $"{path}:{position}: policy");
                    policy[key] = value;
                    continue;
                }
                var table = value as TomlTable ?? throw Invalid(path, value.Position, $"'policy.{key}' must be a table");
                policy[key] = table;
                // Written into the location's packster-policy.toml as they are, so held to its keys (a misspelt key there turns the policy off).
                Known(path, table, key == "trust" ? Trust.TrustRules.Keys : Licensing.LicenseRules.Keys, $"[policy.{key}]");
                // Judged here, by the rules the location's policy file is read with, so a bad value is named in this
                // file, never written into the location's packster-policy.toml.
                if (key == "trust") _ = Packster.Trust.TrustRules.FromTable($"{path}:{value.Position}: policy", value);
                else _ = Packster.Licensing.LicenseRules.FromTable($"{path}:{value.Position}: policy", value);
            }
        }

        var deployments = new List<EnvironmentDeployment>();
        var listed = new Dictionary<Sha256Digest, string>();
        var active = new Dictionary<PackageId, string>();
        if (document.TryGetValue("deployments", out var ds))
        {
            if (ds is not TomlArray array) throw Invalid(path, ds.Position, "'deployments' must be an array of tables ([[deployments]])");
            foreach (var (i, node) in array.Index())
            {
                if (node is not TomlTable t) throw Invalid(path, node.Position, $"deployments[{i}] must be a table");
                var d = ReadDeployment(path, t, $"deployments[{i}]");
                // Named where the second one says so (spec/export.md: FILE:LINE:COL of the offending entry).
                if (!listed.TryAdd(d.Deployment, $"deployments[{i}]"))
                    throw Invalid(path, t["deployment"].Position, $"deployment {d.Deployment} is listed twice (deployments[{i}] and {listed[d.Deployment]})");
                if (d.Active && !active.TryAdd(d.Package.Id, $"deployments[{i}]"))
                    throw Invalid(path, t["active"].Position, $"'{d.Package.Id}' has 2 active deployments (deployments[{i}] and {active[d.Package.Id]}); a package has at most one");
                deployments.Add(d);
            }
        }

        var bundle = new List<BundleRequirement>();
        if (document.TryGetValue("bundle", out var bs))
        {
            if (bs is not TomlTable bundleTable) throw Invalid(path, bs.Position, "'bundle' must be a table of [bundle.ID] tables");
            foreach (var (key, value) in bundleTable)
            {
                if (value is not TomlTable t) throw Invalid(path, value.Position, $"'bundle.{key}' must be a table");
                bundle.Add(ReadRequirement(path, key, t, deployments));
            }
        }
        return new EnvironmentFile(path, location, deployments, bundle, policy);
    }

    private static EnvironmentDeployment ReadDeployment(string path, TomlTable t, string name)
    {
        Known(path, t, DeploymentKeys, name);
        var package = FileName(path, t, "package", name);
        if (Text(path, t, "id", name) is { } id && id != package.Id.Value) throw Invalid(path, t["id"].Position, $"'{name}.id' is '{TerminalText.Printable(id)}' but its package is {package.FileName}");
        if (Text(path, t, "version", name) is { } version && version != package.Version.ToString())
            throw Invalid(path, t["version"].Position, $"'{name}.version' is '{TerminalText.Printable(version)}' but its package is {package.FileName}");
        var deployment = Digest(path, t, "deployment", name);
        var parameters = t.TryGetValue("parameters", out var p) ? Parameters(path, p, name) : [];
        return new EnvironmentDeployment(package, deployment, parameters, Flag(path, t, "active", name), Flag(path, t, "pinned", name),
            Flag(path, t, "dependency", name));
    }

    /// <summary>
    /// A <c>parameters</c> table as JSON. A value nested deeper than parameters may nest (TOML allows 256) is PST3007, as
    /// install gives for the same value, before anything serialises it.
    /// </summary>
    private static JsonObject Parameters(string path, TomlNode p, string name)
    {
        if (p is not TomlTable pt) throw Invalid(path, p.Position, $"'{name}.parameters' must be a table");
        foreach (var (key, value) in pt)
        {
            var depth = TomlJson.Depth(value, ParameterInput.MaxValueDepth + 1);
            if (depth > ParameterInput.MaxValueDepth) throw ParameterErrors.TooDeep($"{path}:{value.Position}: parameter '{key}' of '{name}'", depth);
        }
        return (JsonObject)TomlJson.ToJson(pt, $"{name}.parameters", (position, message) => Invalid(path, position, message));
    }

    private static BundleRequirement ReadRequirement(string path, string key, TomlTable t, List<EnvironmentDeployment> deployments)
    {
        var name = $"bundle.{key}";
        Known(path, t, BundleKeys, $"[{name}]");
        if (!PackageId.TryParse(key, out var id, out var why)) throw Invalid(path, t.Position, $"'{key}' is not a package id: {why}");
        var range = Text(path, t, "version", name) ?? throw Invalid(path, t.Position, $"'{name}' needs 'version'");
        if (!VersionRange.TryParse(range, out var versions, out var rangeWhy)) throw Invalid(path, t["version"].Position, $"'{name}.version' = \"{range}\" is not a version range: {rangeWhy}");
        var parameters = t.TryGetValue("parameters", out var p) ? Parameters(path, p, name) : null;
        var requirement = new BundleRequirement(id, range, parameters);
        if (t.ContainsKey("package") || t.ContainsKey("deployment"))
        {
            // What the requirement resolved to must be what it could have: a package of its id, a version in its range,
            // and a deployment of that package file the file lists (spec/export.md) — bundle install --locked installs it as it is.
            var package = FileName(path, t, "package", name);
            var deployment = Digest(path, t, "deployment", name);
            if (package.Id != id) throw Invalid(path, t["package"].Position, $"'{name}.package' is {package.FileName}, a package of another id than '{id}'");
            if (!versions.Satisfies(package.Version))
                throw Invalid(path, t["package"].Position, $"'{name}.package' is version {package.Version}, outside its range '{range}'");
            if (!deployments.Any(d => d.Deployment == deployment && d.Package == package))
                throw Invalid(path, t["deployment"].Position, $"'{name}.deployment' {deployment} is no deployment of {package.FileName} the file lists");
            requirement.Resolved = new ResolvedRequirement(package, deployment);
        }
        return requirement;
    }

    private static void Known(string path, TomlTable table, IReadOnlyList<string> keys, string where)
    {
        foreach (var key in table.Keys)
        {
            if (!keys.Contains(key))
            {
                var suggestion = Manifest.DidYouMean.Closest(key, keys);
                throw Invalid(path, table.KeyPosition(key), $"unknown key '{key}' in {where}" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?"));
            }
        }
    }

    private static string? Text(string path, TomlTable t, string key, string name) =>
        !t.TryGetValue(key, out var v) ? null : v is TomlString s ? s.Value : throw Invalid(path, v.Position, $"'{name}.{key}' must be a string, found {v.TypeName}");

    private static bool Flag(string path, TomlTable t, string key, string name) =>
        t.TryGetValue(key, out var v) && (v is TomlBoolean b ? b.Value : throw Invalid(path, v.Position, $"'{name}.{key}' must be true or false, found {v.TypeName}"));

    private static PackageFileName FileName(string path, TomlTable t, string key, string name)
    {
        var text = Text(path, t, key, name) ?? throw Invalid(path, t.Position, $"'{name}' needs '{key}' (a package file name)");
        return PackageFileName.TryParse(text, out var file) ? file : throw Invalid(path, t[key].Position, $"'{name}.{key}' = \"{TerminalText.Printable(text)}\" is not a package file name (<id>-<version>-<sha256>.packster)");
    }

    private static Sha256Digest Digest(string path, TomlTable t, string key, string name)
    {
        var text = Text(path, t, key, name) ?? throw Invalid(path, t.Position, $"'{name}' needs '{key}' (a deployment hash)");
        return Sha256Digest.TryParse(text, out var digest) ? digest : throw Invalid(path, t[key].Position, $"'{name}.{key}' = \"{text}\" is not a SHA-256 (64 lowercase hex digits)");
    }

    private static PacksterException Invalid(string path, TomlPosition position, string message) =>
        new(ErrorCode.EnvironmentFileInvalid, $"{path}:{position}: {message}", "spec/export.md describes the file; 'packster export' writes one");
}
