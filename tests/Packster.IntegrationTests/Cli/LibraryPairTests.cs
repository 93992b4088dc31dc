using System.Diagnostics;
using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/resources.md § List variables through the real executable, with samples/libpair-a and libpair-b: two libraries
/// that both extend LD_LIBRARY_PATH install side by side; activation composes their entries (priority first) around
/// the value the shell had and restores it; a package that sets LD_LIBRARY_PATH whole conflicts with them.
/// </summary>
public sealed class LibraryPairTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Deployment(string id)
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("list", "--location", "dev", "--json"));
        return doc.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetString() == id).GetProperty("path").GetString()!;
    }

    private string Scalar()
    {
        var dir = _f.Temp["scalar"];
        _f.Temp.Write("scalar/packster-manifest.toml", "id = \"scalar\"\nversion = \"1.0.0\"\n[provides.env]\nLD_LIBRARY_PATH = \"{deployment}/lib\"\n");
        return _f.Pack(dir);
    }

    [Fact]
    public void Two_libraries_extend_ld_library_path_together_and_activation_restores_it()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", _f.PackSample("libpair-a"), "--location", "dev");
        _f.Packster.Ok("install-file", _f.PackSample("libpair-b"), "--location", "dev");
        var a = Deployment("libpair-a");
        var b = Deployment("libpair-b");
        var claims = File.ReadAllText(_f.LockfilePath);
        Assert.Contains("\"envlist:LD_LIBRARY_PATH\"", claims, StringComparison.Ordinal);

        var script = $"""
            . '{Path.Combine(_f.LocationPath, "activate", "activate.sh")}'
            libpair-a
            printf 'PKG_CONFIG_PATH=%s\n' "$PKG_CONFIG_PATH"
            _packster_deactivate
            printf 'after=%s\n' "$LD_LIBRARY_PATH"
            printf 'pkg=%s\n' "${"{"}PKG_CONFIG_PATH-unset{"}"}"
            """;
        var psi = new ProcessStartInfo("bash", ["--norc", "--noprofile", "-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["LD_LIBRARY_PATH"] = "/usr/local/lib";
        psi.Environment.Remove("PKG_CONFIG_PATH");
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, errors);
        // libpair-b has priority 10, so its entry comes first; the shell's own value follows the prepended entries.
        Assert.Contains($"LD_LIBRARY_PATH={b}/lib:{a}/lib:/usr/local/lib\n", output, StringComparison.Ordinal);
        Assert.Contains($"PKG_CONFIG_PATH={b}/lib/pkgconfig:{a}/lib/pkgconfig\n", output, StringComparison.Ordinal);
        Assert.Contains("after=/usr/local/lib\n", output, StringComparison.Ordinal);
        Assert.Contains("pkg=unset\n", output, StringComparison.Ordinal);
        Assert.Contains("MANPATH", _f.Packster.Ok("location", "env", "dev", "--shell", "fish"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_package_setting_the_variable_whole_conflicts_with_the_libraries_either_way_round()
    {
        var scalar = Scalar();
        _f.Packster.Ok("install-file", _f.PackSample("libpair-a"), "--location", "dev");
        var before = _f.Snapshot();
        var refused = _f.Packster.Run("install-file", scalar, "--location", "dev");
        Assert.Equal(6, refused.ExitCode);
        Assert.Contains("error[PST6000]: environment variable 'LD_LIBRARY_PATH' collides with list variable 'LD_LIBRARY_PATH' of the same name, held by libpair-a 1.0.0",
            refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        _f.Packster.Ok("uninstall", "libpair-a", "--location", "dev");
        _f.Packster.Ok("install-file", scalar, "--location", "dev");
        var reverse = _f.Packster.Run("install-file", _f.PackSample("libpair-b"), "--location", "dev");
        Assert.Equal(6, reverse.ExitCode);
        Assert.Contains("list variable 'LD_LIBRARY_PATH' collides with environment variable 'LD_LIBRARY_PATH'", reverse.Stderr, StringComparison.Ordinal);
    }
}
