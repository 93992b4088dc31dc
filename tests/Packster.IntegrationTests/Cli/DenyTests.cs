namespace Packster.IntegrationTests.Cli;

/// <summary>spec/resolver.md § Deny list through the real executable: the user's config.toml and the location's policy file.</summary>
public sealed class DenyTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Package(string id, string version)
    {
        var dir = _f.Temp[$"{id}-{version}"];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"{id}\"\nversion = \"{version}\"\n");
        File.WriteAllText(Path.Combine(dir, "payload.txt"), version);
        return _f.Pack(dir);
    }

    // install-file of a denied version: one line naming the package, the rule and its file, exit 4, nothing changed (PST4060).
    [Fact]
    public void Install_file_refuses_a_version_the_users_config_denies()
    {
        File.WriteAllText(_f.Temp["config.toml"], "deny = [\"tool@1.4.2\", \"tool@>=2.0 <2.1\"]\n");
        var denied = Package("tool", "2.0.3");
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", denied, "--location", "dev");
        Assert.Equal(4, r.ExitCode);
        Assert.Equal($"error[PST4060]: tool 2.0.3 is denied by 'tool@>=2.0 <2.1' ({_f.Temp["config.toml"]})", r.Stderr.Split('\n')[0]);
        Assert.Equal(before, _f.Snapshot());
        _f.InstallJson(Package("tool", "2.1.0"));
    }
}
