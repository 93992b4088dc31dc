using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// <c>packster install-file</c> through the real executable (spec/package-format.md, spec/lockfile.md,
/// spec/errors.md): statuses, dry runs, refusals that change nothing, activation rules and uninstall.
/// </summary>
public sealed class InstallFileTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Same_package_and_parameters_is_one_deployment_and_a_second_install_is_unchanged()
    {
        // PRODUCT.md: same package + same effective parameters ⇒ same deployment ⇒ a second install is a no-op.
        var package = _f.PackSample("hello");
        var first = _f.InstallJson(package, "--parameters", """{"greeting":"Hi"}""");
        Assert.Equal("installed", first.GetProperty("status").GetString());
        var second = _f.InstallJson(package, "-p", "greeting=Hi", "-p", "port=8080");
        Assert.Equal("unchanged", second.GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("deployment").GetString(), second.GetProperty("deployment").GetString());
        var forced = _f.InstallJson(package, "-p", "greeting=Hi", "--force");
        Assert.Equal("installed", forced.GetProperty("status").GetString());

        var list = _f.List();
        Assert.Equal(1, list.GetArrayLength());
        var d = list[0];
        Assert.Equal("hello", d.GetProperty("id").GetString());
        Assert.True(d.GetProperty("active").GetBoolean());
        Assert.Equal("Hi", d.GetProperty("parameters").GetProperty("greeting").GetString());
        Assert.Equal(8080, d.GetProperty("parameters").GetProperty("port").GetInt32());
        Assert.Equal("hello", d.GetProperty("shims")[0].GetString());
        Assert.Equal(8080, d.GetProperty("ports")[0].GetInt32());
        Assert.True(File.Exists(Path.Combine(d.GetProperty("path").GetString()!, "packster-deployment.json")));
    }

    [Fact]
    public void Other_parameters_make_another_deployment_that_takes_over_the_shims()
    {
        var package = _f.PackSample("hello");
        var a = _f.InstallJson(package, "-p", "port=9001");
        var b = _f.InstallJson(package, "-p", "port=9002");
        Assert.NotEqual(a.GetProperty("deployment").GetString(), b.GetProperty("deployment").GetString());
        var list = _f.List();
        Assert.Equal(2, list.GetArrayLength());
        Assert.Single(list.EnumerateArray(), d => d.GetProperty("active").GetBoolean());
    }

    [Fact]
    public void Dry_run_prints_the_plan_and_changes_nothing()
    {
        var package = _f.PackSample("hello");
        var before = _f.Snapshot();
        var plan = _f.InstallJson(package, "--dry-run", "-p", "greeting=Yo");
        Assert.Equal("planned", plan.GetProperty("status").GetString());
        Assert.Equal(64, plan.GetProperty("deployment").GetString()!.Length);
        Assert.Contains("shim:hello", plan.GetProperty("plan").GetProperty("claims").EnumerateArray().Select(c => c.GetString()));
        Assert.True(plan.GetProperty("plan").GetProperty("files").GetInt32() > 0);
        Assert.Equal(before, _f.Snapshot());
    }

    [Fact]
    public void A_checksum_mismatch_names_both_hashes_and_changes_nothing()
    {
        // spec/errors.md PST4001: the file's name says one sha256, its bytes another.
        var package = _f.PackSample("hello");
        var bytes = File.ReadAllBytes(package);
        bytes[^30] ^= 0x5a;
        var tampered = Path.Combine(_f.Temp.Path, Path.GetFileName(package));
        File.WriteAllBytes(tampered, bytes);
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", tampered, "--location", "dev");
        Assert.Equal(4, r.ExitCode);
        var named = Path.GetFileName(package).Split('-')[^1].Replace(".packster", "", StringComparison.Ordinal);
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        Assert.Contains(named, r.Stderr, StringComparison.Ordinal);
        Assert.Contains(actual, r.Stderr, StringComparison.Ordinal);
        Assert.Contains("PST4001", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    [Theory]
    [InlineData("""{"port":"x"}""", "port")]
    [InlineData("""{"colour":"red"}""", "colour")]
    [InlineData("""{"port":80""", "--parameters")]
    public void Bad_parameters_name_the_parameter_and_change_nothing(string json, string named)
    {
        var package = _f.PackSample("hello");
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", package, "--location", "dev", "--parameters", json);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains(named, r.Stderr, StringComparison.Ordinal);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error[", StringComparison.Ordinal));
        Assert.Equal(before, _f.Snapshot());
    }

    [Fact]
    public void A_conflicting_package_is_refused_naming_the_owner_and_nothing_changes()
    {
        // spec/resources.md: a second owner is refused; the error names the resource and the owning deployment.
        _f.InstallJson(_f.PackSample("conflict-a"));
        var b = _f.PackSample("conflict-b");
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", b, "--location", "dev");
        Assert.Equal(6, r.ExitCode);
        Assert.Contains("conflict-a", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("tool", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        // Deployed without claiming, it is accepted and stays inactive.
        var inactive = _f.InstallJson(b, "--inactive");
        Assert.False(inactive.GetProperty("active").GetBoolean());
    }

    [Fact]
    public void An_older_version_does_not_take_over_and_use_switches()
    {
        var dir = _f.Temp["src"];
        CopyDirectory(RepoFiles.Sample("hello"), dir);
        var manifest = Path.Combine(dir, "packster-manifest.toml");
        var v1 = _f.Pack(dir);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("version = \"1.0.0\"", "version = \"1.1.0\"", StringComparison.Ordinal));
        var v11 = _f.Pack(dir);

        _f.InstallJson(v11);
        var older = _f.InstallJson(v1);
        Assert.False(older.GetProperty("active").GetBoolean());
        Assert.Equal("1.1.0", ActiveVersion());

        _f.Packster.Ok("use", "hello@1.0.0", "--location", "dev");
        Assert.Equal("1.0.0", ActiveVersion());
        var which = _f.Packster.Ok("which", "hello", "--location", "dev");
        Assert.Contains("1.0.0", which, StringComparison.Ordinal);

        // Removing the active version hands the package to the remaining one.
        _f.Packster.Ok("uninstall", "hello@1.0.0", "--location", "dev");
        Assert.Equal("1.1.0", ActiveVersion());
        Assert.Equal(1, _f.List().GetArrayLength());
        Assert.Single(Directory.GetDirectories(Path.Combine(_f.LocationPath, "deployments")));
    }

    [Fact]
    public void Uninstall_of_an_unknown_package_fails_clearly()
    {
        var r = _f.Packster.Run("uninstall", "nothing-here", "--location", "dev");
        Assert.Equal(5, r.ExitCode);
        Assert.Contains("nothing-here", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_and_a_misnamed_file_are_refused()
    {
        var missing = _f.Packster.Run("install-file", _f.Temp["nope-1.0.0-" + new string('a', 64) + ".packster"], "--location", "dev");
        Assert.Equal(2, missing.ExitCode);
        var package = _f.PackSample("hello");
        var renamed = _f.Temp["hello.zip"];
        File.Copy(package, renamed);
        var misnamed = _f.Packster.Run("install-file", renamed, "--location", "dev");
        Assert.Equal(4, misnamed.ExitCode);
        Assert.Contains("PST4000", misnamed.Stderr, StringComparison.Ordinal);
    }

    private string ActiveVersion() =>
        _f.List().EnumerateArray().Single(d => d.GetProperty("active").GetBoolean()).GetProperty("version").GetString()!;

    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }
}
