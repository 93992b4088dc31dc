using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/package-format.md §2 "compression" and "Which tools read which": <c>pack --compression zstd|deflate</c>, read
/// back by the standard tools the spec names and installed by packster alike.
/// </summary>
public sealed class PackCompressionTests : IDisposable
{
    private readonly TempDirectory _home = new("packster-compression");
    private readonly PacksterProcess _packster;

    public PackCompressionTests() => _packster = new PacksterProcess(_home);

    public void Dispose() => _home.Dispose();

    private string Source()
    {
        _home.Write("src/packster-manifest.toml", "id = \"squeeze\"\nversion = \"1.0.0\"\n");
        _home.Write("src/share/words.txt", string.Concat(Enumerable.Range(0, 20_000).Select(i => $"word {i % 97} line {i}\n")));
        // A twin: a zstd package stores its bytes once (§ Shared data), which 7-Zip must read like any entry.
        _home.Write("src/share/copy/words.txt", File.ReadAllText(_home["src/share/words.txt"]));
        _home.Write("src/bin/run", "#!/bin/sh\necho run\n");
        return _home["src"];
    }

    private string Pack(string compression, params string[] extra)
    {
        var result = _packster.Run(["pack", Source(), "-o", _home["out-" + compression], .. extra], null);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Trim();
    }

    // "A zstd package packed with --no-solid opens in 7-Zip": 7z tests every CRC and extracts the same bytes.
    [ArchiverFact("7z")]
    public void Zstd_without_solid_runs_is_read_by_7zip()
    {
        SmallModules();
        var package = Pack("zstd", "--no-solid");
        Assert.DoesNotContain("Unsupported", Tools.Run(_home.Path, "7z", "t", package), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Method = ZSTD", Tools.Run(_home.Path, "7z", "l", "-slt", package), StringComparison.OrdinalIgnoreCase);
        Tools.Run(_home.Path, "7z", "t", package);
        Tools.Run(_home.Path, "7z", "x", "-bso0", "-bsp0", "-o" + _home["x7"], package);
        Assert.Equal(File.ReadAllText(_home["src/share/words.txt"]), File.ReadAllText(_home["x7/share/words.txt"]));
        Assert.Equal(File.ReadAllText(_home["src/share/words.txt"]), File.ReadAllText(_home["x7/share/copy/words.txt"]));
    }

    // "the members of its runs only packster reads: other tools refuse them as an unsupported method, never misread
    // them": 7-Zip lists every entry and fails its test on the members alone; packster installs the same package.
    [ArchiverFact("7z")]
    public void Seven_zip_refuses_the_members_of_solid_runs_and_packster_installs_them()
    {
        SmallModules();
        var package = Pack("solid");
        Assert.Contains("lib/module7.py", Tools.Run(_home.Path, "7z", "l", package), StringComparison.Ordinal);
        var psi = new System.Diagnostics.ProcessStartInfo("7z") { WorkingDirectory = _home.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "t", package }) psi.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("Unsupported Method : lib/module7.py", stdout.Result + stderr, StringComparison.Ordinal);
        // A file that shares its data is never a member: 7-Zip reads it.
        Assert.DoesNotContain("Unsupported Method : share/words.txt", stdout.Result + stderr, StringComparison.Ordinal);
        _packster.Ok("location", "create", _home["loc-solid"], "--id", "solid");
        _packster.Ok("install-file", package, "--location", "solid");
        var module = Directory.GetFiles(_home["loc-solid"], "module7.py", SearchOption.AllDirectories);
        Assert.Equal(File.ReadAllText(_home["src/lib/module7.py"]), File.ReadAllText(Assert.Single(module)));
    }

    /// <summary>Twelve small modules alike: what solid runs are for.</summary>
    private void SmallModules()
    {
        for (var i = 0; i < 12; i++)
        {
            _home.Write($"src/lib/module{i}.py", string.Concat(Enumerable.Range(0, 50).Select(j => $"def f{j}(x):\n    return x + {i * j}\n\n")));
        }
    }

    // "A deflate package opens in every ZIP reader": unzip 6.0 tests and lists it.
    [ArchiverFact("unzip")]
    public void Deflate_packages_are_read_by_unzip()
    {
        var package = Pack("deflate", "--compression", "deflate");
        var listing = Tools.Run(_home.Path, "unzip", "-v", package);
        Assert.Contains("Defl", listing, StringComparison.Ordinal);
        Assert.Contains("share/words.txt", listing, StringComparison.Ordinal);
        Tools.Run(_home.Path, "unzip", "-tq", package);
    }

    // Both install to the same deployment: the compression changes the package's bytes, never what it deploys.
    [Fact]
    public void Zstd_and_deflate_packages_deploy_the_same_files()
    {
        var zstd = Pack("zstd", "--compression", "zstd");
        var deflate = Pack("deflate", "--compression", "deflate");
        Assert.NotEqual(Path.GetFileName(zstd), Path.GetFileName(deflate));
        foreach (var (package, location) in new[] { (zstd, "z"), (deflate, "d") })
        {
            _packster.Ok("location", "create", _home["loc-" + location], "--id", location);
            _packster.Ok("install-file", package, "--location", location);
            var words = Directory.GetFiles(_home["loc-" + location], "words.txt", SearchOption.AllDirectories);
            Assert.Equal(2, words.Length);
            Assert.All(words, w => Assert.Equal(File.ReadAllText(_home["src/share/words.txt"]), File.ReadAllText(w)));
            _packster.Ok("verify", "--location", location);
        }
    }

    [Fact]
    public void An_unknown_compression_is_a_usage_error_and_packs_nothing()
    {
        var result = _packster.Run("pack", Source(), "-o", _home["out-lz4"], "--compression", "lz4");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("lz4", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_home["out-lz4"]) && Directory.EnumerateFileSystemEntries(_home["out-lz4"]).Any());
    }
}
