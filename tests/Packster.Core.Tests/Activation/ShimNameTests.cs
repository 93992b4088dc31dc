using Packster.Activation;

namespace Packster.Core.Tests.Activation;

/// <summary>spec/activation.md §1: a shim name is one safe path component on every OS.</summary>
public class ShimNameTests
{
    [Theory]
    [InlineData("tool")]
    [InlineData("hello-debug")]
    [InlineData("python3.12")]
    [InlineData("g++")]
    [InlineData("CONSOLE")]
    [InlineData("x")]
    public void Valid_names(string name) => Assert.True(ShimName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    [InlineData("a\nb")]
    [InlineData("a\u007fb")]
    [InlineData("CON")]
    [InlineData("con.txt")]
    [InlineData("nul")]
    [InlineData("COM1")]
    [InlineData("lpt9.exe")]
    [InlineData("a:b")]
    [InlineData("a*")]
    [InlineData("trailing.")]
    [InlineData("trailing ")]
    public void Invalid_names_are_refused_with_ShimNameInvalid(string name)
    {
        var ex = Assert.Throws<PacksterException>(() => ShimName.Validate(name));
        Assert.Equal(ErrorCode.ShimNameInvalid, ex.Code);
        Assert.DoesNotContain('\0', ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Names_are_at_most_64_characters()
    {
        Assert.True(ShimName.IsValid(new string('a', 64)));
        Assert.False(ShimName.IsValid(new string('a', 65)));
    }

    [Fact]
    public void A_definition_validates_its_name_target_and_env()
    {
        Assert.Equal(ErrorCode.ShimNameInvalid, Assert.Throws<PacksterException>(() => new ShimDefinition("../x", "/bin/true")).Code);
        Assert.Equal(ErrorCode.ShimDefinitionInvalid, Assert.Throws<PacksterException>(() => new ShimDefinition("x", "bin/true")).Code);
        Assert.Equal(ErrorCode.ShimDefinitionInvalid, Assert.Throws<PacksterException>(() => new ShimDefinition("x", "/bin/true", ["a\0"])).Code);
        Assert.Equal(ErrorCode.ResourceClaimInvalid, Assert.Throws<PacksterException>(() =>
            new ShimDefinition("x", "/bin/true", [], new Dictionary<string, string> { ["BAD-KEY"] = "v" })).Code);
    }
}
