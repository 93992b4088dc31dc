using Packster.Licensing;

namespace Packster.Core.Tests.Licensing;

/// <summary>spec/licenses.md § Evaluation: the test vectors of the spec, row by row.</summary>
public class LicensePolicyTests
{
    private static LicensePolicy Policy(string allow, string deny) =>
        new([new LicenseRules("test", Split(allow), Split(deny))]);

    private static string[] Split(string list) => list.Length == 0 ? [] : list.Split(',');

    // spec/licenses.md § Test vectors: expression, allow, deny → allowed?
    [Theory]
    [InlineData("MIT", "", "", true)]
    [InlineData("MIT", "MIT", "", true)]
    [InlineData("mit", "MIT", "", false)]
    [InlineData("Apache-2.0", "MIT", "", false)]
    [InlineData("Apache-2.0 OR MIT", "MIT", "", true)]
    [InlineData("Apache-2.0 AND MIT", "MIT", "", false)]
    [InlineData("Apache-2.0 AND MIT", "MIT,Apache-2.0", "", true)]
    [InlineData("GPL-3.0-only", "", "copyleft", false)]
    [InlineData("LGPL-2.1-only OR MIT", "", "copyleft", true)]
    [InlineData("LGPL-2.1-only AND MIT", "", "copyleft", false)]
    [InlineData("GPL-3.0-only WITH Classpath-exception-2.0", "", "copyleft", false)]
    [InlineData("GPL-3.0-only WITH Classpath-exception-2.0", "GPL-3.0-only", "", true)]
    [InlineData("GPL-3.0-only WITH Classpath-exception-2.0", "GPL-3.0-only", "Classpath-exception-2.0", false)]
    [InlineData("MIT", "osi-approved", "", true)]
    [InlineData("LicenseRef-Proprietary", "osi-approved", "", false)]
    [InlineData("LicenseRef-Proprietary", "LicenseRef-Proprietary", "", true)]
    [InlineData("BSD-3-Clause", "osi-approved", "BSD-3-Clause", false)]
    [InlineData("(MIT AND BSD-2-Clause) OR GPL-2.0-only", "", "copyleft", true)]
    [InlineData("not an expression (", "", "", true)]
    [InlineData("not an expression (", "", "copyleft", false)]
    [InlineData("Foo-1.0", "", "copyleft", false)]
    [InlineData("UNLICENSED", "", "copyleft", false)]
    [InlineData("LicenseRef-Proprietary", "", "copyleft", true)]
    public void Vectors(string expression, string allow, string deny, bool allowed)
    {
        var refusal = Policy(allow, deny).Refusal(expression);
        Assert.True((refusal is null) == allowed, refusal ?? "allowed");
    }

    // § Evaluation: no licence passes a deny list but not an allow list.
    [Fact]
    public void A_package_without_a_licence_passes_only_when_there_is_no_allow_list()
    {
        Assert.Null(Policy("", "copyleft").Refusal(null));
        Assert.Contains("no licence", Policy("MIT", "").Refusal(null), StringComparison.Ordinal);
    }

    // § Policy: every rule set applies; a location's rules can only add to the user's.
    [Fact]
    public void Both_the_users_and_the_locations_rules_must_allow()
    {
        var both = new LicensePolicy([new LicenseRules("user", ["MIT", "GPL-3.0-only"], []), new LicenseRules("location", [], ["copyleft"])]);
        Assert.Null(both.Refusal("MIT"));
        Assert.Contains("(location)", both.Refusal("GPL-3.0-only"), StringComparison.Ordinal);
        Assert.Contains("(user)", both.Refusal("Apache-2.0"), StringComparison.Ordinal);
    }

    // § Expressions: the SPDX list NuGet.Packaging carries decides; deprecated and unknown ids are refused, LicenseRef- is not.
    [Theory]
    [InlineData("MIT", null)]
    [InlineData("Apache-2.0 OR MIT", null)]
    [InlineData("GPL-3.0-only WITH Classpath-exception-2.0", null)]
    [InlineData("LicenseRef-Proprietary", null)]
    [InlineData("GPL-2.0", "deprecated")]
    [InlineData("Foo-1.0", "not on the SPDX licence list")]
    [InlineData("MIT OR", "")]
    [InlineData("MIT WITH MIT", "")]
    // § Expressions: "a `LicenseRef-` without a name … (`LicenseRef-`)" is refused: SPDX's idstring is 1*(ALPHA/DIGIT/"-"/".").
    [InlineData("LicenseRef-", "'LicenseRef-' names no licence")]
    [InlineData("LicenseRef- OR MIT", "'LicenseRef-' names no licence")]
    [InlineData("LicenseRef-a.b-2", null)]
    public void Expressions_are_checked_against_the_spdx_list(string expression, string? problem)
    {
        var parsed = SpdxLicense.TryParse(expression, out var why);
        if (problem is null)
        {
            Assert.NotNull(parsed);
            return;
        }
        Assert.Null(parsed);
        Assert.Contains(problem, why, StringComparison.Ordinal);
    }

    // § Expressions: "The reason is said in Packster's words, naming the first fault found reading the text left to
    // right". Before, the parser's own texts came through ("The argument cannot be null or empty", "Mismatched
    // parentheses in the expression", "The license expression is invalid").
    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("not an expression (", "a parenthesis is not closed")]
    [InlineData("MIT)", "a ')' closes no '('")]
    [InlineData("MIT OR", "it ends after 'OR', where a licence id belongs")]
    [InlineData("MIT WITH", "it ends after 'WITH', where an exception id belongs")]
    [InlineData("AND MIT", "it starts with 'AND', where a licence id belongs")]
    [InlineData("MIT or Apache-2.0", "'or' is an operator written in the wrong case")]
    [InlineData("MIT MIT", "'MIT' follows 'MIT' with no AND, OR or WITH between")]
    [InlineData("MIT WITH MIT", "'MIT' is a licence, not an exception")]
    [InlineData("Classpath-exception-2.0", "'Classpath-exception-2.0' is an exception, not a licence")]
    [InlineData("MIT WITH Classpath-exception-2.0 WITH Classpath-exception-2.0", "a licence takes one WITH exception, not two")]
    [InlineData("LicenseRef-a_b", "'LicenseRef-a_b' holds a character an id may not")]
    [InlineData("GPL-2.0+", "'GPL-2.0+' is deprecated")]
    [InlineData("MIT\nAND BSD-2-Clause", "it holds a line break or another control character")]
    // § Expressions: a deprecated id's reason "names the current ids where the list has an -only and an -or-later form
    // ('GPL-3.0+' is deprecated …: write GPL-3.0-or-later), else points to the list"; exceptions too. Before, every
    // deprecated id was told "(for GPL-2.0, GPL-2.0-only or GPL-2.0-or-later)", and a deprecated exception got "it is not
    // a licence id, or ids joined by AND and OR".
    [InlineData("GPL-3.0+", "'GPL-3.0+' is deprecated on the SPDX licence list")]
    [InlineData("LGPL-2.1-only WITH Nokia-Qt-exception-1.1", "'Nokia-Qt-exception-1.1' is deprecated on the SPDX exception list")]
    // § Expressions: "`UNLICENSED`, in any case, alone or joined: npm's and NuGet's word … is not an SPDX id".
    [InlineData("UNLICENSED", Unlicensed)]
    [InlineData("UNLICENSED OR MIT", Unlicensed)]
    [InlineData("MIT AND unlicensed", "'unlicensed' is npm's word for \"not licensed for use by others\", not an SPDX licence id")]
    public void A_refused_expression_is_explained_in_packsters_words(string expression, string reason)
    {
        Assert.Null(SpdxLicense.TryParse(expression, out var why));
        Assert.StartsWith(reason, why, StringComparison.Ordinal);
    }

    // § Expressions: "parentheses nest at most 32 deep, and an expression joins at most 255 … with AND, OR and WITH";
    // beyond, it is refused before it is parsed. Before, 100,000 levels took 21 s to parse and a chain of 200,000 ids
    // crashed the process (stack overflow) in `pack`.
    [Fact]
    public void An_expression_beyond_the_bounds_is_refused_before_it_is_parsed()
    {
        var deepest = new string('(', SpdxLicense.MaxNesting) + "MIT" + new string(')', SpdxLicense.MaxNesting);
        Assert.NotNull(SpdxLicense.TryParse(deepest, out var none));
        Assert.Null(none);
        Assert.Null(SpdxLicense.TryParse("(" + deepest + ")", out var why));
        Assert.Equal("its parentheses nest more than 32 deep, the most an expression may", why);

        var longest = string.Join(" OR ", Enumerable.Repeat("MIT", SpdxLicense.MaxOperators + 1));
        Assert.NotNull(SpdxLicense.TryParse(longest, out none));
        Assert.Null(none);
        foreach (var joiner in new[] { " OR ", " and ", "\tWITH\t" })
        {
            var longer = string.Join(joiner, Enumerable.Repeat("MIT", SpdxLicense.MaxOperators + 2));
            Assert.Null(SpdxLicense.TryParse(longer, out why));
            Assert.Equal("it joins more than 255 licences and exceptions with AND, OR and WITH, the most an expression may", why);
        }
        // What a hostile manifest held: refused at once, whatever its size.
        Assert.Null(SpdxLicense.TryParse(new string('(', 200_000) + "MIT" + new string(')', 200_000), out _));
        Assert.Null(SpdxLicense.TryParse(string.Join(" OR ", Enumerable.Repeat("MIT", 200_000)), out _));
    }

    private const string Unlicensed = "'UNLICENSED' is npm's word for \"not licensed for use by others\", not an SPDX licence id: "
        + "name the terms with a LicenseRef- (LicenseRef-Proprietary), or leave 'license' out to declare none";

    // § Expressions: what to write instead of a deprecated id, where the list has it.
    [Theory]
    [InlineData("GPL-2.0", "write GPL-2.0-only or GPL-2.0-or-later")]
    [InlineData("GPL-3.0+", "write GPL-3.0-or-later")]
    [InlineData("LGPL-2.1", "write LGPL-2.1-only or LGPL-2.1-or-later")]
    [InlineData("StandardML-NJ", "write its current licence id (https://spdx.org/licenses/ lists them)")]
    public void A_deprecated_id_is_refused_naming_the_current_ids(string expression, string instead)
    {
        Assert.Null(SpdxLicense.TryParse(expression, out var why));
        Assert.EndsWith(": " + instead, why, StringComparison.Ordinal);
    }

    // § Policy: "An entry a manifest could never hold is not an entry either: a deprecated id (`GPL-2.0`, `GPL-2.0+`,
    // `Nokia-Qt-exception-1.1`) or `UNLICENSED` … It is refused with the current ids to write instead". Before, all four
    // were accepted, and `allow = ["GPL-2.0"]` refused every package.
    [Theory]
    [InlineData("GPL-2.0", "'GPL-2.0' is deprecated on the SPDX licence list", "write GPL-2.0-only or GPL-2.0-or-later")]
    [InlineData("GPL-2.0+", "'GPL-2.0+' is deprecated on the SPDX licence list", "write GPL-2.0-or-later")]
    [InlineData("Nokia-Qt-exception-1.1", "'Nokia-Qt-exception-1.1' is deprecated on the SPDX exception list", "write its current exception id")]
    [InlineData("UNLICENSED", "'UNLICENSED' is npm's word", "a package under such terms declares a LicenseRef-<name>, which an entry can name")]
    public void A_policy_entry_no_manifest_may_hold_is_refused_naming_what_to_write(string entry, string fault, string instead)
    {
        var why = LicenseRules.Invalid(entry);
        Assert.NotNull(why);
        Assert.StartsWith(fault, why, StringComparison.Ordinal);
        Assert.Contains(", so no manifest may use it and the entry would match no package: " + instead, why, StringComparison.Ordinal);
        Assert.Null(LicenseRules.Invalid("GPL-2.0-only"));
        Assert.Null(LicenseRules.Invalid("GPL-2.0-or-later"));
        Assert.Null(LicenseRules.Invalid("Qt-LGPL-exception-1.1"));
    }

    [Fact]
    public void Classes_come_from_the_list_and_the_specs_prefixes()
    {
        Assert.True(SpdxLicense.IsOsiApproved("Apache-2.0"));
        Assert.False(SpdxLicense.IsOsiApproved("CC-BY-4.0"));
        Assert.True(SpdxLicense.IsCopyleft("AGPL-3.0-or-later"));
        Assert.False(SpdxLicense.IsCopyleft("MIT"));
        Assert.Null(LicenseRules.Invalid("copyleft"));
        Assert.NotNull(LicenseRules.Invalid("Foo"));
    }

    // § Policy: an entry is "a `LicenseRef-<name>` (… `LicenseRef-` alone is not an entry)".
    [Fact]
    public void A_LicenseRef_entry_needs_a_name()
    {
        Assert.Null(LicenseRules.Invalid("LicenseRef-Corp"));
        Assert.Contains("names no licence", LicenseRules.Invalid("LicenseRef-"), StringComparison.Ordinal);
        Assert.Contains("names no licence", LicenseRules.Invalid("LicenseRef-a_b"), StringComparison.Ordinal);
    }

    // spec/licenses.md § Expressions: `licenses policy` prints the list's version when the data records one; a marker such
    // as e4c1f27 names no list release, so the list is named by the NuGet.Packaging it comes with.
    [Theory]
    [InlineData("3.25", "8.0.0", true, "3.25")]
    [InlineData("3.25", "8.0.0", false, "3.25")]
    [InlineData("e4c1f27", "8.0.0", true, "of NuGet.Packaging 8.0.0 (its data is marked e4c1f27, not a list version)")]
    [InlineData("e4c1f27", "8.0.0", false, "of NuGet.Packaging 8.0.0")]
    [InlineData("e4c1f27", null, false, "of NuGet.Packaging")]
    [InlineData("1234567", "8.0.0", false, "of NuGet.Packaging 8.0.0")]
    public void The_licence_list_is_named_by_its_version_only_when_the_data_records_one(string recorded, string? carrier, bool detailed, string expected) =>
        Assert.Equal(expected, SpdxLicense.NameList(recorded, carrier, detailed));
}
