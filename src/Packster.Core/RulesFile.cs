using Packster.Manifest;
using Packster.Toml;

namespace Packster;

/// <summary>Which of the two files holding rules for installs is read: each has its own top-level keys.</summary>
public enum RulesFileKind
{
    /// <summary>The user's config.toml: <c>[sources.NAME]</c>, and the user's <c>[trust]</c>, <c>[licenses]</c> and <c>deny</c>.</summary>
    UserConfig,

    /// <summary>A location's packster-policy.toml: that location's <c>[trust]</c>, <c>[licenses]</c> and <c>deny</c>.</summary>
    LocationPolicy,
}

/// <summary>
/// The user's config.toml and a location's packster-policy.toml, whose keys are all packster's own: a key that no
/// reader takes is refused, naming the file, the key's position and the key that was meant, because a misspelt
/// table or key would otherwise turn a policy off in silence (spec/signing.md, spec/licenses.md, spec/resolver.md,
/// spec/sources.md). Each reader (TrustRules, LicenseRules, DenyRule, SourceConfig) then takes its own part.
/// </summary>
public static class RulesFile
{
    private static readonly string[] UserConfigKeys = ["sources", "trust", "licenses", "deny"];
    private static readonly string[] LocationPolicyKeys = ["trust", "licenses", "deny"];

    /// <summary>The top-level keys and tables a file of <paramref name="kind"/> may hold.</summary>
    public static IReadOnlyList<string> TopLevelKeys(RulesFileKind kind) => kind == RulesFileKind.UserConfig ? UserConfigKeys : LocationPolicyKeys;

    /// <summary>
    /// The file parsed and its keys checked (<see cref="CheckKeys"/>); null when it does not exist. One that cannot be
    /// read — a folder, a FIFO, a socket or a device in its place, or a link that leads nowhere, included — is an error
    /// (PST9xxx), never taken for no rules: the licence, deny and signature rules it may hold would be off in silence.
    /// It is never opened unless it is a regular file (<see cref="FileSystemErrors.FileExists"/>), and its open cannot wait
    /// on a FIFO put in its place since (<see cref="FileSystemErrors.ReadFile"/>).
    /// </summary>
    public static TomlTable? Read(string path, RulesFileKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!FileSystemErrors.FileExists(path, "cannot read", UnreadableHint(kind))) return null;
        var bytes = FileSystemErrors.ReadFile(path, "cannot read", UnreadableHint(kind));
        var document = TomlFileErrors.Parsing(SyntaxError(kind), () => TomlDocument.Parse(bytes, path, TomlVersion.V1_1));
        CheckKeys(document, path, kind);
        return document;
    }

    /// <summary>
    /// What to do about a file of <paramref name="kind"/> that is not a regular file (a folder, a FIFO, a device, a
    /// link that leads nowhere): no command goes on without its rules.
    /// </summary>
    public static string UnreadableHint(RulesFileKind kind) => kind == RulesFileKind.UserConfig
        ? "no command goes on without the config's rules; make it a regular file (or point PACKSTER_CONFIG at one), or move what is there away"
        : "no command goes on without the location's policy (licence, deny and signature rules); make packster-policy.toml a regular file, or move what is there away if the location has no policy";

    /// <summary>
    /// The code of text that does not parse: config.toml's is PST8007 (spec/toml.md §9.1), a location's
    /// packster-policy.toml's PST2000, as for any TOML file no spec gives another (<see cref="TomlFileErrors"/>).
    /// </summary>
    public static ErrorCode SyntaxError(RulesFileKind kind) => kind == RulesFileKind.UserConfig ? ErrorCode.SourceConfigInvalid : ErrorCode.TomlSyntax;

    /// <summary>
    /// Refuses a key the file does not define: at the top level (<see cref="CheckTopLevel"/>), in <c>[trust]</c>
    /// (PST2030) and in <c>[licenses]</c> (PST2041). Every reader checks them all, so that no command — one that edits
    /// the file included — goes on while any of its policy is misspelt.
    /// </summary>
    public static void CheckKeys(TomlTable document, string path, RulesFileKind kind)
    {
        ArgumentNullException.ThrowIfNull(document);
        CheckTopLevel(document, path, kind);
        if (document.TryGetValue("trust", out var trust) && trust is TomlTable trustTable
            && UnknownKey(trustTable, path, "trust", Trust.TrustRules.Keys) is { } inTrust)
        {
            throw new PacksterException(ErrorCode.TrustPolicyInvalid, inTrust,
                $"[trust] holds {string.Join(", ", Trust.TrustRules.Keys)}; nothing was changed; see spec/signing.md § Trust policy");
        }
        if (document.TryGetValue("licenses", out var licenses) && licenses is TomlTable licensesTable
            && UnknownKey(licensesTable, path, "licenses", Licensing.LicenseRules.Keys) is { } inLicenses)
        {
            throw new PacksterException(ErrorCode.LicensePolicyInvalid, inLicenses, "[licenses] holds allow and deny; nothing was changed; see spec/licenses.md § Policy");
        }
    }

    /// <summary>
    /// Refuses a top-level key or table that <paramref name="kind"/> does not define. The error is that of the table
    /// a close key names (<c>[licences]</c> is PST2041, <c>dney</c> PST2042, <c>[trusts]</c> PST2030, <c>[source.x]</c>
    /// PST8007), so a script watching for one policy's errors sees its misspellings too; PST2043 otherwise.
    /// </summary>
    public static void CheckTopLevel(TomlTable document, string path, RulesFileKind kind)
    {
        ArgumentNullException.ThrowIfNull(document);
        var known = TopLevelKeys(kind);
        foreach (var key in document.Keys)
        {
            if (known.Contains(key)) continue;
            var meant = DidYouMean.Closest(key, known);
            var name = document[key] is TomlTable ? $"table [{TerminalText.Printable(key)}]" : $"key '{TerminalText.Printable(key)}'";
            var what = $"{path}:{document.KeyPosition(key)}: unknown {name}" + (meant is null ? "" : $"; did you mean '{meant}'?");
            var holds = kind == RulesFileKind.UserConfig
                ? "config.toml holds [sources.NAME], [trust], [licenses] and deny"
                : "a location's packster-policy.toml holds [trust], [licenses] and deny (sources are configured in the user's config.toml)";
            throw meant switch
            {
                "trust" => new PacksterException(ErrorCode.TrustPolicyInvalid, what, $"{holds}; see spec/signing.md § Trust policy"),
                "licenses" => new PacksterException(ErrorCode.LicensePolicyInvalid, what, $"{holds}; see spec/licenses.md § Policy"),
                "deny" => new PacksterException(ErrorCode.DenyRuleInvalid, what, $"{holds}; see spec/resolver.md § Deny list"),
                "sources" => new PacksterException(ErrorCode.SourceConfigInvalid, what, $"{holds}; see spec/sources.md §1"),
                _ => new PacksterException(ErrorCode.RulesFileUnknownKey, what, holds),
            };
        }
    }

    /// <summary>
    /// The first key of <paramref name="table"/> (<c>[<paramref name="tableName"/>]</c>) that is not one of
    /// <paramref name="known"/>, described with its position and the key meant (when one is close); null when all are known.
    /// </summary>
    private static string? UnknownKey(TomlTable table, string path, string tableName, IReadOnlyList<string> known)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(known);
        var key = table.Keys.FirstOrDefault(k => !known.Contains(k));
        if (key is null) return null;
        var meant = DidYouMean.Closest(key, known);
        return $"{path}:{table.KeyPosition(key)}: unknown key '{TerminalText.Printable(key)}' in [{TerminalText.Printable(tableName)}]" + (meant is null ? "" : $"; did you mean '{meant}'?");
    }
}
