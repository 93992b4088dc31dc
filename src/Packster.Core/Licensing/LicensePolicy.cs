using System.Reflection;
using NuGet.Packaging.Licenses;
using Packster.Toml;

namespace Packster.Licensing;

/// <summary>
/// SPDX licence expressions as manifests declare them, checked against the SPDX licence list NuGet.Packaging carries
/// (spec/licenses.md § Expressions).
/// </summary>
public static class SpdxLicense
{
    /// <summary>
    /// The SPDX licence list the checks use, as messages name it after "SPDX licence list": its version (<c>3.25</c>)
    /// when the data records one, else <c>of NuGet.Packaging 8.0.0</c>. NuGet.Packaging's list may carry a marker
    /// such as <c>e4c1f27</c> instead of a list version, which would read as one that does not exist.
    /// </summary>
    public static string ListVersion { get; } = NameList(NuGetLicenseData.LicenseListVersion, CarrierVersion(), detailed: false);

    /// <summary>As <see cref="ListVersion"/>, with the marker the data carries when it is not a list version (for <c>licenses policy</c>).</summary>
    public static string ListDescription { get; } = NameList(NuGetLicenseData.LicenseListVersion, CarrierVersion(), detailed: true);

    /// <summary>
    /// Names the list whose data records <paramref name="recorded"/> as its version and comes with NuGet.Packaging
    /// <paramref name="carrierVersion"/> (spec/licenses.md § Expressions): a list version (digits and dots) as it is, else the package.
    /// </summary>
    internal static string NameList(string recorded, string? carrierVersion, bool detailed)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (recorded.Length > 0 && recorded.All(c => char.IsAsciiDigit(c) || c == '.') && Version.TryParse(recorded, out _)) return recorded;
        var carrier = string.IsNullOrEmpty(carrierVersion) ? "NuGet.Packaging" : $"NuGet.Packaging {carrierVersion}";
        return detailed && recorded.Length > 0 ? $"of {carrier} (its data is marked {TerminalText.Printable(recorded)}, not a list version)" : $"of {carrier}";
    }

    /// <summary>The version of the NuGet.Packaging the list comes with (without its build metadata), else null.</summary>
    private static string? CarrierVersion() =>
        typeof(NuGetLicenseExpression).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];

    /// <summary>
    /// Parses <paramref name="expression"/>; null with the reason when it is not a valid SPDX expression of known,
    /// non-deprecated ids (a licence outside the list is written <c>LicenseRef-…</c>).
    /// </summary>
    public static NuGetLicenseExpression? TryParse(string expression, out string? why)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (TooComplex(expression) is { } tooComplex)
        {
            why = tooComplex;
            return null;
        }
        NuGetLicenseExpression parsed;
        try
        {
            parsed = NuGetLicenseExpression.Parse(expression);
        }
        catch (Exception e) when (e is NuGetLicenseExpressionParsingException or ArgumentException)
        {
            // The library decides; the reason is said in packster's words, with the text's control characters escaped.
            why = Diagnose(expression);
            return null;
        }
        string? unknown = null;
        parsed.OnEachLeafNode(
            license =>
            {
                // NuGet takes UNLICENSED alone as a licence of its own (npm's meaning); SPDX has no such id.
                if (IsUnlicensed(license.Identifier) || !license.IsStandardLicense && !IsLicenseRef(license.Identifier)) unknown ??= license.Identifier;
            },
            _ => { });
        why = unknown is null ? null
            : IsUnlicensed(unknown) ? NotSpdxUnlicensed(unknown) + UnlicensedInstead
            : unknown.StartsWith(LicenseRefPrefix, StringComparison.Ordinal) ? NotALicenseRef(unknown)
            : $"'{TerminalText.Printable(unknown)}' is not on the SPDX licence list {ListVersion} (a licence outside it is written LicenseRef-<name>)";
        return why is null ? parsed : null;
    }

    /// <summary>
    /// How deep an expression's parentheses may nest, and how many operators (<c>AND</c>, <c>OR</c>, <c>WITH</c>) it may
    /// hold (spec/licenses.md § Expressions): far beyond what a package declares (a few ids, a level or two), and far
    /// below what made a hostile manifest stall every command that reads it (the parse is cubic in the nesting: 100,000
    /// levels took 21 s) or crash the process (a chain of 200,000 ids overflowed the stack walking its tree).
    /// </summary>
    public const int MaxNesting = 32;

    /// <inheritdoc cref="MaxNesting"/>
    public const int MaxOperators = 255;

    /// <summary>Why <paramref name="expression"/> is beyond <see cref="MaxNesting"/> or <see cref="MaxOperators"/>, judged in one pass; null when it is not.</summary>
    private static string? TooComplex(string expression)
    {
        var depth = 0;
        var operators = 0;
        var word = 0;
        for (var i = 0; i <= expression.Length; i++)
        {
            var c = i < expression.Length ? expression[i] : ' ';
            if (c is '(' or ')' || char.IsWhiteSpace(c))
            {
                if (i - word is 2 or 3 or 4 && expression.AsSpan(word, i - word) is var w
                    && (w.Equals("AND", StringComparison.OrdinalIgnoreCase) || w.Equals("OR", StringComparison.OrdinalIgnoreCase) || w.Equals("WITH", StringComparison.OrdinalIgnoreCase))
                    && ++operators > MaxOperators)
                {
                    return $"it joins more than {MaxOperators} licences and exceptions with AND, OR and WITH, the most an expression may";
                }
                word = i + 1;
            }
            if (c == '(' && ++depth > MaxNesting) return $"its parentheses nest more than {MaxNesting} deep, the most an expression may";
            if (c == ')') depth--;
        }
        return null;
    }

    /// <summary>npm's and NuGet's word for "not licensed for use by others", in any case: not an SPDX id (spec/licenses.md § Expressions).</summary>
    internal static bool IsUnlicensed(string id) => string.Equals(id, "UNLICENSED", StringComparison.OrdinalIgnoreCase);

    /// <summary>What a manifest writes instead of UNLICENSED.</summary>
    private const string UnlicensedInstead = ": name the terms with a LicenseRef- (LicenseRef-Proprietary), or leave 'license' out to declare none";

    /// <summary>Why <paramref name="id"/>, <c>UNLICENSED</c> in some case, is not a licence.</summary>
    internal static string NotSpdxUnlicensed(string id) =>
        $"'{TerminalText.Printable(id)}' is npm's word for \"not licensed for use by others\", not an SPDX licence id";

    /// <summary>
    /// Why <paramref name="id"/>, a deprecated id on the list (a licence, or with <paramref name="exception"/> an
    /// exception), may not be written, naming the current ids where the list has them (GPL-2.0: GPL-2.0-only or
    /// GPL-2.0-or-later; GPL-2.0+: GPL-2.0-or-later). <paramref name="consequence"/> follows the fault, before what to write.
    /// </summary>
    internal static string Deprecated(string id, bool exception = false, string consequence = "")
    {
        var shown = TerminalText.Printable(id);
        var bare = id.TrimEnd('+');
        string instead;
        if (!exception && IsCurrentLicense(bare + "-only") && IsCurrentLicense(bare + "-or-later"))
        {
            instead = bare.Length < id.Length ? $"write {bare}-or-later" : $"write {bare}-only or {bare}-or-later";
        }
        else
        {
            instead = exception ? "write its current exception id (https://spdx.org/licenses/exceptions-index.html lists them)"
                : "write its current licence id (https://spdx.org/licenses/ lists them)";
        }
        return $"'{shown}' is deprecated on the SPDX {(exception ? "exception" : "licence")} list {ListVersion}{consequence}: {instead}";
    }

    /// <summary>Whether <paramref name="id"/> is on the SPDX licence list and not deprecated.</summary>
    private static bool IsCurrentLicense(string id) => NuGetLicenseData.LicenseList.TryGetValue(id, out var data) && !data.IsDeprecatedLicenseId;

    /// <summary>Whether <paramref name="id"/> is a licence or exception the SPDX list keeps only as deprecated.</summary>
    internal static bool IsDeprecated(string id, out bool exception)
    {
        exception = false;
        if (NuGetLicenseData.LicenseList.TryGetValue(id, out var license)) return license.IsDeprecatedLicenseId;
        exception = true;
        return NuGetLicenseData.ExceptionList.TryGetValue(id, out var data) && data.IsDeprecatedLicenseId;
    }

    /// <summary>Why <paramref name="expression"/>, which the parser refused, is not an expression: the first fault found reading it.</summary>
    private static string Diagnose(string expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return "it is empty";
        if (expression.Any(char.IsControl)) return "it holds a line break or another control character; an expression is one line";
        var depth = 0;
        foreach (var c in expression)
        {
            if (c == '(') depth++;
            else if (c == ')' && --depth < 0) return "a ')' closes no '('";
        }
        if (depth > 0) return "a parenthesis is not closed";
        string? previous = null;
        var expectId = true;
        var exceptionLast = false;
        foreach (var token in Tokens(expression))
        {
            var shown = TerminalText.Printable(token);
            var after = previous is null ? "" : TerminalText.Printable(previous);
            var isOperator = token is "AND" or "OR" or "WITH";
            var operand = !isOperator && token is not ("(" or ")");
            if (expectId)
            {
                if (token == ")") return previous == "(" ? "'()' holds no licence" : $"')' follows '{after}', where a licence id belongs";
                if (isOperator) return previous is null ? $"it starts with '{shown}', where a licence id belongs" : $"'{shown}' follows '{after}', where a licence id belongs";
                if (token == "(" && previous == "WITH") return "'(' follows WITH, which names one exception";
            }
            else
            {
                if (token == "(") return $"'(' follows '{after}' with no AND or OR between";
                if (operand)
                {
                    return token.ToUpperInvariant() is "AND" or "OR" or "WITH"
                        ? $"'{shown}' is an operator written in the wrong case: operators are AND, OR and WITH, in capitals"
                        : $"'{shown}' follows '{after}' with no AND, OR or WITH between";
                }
                if (token == "WITH" && previous == ")") return "WITH follows a parenthesis: it belongs after a licence id";
                if (token == "WITH" && exceptionLast) return "a licence takes one WITH exception, not two";
            }
            if (operand && Unfit(token, shown, previous == "WITH") is { } why) return why;
            exceptionLast = operand && previous == "WITH";
            expectId = token is "(" || isOperator;
            previous = token;
        }
        if (expectId) return previous is null ? "it is empty" : $"it ends after '{TerminalText.Printable(previous)}', where {(previous == "WITH" ? "an exception" : "a licence")} id belongs";
        return "it is not a licence id, or ids joined by AND and OR";
    }

    /// <summary>Why one id is not fit where it stands (a licence, or with <paramref name="exception"/> the exception after WITH); null when it is.</summary>
    private static string? Unfit(string token, string shown, bool exception)
    {
        var id = token.TrimEnd('+');
        if (id.Length == 0 || id.AsSpan().ContainsAnyExcept(LicenseRefCharacters))
        {
            return $"'{shown}' holds a character an id may not: an id is letters, digits, '.' and '-' (with '+' at the end for \"or later\")";
        }
        if (exception)
        {
            if (NuGetLicenseData.LicenseList.ContainsKey(token)) return $"'{shown}' is a licence, not an exception: WITH names an exception such as Classpath-exception-2.0";
            if (!NuGetLicenseData.ExceptionList.TryGetValue(token, out var exceptionData)) return $"'{shown}' is not an exception on the SPDX list {ListVersion}";
            return exceptionData.IsDeprecatedLicenseId ? Deprecated(token, exception: true) : null;
        }
        if (NuGetLicenseData.ExceptionList.ContainsKey(token)) return $"'{shown}' is an exception, not a licence: write it after a licence and WITH";
        if (NuGetLicenseData.LicenseList.TryGetValue(token, out var data) && data.IsDeprecatedLicenseId
            || NuGetLicenseData.LicenseList.TryGetValue(id, out data) && data.IsDeprecatedLicenseId)
        {
            return Deprecated(token);
        }
        return IsUnlicensed(id) ? NotSpdxUnlicensed(token) + UnlicensedInstead : null;
    }

    /// <summary>The words and parentheses of an expression.</summary>
    private static IEnumerable<string> Tokens(string expression)
    {
        var word = new System.Text.StringBuilder();
        foreach (var c in expression)
        {
            if (c is '(' or ')' || char.IsWhiteSpace(c))
            {
                if (word.Length > 0) yield return word.ToString();
                word.Clear();
                if (c is '(' or ')') yield return c.ToString();
            }
            else
            {
                word.Append(c);
            }
        }
        if (word.Length > 0) yield return word.ToString();
    }

    public const string LicenseRefPrefix = "LicenseRef-";

    /// <summary>
    /// A licence outside the list, <c>LicenseRef-&lt;idstring&gt;</c>, where SPDX 2.3 Annex D's idstring is one or more
    /// letters, digits, '.' and '-': <c>LicenseRef-</c> alone names nothing, and a document could not define it.
    /// </summary>
    public static bool IsLicenseRef(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length > LicenseRefPrefix.Length && id.StartsWith(LicenseRefPrefix, StringComparison.Ordinal)
            && !id.AsSpan(LicenseRefPrefix.Length).ContainsAnyExcept(LicenseRefCharacters);
    }

    private static readonly System.Buffers.SearchValues<char> LicenseRefCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-");

    /// <summary>Why <paramref name="id"/>, which starts with <c>LicenseRef-</c>, is not one.</summary>
    internal static string NotALicenseRef(string id) =>
        $"'{TerminalText.Printable(id)}' names no licence: after 'LicenseRef-' come one or more letters, digits, '.' or '-' (LicenseRef-Proprietary)";

    /// <summary>Whether <paramref name="id"/> is an OSI-approved licence on the SPDX list.</summary>
    public static bool IsOsiApproved(string id) => NuGetLicenseData.LicenseList.TryGetValue(id, out var data) && data.IsOsiApproved;

    /// <summary>
    /// spec/licenses.md § Classes: the copyleft class, by SPDX id prefix (strong and weak copyleft alike: a licence
    /// whose terms follow the code into works that include or modify it).
    /// </summary>
    public static IReadOnlyList<string> CopyleftPrefixes { get; } =
    [
        "GPL-", "LGPL-", "AGPL-", "MPL-", "EPL-", "EUPL-", "CDDL-", "OSL-", "CECILL-", "CPL-", "SSPL-", "RPL-",
        "APSL-", "QPL-", "MS-RL", "CC-BY-SA-", "CC-BY-NC-SA-", "ODbL-", "Sleepycat", "OpenSSL-standalone", "Artistic-1.0",
    ];

    public static bool IsCopyleft(string id) => CopyleftPrefixes.Any(p => id.StartsWith(p, StringComparison.Ordinal));
}

/// <summary>One <c>[licenses]</c> table: where it was read, and its allow and deny lists (spec/licenses.md § Policy).</summary>
public sealed record LicenseRules(string Origin, IReadOnlyList<string> Allow, IReadOnlyList<string> Deny)
{
    public const string OsiApproved = "osi-approved";
    public const string Copyleft = "copyleft";

    public bool IsEmpty => Allow.Count == 0 && Deny.Count == 0;

    /// <summary>An entry of allow/deny: a class or an SPDX licence id (compared as SPDX does, ignoring case).</summary>
    public static bool Matches(string entry, string id) => entry switch
    {
        OsiApproved => SpdxLicense.IsOsiApproved(id),
        Copyleft => SpdxLicense.IsCopyleft(id),
        _ => string.Equals(entry, id, StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>Checks an entry a person wants to add: a class, a listed SPDX id or exception, or a <c>LicenseRef-</c>.</summary>
    public static string? Invalid(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry is OsiApproved or Copyleft || SpdxLicense.IsLicenseRef(entry)) return null;
        if (entry.StartsWith(SpdxLicense.LicenseRefPrefix, StringComparison.Ordinal)) return SpdxLicense.NotALicenseRef(entry);
        // A manifest may not use a deprecated id or UNLICENSED (§ Expressions), so such an entry would match no package:
        // an allow list of one would refuse everything, a deny entry would guard nothing.
        const string matchesNothing = ", so no manifest may use it and the entry would match no package";
        if (SpdxLicense.IsDeprecated(entry, out var exception)) return SpdxLicense.Deprecated(entry, exception, matchesNothing);
        if (SpdxLicense.IsUnlicensed(entry))
        {
            return $"{SpdxLicense.NotSpdxUnlicensed(entry)}{matchesNothing}: a package under such terms declares a LicenseRef-<name>, which an entry can name";
        }
        if (NuGetLicenseData.LicenseList.ContainsKey(entry) || NuGetLicenseData.ExceptionList.ContainsKey(entry)) return null;
        return $"'{TerminalText.Printable(entry)}' is neither a licence class (osi-approved, copyleft) nor an SPDX licence id, exception or LicenseRef-";
    }

    /// <summary>The keys a <c>[licenses]</c> table may hold.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["allow", "deny"];

    /// <summary>
    /// The <c>[licenses]</c> table of the user's config.toml or a location's packster-policy.toml; empty rules when
    /// the file or the table is absent. A malformed table, or one holding a key it does not define, is PST2041; the
    /// file's other keys are checked too (<see cref="RulesFile.CheckKeys"/>).
    /// </summary>
    public static LicenseRules Read(string path, RulesFileKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        var document = RulesFile.Read(path, kind);
        return document is not null && document.TryGetValue("licenses", out var node) ? FromTable(path, node) : new LicenseRules(path, [], []);
    }

    /// <summary>A <c>[licenses]</c> table read from <paramref name="path"/> (any file holding one: an environment file's <c>[policy.licenses]</c> too).</summary>
    public static LicenseRules FromTable(string path, TomlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node is not TomlTable table) throw Malformed(path, "'licenses' must be a table");
        return new LicenseRules(path, List(path, table, "allow"), List(path, table, "deny"));
    }

    private static List<string> List(string path, TomlTable table, string key)
    {
        if (!table.TryGetValue(key, out var node)) return [];
        if (node is not TomlArray array || array.Any(n => n is not TomlString)) throw Malformed(path, $"'licenses.{key}' must be an array of strings");
        var entries = array.Cast<TomlString>().Select(s => s.Value).ToList();
        if (entries.Select(Invalid).FirstOrDefault(w => w is not null) is { } why) throw Malformed(path, $"licenses.{key}: {why}");
        return entries;
    }

    private static PacksterException Malformed(string path, string what) =>
        new(ErrorCode.LicensePolicyInvalid, $"{path}: {what}", "see spec/licenses.md § Policy");
}

/// <summary>
/// The licence policy an install obeys: the user's rules and the location's, both of which must allow a package
/// (so a location can only demand more; a package's own manifest has no say). spec/licenses.md § Evaluation.
/// </summary>
public sealed class LicensePolicy(IReadOnlyList<LicenseRules> rules)
{
    public static LicensePolicy None { get; } = new([]);

    public IReadOnlyList<LicenseRules> Rules { get; } = rules.Where(r => !r.IsEmpty).ToList();

    /// <summary>Null when <paramref name="license"/> (a manifest's expression, or null) is allowed; else why not.</summary>
    public string? Refusal(string? license)
    {
        foreach (var rules in Rules)
        {
            if (Refusal(rules, license) is { } why) return $"{why} ({rules.Origin})";
        }
        return null;
    }

    /// <summary>Throws PST4050 naming the package, its expression and the rule when the policy refuses it.</summary>
    public void Require(Manifest.Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (Refusal(manifest.License) is { } why)
        {
            throw new PacksterException(ErrorCode.LicenseRefused,
                $"{manifest.Id} {manifest.Version} is licensed {(manifest.License is null ? "under no declared licence" : $"'{TerminalText.Printable(manifest.License)}'")}: refused by the licence policy: {why}",
                "nothing was changed; 'packster licenses policy' shows the rules, 'packster licenses allow|deny' changes them");
        }
    }

    private static string? Refusal(LicenseRules rules, string? license)
    {
        if (license is null) return rules.Allow.Count > 0 ? "no licence is declared and an allow list is set" : null;
        var expression = SpdxLicense.TryParse(license, out var invalid);
        if (expression is null) return $"not a valid SPDX expression: {invalid}";
        return Evaluate(rules, expression);
    }

    private static string? Evaluate(LicenseRules rules, NuGetLicenseExpression expression)
    {
        switch (expression)
        {
            case NuGetLicense license:
                if (rules.Deny.FirstOrDefault(d => LicenseRules.Matches(d, license.Identifier)) is { } denied) return $"{license.Identifier} is denied by '{denied}'";
                if (rules.Allow.Count > 0 && !rules.Allow.Any(a => LicenseRules.Matches(a, license.Identifier))) return $"{license.Identifier} is not in the allow list [{string.Join(", ", rules.Allow)}]";
                return null;
            case WithOperator with:
                if (rules.Deny.FirstOrDefault(d => string.Equals(d, with.Exception.Identifier, StringComparison.OrdinalIgnoreCase)) is { } deniedException) return $"the exception {with.Exception.Identifier} is denied by '{deniedException}'";
                return Evaluate(rules, with.License);
            case LogicalOperator { LogicalOperatorType: LogicalOperatorType.Or } or:
                var left = Evaluate(rules, or.Left);
                if (left is null) return null;
                var right = Evaluate(rules, or.Right);
                return right is null ? null : $"neither side of OR is allowed: {left}; {right}";
            case LogicalOperator and:
                return Evaluate(rules, and.Left) ?? Evaluate(rules, and.Right);
            default:
                return $"'{expression}' is not a licence expression this version understands";
        }
    }
}
