using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/lockfile.md § System locations through the real executable, as root and as <c>nobody</c>: a location shared
/// with every user and writable by one group, its login-shell script, and the guard across system and user locations.
/// Everything system-wide goes under a temp <c>PACKSTER_SYSTEM_ROOT</c>; the group is Debian's <c>users</c> (gid 100).
/// </summary>
public sealed class SystemLocationTests : IDisposable
{
    private const uint UsersGid = 100;

    private readonly LocationFixture _f = new();
    private readonly PacksterProcess _packster;

    public SystemLocationTests() => _packster = _f.Packster.With("PACKSTER_SYSTEM_ROOT", SystemRoot);

    public void Dispose() => _f.Dispose();

    private string SystemRoot => _f.Temp["sysroot"];

    private string Shared => Path.Combine(SystemRoot, "opt", "packster", "tools");

    private static string Stat(string path, string format) => Cli.Tools.Run("/", "stat", "-c", format, path).Trim();

    [RootFact]
    public void A_system_location_with_a_group_is_shared_registered_and_enabled_for_every_login_shell()
    {
        _packster.Ok("location", "create", Shared, "--id", "tools", "--system", "--group", "users");
        foreach (var dir in new[] { Shared, Path.Combine(Shared, "deployments"), Path.Combine(Shared, ".packster") })
        {
            Assert.Equal("2775 users", Stat(dir, "%a %G"));
        }
        Assert.Equal("664 users", Stat(Path.Combine(Shared, "packster-location.json"), "%a %G"));
        Assert.Equal("users\n", File.ReadAllText(Path.Combine(Shared, ".packster", "group")));
        var registered = Path.Combine(SystemRoot, "var", "lib", "packster", "registry", "tools");
        Assert.Equal(Shared + "\n", File.ReadAllText(registered));
        Assert.Equal("644", Stat(registered, "%a"));

        // The id resolves for a user whose own registry does not know it.
        var hello = _f.PackSample("hello");
        new PacksterProcess(_f.Temp).With("PACKSTER_SYSTEM_ROOT", SystemRoot).With("PACKSTER_DATA_HOME", _f.Temp["other-user-data"])
            .Ok("install-file", hello, "--location", "tools");

        _packster.Ok("location", "enable", "tools", "--system");
        var script = Path.Combine(SystemRoot, "etc", "profile.d", "packster-tools.sh");
        Assert.Equal("644", Stat(script, "%a"));
        var output = Cli.Tools.Run("/", "sh", "-c", $". '{script}'; command -v hello; hello");
        Assert.Contains(Path.Combine(Shared, "shims", "hello"), output, StringComparison.Ordinal);
        Assert.Contains("Hello", output, StringComparison.Ordinal);

        Assert.Contains("disabled location tools for every user", _packster.Ok("location", "disable", "tools", "--system"), StringComparison.Ordinal);
        Assert.False(File.Exists(script));
        Assert.False(File.Exists(Path.Combine(SystemRoot, "etc", "packster", "enabled", "tools")));
    }

    // spec/lockfile.md § System locations: "`location create --system` refuses an id the machine's registry gives to
    // another directory that still holds a lockfile (PST5009), as the user's registry does … nothing is created". Before,
    // a second system location created under another data home (another administrator) took the id silently, and
    // every user's `--location tools` reached it instead.
    [Fact]
    public void A_system_id_another_live_location_holds_is_refused_and_nothing_is_made()
    {
        _packster.Ok("location", "create", Shared, "--id", "tools", "--system");
        var registered = Path.Combine(SystemRoot, "var", "lib", "packster", "registry", "tools");
        var other = _f.Temp["other-tools"];
        var otherAdmin = new PacksterProcess(_f.Temp).With("PACKSTER_SYSTEM_ROOT", SystemRoot).With("PACKSTER_DATA_HOME", _f.Temp["other-admin-data"]);

        var refused = otherAdmin.Run("location", "create", other, "--id", "tools", "--system");

        Assert.Equal(5, refused.ExitCode);
        Assert.Contains($"error[PST5009]: location id 'tools' is already registered to '{Shared}', not '{other}'", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(Shared + "\n", File.ReadAllText(registered));
        Assert.False(Directory.Exists(other));
        Assert.False(File.Exists(Path.Combine(_f.Temp["other-admin-data"], "registry", "tools")));

        // A registration whose folder is no location any more is stale, and replaced.
        File.Delete(Path.Combine(Shared, "packster-location.json"));
        otherAdmin.Ok("location", "create", other, "--id", "tools", "--system");
        Assert.Equal(other + "\n", File.ReadAllText(registered));
    }

    // spec/lockfile.md § System locations: every folder a member deploys gets the shared mode; a package's link that
    // leads back up its own tree (which the extraction allows: it stays inside) is not walked into.
    [RootFact]
    public void A_package_whose_link_leads_back_up_its_tree_deploys_into_a_shared_location()
    {
        _packster.Ok("location", "create", Shared, "--id", "tools", "--system", "--group", "users");
        var source = _f.Temp["looped"];
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), "id = \"looped\"\nversion = \"1.0.0\"\n");
        Directory.CreateDirectory(Path.Combine(source, "share", "deep"));
        File.WriteAllText(Path.Combine(source, "share", "deep", "data.txt"), "data\n");
        File.CreateSymbolicLink(Path.Combine(source, "share", "deep", "up"), "..");
        var package = _f.Pack(source);

        var installed = _packster.Ok("install-file", package, "--location", "tools", "--json");
        using var doc = System.Text.Json.JsonDocument.Parse(installed);
        var path = doc.RootElement.GetProperty("path").GetString()!;
        Assert.Equal("2775", Stat(Path.Combine(path, "share"), "%a"));
        Assert.Equal("2775", Stat(Path.Combine(path, "share", "deep"), "%a"));
        Assert.Equal("..", new FileInfo(Path.Combine(path, "share", "deep", "up")).LinkTarget);
        _packster.Ok("verify", "--location", "tools");
    }

    [NonRootUserFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_member_of_the_group_installs_and_another_user_changes_nothing()
    {
        _packster.Ok("location", "create", Shared, "--id", "tools", "--system", "--group", "users");
        var hello = _f.PackSample("hello");
        AsAnotherUser.OpenUp(_f.Temp.Path);
        var home = _f.Temp["nobody-home"];
        var nobody = new Dictionary<string, string>
        {
            ["PACKSTER_DATA_HOME"] = Path.Combine(home, "data"),
            ["PACKSTER_CACHE"] = Path.Combine(home, "cache"),
            ["PACKSTER_CONFIG"] = Path.Combine(home, "config.toml"),
        };

        var before = _f.Snapshot(Shared);
        var outsider = AsAnotherUser.Run(_packster, _f.Temp, ["install-file", hello, "--location", Shared], extra: nobody);
        Assert.Equal(9, outsider.ExitCode);
        Assert.Contains("PST9001", outsider.Stderr, StringComparison.Ordinal);
        Assert.Contains("permission denied", outsider.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot(Shared));

        var member = AsAnotherUser.Run(_packster, _f.Temp, ["install-file", hello, "--location", Shared, "--json"], [UsersGid], nobody);
        Assert.True(member.ExitCode == 0, member.ToString());
        Assert.Contains("\"installed\"", member.Stdout, StringComparison.Ordinal);
        // What the member created keeps the group and its write bit, so the next member can change it too.
        Assert.Equal("2775 users", Stat(Path.Combine(Shared, "deployments"), "%a %G"));
        Assert.Equal("users", Stat(Path.Combine(Shared, "packster-location.json"), "%G"));
        var deployment = Directory.GetDirectories(Path.Combine(Shared, "deployments")).Single();
        Assert.Equal("2775 users", Stat(Path.Combine(deployment, "bin"), "%a %G"));
        _packster.Ok("verify", "--location", Shared);

        // Another member (uid 65533, also in group users) removes what the first one deployed.
        var second = AsAnotherUser.Run(_packster, _f.Temp, ["uninstall", "hello", "--location", Shared], [UsersGid], nobody, uid: 65533);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Empty(Directory.GetDirectories(Path.Combine(Shared, "deployments")));
    }

    [Fact]
    public void An_unknown_group_is_PST5022_and_creates_nothing()
    {
        var r = _packster.Run("location", "create", Shared, "--id", "tools", "--system", "--group", "no-such-group-here");
        Assert.Equal(5, r.ExitCode);
        Assert.Contains("PST5022", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("no-such-group-here", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Shared));
        Assert.False(Directory.Exists(Path.Combine(SystemRoot, "var")));
        Assert.Equal(2, _packster.Run("location", "create", Shared, "--group", "users").ExitCode);
    }

    // "The cross-location guard covers system and user locations together."
    [Fact]
    public void A_user_location_cannot_claim_a_shim_that_a_location_enabled_for_every_user_owns()
    {
        _packster.Ok("location", "create", Shared, "--id", "tools", "--system");
        var hello = _f.PackSample("hello");
        _packster.Ok("install-file", hello, "--location", "tools", "-p", "port=9301");
        _packster.Ok("location", "enable", "tools", "--system");
        File.WriteAllText(Path.Combine(_f.Temp.Path, ".bashrc"), "");
        _packster.With("HOME", _f.Temp.Path).Ok("location", "enable", "dev");

        var r = _packster.Run("install-file", hello, "--location", "dev", "-p", "port=9302");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("tools", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hello", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_f.LocationPath, "deployments")));

        // The documented override: the user lets dev shadow the system locations, and its block, sourced after
        // /etc/profile.d, puts its shims first.
        _packster.With("HOME", _f.Temp.Path).Ok("location", "enable", "dev", "--shadow-system");
        _packster.Ok("install-file", hello, "--location", "dev", "-p", "port=9302");
        var script = Path.Combine(SystemRoot, "etc", "profile.d", "packster-tools.sh");
        var devProfile = Path.Combine(_f.LocationPath, "activate", "profile.sh");
        var found = Cli.Tools.Run("/", "sh", "-c", $". '{script}'; . '{devProfile}'; command -v hello").Trim();
        Assert.Equal(Path.Combine(_f.LocationPath, "shims", "hello"), found);
    }

}

/// <summary>Runs as root (on Linux): giving files to a group one is not in needs it.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "system locations are tested on Linux";
        else if (Environment.UserName != "root") Skip = "giving a location to the group 'users' needs root (or membership)";
    }
}
