using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Install;

/// <summary>
/// What pack accepts, install accepts (spec/package-format.md §6 "one set of limits for pack and install"), and what
/// neither could use is refused by <c>manifest check</c> and <c>pack</c> already — through the real <c>packster</c>.
/// </summary>
public sealed class PackageLimitTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Source(string name, string manifest, params (string Path, byte[] Bytes)[] files)
    {
        var dir = _f.Temp[$"src/{name}"];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), manifest);
        foreach (var (path, bytes) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }
        return dir;
    }

    private static void RefusedBoth(ProcessResult check, ProcessResult pack, string code, string what)
    {
        foreach (var r in new[] { check, pack })
        {
            Assert.Equal(3, r.ExitCode);
            Assert.StartsWith($"error[{code}]: ", r.Stderr, StringComparison.Ordinal);
            Assert.Contains(what, r.Stderr, StringComparison.Ordinal);
        }
    }

    /// <summary>§6: "packages that unpack to at most 64 MiB may have any ratio" — honest zeros deflate about 1000:1.</summary>
    [Fact]
    public void Two_MiB_of_zeros_packs_and_installs()
    {
        var package = _f.Pack(Source("zeros", "id = \"zeros\"\nversion = \"1.0.0\"\n", ("z.bin", new byte[2 << 20])));

        _f.Packster.Ok("install-file", package, "--location", "dev");

        var deployment = _f.List()[0].GetProperty("path").GetString()!;
        Assert.Equal(2 << 20, new FileInfo(Path.Combine(deployment, "z.bin")).Length);
    }

    /// <summary>spec/manifest.md: a version has at most 80 characters, so the package file name fits 255 bytes.</summary>
    [Fact]
    public void A_version_too_long_for_a_file_name_is_refused_by_manifest_check_and_pack()
    {
        var dir = Source("longv", $"id = \"longv\"\nversion = \"1.0.0-{new string('a', 300)}\"\n", ("f", "x"u8.ToArray()));

        RefusedBoth(_f.Packster.Run("manifest", "check", dir), _f.Packster.Run("pack", dir, "-o", _f.Dist), "PST2006",
            "306 characters long; a version has at most 80");
    }

    /// <summary>§6: the manifest is at most 4 MiB — the limit install applies, applied by manifest check and pack.</summary>
    [Fact]
    public void A_manifest_over_4_MiB_is_refused_by_manifest_check_and_pack()
    {
        var dir = Source("big", $"id = \"big\"\nversion = \"1.0.0\"\ndescription = \"{new string('d', 4 << 20)}\"\n");

        RefusedBoth(_f.Packster.Run("manifest", "check", dir), _f.Packster.Run("pack", dir, "-o", _f.Dist), "PST2002",
            "more than the limit of 4194304 bytes");
    }

    /// <summary>spec/manifest.md § Files the manifest names: shim targets and handler scripts must be files of the folder.</summary>
    [Fact]
    public void Missing_shim_targets_and_handler_scripts_are_refused_by_manifest_check_and_pack_naming_them()
    {
        var dir = Source("noshim", "id = \"noshim\"\nversion = \"1.0.0\"\n[shims]\nx = \"bin/missing\"\n[handlers]\ninstall = \"scripts/nope.sh\"\n");

        RefusedBoth(_f.Packster.Run("manifest", "check", dir), _f.Packster.Run("pack", dir, "-o", _f.Dist), "PST2011",
            "handlers.install 'scripts/nope.sh', shims.x 'bin/missing': no such file");
    }

    /// <summary>§ Files the manifest names: with a pack handler, the files are checked after it has run.</summary>
    [Fact]
    public void A_shim_target_made_by_the_pack_handler_is_accepted_and_one_it_does_not_make_is_refused()
    {
        var made = Source("made", "id = \"made\"\nversion = \"1.0.0\"\n[shims]\nt = \"bin/t\"\n[handlers]\npack = \"build.sh\"\n",
            ("build.sh", "#!/bin/sh\nmkdir -p bin && printf '#!/bin/sh\\n' > bin/t\n"u8.ToArray()));
        var notMade = Source("notmade", "id = \"notmade\"\nversion = \"1.0.0\"\n[shims]\nt = \"bin/t\"\n[handlers]\npack = \"build.sh\"\n",
            ("build.sh", "#!/bin/sh\ntrue\n"u8.ToArray()));

        _f.Packster.Ok("manifest", "check", made);
        _f.Pack(made);
        var r = _f.Packster.Run("pack", notMade, "-o", _f.Dist);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("error[PST2011]: ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("shims.t 'bin/t'", r.Stderr, StringComparison.Ordinal);
    }
}
