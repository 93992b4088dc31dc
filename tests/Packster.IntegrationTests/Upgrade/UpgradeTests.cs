using System.Text.Json;
using Packster.IntegrationTests.Install;

namespace Packster.IntegrationTests.Upgrade;

/// <summary><c>packster upgrade</c> through the real executable against a folder source (spec/lockfile.md § Upgrade).</summary>
public sealed class UpgradeTests : IDisposable
{
    private readonly SourceFixture _f = new();

    public void Dispose() => _f.Dispose();

    private JsonElement Upgrade(params string[] args)
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok(["upgrade", .. args, "--location", "dev", "--json"]));
        return doc.RootElement.Clone();
    }

    private JsonElement Deployment(string version) =>
        _f.List().EnumerateArray().Single(d => d.GetProperty("version").GetString() == version);

    [Fact]
    public void Upgrade_installs_the_highest_version_and_leaves_the_old_one_inactive()
    {
        // § Upgrade: the highest version the sources offer (any, without --to) becomes active; the old one stays, inactive.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        var first = _f.Install("hello@1.0.0");
        _f.Publish(repo, "hello", "1.2.0");
        _f.Publish(repo, "hello", "2.0.0");
        _f.Publish(repo, "hello", "2.1.0-beta.1");

        var up = Upgrade("hello");

        Assert.Equal("2.0.0", up.GetProperty("version").GetString());
        Assert.Equal("upgraded", up.GetProperty("status").GetString());
        Assert.Equal("1.0.0", up.GetProperty("previous").GetProperty("version").GetString());
        Assert.Equal(first.GetProperty("deployment").GetString(), up.GetProperty("previous").GetProperty("deployment").GetString());
        Assert.True(Deployment("2.0.0").GetProperty("active").GetBoolean());
        Assert.False(Deployment("1.0.0").GetProperty("active").GetBoolean());
        Assert.True(Directory.Exists(first.GetProperty("path").GetString()));
    }

    [Fact]
    public void The_hint_printed_after_upgrade_is_a_command_that_goes_back()
    {
        // § Upgrade: the old version stays deployed; the hint names a 'use' that works as printed (by hash, with the
        // location), even when the old version is deployed twice with other parameters.
        var repo = _f.AddFolderSource("local");
        const string parameter = "[parameters.greeting]\ntype = \"string\"\ndefault = \"Hello\"\n";
        _f.Publish(repo, "hello", "1.0.0", parameter);
        _f.Install("hello@1.0.0", "-p", "greeting=Other");
        var first = _f.Install("hello@1.0.0");
        _f.Publish(repo, "hello", "1.1.0", parameter);

        var r = _f.Run("upgrade", "hello", "--location", "dev");
        Assert.True(r.ExitCode == 0, r.ToString());
        var hint = r.Stdout.Split('\n').Single(l => l.StartsWith("hint: ", StringComparison.Ordinal));
        var command = hint[(hint.IndexOf('\'', StringComparison.Ordinal) + 1)..hint.LastIndexOf('\'')].Split(' ');
        Assert.Equal("packster", command[0]);

        var back = _f.Run(command[1..]);
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.True(Deployment("1.0.0", first.GetProperty("deployment").GetString()!).GetProperty("active").GetBoolean());
    }

    private JsonElement Deployment(string version, string hash) =>
        _f.List().EnumerateArray().Single(d => d.GetProperty("version").GetString() == version && d.GetProperty("deployment").GetString() == hash);

    [Fact]
    public void To_limits_the_upgrade_to_a_range_and_the_text_output_says_the_old_version_stays()
    {
        // § Upgrade: --to <range> picks the highest version inside the range.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        _f.Install("hello@1.0.0");
        _f.Publish(repo, "hello", "1.4.0");
        _f.Publish(repo, "hello", "2.0.0");

        var r = _f.Run("upgrade", "hello", "--to", "^1.0", "--location", "dev");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("upgraded hello 1.0.0 → 1.4.0", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("1.0.0 stays deployed, inactive", r.Stdout, StringComparison.Ordinal);
        Assert.True(Deployment("1.4.0").GetProperty("active").GetBoolean());
        Assert.DoesNotContain(_f.List().EnumerateArray(), d => d.GetProperty("version").GetString() == "2.0.0");
    }

    [Fact]
    public void Already_at_the_highest_version_is_up_to_date_and_changes_nothing()
    {
        // § Upgrade: not higher than the active version → "<id> <version> is up to date", exit 0, status unchanged.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        _f.Publish(repo, "hello", "1.2.0");
        _f.Install("hello");
        _f.Publish(repo, "hello", "2.0.0");
        var before = File.ReadAllText(_f.LockfilePath);

        var r = _f.Run("upgrade", "hello", "--to", "~1.2", "--location", "dev");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("hello 1.2.0 is up to date", r.Stdout.Trim());
        Assert.Equal("unchanged", Upgrade("hello", "--to", "1.*").GetProperty("status").GetString());
        Assert.Equal(before, File.ReadAllText(_f.LockfilePath));
    }

    [Fact]
    public void Dry_run_reports_the_plan_and_changes_nothing()
    {
        // § Upgrade: --dry-run resolves and plans only.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        _f.Install("hello");
        _f.Publish(repo, "hello", "1.1.0");
        var before = File.ReadAllText(_f.LockfilePath);

        var plan = Upgrade("hello", "--dry-run");

        Assert.Equal("planned", plan.GetProperty("status").GetString());
        Assert.Equal("1.1.0", plan.GetProperty("version").GetString());
        Assert.Equal(before, File.ReadAllText(_f.LockfilePath));
        Assert.False(Directory.Exists(plan.GetProperty("path").GetString()));
    }

    // spec/lockfile.md § Upgrade: "the target is installed exactly as `install` would (dependencies first)", and --dry-run
    // plans it so: each new dependency is listed before the `would upgrade …` line in install --dry-run's words
    // (`would install lib 1.0.0 → … (dependency)`); one already deployed is reused, not listed, as the run lists only
    // what it installed. Before, the text of the dry run named no dependency, though the run installs it.
    [Fact]
    public void Dry_run_lists_the_new_dependencies_it_would_install_in_install_dry_runs_words()
    {
        HelloWithNewDependencies();
        var before = File.ReadAllText(_f.LockfilePath);

        var install = _f.Run("install", "hello@2.0.0", "--dry-run", "--location", "dev");
        Assert.True(install.ExitCode == 0, install.ToString());
        var libLine = install.Stdout.Split('\n').Single(l => l.StartsWith("would install lib 1.0.0 → ", StringComparison.Ordinal));
        Assert.EndsWith(" (dependency)", libLine, StringComparison.Ordinal);

        var plan = _f.Run("upgrade", "hello", "--dry-run", "--location", "dev");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var lines = plan.Stdout.Split('\n');
        var lib = Array.IndexOf(lines, libLine);
        var upgrade = Array.FindIndex(lines, l => l.StartsWith("would upgrade hello 1.0.0 → 2.0.0 ", StringComparison.Ordinal));
        Assert.True(lib >= 0 && upgrade > lib, plan.ToString());
        Assert.DoesNotContain(" base 1.0.0", plan.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(_f.LockfilePath));

        // The run installs what the dry run named, where it said.
        var real = _f.Run("upgrade", "hello", "--location", "dev");
        Assert.True(real.ExitCode == 0, real.ToString());
        Assert.Contains(libLine.Replace("would install", "installed", StringComparison.Ordinal), real.Stdout, StringComparison.Ordinal);
    }

    // spec/lockfile.md § Upgrade: `--json` has "dependencies" in the shape of install --json's, each with its status:
    // `planned` in a dry run, `installed` by the run, `unchanged` for one already deployed and reused. Before, the JSON
    // named no dependency, so a script could not see what an upgrade would add.
    [Fact]
    public void Json_lists_the_dependencies_as_install_json_does()
    {
        HelloWithNewDependencies();

        using var installed = JsonDocument.Parse(_f.Packster.Ok("install", "hello@2.0.0", "--dry-run", "--json", "--location", "dev"));
        var install = installed.RootElement;
        var plan = Upgrade("hello", "--dry-run");
        Assert.Equal(Dependencies(install), Dependencies(plan));
        Assert.Contains(("lib", "1.0.0", "planned"), Dependencies(plan));
        Assert.Contains(("base", "1.0.0", "unchanged"), Dependencies(plan));

        var done = Upgrade("hello");
        Assert.Equal("upgraded", done.GetProperty("status").GetString());
        Assert.Contains(("lib", "1.0.0", "installed"), Dependencies(done));
        Assert.Contains(("base", "1.0.0", "unchanged"), Dependencies(done));
        var lib = done.GetProperty("dependencies").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "lib");
        Assert.True(Directory.Exists(lib.GetProperty("path").GetString()));
    }

    /// <summary>hello 1.0.0 and base 1.0.0 installed; hello 2.0.0 published, depending on base (deployed) and lib (not).</summary>
    private void HelloWithNewDependencies()
    {
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "base", "1.0.0");
        _f.Publish(repo, "lib", "1.0.0");
        _f.Publish(repo, "hello", "1.0.0");
        _f.Install("base");
        _f.Install("hello");
        _f.Publish(repo, "hello", "2.0.0", "[dependencies]\nbase = \"^1\"\nlib = \"^1\"");
    }

    private static List<(string?, string?, string?)> Dependencies(JsonElement result) =>
        [.. result.GetProperty("dependencies").EnumerateArray()
            .Select(d => (d.GetProperty("id").GetString(), d.GetProperty("version").GetString(), d.GetProperty("status").GetString()))];

    [Fact]
    public void A_pinned_active_deployment_is_refused_with_a_hint_to_unpin()
    {
        // § Upgrade: a pinned active deployment is left alone: exit 5, the hint names `packster unpin`.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        _f.Install("hello");
        _f.Packster.Ok("pin", "hello", "--location", "dev");
        _f.Publish(repo, "hello", "2.0.0");

        var r = _f.Run("upgrade", "hello", "--location", "dev");

        Assert.Equal(5, r.ExitCode);
        Assert.Contains("hello 1.0.0 is pinned", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("packster unpin hello", r.Stderr, StringComparison.Ordinal);
        Assert.Single(_f.List().EnumerateArray());

        _f.Packster.Ok("unpin", "hello", "--location", "dev");
        Assert.Equal("2.0.0", Upgrade("hello").GetProperty("version").GetString());
    }

    [Fact]
    public void A_package_that_is_not_installed_is_a_clear_error_naming_it()
    {
        // § Upgrade: no active deployment → exit 5, the message names the id.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");

        var r = _f.Run("upgrade", "hello", "--location", "dev");

        Assert.Equal(5, r.ExitCode);
        Assert.Contains("hello is not installed", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_are_carried_over_and_one_the_new_version_dropped_is_warned_about()
    {
        // § Upgrade: the active deployment's parameters go to the new version; ones it no longer declares are dropped
        // with a warning naming them.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "svc", "1.0.0", """
            [parameters.port]
            type = "integer"
            default = 8080

            [parameters.legacy]
            type = "string"
            default = "old"
            """);
        _f.Install("svc", "-p", "port=9090", "-p", "legacy=kept");
        _f.Publish(repo, "svc", "2.0.0", """
            [parameters.port]
            type = "integer"
            default = 8080
            """);

        var r = _f.Run("upgrade", "svc", "--location", "dev", "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("no longer declares parameter 'legacy'; dropped", r.Stderr, StringComparison.Ordinal);
        var parameters = Deployment("2.0.0").GetProperty("parameters");
        Assert.Equal(9090, parameters.GetProperty("port").GetInt32());
        Assert.False(parameters.TryGetProperty("legacy", out _));
    }

    [Fact]
    public void An_active_dependent_whose_range_the_new_version_leaves_is_named_before_the_upgrade()
    {
        // § Upgrade, 3: "An active deployment of another package whose [dependencies] require this one in a range the
        // target is outside is named first, one stderr line each … the upgrade goes on".
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "lib", "1.0.0");
        _f.Publish(repo, "app", "1.0.0", "[dependencies]\nlib = \"^1.0\"\n");
        _f.Publish(repo, "tool", "1.0.0", "[dependencies]\nlib = \">=1.0.0\"\n");
        _f.Install("app");
        _f.Install("tool");
        _f.Publish(repo, "lib", "1.5.0");
        _f.Publish(repo, "lib", "2.0.0");

        var within = _f.Run("upgrade", "lib", "--to", "^1.0", "--location", "dev");
        Assert.True(within.ExitCode == 0, within.ToString());
        Assert.DoesNotContain("requires lib", within.Stderr, StringComparison.Ordinal);

        var plan = _f.Run("upgrade", "lib", "--dry-run", "--location", "dev");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("warning: app 1.0.0 (active) requires lib ^1.0, which lib 2.0.0 is outside\n", plan.Stderr, StringComparison.Ordinal);

        var r = _f.Run("upgrade", "lib", "--location", "dev");
        Assert.True(r.ExitCode == 0, r.ToString());
        var warnings = r.Stderr.Split('\n').Where(l => l.Contains("requires lib", StringComparison.Ordinal)).ToList();
        Assert.Equal(["warning: app 1.0.0 (active) requires lib ^1.0, which lib 2.0.0 is outside; upgrading anyway"], warnings);
        Assert.True(Deployment("2.0.0").GetProperty("active").GetBoolean());
    }

    [Fact]
    public void A_new_required_parameter_without_default_fails_as_a_normal_install_would()
    {
        // § Upgrade: a new required parameter without default → the normal ParameterMissing error (exit 3).
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "svc", "1.0.0");
        _f.Install("svc");
        _f.Publish(repo, "svc", "2.0.0", """
            [parameters.token]
            type = "string"
            required = true
            """);

        var r = _f.Run("upgrade", "svc", "--location", "dev");

        Assert.Equal(3, r.ExitCode);
        // Named with the package, and a hint that can be followed: upgrade itself takes no -p.
        Assert.Contains("error[PST3004]: svc 2.0.0 adds parameter 'token', required and without a default", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: install it with 'packster install svc@2.0.0 -p token=…'", r.Stderr, StringComparison.Ordinal);
        Assert.True(Deployment("1.0.0").GetProperty("active").GetBoolean());
    }

    [Fact]
    public void The_upgrade_handler_sees_the_previous_version()
    {
        // § Upgrade: the install goes through the installer, so the upgrade handler runs with PACKSTER_PREVIOUS_VERSION.
        var repo = _f.AddFolderSource("local");
        const string Handler = """
            [handlers]
            upgrade = "scripts/upgrade.sh"
            """;
        const string Script = "#!/bin/sh\nprintf '%s' \"$PACKSTER_PREVIOUS_VERSION\" > \"$PACKSTER_DEPLOYMENT_PATH/previous.txt\"\n";
        _f.Publish(repo, "app", "1.0.0", Handler, ("scripts/upgrade.sh", Script));
        _f.Install("app");
        _f.Publish(repo, "app", "1.5.0", Handler, ("scripts/upgrade.sh", Script));

        var up = Upgrade("app");

        Assert.Equal("1.0.0", File.ReadAllText(Path.Combine(up.GetProperty("path").GetString()!, "previous.txt")));
    }

    [Fact]
    public void Upgrading_to_a_version_already_deployed_inactive_makes_it_active_again()
    {
        // § Upgrade: after `use` of an older version, upgrade brings the newer deployment back.
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "hello", "1.0.0");
        _f.Publish(repo, "hello", "2.0.0");
        _f.Install("hello@1.0.0");
        _f.Install("hello@2.0.0");
        _f.Packster.Ok("use", "hello@1.0.0", "--location", "dev");

        var up = Upgrade("hello");

        Assert.Equal("upgraded", up.GetProperty("status").GetString());
        Assert.True(Deployment("2.0.0").GetProperty("active").GetBoolean());
        Assert.False(Deployment("1.0.0").GetProperty("active").GetBoolean());
    }

    // spec/lockfile.md § Upgrade: several packages (or --all) are upgraded as one transaction: one commit, one
    // generation; when one of them fails, none is upgraded and the location is as it was.
    [Fact]
    public void Several_packages_upgrade_together_or_not_at_all()
    {
        if (OperatingSystem.IsWindows()) return;
        var repo = _f.AddFolderSource("local");
        var marker = _f.Temp["refuse-upgrade"];
        var handler = $"#!/bin/sh\n[ ! -e '{marker}' ] || {{ echo refused >&2; exit 1; }}\n";
        foreach (var id in new[] { "alpha", "beta" }) _f.Publish(repo, id, "1.0.0");
        _f.Install("alpha");
        _f.Install("beta");
        _f.Publish(repo, "alpha", "2.0.0");
        _f.Publish(repo, "beta", "2.0.0", "[handlers]\ninstall = \"install.sh\"", ("install.sh", handler));
        using var generations = JsonDocument.Parse(_f.Packster.Ok("generations", "--location", "dev", "--json"));
        var before = generations.RootElement.GetArrayLength();

        File.WriteAllText(marker, "");
        var snapshot = _f.Snapshot();
        var failed = _f.Run("upgrade", "--all", "--location", "dev");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("nothing was committed", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal(snapshot.Where(kv => !kv.Key.StartsWith("logs", StringComparison.Ordinal)), _f.Snapshot().Where(kv => !kv.Key.StartsWith("logs", StringComparison.Ordinal)));

        File.Delete(marker);
        var up = Upgrade("alpha", "beta");
        Assert.Equal(["alpha@2.0.0:upgraded", "beta@2.0.0:upgraded"],
            up.EnumerateArray().Select(u => $"{u.GetProperty("id").GetString()}@{u.GetProperty("version").GetString()}:{u.GetProperty("status").GetString()}"));
        using var after = JsonDocument.Parse(_f.Packster.Ok("generations", "--location", "dev", "--json"));
        Assert.Equal(before + 1, after.RootElement.GetArrayLength());
        var again = _f.Run("upgrade", "--all", "--location", "dev");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("alpha 2.0.0 is up to date", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("beta 2.0.0 is up to date", again.Stdout, StringComparison.Ordinal);
        var both = _f.Run("upgrade", "alpha", "--all", "--location", "dev");
        Assert.Equal(2, both.ExitCode);
    }

    // spec/lockfile.md § Upgrade, Several packages: "A dry run plans each against the state the ones planned before it
    // would leave, as the run upgrades each in the transaction that has the earlier ones". alpha 2.0.0 gives up the shim
    // 'tool' that beta 2.0.0 takes, so the run upgrades both; then gamma 2.0.0 takes 'tool' too, and the run refuses it
    // with PST6000. Before, each package was planned against the lockfile as it was: the first dry run refused beta
    // (alpha 1.0.0 still owned 'tool') and the second predicted that gamma would be upgraded.
    [Fact]
    public void A_dry_run_of_several_upgrades_plans_each_after_the_ones_before_it_as_the_run_does()
    {
        const string Tool = "[shims]\ntool = \"bin/tool\"\n";
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "alpha", "1.0.0", Tool, ("bin/tool", "#!/bin/sh\necho alpha\n"));
        _f.Publish(repo, "beta", "1.0.0");
        _f.Publish(repo, "gamma", "1.0.0");
        foreach (var id in new[] { "alpha", "beta", "gamma" }) _f.Install(id);
        _f.Publish(repo, "alpha", "2.0.0");
        _f.Publish(repo, "beta", "2.0.0", Tool, ("bin/tool", "#!/bin/sh\necho beta\n"));

        var (dry, real) = DryRunThenRun(0, "upgrade", "alpha", "beta", "--location", "dev");
        // What the dry run said it would upgrade is what the run upgraded.
        Assert.Equal(Upgraded(real.Stdout, "upgraded "), Upgraded(dry.Stdout, "would upgrade "));
        Assert.Equal(["alpha 1.0.0 → 2.0.0", "beta 1.0.0 → 2.0.0"], Upgraded(dry.Stdout, "would upgrade "));

        _f.Publish(repo, "beta", "3.0.0", Tool, ("bin/tool", "#!/bin/sh\necho beta\n"));
        _f.Publish(repo, "gamma", "2.0.0", Tool, ("bin/tool", "#!/bin/sh\necho gamma\n"));
        AssertSameRefusal(DryRunThenRun(6, "upgrade", "beta", "gamma", "--location", "dev"), "error[PST6000]: shim 'tool' is already owned by beta 3.0.0");
    }

    /// <summary>
    /// The command <paramref name="args"/> with --dry-run, which must change nothing, then without: each must exit
    /// <paramref name="exit"/>.
    /// </summary>
    private (Cli.ProcessResult Dry, Cli.ProcessResult Real) DryRunThenRun(int exit, params string[] args)
    {
        var before = _f.Snapshot();
        var dry = _f.Run([.. args, "--dry-run"]);
        Assert.True(dry.ExitCode == exit, dry.ToString());
        Assert.Equal(before, _f.Snapshot());
        var real = _f.Run(args);
        Assert.True(real.ExitCode == exit, real.ToString());
        return (dry, real);
    }

    /// <summary>The run's error starts with <paramref name="start"/>, and the dry run ends in the same error, word for word, hint included.</summary>
    private static void AssertSameRefusal((Cli.ProcessResult Dry, Cli.ProcessResult Real) runs, string start)
    {
        var error = runs.Real.Stderr[runs.Real.Stderr.IndexOf("error[", StringComparison.Ordinal)..];
        Assert.StartsWith(start, error, StringComparison.Ordinal);
        Assert.EndsWith(error, runs.Dry.Stderr, StringComparison.Ordinal);
    }

    // spec/lockfile.md § Upgrade, Several packages: "the target it would make active again" counts in a dry run of several
    // upgrades. beta 2.0.0 is deployed, inactive, with the shim 'tool'; alpha 2.0.0 takes 'tool' first, so making beta
    // 2.0.0 active again is refused by the run with PST6000, and by the dry run with the same words. Before, the dry run
    // left beta 2.0.0 inactive in its plan and predicted success.
    [Fact]
    public void A_dry_run_of_several_upgrades_meets_the_conflict_of_a_target_made_active_again()
    {
        const string Tool = "[shims]\ntool = \"bin/tool\"\n";
        var repo = _f.AddFolderSource("local");
        _f.Publish(repo, "alpha", "1.0.0");
        _f.Publish(repo, "beta", "1.0.0");
        _f.Install("alpha");
        _f.Install("beta");
        _f.Publish(repo, "beta", "2.0.0", Tool, ("bin/tool", "#!/bin/sh\necho beta\n"));
        _f.Install("beta");
        _f.Packster.Ok("use", "beta@1.0.0", "--location", "dev");
        _f.Publish(repo, "alpha", "2.0.0", Tool, ("bin/tool", "#!/bin/sh\necho alpha\n"));

        AssertSameRefusal(DryRunThenRun(6, "upgrade", "alpha", "beta", "--location", "dev"), "error[PST6000]: shim 'tool' is already owned by alpha 2.0.0");
    }

    /// <summary>The "<paramref name="prefix"/>id a → b" lines of an upgrade's text output, without the prefix and the path.</summary>
    private static List<string> Upgraded(string stdout, string prefix) =>
        [.. stdout.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => string.Join(' ', l[prefix.Length..].Split(' ').Take(4)))];
}
