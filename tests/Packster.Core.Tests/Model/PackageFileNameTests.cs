using Packster.Model;

namespace Packster.Core.Tests.Model;

/// <summary>spec/package-format.md §1 "File name": <c>{id}-{version}-{sha256}.packster</c> splits one way only.</summary>
public sealed class PackageFileNameTests
{
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Theory]
    [InlineData("hello-1.2.0-" + Sha + ".packster", "hello", "1.2.0")]
    [InlineData("my-tool-2.0.0-rc.1-" + Sha + ".packster", "my-tool", "2.0.0-rc.1")]
    [InlineData("zlib-1.3.1-1-" + Sha + ".packster", "zlib", "1.3.1-1")]
    [InlineData("a.b_c-0.0.1+build.5-" + Sha + ".packster", "a.b_c", "0.0.1+build.5")]
    [InlineData("tool-latest-" + Sha + ".packster", "tool", "latest")]
    [InlineData("foo-latest-latest-" + Sha + ".packster", "foo-latest", "latest")]
    public void Splits_into_id_version_and_hash(string fileName, string id, string version)
    {
        var name = PackageFileName.Parse(fileName);
        Assert.Equal(id, name.Id.Value);
        Assert.Equal(version, name.Version.ToString());
        Assert.Equal(Sha, name.Sha256.Hex);
        Assert.Equal(fileName, name.FileName);
    }

    [Theory]
    [InlineData("hello-1.2.0-" + Sha + ".zip")]
    [InlineData("hello-1.2-" + Sha + ".packster")]
    [InlineData("hello-1.2.0-" + "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08" + ".packster")]
    [InlineData("Hello-1.2.0-" + Sha + ".packster")]
    [InlineData("hello-" + Sha + ".packster")]
    [InlineData("hello-1.2.0-abc.packster")]
    [InlineData("hello-01.2.0-" + Sha + ".packster")]
    public void Rejects_names_that_do_not_split(string fileName)
    {
        Assert.False(PackageFileName.TryParse(fileName, out _));
        var e = Assert.Throws<PacksterException>(() => PackageFileName.Parse(fileName));
        Assert.Equal(ErrorCode.PackageFileNameInvalid, e.Code);
    }

    [Theory]
    [InlineData("a-1")]
    [InlineData("-a")]
    [InlineData("A")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("a-")]
    public void Package_ids_that_would_make_names_ambiguous_are_refused(string id) =>
        Assert.False(PackageId.TryParse(id, out _));

    [Fact]
    public void Latest_sorts_above_every_semver() =>
        Assert.True(PackageVersion.Latest > PackageVersion.Parse("999.0.0"));
}
