namespace Packster.IntegrationTests.Cli;

/// <summary>spec/parameters.md §Parameters file: <c>--parameters-file</c> is read up to 1 MiB; more is refused, not read on.</summary>
public sealed class ParametersFileTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void A_parameters_file_over_one_mebibyte_is_refused_with_the_limit_named()
    {
        var package = _f.PackSample("hello");
        var big = _f.Temp["big.json"];
        // Valid JSON, so only the size can make it fail.
        File.WriteAllText(big, "{\"pad\": \"" + new string('x', 1024 * 1024) + "\"}");
        var before = _f.Snapshot();

        var r = _f.Packster.Run("install-file", package, "--location", "dev", "--parameters-file", big);

        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Contains($"error[PST3005]: parameters file '{big}' is larger than 1 MiB", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    [Fact]
    public void An_endless_parameters_file_is_refused_after_one_mebibyte()
    {
        var package = _f.PackSample("hello");

        var r = _f.Packster.Run("install-file", package, "--location", "dev", "--parameters-file", "/dev/zero");

        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Contains("error[PST3005]: parameters file '/dev/zero' is larger than 1 MiB", r.Stderr, StringComparison.Ordinal);
    }
}
