using Packster.Model;
using Packster.Toml;

namespace Packster.Deny;

/// <summary>
/// One entry of a <c>deny</c> array: a package id and the versions of it that are never installed
/// (<c>"tool@1.4.2"</c>, <c>"tool@&gt;=2.0 &lt;2.1"</c>; <c>"tool"</c> alone denies every version). spec/resolver.md § Deny list.
/// </summary>
public sealed record DenyRule(PackageId Id, VersionRange? Range, string Text, string Origin)
{
    /// <summary>Whether this rule denies <paramref name="id"/> at <paramref name="version"/> (a range, pre-releases included when it names them).</summary>
    public bool Denies(PackageId id, PackageVersion version) =>
        Id == id && (Range is null || Range.Satisfies(version));

    /// <summary>How messages name the rule: its text and the file it came from.</summary>
    public override string ToString() => $"'{Text}' ({Origin})";

    /// <summary>Parses one entry; null with the reason when it is not <c>id</c> or <c>id@range</c>.</summary>
    public static DenyRule? TryParse(string text, string origin, out string? why)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var idText = at < 0 ? text : text[..at];
        if (!PackageId.TryParse(idText, out var id, out var idWhy))
        {
            why = $"'{text}': '{idText}' is not a package id: {idWhy}";
            return null;
        }
        VersionRange? range = null;
        if (at >= 0 && !VersionRange.TryParse(text[(at + 1)..], out range, out var rangeWhy))
        {
            why = $"'{text}': '{text[(at + 1)..]}' is not a version range: {rangeWhy}";
            return null;
        }
        why = null;
        return new DenyRule(id, range, text, origin);
    }

    /// <summary>
    /// The top-level <c>deny</c> array of a TOML file (the user's config.toml or a location's packster-policy.toml);
    /// empty when the file or the key is absent. A malformed array or entry is PST2042; the file's other keys are
    /// checked too (<see cref="RulesFile.CheckKeys"/>).
    /// </summary>
    public static IReadOnlyList<DenyRule> Read(string path, RulesFileKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        var document = RulesFile.Read(path, kind);
        return document is not null && document.TryGetValue("deny", out var node) ? FromArray(path, node, position => $"{path}:{position}") : [];
    }

    /// <summary>
    /// A <c>deny</c> array read from <paramref name="path"/> (any file holding one: an environment file's <c>[policy]</c>
    /// <c>deny</c> too); <paramref name="where"/> names a position of it in messages. A malformed array or entry is PST2042.
    /// </summary>
    public static IReadOnlyList<DenyRule> FromArray(string path, TomlNode node, Func<TomlPosition, string> where)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(where);
        if (node is not TomlArray array || array.Any(n => n is not TomlString))
            throw Malformed(where(node.Position), "'deny' must be an array of strings such as \"tool@1.4.2\"");
        var rules = new List<DenyRule>();
        foreach (var entry in array.Cast<TomlString>())
        {
            rules.Add(TryParse(entry.Value, path, out var why) ?? throw Malformed(where(entry.Position), $"deny: {why}"));
        }
        return rules;
    }

    private static PacksterException Malformed(string where, string what) =>
        new(ErrorCode.DenyRuleInvalid, $"{where}: {what}", "write id or id@range, e.g. deny = [\"tool@1.4.2\", \"tool@>=2.0 <2.1\"]");
}

/// <summary>
/// The deny rules an install obeys: the user's and the location's together, any one of which refuses a version (so a
/// location can only deny more). spec/resolver.md § Deny list.
/// </summary>
public sealed class DenyList(IReadOnlyList<DenyRule> rules)
{
    public static DenyList None { get; } = new([]);

    /// <summary>The user's rules (from config.toml) and those of the location whose policy file is <paramref name="policyPath"/>.</summary>
    public static DenyList For(IEnumerable<DenyRule> userRules, string policyPath) => new([.. userRules, .. DenyRule.Read(policyPath, RulesFileKind.LocationPolicy)]);

    public IReadOnlyList<DenyRule> Rules { get; } = rules;

    /// <summary>The first rule that denies <paramref name="id"/> <paramref name="version"/>, or null when it may be installed.</summary>
    public DenyRule? Rule(PackageId id, PackageVersion version)
    {
        foreach (var rule in Rules)
        {
            if (rule.Denies(id, version)) return rule;
        }
        return null;
    }

    /// <summary>Throws PST4060 naming the package, the rule and its file when <paramref name="manifest"/>'s version is denied.</summary>
    public void Require(Manifest.Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (Rule(manifest.Id, manifest.Version) is { } rule) throw Denied(manifest.Id, manifest.Version, rule);
    }

    public static PacksterException Denied(PackageId id, PackageVersion version, DenyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(ErrorCode.PackageDenied, $"{id} {version} is denied by {rule}",
            "nothing was changed; remove the entry from that file's 'deny' array to allow it");
    }
}
