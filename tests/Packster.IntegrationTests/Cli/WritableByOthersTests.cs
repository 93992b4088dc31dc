namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/lockfile.md § What a location may contain, "Writable by others": a command that changes a location refuses one
/// whose directory, lockfile or own folders every user may write, naming the path and its mode, and changes nothing.
/// </summary>
public sealed class WritableByOthersTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("packster-location.json")]
    [InlineData("deployments")]
    public void A_location_any_user_may_write_is_refused_until_the_mode_is_fixed(string relative)
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("hello");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "port=9101");
        var path = relative.Length == 0 ? _f.LocationPath : Path.Combine(_f.LocationPath, relative);
        var mode = File.GetUnixFileMode(path);
        File.SetUnixFileMode(path, mode | UnixFileMode.OtherWrite);
        var before = _f.Snapshot();

        var refused = _f.Packster.Run("install-file", package, "--location", "dev", "-p", "port=9102");
        Assert.Equal(5, refused.ExitCode);
        Assert.StartsWith($"error[PST5021]: '{path}' of location dev is writable by every user (mode ", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"hint: chmod o-w '{path}'", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        File.SetUnixFileMode(path, mode);
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "port=9102");
    }
}
