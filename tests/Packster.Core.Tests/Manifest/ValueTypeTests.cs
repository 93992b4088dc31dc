using Packster.Manifest;

namespace Packster.Core.Tests.Manifest;

/// <summary>spec/manifest.md §Package paths, §[shims], §Errors ("did you mean"): the value types behind the rules.</summary>
public sealed class ValueTypeTests
{
    [Fact]
    public void Package_paths_join_under_a_root_with_the_platform_separator()
    {
        var p = PackagePath.Parse("scripts/sub/install.PS1");
        Assert.Equal(Path.Combine("/root", "scripts", "sub", "install.PS1"), p.Under("/root"));
        Assert.Equal(".ps1", p.Extension);
        Assert.Equal("", PackagePath.Parse("bin/tool").Extension);
        Assert.Equal("", PackagePath.Parse("bin/.hidden").Extension);
        Assert.Equal(ErrorCode.InvalidPath, Assert.Throws<PacksterException>(() => PackagePath.Parse("../x")).Code);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("hello-debug")]
    [InlineData("7z")]
    [InlineData("node.js")]
    [InlineData("CONSOLE")]
    [InlineData("my tool")]
    public void Ordinary_shim_names_are_accepted(string name) => Assert.Equal(name, ShimName.Parse(name).Value);

    [Fact]
    public void Invalid_shim_names_throw_PST2010() =>
        Assert.Equal(ErrorCode.InvalidShimName, Assert.Throws<PacksterException>(() => ShimName.Parse("aux")).Code);

    [Theory]
    [InlineData("verison", new[] { "id", "version" }, "version")]
    [InlineData("Version", new[] { "id", "version" }, "version")]
    [InlineData("ID", new[] { "id", "version" }, "id")]
    [InlineData("exec", new[] { "script", "executor" }, "executor")]
    [InlineData("params", new[] { "version", "parameters" }, "parameters")]
    [InlineData("colour", new[] { "id", "version" }, null)]
    [InlineData("x", new[] { "id", "os" }, null)]
    public void DidYouMean_suggests_only_plausible_names(string given, string[] known, string? expected) =>
        Assert.Equal(expected, DidYouMean.Closest(given, known));

    [Theory]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void Edit_distance(string a, string b, int distance) => Assert.Equal(distance, DidYouMean.Distance(a, b));
}
