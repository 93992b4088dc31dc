using Packster.Model;

namespace Packster.Core.Tests.Model;

/// <summary>spec/manifest.md §Version ranges: one parser for every range syntax.</summary>
public sealed class VersionRangeTests
{
    private static bool Sat(string range, string version) => VersionRange.Parse(range).Satisfies(PackageVersion.Parse(version));

    [Theory]
    // exact
    [InlineData("1.2.3", "1.2.3", true)]
    [InlineData("1.2.3", "1.2.4", false)]
    [InlineData("=1.2.3", "1.2.3", true)]
    [InlineData("1.2.3", "1.2.3+build.7", true)]
    // partial = X-range
    [InlineData("1.2", "1.2.9", true)]
    [InlineData("1.2", "1.3.0", false)]
    // caret
    [InlineData("^1.2", "1.2.0", true)]
    [InlineData("^1.2", "1.9.9", true)]
    [InlineData("^1.2", "2.0.0", false)]
    [InlineData("^1.2", "1.1.9", false)]
    [InlineData("^0.2.3", "0.2.3", true)]
    [InlineData("^0.2.3", "0.2.9", true)]
    [InlineData("^0.2.3", "0.3.0", false)]
    [InlineData("^0.0.3", "0.0.3", true)]
    [InlineData("^0.0.3", "0.0.4", false)]
    [InlineData("^0", "0.9.9", true)]
    [InlineData("^0", "1.0.0", false)]
    // tilde
    [InlineData("~1.2.3", "1.2.9", true)]
    [InlineData("~1.2.3", "1.3.0", false)]
    [InlineData("~1.2.3", "1.2.2", false)]
    [InlineData("~1.2", "1.2.0", true)]
    [InlineData("~1", "1.9.0", true)]
    [InlineData("~1", "2.0.0", false)]
    // comparators
    [InlineData(">=1.0 <2.0", "1.0.0", true)]
    [InlineData(">=1.0 <2.0", "1.99.0", true)]
    [InlineData(">=1.0 <2.0", "2.0.0", false)]
    [InlineData(">= 1.0 < 2.0", "1.5.0", true)]
    [InlineData(">1.2.3", "1.2.3", false)]
    [InlineData(">1.2.3", "1.2.4", true)]
    [InlineData(">1.2", "1.2.9", false)]
    [InlineData(">1.2", "1.3.0", true)]
    [InlineData("<=1.2", "1.2.9", true)]
    [InlineData("<=1.2", "1.3.0", false)]
    [InlineData("<1.2", "1.1.9", true)]
    [InlineData("<1.2", "1.2.0", false)]
    // wildcards
    [InlineData("1.*", "1.0.0", true)]
    [InlineData("1.*", "1.99.1", true)]
    [InlineData("1.*", "2.0.0", false)]
    [InlineData("1.2.*", "1.2.7", true)]
    [InlineData("1.2.*", "1.3.0", false)]
    [InlineData("*", "0.0.1", true)]
    [InlineData("*", "latest", true)]
    // intervals
    [InlineData("[1.0,2.0)", "1.0.0", true)]
    [InlineData("[1.0,2.0)", "2.0.0", false)]
    [InlineData("(1.0,2.0]", "1.0.0", false)]
    [InlineData("(1.0,2.0]", "2.0.0", true)]
    [InlineData("(,2.0]", "0.0.1", true)]
    [InlineData("[1.0,)", "99.0.0", true)]
    [InlineData("[1.0]", "1.0.0", true)]
    [InlineData("[1.0]", "1.0.1", false)]
    [InlineData("[ 1.0 , 2.0 )", "1.5.0", true)]
    // latest
    [InlineData("latest", "latest", true)]
    [InlineData("latest", "99.0.0", false)]
    [InlineData("^1.0", "latest", false)]
    [InlineData("[1.0,)", "latest", false)]
    public void Satisfies_follows_the_range_semantics(string range, string version, bool expected) =>
        Assert.Equal(expected, Sat(range, version));

    /// <summary>
    /// A range accepts every version pack accepts, 2147483647 (the largest a component holds) included: the bound a caret,
    /// tilde or partial range makes past it carries into the component before, or leaves the range open above.
    /// </summary>
    [Theory]
    [InlineData("2147483647.0.0", "2147483647.0.0", true)]
    [InlineData("2147483647.0.0", "2147483646.0.0", false)]
    [InlineData("^2147483647.0.0", "2147483647.2147483647.2147483647", true)]
    [InlineData("2147483647", "2147483647.5.0", true)]
    [InlineData("~1.2147483647.0", "1.2147483647.9", true)]
    [InlineData("~1.2147483647.0", "2.0.0", false)]
    [InlineData("1.2.2147483647", "1.2.2147483647", true)]
    [InlineData("^0.0.2147483647", "0.1.0", false)]
    [InlineData("^0.0.2147483647", "0.0.2147483647", true)]
    [InlineData(">1.2147483647", "2.0.0", true)]
    [InlineData("<=1.2147483647", "1.2147483647.7", true)]
    [InlineData("<=1.2147483647", "2.0.0", false)]
    public void The_largest_version_component_is_a_version_like_any_other(string range, string version, bool expected) =>
        Assert.Equal(expected, Sat(range, version));

    /// <summary>spec/manifest.md §Version ranges: "prereleases only match when the range names a prerelease".</summary>
    [Theory]
    [InlineData("^1.0", "1.5.0-beta", false)]
    [InlineData("*", "1.0.0-rc.1", false)]
    [InlineData("[1.0,2.0)", "1.5.0-beta", false)]
    [InlineData("^1.0.0-alpha", "1.0.0-beta", true)]
    [InlineData("^1.0.0-alpha", "1.0.0", true)]
    [InlineData(">=2.0.0-rc.1", "2.0.0-rc.2", true)]
    [InlineData(">=2.0.0-rc.1", "2.0.0-beta", false)]
    [InlineData("[1.0.0-a,2.0.0)", "1.5.0-x", true)]
    [InlineData("2.0.0-rc.1", "2.0.0-rc.1", true)]
    public void Prereleases_match_only_when_the_range_names_one(string range, string version, bool expected) =>
        Assert.Equal(expected, Sat(range, version));

    /// <summary>
    /// spec/manifest.md §Version ranges: "The upper bound a caret, tilde, partial, wildcard or partial `<=` range makes
    /// excludes that version's prereleases too … A bound written out (`<2.0.0`, `[1.0,2.0)`) means what it says".
    /// </summary>
    [Theory]
    [InlineData("^1.2.0-0", "2.0.0-beta.1", false)]
    [InlineData("^1.0.0-alpha", "2.0.0-0", false)]
    [InlineData("^1.0.0-alpha", "1.99.0-rc.1", true)]
    [InlineData("^0.2.0-a", "0.3.0-a", false)]
    [InlineData("~1.2.0-a", "1.3.0-rc.1", false)]
    [InlineData("~1.2.0-a", "1.2.9-rc.1", true)]
    [InlineData(">=1.0.0-a <=1.2", "1.3.0-a", false)]
    [InlineData(">=1.0.0-a <=1.2", "1.2.7", true)]
    [InlineData(">=1.0.0-a <2.0.0", "2.0.0-beta", true)]
    [InlineData("[1.0.0-a,2.0.0)", "2.0.0-beta", true)]
    [InlineData("^1.2", "1.9.9", true)]
    [InlineData("^1.2", "2.0.0", false)]
    public void A_made_upper_bound_keeps_out_the_prereleases_of_the_next_version(string range, string version, bool expected) =>
        Assert.Equal(expected, Sat(range, version));

    [Theory]
    [InlineData("  ^1.2  ", "^1.2")]
    [InlineData(">= 1.0   < 2.0", ">=1.0 <2.0")]
    [InlineData("[ 1.0 , 2.0 )", "[1.0,2.0)")]
    [InlineData("latest", "latest")]
    [InlineData("*", "*")]
    [InlineData("1.2.3", "1.2.3")]
    public void ToString_is_the_normalised_text(string text, string normalised)
    {
        Assert.Equal(normalised, VersionRange.Parse(text).ToString());
        Assert.Equal(normalised, VersionRange.Parse(normalised).ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("abc", "'abc'")]
    [InlineData("^", "no version after it")]
    [InlineData("1.2.3.4", "too many components")]
    [InlineData("01.2", "leading zeros")]
    [InlineData(">=1.*", "wildcard")]
    [InlineData("[2.0,1.0]", "admit no version")]
    [InlineData("[2.0,2.0)", "admit no version")]
    [InlineData("[1.0,2.0", "must end with")]
    [InlineData("1.2-beta", "all three")]
    [InlineData("* 1.0", "cannot be combined")]
    [InlineData("^latest", "'latest'")]
    [InlineData(">2147483647", "none is above 2147483647")]
    [InlineData("2147483648.0.0", "not a version number")]
    public void Invalid_ranges_throw_naming_the_text_and_the_problem(string text, string why)
    {
        var e = Assert.Throws<PacksterException>(() => VersionRange.Parse(text));
        Assert.Equal(ErrorCode.InvalidVersionRange, e.Code);
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.False(VersionRange.TryParse(text, out _));
    }

    [Fact]
    public void FindBest_picks_the_highest_satisfying_version()
    {
        var versions = new[] { "1.0.0", "1.4.2", "1.9.0-beta", "2.0.0", "latest" }.Select(PackageVersion.Parse).ToList();
        Assert.Equal("1.4.2", VersionRange.Parse("^1.0").FindBest(versions)?.ToString());
        Assert.Equal("2.0.0", VersionRange.Parse(">=1.0 <=2.0").FindBest(versions)?.ToString());
        Assert.Equal("latest", VersionRange.Parse("*").FindBest(versions)?.ToString());
        Assert.Equal("latest", VersionRange.Parse("latest").FindBest(versions)?.ToString());
        Assert.Equal("1.9.0-beta", VersionRange.Parse(">=1.9.0-alpha <2.0.0").FindBest(versions)?.ToString());
        Assert.Null(VersionRange.Parse("^3").FindBest(versions));
    }

    [Fact]
    public void Exactly_matches_one_version_only()
    {
        var r = VersionRange.Exactly(PackageVersion.Parse("1.2.3-rc.1"));
        Assert.True(r.Satisfies(PackageVersion.Parse("1.2.3-rc.1")));
        Assert.False(r.Satisfies(PackageVersion.Parse("1.2.3")));
        Assert.True(VersionRange.Exactly(PackageVersion.Latest).IsLatest);
    }
}
