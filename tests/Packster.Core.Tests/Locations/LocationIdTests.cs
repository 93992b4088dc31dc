using FsCheck.Xunit;
using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>spec/lockfile.md § Location ids.</summary>
public sealed class LocationIdTests
{
    [Theory]
    [InlineData("dev")]
    [InlineData("py-3.12")]
    [InlineData("a_b.c-d")]
    [InlineData("0")]
    public void Valid_ids_parse(string text) => Assert.Equal(text, LocationId.Parse(text).Value);

    [Theory]
    [InlineData("")]
    [InlineData("Dev")]
    [InlineData("-dev")]
    [InlineData("dev-")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("con")]
    [InlineData("nul.txt")]
    public void Invalid_ids_are_refused_with_LocationIdInvalid(string text)
    {
        var e = Assert.Throws<PacksterException>(() => LocationId.Parse(text));
        Assert.Equal(ErrorCode.LocationIdInvalid, e.Code);
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("My Env (2)", "my-env-2")]
    [InlineData("dev", "dev")]
    [InlineData("---", "location")]
    [InlineData("CON", "location-con")]
    [InlineData(".hidden", "hidden")]
    public void Slugs_of_directory_names_are_valid_ids(string name, string expected) => Assert.Equal(expected, LocationId.Slug(name).Value);

    [Property]
    public bool Every_slug_is_a_valid_id(string s) => s is null || LocationId.TryParse(LocationId.Slug(s).Value, out _);
}
