using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>spec/manifest.md § [locator] through the real executable: <c>packster locate id:name</c>.</summary>
public sealed class LocatorTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Package(string version)
    {
        var dir = _f.Temp[$"py-{version}"];
        foreach (var f in new[] { "bin/python3", "lib/python3.12/site-packages/a.py", "lib/python3.13/site-packages/b.py", "lib/other/site-packages/c.py" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, f))!);
            File.WriteAllText(Path.Combine(dir, f), version);
        }
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"""
            id = "py"
            version = "{version}"

            [locator]
            home = "."
            python = "bin/python3"
            site-packages = "lib/python3*/site-packages"
            docs = "share/doc"
            """);
        return _f.Pack(dir);
    }

    [Fact]
    public void Locate_id_colon_name_resolves_the_declared_glob_in_the_active_deployment()
    {
        _f.InstallJson(Package("1.0.0"));
        var path = _f.InstallJson(Package("2.0.0")).GetProperty("path").GetString()!;

        var found = _f.Packster.Ok("locate", "py:site-packages", "--location", "dev");
        Assert.Equal($"{Path.Combine(path, "lib", "python3.12", "site-packages")}\n{Path.Combine(path, "lib", "python3.13", "site-packages")}\n", found);
        Assert.Equal(path + "\n", _f.Packster.Ok("locate", "py:home", "--location", "dev"));

        using var json = JsonDocument.Parse(_f.Packster.Ok("locate", "py@1.0.0:python", "--location", "dev", "--json"));
        Assert.Equal("1.0.0", json.RootElement.GetProperty("version").GetString());
        Assert.Equal("bin/python3", json.RootElement.GetProperty("pattern").GetString());
        var python = json.RootElement.GetProperty("paths").EnumerateArray().Single().GetString()!;
        Assert.Equal("1.0.0", File.ReadAllText(python));
    }

    [Fact]
    public void An_unknown_name_lists_the_declared_ones_and_a_package_without_locator_says_so()
    {
        _f.InstallJson(Package("1.0.0"));
        var unknown = _f.Packster.Run("locate", "py:site-package", "--location", "dev");
        Assert.Equal(5, unknown.ExitCode);
        Assert.Contains("error[PST5017]: py 1.0.0 declares no locator named 'site-package'; it declares: home, python, site-packages, docs (did you mean 'site-packages'?)",
            unknown.Stderr, StringComparison.Ordinal);

        // Declared, but the deployment holds nothing there: PST5014, as for a glob that matches nothing.
        var nothing = _f.Packster.Run("locate", "py:docs", "--location", "dev");
        Assert.Equal(5, nothing.ExitCode);
        Assert.Contains("PST5014", nothing.Stderr, StringComparison.Ordinal);

        _f.InstallJson(_f.PackSample("hello"));
        var none = _f.Packster.Run("locate", "hello:home", "--location", "dev");
        Assert.Equal(5, none.ExitCode);
        Assert.Contains("error[PST5017]: hello 1.0.0 declares no [locator] table", none.Stderr, StringComparison.Ordinal);

        // A glob is still a glob.
        Assert.Contains(Path.Combine("bin", "hello"), _f.Packster.Ok("locate", "bin/*", "--location", "dev"), StringComparison.Ordinal);
    }
}
