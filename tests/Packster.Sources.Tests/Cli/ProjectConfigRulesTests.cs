using System.Security.Cryptography;
using System.Text.Json;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>
/// The install rules (<c>deny</c>, <c>[licenses]</c>, <c>[trust]</c>) of a <c>./packster.toml</c>, through the real
/// `packster` in that working directory (spec/sources.md §1.1 "Rules"): a trusted project file standing in for the
/// absent user config brings its rules with its sources, an untrusted one brings neither, and none can name the
/// signing keys to trust without <c>config trust --allow-credentials</c>.
/// </summary>
public sealed class ProjectConfigRulesTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-project-rules");

    public void Dispose() => _temp.Dispose();

    private string Project => _temp["project"];

    private string ProjectFile => Path.Combine(Project, "packster.toml");

    private string UserConfig => _temp["home/.config/packster/config.toml"];

    private sealed record Result(int Exit, string Out, string Err)
    {
        public override string ToString() => $"exit {Exit}\nstdout: {Out}\nstderr: {Err}";
    }

    // No PACKSTER_CONFIG: the user's file is $XDG_CONFIG_HOME/packster/config.toml, which a test writes or leaves absent.
    private async Task<Result> RunAsync(params string[] args)
    {
        Directory.CreateDirectory(Project);
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Project, new Dictionary<string, string>
        {
            ["HOME"] = _temp["home"],
            ["XDG_CONFIG_HOME"] = _temp["home/.config"],
            ["PACKSTER_CACHE"] = _temp["cache"],
            ["PACKSTER_DATA_HOME"] = _temp["data"],
        }, args);
        return new Result(exit, stdout, stderr);
    }

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.Exit == 0, $"packster {string.Join(' ', args)}\n{r}");
        return r.Out;
    }

    /// <summary>A location "dev" and the project folder holding <paramref name="config"/> as its packster.toml.</summary>
    private async Task<string> ProjectAndLocationAsync(string config)
    {
        Directory.CreateDirectory(Project);
        File.WriteAllText(ProjectFile, config);
        var location = _temp["dev"];
        await OkAsync("location", "create", location, "--id", "dev");
        return location;
    }

    private async Task<int> DeploymentsAsync(string location)
    {
        using var list = JsonDocument.Parse(await OkAsync("list", "--location", location, "--json"));
        return list.RootElement.GetArrayLength();
    }

    /// <summary>
    /// Asserts that <paramref name="install"/> fails with <paramref name="exit"/> and an error line starting with
    /// <paramref name="error"/>, leaving the location empty.
    /// </summary>
    private async Task AssertRefusedAsync(string location, string error, params string[] install) => await AssertRefusedAsync(4, location, error, install);

    private async Task AssertRefusedAsync(int exit, string location, string error, params string[] install)
    {
        var r = await RunAsync([.. install, "--location", location]);
        Assert.True(r.Exit == exit, r.ToString());
        Assert.StartsWith(error, r.Err.Split('\n').Single(l => l.StartsWith("error[", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(0, await DeploymentsAsync(location));
    }

    [Fact]
    public async Task A_trusted_project_files_deny_list_refuses_an_install_the_user_config_allows()
    {
        // spec/sources.md §1.1: "Once trusted, a project file that is read in place of the user config brings its
        // [trust], [licenses] and deny with its sources: they stand where the user config's would". Before, every
        // install read the (absent) user config for its rules, so a project's deny list denied nothing.
        var tool = TestPackages.Create(Path.Combine(Project, "pkgs"), "tool", "1.4.2");
        var location = await ProjectAndLocationAsync("deny = [\"tool@1.4.2\"]\n\n[sources.here]\ntype = \"folder\"\nurl = \"pkgs\"\n");
        await OkAsync("config", "trust");

        var denied = $"error[PST4060]: tool 1.4.2 is denied by 'tool@1.4.2' ({ProjectFile})";
        await AssertRefusedAsync(location, denied, "install-file", tool);
        await AssertRefusedAsync(location, "error[PST4060]: ", "install", "tool@1.4.2");
        Assert.False(File.Exists(UserConfig));
    }

    [Fact]
    public async Task A_trusted_project_files_licence_rules_refuse_an_install_the_user_config_allows()
    {
        // spec/sources.md §1.1: "… they stand where the user config's would" — and are shown as the user's rules are.
        var gpl = TestPackages.Create(_temp["dist"], "gpl", "1.0.0", manifestExtra: "license = \"GPL-3.0-or-later\"\n");
        var location = await ProjectAndLocationAsync("[licenses]\ndeny = [\"copyleft\"]\n");
        await OkAsync("config", "trust");

        await AssertRefusedAsync(location, "error[PST4050]: gpl 1.0.0 is licensed 'GPL-3.0-or-later': refused by the licence policy: "
            + $"GPL-3.0-or-later is denied by 'copyleft' ({ProjectFile})", "install-file", gpl);
        using var policy = JsonDocument.Parse(await OkAsync("licenses", "policy", "--location", location, "--json"));
        var user = policy.RootElement[0];
        Assert.Equal(ProjectFile, user.GetProperty("file").GetString());
        Assert.Equal("copyleft", Assert.Single(user.GetProperty("deny").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task An_untrusted_or_changed_project_files_rules_are_ignored()
    {
        // spec/sources.md §1.1: "Ignored until trusted … the command runs with the (absent, so empty) user config and
        // prints one line to stderr" — its rules included.
        var tool = TestPackages.Create(_temp["dist"], "tool", "1.4.2");
        var location = await ProjectAndLocationAsync("deny = [\"tool\"]\n");

        var r = await RunAsync("install-file", tool, "--location", location, "--dry-run");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Equal($"warning: ignoring {ProjectFile}: a project config file is not trusted; review it, then run 'packster config trust' in {Project} to use it",
            Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        // Trusted, then changed: the changed bytes are not the reviewed ones, and their rules are not read either.
        await OkAsync("config", "trust");
        await AssertRefusedAsync(location, "error[PST4060]: ", "install-file", tool);
        File.WriteAllText(ProjectFile, "deny = [\"tool\"]\n[licenses]\nallow = [\"MIT\"]\n");
        var changed = await RunAsync("install-file", tool, "--location", location);
        Assert.True(changed.Exit == 0, changed.ToString());
        Assert.Contains("it changed since it was trusted", changed.Err, StringComparison.Ordinal);
        Assert.Equal(1, await DeploymentsAsync(location));
    }

    [Fact]
    public async Task A_trusted_project_file_cannot_loosen_the_rules_in_force()
    {
        // spec/sources.md §1.1: "a user config file, when it exists, is read instead of any project file", rules and all:
        // a trusted project file that denies nothing does not lift the user's deny list.
        var tool = TestPackages.Create(_temp["dist"], "tool", "1.4.2");
        var location = await ProjectAndLocationAsync("[trust]\nsignatures = \"off\"\n");
        await OkAsync("config", "trust");
        Directory.CreateDirectory(Path.GetDirectoryName(UserConfig)!);
        File.WriteAllText(UserConfig, "deny = [\"tool\"]\n");
        await AssertRefusedAsync(location, $"error[PST4060]: tool 1.4.2 is denied by 'tool' ({UserConfig})", "install-file", tool);

        // In the user's place, it is one more rule set beside the location's: the location's "require" still holds.
        File.Delete(UserConfig);
        await OkAsync("trust", "require", "--location", location);
        await AssertRefusedAsync(location, "error[PST4030]: tool 1.4.2 ", "install-file", tool);
    }

    [Fact]
    public async Task A_project_file_names_the_keys_to_trust_only_when_trusted_with_allow_credentials()
    {
        // spec/signing.md § Trust policy: "A project file may set signatures and revoked-keys in [trust] but not
        // trusted-keys (PST8014 unless trusted with --allow-credentials), at `config trust` and at every use": where no
        // other table lists keys, its list would be the only one, and it would vouch for any key the user ever imported.
        await OkAsync("key", "generate", "ci");
        using var keys = JsonDocument.Parse(await OkAsync("key", "list", "--json"));
        var ci = keys.RootElement.EnumerateArray().Single().GetProperty("id").GetString()!;
        var acme = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        await OkAsync("sign", acme, "--key", "ci");
        var location = await ProjectAndLocationAsync($"[trust]\nsignatures = \"require\"\ntrusted-keys = [\"{ci}\"]\n");
        await OkAsync("trust", "require", "--location", location);
        await AssertRefusedAsync(location, "error[PST4030]: acme 1.0.0 ", "install-file", acme);

        // A record without the permission (written as the spec gives its form: `config trust` refuses to write it) does
        // not let the keys in at use either.
        Directory.CreateDirectory(_temp["data"]);
        File.WriteAllText(_temp["data/trusted-configs.json"], JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["schema"] = 1,
            ["trusted"] = new[] { new Dictionary<string, object> { ["path"] = ProjectFile, ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ProjectFile))), ["allow-credentials"] = false } },
        }));
        await AssertRefusedAsync(8, location, $"error[PST8014]: {ProjectFile}:3:1: [trust] sets 'trusted-keys'", "install-file", acme);

        // The user's explicit flag is what lets the project file name them.
        await OkAsync("config", "trust", "--allow-credentials");
        await OkAsync("install-file", acme, "--location", location);
        Assert.Equal(1, await DeploymentsAsync(location));
    }
}
