using Packster.Locations;
using Packster.Sources.Config;
using Packster.Testing;

namespace Packster.Sources.Tests.Config;

/// <summary>spec/sources.md §1 and §1.1: which config file is read, and the trust a project file needs.</summary>
public sealed class ConfigFilesTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-configfiles");

    public void Dispose() => _temp.Dispose();

    private PacksterPaths At(params (string Key, string Value)[] env)
    {
        Directory.CreateDirectory(_temp["work"]);
        return new(new[] { ("HOME", _temp["home"]), ("PACKSTER_DATA_HOME", _temp["data"]) }.Concat(env).ToDictionary(e => e.Item1, e => e.Item2), isWindows: false, _temp["work"]);
    }

    private static string Names(SourceConfig config) => string.Join(",", config.Sources.Select(s => s.Name));

    [Fact]
    public void The_project_file_is_read_only_without_a_user_file_and_only_while_trusted()
    {
        // §1: PACKSTER_CONFIG, else the XDG/APPDATA file, else ./packster.toml; §1.1: the latter only while trusted.
        var project = _temp.Write("work/packster.toml", "[sources.proj]\ntype = \"folder\"\nurl = \"p\"\n");
        var warnings = new StringWriter();
        Assert.Equal("", Names(ConfigFiles.LoadEffective(At(), warnings)));
        Assert.Equal($"warning: ignoring {project}: a project config file is not trusted; review it, then run 'packster config trust' in {_temp["work"]} to use it\n", warnings.ToString());

        ConfigFiles.Trust(At(), "packster.toml", allowCredentials: false);
        warnings = new StringWriter();
        Assert.Equal("proj", Names(ConfigFiles.LoadEffective(At(), warnings)));
        Assert.Equal("", warnings.ToString());

        // The user's own file, or PACKSTER_CONFIG, wins over a trusted project file.
        _temp.Write("home/.config/packster/config.toml", "[sources.mine]\ntype = \"folder\"\nurl = \"/m\"\n");
        Assert.Equal("mine", Names(ConfigFiles.LoadEffective(At(), warnings)));
        File.Delete(_temp["home/.config/packster/config.toml"]);
        Assert.Equal("", Names(ConfigFiles.LoadEffective(At(("PACKSTER_CONFIG", "absent.toml")), warnings)));

        File.AppendAllText(project, "# one more byte\n");
        Assert.Equal("", Names(ConfigFiles.LoadEffective(At(), warnings)));
        Assert.Contains("it changed since it was trusted", warnings.ToString());
        Assert.True(ConfigFiles.Untrust(At(), project));
        Assert.False(ConfigFiles.Untrust(At(), project));
    }

    [Theory]
    [InlineData("token-env = \"GITHUB_TOKEN\"", "'token-env'")]
    [InlineData("user = \"u\"\npassword-env = \"P\"", "'user', 'password-env'")]
    [InlineData("ca-file = \"evil.pem\"", "'ca-file'")]
    [InlineData("insecure = true", "'insecure'")]
    public void A_project_file_names_credentials_insecure_or_a_ca_file_only_when_trusted_with_allow_credentials(string line, string keys)
    {
        // §1.1: "even a trusted project file may not set token-env, password-env, user, ca-file or insecure = true
        // unless it was trusted with --allow-credentials" (PST8014; nothing is recorded).
        var url = line.StartsWith("insecure", StringComparison.Ordinal) ? "http://h/" : "https://h/";
        _temp.Write("work/packster.toml", $"[sources.p]\ntype = \"http\"\nurl = \"{url}\"\n{line}\n");
        var e = Assert.Throws<PacksterException>(() => ConfigFiles.Trust(At(), "packster.toml", allowCredentials: false));
        Assert.Equal(ErrorCode.ProjectConfigNotAllowed, e.Code);
        Assert.Contains($"[sources.p] sets {keys} in a project config file", e.Message);
        Assert.Empty(ConfigTrust.Load(At()).Records);

        ConfigFiles.Trust(At(), "packster.toml", allowCredentials: true);
        Assert.Equal("p", Names(ConfigFiles.LoadEffective(At(), TextWriter.Null)));
        Assert.True(ConfigTrust.Load(At()).Records.Single().AllowCredentials);
    }

    [Fact]
    public void Insecure_false_is_allowed_in_a_project_file()
    {
        _temp.Write("work/packster.toml", "[sources.p]\ntype = \"http\"\nurl = \"https://h/\"\ninsecure = false\n");
        ConfigFiles.Trust(At(), "packster.toml", allowCredentials: false);
        Assert.Equal("p", Names(ConfigFiles.LoadEffective(At(), TextWriter.Null)));
    }
}
