using Packster.Packaging;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// spec/package-format.md §5 rule "links": a symlink "resolves (from its folder, through the package's other links,
/// ≤ 40 hops)" inside the root on every file system the package may land on — components are matched to links by the
/// same collision key as entry paths, because a case-insensitive or normalising file system matches them that way.
/// </summary>
public sealed class LinkResolverTests
{
    private static readonly Dictionary<string, string> UpLink = new(StringComparer.Ordinal)
    {
        ["d/up"] = "..",
        ["d/x"] = "UP/d/../../UP/d/../../etc",
    };

    // d/x -> d/UP/d/../.. : 'd/UP' is the link 'd/up' (-> the root) on NTFS and APFS, so the second '..' leaves the root.
    [Fact]
    public void A_chain_through_a_differently_cased_link_that_escapes_is_refused() =>
        Assert.Equal("it points outside the package", new LinkResolver(UpLink).UnsafeReason("d/x", UpLink["d/x"]));

    [Fact]
    public void On_a_case_sensitive_file_system_the_same_chain_stays_inside() =>
        Assert.Null(new LinkResolver(UpLink, caseInsensitive: false).UnsafeReason("d/x", UpLink["d/x"]));

    [Fact]
    public void On_a_case_insensitive_file_system_the_chain_escapes() =>
        Assert.Equal("it points outside the package", new LinkResolver(UpLink, caseInsensitive: true).UnsafeReason("d/x", UpLink["d/x"]));

    // Normalisation too: APFS finds the link 'caf\u00e9' (NFC) under the NFD spelling 'cafe\u0301'.
    [Fact]
    public void A_link_reached_through_another_unicode_normalisation_is_followed()
    {
        var links = new Dictionary<string, string>(StringComparer.Ordinal) { ["d/caf\u00e9"] = "..", ["d/x"] = "cafe\u0301/.." };
        Assert.Null(new LinkResolver(links, caseInsensitive: false).UnsafeReason("d/x", links["d/x"]));
        Assert.NotNull(new LinkResolver(links).UnsafeReason("d/x", links["d/x"]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Links_that_stay_inside_are_accepted_in_both_modes(bool caseInsensitive)
    {
        var links = new Dictionary<string, string>(StringComparer.Ordinal) { ["bin/tool"] = "../lib/Tool", ["lib/current"] = "v1", ["bin/cur"] = "../LIB/CURRENT/x" };
        var resolver = new LinkResolver(links, caseInsensitive);
        foreach (var (path, target) in links) Assert.Null(resolver.UnsafeReason(path, target));
    }
}
