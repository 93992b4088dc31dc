namespace Packster.IntegrationTests.Install;

/// <summary><c>packster install</c> from a static HTTP source on loopback (spec/sources.md §3 and § install by id).</summary>
public sealed class HttpSourceInstallTests : IDisposable
{
    private readonly SourceFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Install_by_range_resolves_from_index_json_and_downloads_package_and_dependency()
    {
        var site = _f.Temp["site"];
        Directory.CreateDirectory(site);
        _f.Publish(site, "lib", "1.0.0");
        _f.Publish(site, "lib", "1.1.0");
        var app = _f.Publish(site, "app", "3.0.0", "[dependencies]\nlib = \"^1\"");
        _f.Packster.Ok("source", "index", site);
        using var server = new StaticHttpServer(site);
        _f.Packster.Ok("source", "add", "web", "--type", "http", "--url", server.Url, "--insecure");

        var result = _f.Install("app@^3");
        Assert.Equal("web", result.GetProperty("source").GetString());
        Assert.Equal(Path.GetFileName(app), result.GetProperty("package").GetString());
        Assert.Equal("1.1.0", result.GetProperty("dependencies")[0].GetProperty("version").GetString());
        Assert.Contains("index.json", server.Requests);
        Assert.Contains(server.Requests, r => r.EndsWith(Path.GetFileName(app), StringComparison.Ordinal));
        Assert.Contains(server.Requests, r => r.StartsWith("lib-1.1.0-", StringComparison.Ordinal) || r.Contains("/lib-1.1.0-", StringComparison.Ordinal));

        // Both files are now in the cache: offline, a second location gets the same deployments without the server.
        server.Dispose();
        _f.Packster.Ok("location", "create", _f.Temp["second"], "--id", "second");
        using var offline = System.Text.Json.JsonDocument.Parse(_f.Packster.Ok("install", "app@^3", "--offline", "--location", "second", "--json"));
        Assert.Equal(result.GetProperty("deployment").GetString(), offline.RootElement.GetProperty("deployment").GetString());
        Assert.Equal("cache", offline.RootElement.GetProperty("source").GetString());
    }
}
