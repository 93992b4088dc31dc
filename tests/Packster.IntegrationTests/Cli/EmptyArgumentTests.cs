using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/lockfile.md § Resolving --location: an empty <c>--location ""</c>, package selector or <c>history --package</c>
/// is a usage error (PST1001) in words — what <c>-l "$LOC"</c> gives with LOC unset must never reach the default location.
/// </summary>
public sealed class EmptyArgumentTests : IDisposable
{
    private readonly LocationFixture _f = new();
    private readonly string _default;

    public EmptyArgumentTests()
    {
        using var setup = JsonDocument.Parse(_f.Packster.Ok("location", "setup", "--json"));
        _default = setup.RootElement.GetProperty("path").GetString()!;
        var hello = _f.PackSample("hello");
        _f.Packster.Ok("install-file", hello);
        _f.Packster.Ok("install-file", hello, "--location", "dev");
    }

    public void Dispose() => _f.Dispose();

    // "An empty --location "" (-l "") is PST1001 for every command, before anything is read."
    [Theory]
    [InlineData("uninstall", "hello")]
    [InlineData("pin", "hello")]
    [InlineData("gc")]
    [InlineData("export")]
    [InlineData("list")]
    public void An_empty_location_is_refused_and_the_default_location_is_left_alone(params string[] command)
    {
        var defaultBefore = _f.Snapshot(_default);
        foreach (var option in new[] { "--location", "-l" })
        {
            var result = _f.Packster.Run([.. command, option, ""], new Dictionary<string, string> { ["PACKSTER_LOCATION"] = _f.LocationPath });
            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith("error[PST1001]: the location given is empty: it names no location", result.Stderr, StringComparison.Ordinal);
            Assert.Equal("", result.Stdout);
        }
        Assert.Equal(defaultBefore, _f.Snapshot(_default));
        Assert.Single(_f.List().EnumerateArray());
    }

    // "The package a command acts on (pin, unpin, uninstall, use, test) and history --package may not be empty either:
    // PST1001 naming what is empty."
    [Theory]
    [InlineData("pin")]
    [InlineData("unpin")]
    [InlineData("uninstall")]
    [InlineData("use")]
    [InlineData("test")]
    public void An_empty_package_is_a_usage_error_in_words(string command)
    {
        var before = _f.Snapshot();
        var result = _f.Packster.Run(command, "", "--location", "dev");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error[PST1001]: the package to act on is empty: it names no deployment", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    [Fact]
    public void History_of_an_empty_package_is_a_usage_error()
    {
        var result = _f.Packster.Run("history", "--package", "", "dev");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error[PST1001]: --package is empty: it names no package", result.Stderr, StringComparison.Ordinal);
    }
}
