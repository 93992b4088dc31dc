using System.Diagnostics;
using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>spec/export.md through the real executable: export, import into another location, sync with and without prune.</summary>
public sealed class EnvironmentTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public EnvironmentTests()
    {
        // Packages are fetched by file name from a folder source, as import does on another machine.
        Directory.CreateDirectory(_f.Dist);
        _f.Packster.Ok("source", "add", "shelf", "--type", "folder", "--url", _f.Dist);
    }

    public void Dispose() => _f.Dispose();

    private string Tool(string id, string version, string parameters = "")
    {
        var dir = _f.Temp[$"{id}-{version}"];
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        var script = Path.Combine(dir, "bin", id);
        File.WriteAllText(script, $"#!/bin/sh\necho {id} {version}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"{id}\"\nversion = \"{version}\"\nlicense = \"MIT\"\n[shims]\n{id} = \"bin/{id}\"\n{parameters}");
        return _f.Pack(dir);
    }

    /// <summary>Location "dev" with tool 1.0.0 and <paramref name="policy"/> as its policy file, exported: the environment file.</summary>
    private string ExportedWithPolicy(string policy)
    {
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0"), "--location", "dev");
        File.WriteAllText(Path.Combine(_f.LocationPath, "packster-policy.toml"), policy);
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        return env;
    }

    /// <summary>A <c>sync</c> of <paramref name="env"/> into location "copy", the real process killed at crash point <paramref name="point"/>.</summary>
    private void SyncKilledAt(string env, string point) =>
        Assert.Equal(137, _f.Packster.Run(["sync", env, "--location", "copy"], new Dictionary<string, string> { [CrashPoint.Variable] = point }).ExitCode);

    private string Location(string id)
    {
        var path = _f.Temp[id];
        _f.Packster.Ok("location", "create", path, "--id", id);
        return path;
    }

    private List<(string Id, string Version, string Deployment, bool Active)> Deployments(string location)
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("list", "--location", location, "--json"));
        return [.. doc.RootElement.EnumerateArray()
            .Select(d => (d.GetProperty("id").GetString()!, d.GetProperty("version").GetString()!, d.GetProperty("deployment").GetString()!, d.GetProperty("active").GetBoolean()))
            .OrderBy(d => d.Item3, StringComparer.Ordinal)];
    }

    private static string Body(string environment) =>
        string.Join('\n', environment.Split('\n').Where(l => !l.StartsWith('#') && !l.StartsWith("location = ", StringComparison.Ordinal)));

    // § export, § import: the file recreates the location — the same deployment hashes, active set, parameters and
    // policy — and exporting the copy gives the same file.
    [Fact]
    public void Export_then_import_recreates_the_location()
    {
        var params_ = "[parameters.port]\ntype = \"integer\"\ndefault = 1\n";
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0", params_), "--location", "dev", "-p", "port=7001");
        _f.Packster.Ok("install-file", Tool("tool", "2.0.0", params_), "--location", "dev", "-p", "port=7002");
        _f.Packster.Ok("install-file", Tool("lib", "1.0.0"), "--location", "dev");
        _f.Packster.Ok("use", "tool@1.0.0", "--location", "dev");
        _f.Packster.Ok("pin", "lib", "--location", "dev");
        _f.Packster.Ok("licenses", "allow", "MIT", "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        var text = File.ReadAllText(env);
        Assert.Contains("[policy.licenses]\nallow = [\"MIT\"]", text, StringComparison.Ordinal);
        Assert.Contains("parameters = { port = 7002 }", text, StringComparison.Ordinal);

        var copy = Location("copy");
        var before = _f.Packster.Ok("sync", env, "--location", "copy", "--dry-run");
        Assert.Contains("would install tool 2.0.0", before, StringComparison.Ordinal);
        Assert.Empty(Deployments("copy"));

        _f.Packster.Ok("import", env, "--location", "copy");
        Assert.Equal(Deployments("dev"), Deployments("copy"));
        Assert.Contains("allow = [\"MIT\"]", File.ReadAllText(Path.Combine(copy, "packster-policy.toml")), StringComparison.Ordinal);
        Assert.Equal(Body(text), Body(_f.Packster.Ok("export", "--location", "copy")));
        Assert.Contains("already matches", _f.Packster.Ok("sync", env, "--location", "copy"), StringComparison.Ordinal);

        var again = _f.Packster.Run("import", env, "--location", "copy");
        Assert.Equal(8, again.ExitCode);
        Assert.Contains("error[PST8018]: location copy already has deployments", again.Stderr, StringComparison.Ordinal);
    }

    // § sync: "A location that already matches prints `location L already matches the file`" — the policy tables are
    // written key by key (the location's other keys stay), so a key only the location has is no difference.
    [Fact]
    public void A_policy_key_only_the_location_has_is_no_change_for_sync()
    {
        _f.Packster.Ok("install-file", Tool("lib", "1.0.0"), "--location", "dev");
        _f.Packster.Ok("licenses", "allow", "MIT", "--location", "dev");
        var env = _f.Temp["keys.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        var copy = Location("copy");
        _f.Packster.Ok("import", env, "--location", "copy");
        _f.Packster.Ok("licenses", "deny", "GPL-3.0-only", "--location", "copy");

        Assert.Contains("location copy already matches the file", _f.Packster.Ok("sync", env, "--location", "copy", "--dry-run"), StringComparison.Ordinal);
        Assert.Contains("location copy already matches the file", _f.Packster.Ok("sync", env, "--location", "copy"), StringComparison.Ordinal);
        var policy = File.ReadAllText(Path.Combine(copy, "packster-policy.toml"));
        Assert.Contains("GPL-3.0-only", policy, StringComparison.Ordinal);

        // A key the file holds otherwise is still a change.
        _f.Packster.Ok("licenses", "allow", "Apache-2.0", "--location", "copy");
        Assert.Contains("would set the location's [licenses] policy", _f.Packster.Ok("sync", env, "--location", "copy", "--dry-run"), StringComparison.Ordinal);
    }

    // § Format: "[policy] deny: the location's packster-policy.toml top-level deny list … as it is there"; § sync step 2:
    // the deny list is written to the location's packster-policy.toml "so the checks below obey them — a listed
    // deployment the deny list refuses is PST4060, as for install". export → import keeps the rule, and it refuses.
    [Fact]
    public void The_deny_list_goes_with_the_environment()
    {
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0"), "--location", "dev");
        var denied = Tool("tool", "1.4.2");
        File.WriteAllText(Path.Combine(_f.LocationPath, "packster-policy.toml"), "deny = [\"tool@1.4.2\"]\n\n[licenses]\nallow = [\"MIT\"]\n");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        var text = File.ReadAllText(env);
        Assert.Contains("format = 2\n", text, StringComparison.Ordinal);
        Assert.Contains("\n[policy]\ndeny = [\"tool@1.4.2\"]\n\n[policy.licenses]\nallow = [\"MIT\"]\n", text, StringComparison.Ordinal);

        var copy = Location("copy");
        Assert.Contains("would set the location's deny list", _f.Packster.Ok("import", env, "--location", "copy", "--dry-run"), StringComparison.Ordinal);
        _f.Packster.Ok("import", env, "--location", "copy");
        Assert.Equal(Deployments("dev"), Deployments("copy"));
        Assert.Equal(Body(text), Body(_f.Packster.Ok("export", "--location", "copy")));
        var refused = _f.Packster.Run("install-file", denied, "--location", "copy");
        Assert.Equal(4, refused.ExitCode);
        Assert.StartsWith($"error[PST4060]: tool 1.4.2 is denied by 'tool@1.4.2' ({Path.Combine(copy, "packster-policy.toml")})", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("already matches", _f.Packster.Ok("sync", env, "--location", "copy"), StringComparison.Ordinal);

        // A file whose own deny list refuses a deployment it lists: import refuses it, dry run or not, nothing changed.
        Location("other");
        _f.Packster.Ok("install-file", denied, "--location", "other");
        var listing = _f.Temp["denied.packster-lock.toml"];
        File.WriteAllText(listing, _f.Packster.Ok("export", "--location", "other").Replace("format = 1\n", "format = 2\n", StringComparison.Ordinal)
            .Replace("location = \"other\"\n", "location = \"other\"\n\n[policy]\ndeny = [\"tool@>=1.4\"]\n", StringComparison.Ordinal));
        var fresh = Location("fresh");
        var snapshot = _f.Snapshot(fresh);
        foreach (var dry in new[] { true, false })
        {
            var r = _f.Packster.Run(["import", listing, "--location", "fresh", .. dry ? new[] { "--dry-run" } : []]);
            Assert.Equal(4, r.ExitCode);
            Assert.StartsWith($"error[PST4060]: tool 1.4.2 is denied by 'tool@>=1.4' ({Path.Combine(fresh, "packster-policy.toml")})", r.Stderr, StringComparison.Ordinal);
            Assert.Equal(snapshot, _f.Snapshot(fresh));
        }
        Assert.False(File.Exists(Path.Combine(fresh, "packster-policy.toml")));
    }

    // § Format versions: "Format 2 is format 1 with deny in [policy] … deny in a format 1 file is PST8017"; a bad entry is
    // PST2042 "FILE:LINE:COL: policy: …", the location's policy file never given it.
    [Theory]
    [InlineData("format = 1\n\n[policy]\ndeny = [\"tool\"]\n", "error[PST8017]: {0}:4:1: 'policy.deny' needs 'format = 2' (format 1 has no deny list)")]
    [InlineData("format = 2\n\n[policy]\ndeny = [\"tool@^x\"]\n", "error[PST2042]: {0}:4:9: policy: deny: 'tool@^x': '^x' is not a version range")]
    [InlineData("format = 3\n", "error[PST8017]: {0}:1:10: format 3 is not supported (this packster reads formats 1 and 2; written by a newer packster?)")]
    public void A_deny_list_the_file_cannot_hold_is_refused(string text, string error)
    {
        var env = _f.Temp["deny.packster-lock.toml"];
        File.WriteAllText(env, text);
        var copy = Location("copy");
        var snapshot = _f.Snapshot(copy);
        foreach (var command in new[] { "sync", "import" })
        {
            var refused = _f.Packster.Run(command, env, "--location", "copy");
            Assert.StartsWith(string.Format(System.Globalization.CultureInfo.InvariantCulture, error, env), refused.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(snapshot, _f.Snapshot(copy));
        Assert.False(File.Exists(Path.Combine(copy, "packster-policy.toml")));
    }

    // § sync step 2: each missing package file is fetched "from the sources that list that exact file name"; none does:
    // PST8004 with a hint import can follow (it takes no --locked) — add a source that offers it — and following it works.
    [Fact]
    public void A_package_no_source_offers_hints_at_adding_one()
    {
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0"), "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        // Another machine: an empty download cache, and a source without the file.
        var cache = _f.Temp["other-cache"];
        var empty = _f.Temp["empty-shelf"];
        Directory.CreateDirectory(empty);
        _f.Packster.Ok("source", "remove", "shelf");
        _f.Packster.Ok("source", "add", "bare", "--type", "folder", "--url", empty);
        Location("copy");
        var snapshot = _f.Snapshot(_f.Temp["copy"]);
        var otherCache = new Dictionary<string, string> { ["PACKSTER_CACHE"] = cache };
        foreach (var args in new[] { new[] { "import", env, "--location", "copy" }, ["import", env, "--location", "copy", "--dry-run"], ["sync", env, "--location", "copy"] })
        {
            var r = _f.Packster.Run(args, otherCache);
            Assert.Equal(8, r.ExitCode);
            Assert.StartsWith("error[PST8004]: no source offers tool-1.0.0-", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("hint: the environment file records no source: add a source that offers this exact file ('packster source add <name> --type folder --url <dir>'", r.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("--locked", r.Stderr, StringComparison.Ordinal);
            Assert.Equal(snapshot, _f.Snapshot(_f.Temp["copy"]));
        }

        // Following it: a source that offers the file, then the same import.
        _f.Packster.Ok("source", "add", "shelf", "--type", "folder", "--url", _f.Dist);
        var followed = _f.Packster.Run(["import", env, "--location", "copy"], otherCache);
        Assert.True(followed.ExitCode == 0, followed.ToString());
        Assert.Equal(Deployments("dev"), Deployments("copy"));
    }

    // § sync step 2: "--dry-run makes these checks too … and the resource guard of step 3 on the active set it would
    // make": two deployments of the file that claim one port are refused by the dry run with the run's error (PST6000).
    [Fact]
    public void A_dry_run_finds_a_port_conflict_between_the_files_own_deployments()
    {
        const string port = "[parameters.port]\ntype = \"integer\"\ndefault = 1\n[provides]\nports = [\"{param.port}\"]\n";
        _f.Packster.Ok("install-file", Tool("alpha", "1.0.0", port), "--location", "dev", "-p", "port=8080");
        Location("other");
        _f.Packster.Ok("install-file", Tool("beta", "1.0.0", port), "--location", "other", "-p", "port=8080");
        // One file listing both, active: each location alone holds the port, the file's location would hold it twice.
        var env = _f.Temp["both.packster-lock.toml"];
        var beta = _f.Packster.Ok("export", "--location", "other");
        File.WriteAllText(env, _f.Packster.Ok("export", "--location", "dev") + beta[beta.IndexOf("\n[[deployments]]", StringComparison.Ordinal)..]);
        var copy = Location("copy");
        var snapshot = _f.Snapshot(copy);
        foreach (var verb in new[] { "import", "sync" })
        {
            var dry = _f.Packster.Run(verb, env, "--location", "copy", "--dry-run");
            var real = _f.Packster.Run(verb, env, "--location", "copy");
            // The run says "nothing was committed: …" before its error; the error line itself is the same.
            static string Error(string stderr) => stderr.Split('\n').Single(l => l.StartsWith("error[", StringComparison.Ordinal));
            Assert.Equal(6, real.ExitCode);
            Assert.Contains("nothing was committed", real.Stderr, StringComparison.Ordinal);
            Assert.StartsWith("error[PST6000]: port '8080' is already owned by alpha 1.0.0 (", Error(real.Stderr), StringComparison.Ordinal);
            Assert.Equal(real.ExitCode, dry.ExitCode);
            Assert.Equal(Error(real.Stderr), Error(dry.Stderr));
            Assert.Equal("", dry.Stdout);
            Assert.Equal(snapshot, _f.Snapshot(copy));
        }
    }

    // § sync: switches the active set back, leaves unlisted deployments alone unless --prune, and --dry-run changes nothing.
    [Fact]
    public void Sync_restores_the_active_set_and_prunes_only_when_asked()
    {
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0"), "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        _f.Packster.Ok("install-file", Tool("tool", "2.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("extra", "1.0.0"), "--location", "dev");

        var snapshot = _f.Snapshot();
        using (var plan = JsonDocument.Parse(_f.Packster.Ok("sync", env, "--location", "dev", "--prune", "--dry-run", "--json")))
        {
            Assert.Equal(["tool@1.0.0"], plan.RootElement.GetProperty("activate").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["extra@1.0.0", "tool@2.0.0"], plan.RootElement.GetProperty("remove").EnumerateArray().Select(e => e.GetString()).Order());
        }
        Assert.Equal(snapshot, _f.Snapshot());

        _f.Packster.Ok("sync", env, "--location", "dev");
        var now = Deployments("dev");
        Assert.Equal(3, now.Count);
        Assert.Contains(("tool", "1.0.0"), now.Where(d => d.Active).Select(d => (d.Id, d.Version)));
        Assert.Contains(("extra", "1.0.0"), now.Where(d => d.Active).Select(d => (d.Id, d.Version)));

        _f.Packster.Ok("sync", env, "--location", "dev", "--prune");
        Assert.Equal([("tool", "1.0.0", true)], Deployments("dev").Select(d => (d.Id, d.Version, d.Active)));
        _f.Packster.Ok("verify", "dev");
    }

    // § sync, step 4: removals come after the one commit, each its own; "a sync interrupted here is completed by running
    // it again". What the commit changed is said as it is done, so a removal that fails leaves those lines printed.
    [Fact]
    public void A_prune_that_fails_after_the_commit_has_already_said_what_the_commit_changed()
    {
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0"), "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        _f.Packster.Ok("install-file", Tool("tool", "2.0.0"), "--location", "dev");
        var stubborn = _f.Temp["stubborn"];
        Directory.CreateDirectory(stubborn);
        File.WriteAllText(Path.Combine(stubborn, "un.sh"), "#!/bin/sh\necho refusing >&2\nexit 3\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(stubborn, "un.sh"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(stubborn, "packster-manifest.toml"), "id = \"stubborn\"\nversion = \"1.0.0\"\n[handlers]\nuninstall = \"un.sh\"\n");
        _f.Packster.Ok("install-file", _f.Pack(stubborn), "--location", "dev");

        var sync = _f.Packster.Run("sync", env, "--location", "dev", "--prune");
        Assert.NotEqual(0, sync.ExitCode);
        Assert.Contains("error[", sync.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^activate tool 1\.0\.0 \([0-9a-f]{12}\)$", sync.Stdout);
        Assert.Contains(("tool", "1.0.0"), Deployments("dev").Where(d => d.Active).Select(d => (d.Id, d.Version)));
        Assert.Contains(("stubborn", "1.0.0"), Deployments("dev").Select(d => (d.Id, d.Version)));
    }

    // § import: a secret parameter is never in the file; without --secrets-file the install cannot happen and nothing
    // changes; with it, the deployment is the same one (secrets are not part of the hash).
    [Fact]
    public void Secret_parameters_come_from_a_secrets_file()
    {
        var package = Tool("vault", "1.0.0", "[parameters.token]\ntype = \"string\"\nrequired = true\nsecret = true\n");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "token=s3cr3t-value");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        Assert.DoesNotContain("s3cr3t", File.ReadAllText(env), StringComparison.Ordinal);

        var copy = Location("copy");
        List<string> Entries() => [.. Directory.EnumerateFileSystemEntries(copy, "*", SearchOption.AllDirectories).Where(p => !p.Contains(".packster/lock", StringComparison.Ordinal)).Order()];
        var snapshot = Entries();
        var missing = _f.Packster.Run("import", env, "--location", "copy");
        Assert.Equal(3, missing.ExitCode);
        Assert.StartsWith("error[PST3004]: vault-1.0.0-", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("parameter 'token' is required", missing.Stderr, StringComparison.Ordinal);
        // import has no --parameters or -p: the hint names the option it has.
        Assert.Contains("hint: give it in the file named by --secrets-file: {\"vault\": {\"<parameter>\": …}}", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("-p token", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(snapshot, Entries());

        File.WriteAllText(_f.Temp["secrets.json"], "{\"vault\": {\"token\": \"s3cr3t-value\"}}");
        _f.Packster.Ok("import", env, "--location", "copy", "--secrets-file", _f.Temp["secrets.json"]);
        Assert.Equal(Deployments("dev"), Deployments("copy"));
    }

    // § Format: "an entry for a package the environment file does not list is PST1001 …, a parameter the package does
    // not declare PST3001, one it declares without `secret = true` PST1001, each naming the secrets file, the package
    // and the parameter; nothing changed, dry runs alike" — not left to the deployment hash check (PST8018).
    [Theory]
    [InlineData("{\"vualt\": {\"token\": \"x\"}}", 2, "error[PST1001]: secrets file '{0}' gives parameters for package 'vualt', which {1} does not list", "did you mean 'vault'?; nothing was changed\nhint: the environment file lists vault:")]
    [InlineData("{\"vault\": {\"token\": \"x\", \"tokn\": \"y\"}}", 3, "error[PST3001]: secrets file '{0}': package 'vault': parameter 'tokn' is not declared by vault-1.0.0-", ".packster; did you mean 'token'?; nothing was changed")]
    [InlineData("{\"vault\": {\"token\": \"x\", \"port\": 1234}}", 2, "error[PST1001]: secrets file '{0}': package 'vault': parameter 'port' of vault-1.0.0-", ".packster is not secret, so the environment file records its value")]
    public void A_secrets_entry_the_file_cannot_use_is_named(string secrets, int exitCode, string error, string words)
    {
        var package = Tool("vault", "1.0.0", "[parameters.token]\ntype = \"string\"\nrequired = true\nsecret = true\n[parameters.port]\ntype = \"integer\"\ndefault = 1\n");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "token=abcd", "-p", "port=1234");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        var copy = Location("copy");
        var snapshot = _f.Snapshot(copy);
        var file = _f.Temp["secrets.json"];
        File.WriteAllText(file, secrets);
        var expected = string.Format(System.Globalization.CultureInfo.InvariantCulture, error, file, env);
        foreach (var args in new[] { new[] { "import", env }, ["import", env, "--dry-run"], ["sync", env], ["sync", env, "--dry-run"] })
        {
            var refused = _f.Packster.Run([.. args, "--location", "copy", "--secrets-file", file]);
            Assert.Equal(exitCode, refused.ExitCode);
            Assert.StartsWith(expected, refused.Stderr, StringComparison.Ordinal);
            Assert.Contains(words, refused.Stderr, StringComparison.Ordinal);
            Assert.Equal(snapshot, _f.Snapshot(copy));
        }
    }

    // § export: secrets are "merged into that package's parameters", so they are judged as --parameters are
    // (spec/errors.md PST3008: "a parameter name or string value holds a lone UTF-16 surrogate escape"); a dry run
    // refuses the same way, and nothing changes.
    [Theory]
    [InlineData("{\"vault\": {\"token\": \"\\ud800\"}}", "package 'vault': 'token': a string value")]
    [InlineData("{\"vault\": {\"\\ud800\": \"x\"}}", "package 'vault': a member name")]
    [InlineData("{\"\\ud800\": {\"token\": \"x\"}}", "a package id")]
    public void A_secret_that_is_not_unicode_text_is_refused(string secrets, string what)
    {
        var package = Tool("vault", "1.0.0", "[parameters.token]\ntype = \"string\"\nrequired = true\nsecret = true\n");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "token=abcd");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        var copy = Location("copy");
        List<string> Entries() => [.. Directory.EnumerateFileSystemEntries(copy, "*", SearchOption.AllDirectories).Where(p => !p.Contains(".packster/lock", StringComparison.Ordinal)).Order()];
        var snapshot = Entries();
        File.WriteAllText(_f.Temp["secrets.json"], secrets);

        foreach (var args in new[] { new[] { "import", env }, ["import", env, "--dry-run"], ["sync", env], ["sync", env, "--dry-run"] })
        {
            var refused = _f.Packster.Run([.. args, "--location", "copy", "--secrets-file", _f.Temp["secrets.json"]]);
            Assert.Equal(3, refused.ExitCode);
            Assert.StartsWith("error[PST3008]: secrets file '", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains($"{what} holds a lone UTF-16 surrogate escape", refused.Stderr, StringComparison.Ordinal);
            Assert.Equal(snapshot, Entries());
        }
    }

    // § sync step 2: "A hash that differs from the file's is PST8018 … nothing changed"; spec/lockfile.md § Dry run:
    // "a refusal … is the same error" — so --dry-run makes the same checks (under the file's policy, written nowhere).
    [Fact]
    public void A_dry_run_refuses_what_the_real_run_refuses()
    {
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0", "[parameters.port]\ntype = \"integer\"\ndefault = 1\n"), "--location", "dev", "-p", "port=7001");
        _f.Packster.Ok("licenses", "allow", "MIT", "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        Assert.Contains("port = 7001", File.ReadAllText(env), StringComparison.Ordinal);
        var edited = _f.Temp["edited.packster-lock.toml"];
        File.WriteAllText(edited, File.ReadAllText(env).Replace("port = 7001", "port = 7201", StringComparison.Ordinal));
        var copy = Location("copy");
        List<string> Entries() => [.. Directory.EnumerateFileSystemEntries(copy, "*", SearchOption.AllDirectories).Where(p => !p.Contains(".packster/lock", StringComparison.Ordinal)).Order()];
        var snapshot = Entries();

        foreach (var args in new[] { new[] { edited } })
        {
            foreach (var verb in new[] { "import", "sync" })
            {
                var dry = _f.Packster.Run([verb, .. args, "--location", "copy", "--dry-run"]);
                var real = _f.Packster.Run([verb, .. args, "--location", "copy"]);
                Assert.Equal(8, real.ExitCode);
                Assert.StartsWith("error[PST8018]: tool-1.0.0-", real.Stderr, StringComparison.Ordinal);
                Assert.Contains("not the ", real.Stderr, StringComparison.Ordinal);
                Assert.Equal(real.ExitCode, dry.ExitCode);
                Assert.Equal(real.Stderr, dry.Stderr);
                Assert.Equal("", dry.Stdout);
                Assert.Equal(snapshot, Entries());
            }
        }
        // The unedited file passes the same dry run, the policy it brings written nowhere in the location.
        Assert.Contains("would set the location's [licenses] policy", _f.Packster.Ok("import", env, "--location", "copy", "--dry-run"), StringComparison.Ordinal);
        Assert.Equal(snapshot, Entries());
    }

    // § export: "`export` writes a requirement whose deployment was uninstalled since without `package` and
    // `deployment`, as one never installed" — so the file it writes still imports.
    [Fact]
    public void A_bundle_resolution_whose_deployment_was_uninstalled_is_exported_without_it()
    {
        Tool("tool", "1.0.0");
        var bundle = _f.Temp["bundle.toml"];
        File.WriteAllText(bundle, "[packages]\ntool = \"^1\"\n");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        Assert.Matches("(?m)^\\[bundle\\.tool\\]\nversion = \"\\^1\"\npackage = \"tool-1\\.0\\.0-", File.ReadAllText(env));

        _f.Packster.Ok("uninstall", "tool", "--location", "dev");
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        Assert.EndsWith("[bundle.tool]\nversion = \"^1\"\n", File.ReadAllText(env), StringComparison.Ordinal);
        Location("copy");
        _f.Packster.Ok("import", env, "--location", "copy");
    }

    // § Limits of what is read: an environment, bundle or secrets file that never ends (/dev/zero) is refused after its
    // limit with the file's own code — not read until memory runs out (PST0001) — and nothing changes.
    [Theory]
    [InlineData("import", "PST8017", "environment file '/dev/zero' was not read: it holds more than 64 MiB")]
    [InlineData("sync", "PST8017", "environment file '/dev/zero' was not read: it holds more than 64 MiB")]
    [InlineData("bundle", "PST8012", "bundle file '/dev/zero' was not read: it holds more than 16 MiB")]
    [InlineData("secrets", "PST1001", "was not read: it holds more than 16 MiB")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void An_endless_file_is_refused_after_its_limit(string command, string code, string words)
    {
        var copy = Location("copy");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "copy", "-o", env);
        var before = _f.Snapshot(copy);
        string[] args = command switch
        {
            "bundle" => ["bundle", "install", "/dev/zero", "--location", "copy"],
            "secrets" => ["import", env, "--location", "copy", "--secrets-file", "/dev/zero"],
            _ => [command, "/dev/zero", "--location", "copy"],
        };
        var r = _f.Packster.Run(args);
        Assert.StartsWith($"error[{code}]: ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(words, r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot(copy));
    }

    // § Format: an edited parameter no longer gives the recorded deployment (PST8018), a malformed file is named with
    // its line (PST8017); neither changes anything.
    [Fact]
    public void A_file_that_does_not_match_its_deployments_is_refused()
    {
        var params_ = "[parameters.port]\ntype = \"integer\"\ndefault = 1\n";
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0", params_), "--location", "dev", "-p", "port=7001");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        File.WriteAllText(env, File.ReadAllText(env).Replace("port = 7001", "port = 7009", StringComparison.Ordinal));

        Location("copy");
        var snapshot = Deployments("copy");
        var mismatch = _f.Packster.Run("import", env, "--location", "copy");
        Assert.Equal(8, mismatch.ExitCode);
        Assert.StartsWith("error[PST8018]: tool-1.0.0-", mismatch.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", mismatch.Stderr, StringComparison.Ordinal);
        Assert.Equal(snapshot, Deployments("copy"));

        File.WriteAllText(env, "format = 1\n\n[[deployments]]\nid = \"tool\"\npackage = \"not-a-package\"\n");
        var invalid = _f.Packster.Run("sync", env, "--location", "copy");
        Assert.Equal(8, invalid.ExitCode);
        Assert.StartsWith($"error[PST8017]: {env}:5:11: 'deployments[0].package' = \"not-a-package\" is not a package file name", invalid.Stderr, StringComparison.Ordinal);
    }

    // § sync step 2: "A deployment the location has already is checked alike … the file's parameters must give the
    // deployment hash the file records, else PST8018 in the same words"; "Any failure here leaves the location … as it
    // was: nothing changed" — not a bundle entry recorded for a deployment whose parameters the file does not state.
    [Fact]
    public void Sync_refuses_edited_parameters_of_a_deployment_the_location_has()
    {
        Tool("tool", "1.0.0", "[parameters.port]\ntype = \"integer\"\ndefault = 1\n");
        var bundle = _f.Temp["bundle.toml"];
        File.WriteAllText(bundle, "[packages]\ntool = { version = \"^1.0\", parameters = { port = 7001 } }\n");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        var copy = Location("copy");
        _f.Packster.Ok("import", env, "--location", "copy");
        var edited = _f.Temp["edited.packster-lock.toml"];
        var text = File.ReadAllText(env);
        Assert.Equal(2, text.Split("port = 7001").Length - 1); // the deployment and its bundle entry
        File.WriteAllText(edited, text.Replace("port = 7001", "port = 7009", StringComparison.Ordinal));
        var lockfile = Path.Combine(copy, "packster-location.json");
        var before = File.ReadAllBytes(lockfile);
        var recorded = Deployments("copy").Single().Deployment;

        var dry = _f.Packster.Run("sync", edited, "--location", "copy", "--dry-run");
        var real = _f.Packster.Run("sync", edited, "--location", "copy");
        Assert.Equal(8, real.ExitCode);
        Assert.StartsWith("error[PST8018]: tool-1.0.0-", real.Stderr, StringComparison.Ordinal);
        Assert.Contains($", not the {recorded} it records; nothing was changed", real.Stderr, StringComparison.Ordinal);
        Assert.Equal(real.ExitCode, dry.ExitCode);
        Assert.Equal(real.Stderr, dry.Stderr);
        Assert.Equal(before, File.ReadAllBytes(lockfile));
        // The file as exported still matches.
        Assert.Contains("already matches", _f.Packster.Ok("sync", env, "--location", "copy"), StringComparison.Ordinal);
    }

    // § sync step 2: "A deployment the location has whose folder, packster-deployment.json or packster-manifest.toml is
    // gone is damage in the location, said as verify says it: PST5007 … with the hint 'packster verify' checks the
    // location's deployments; reinstall tool 1.0.0 with --force to restore it" — not PST2001 with a hint for a package
    // source folder; and "Any failure here leaves the location … as it was".
    [Theory]
    [InlineData("packster-manifest.toml", "")]
    [InlineData("packster-deployment.json", ", or 'packster location repair dev' to drop it")]
    public void Sync_names_a_deployment_that_lost_its_record_as_damage_in_the_location(string lost, string repair)
    {
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0"), "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        var deployment = Deployments("dev").Single().Deployment;
        var path = Path.Combine(_f.LocationPath, "deployments", deployment, lost);
        File.Delete(path);
        var before = Snapshot(_f.LocationPath);

        foreach (var run in new[] { _f.Packster.Run("sync", env, "--location", "dev"), _f.Packster.Run("sync", env, "--location", "dev", "--dry-run") })
        {
            Assert.True(run.ExitCode == 5, run.ToString());
            Assert.StartsWith($"error[PST5007]: location dev: deployment tool 1.0.0 ({deployment[..12]}) is damaged: its {lost} is missing ('{path}'); nothing was changed\n", run.Stderr, StringComparison.Ordinal);
            Assert.Contains($"hint: 'packster verify' checks the location's deployments; reinstall tool 1.0.0 with --force to restore it{repair}\n", run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("PST2001", run.Stderr, StringComparison.Ordinal);
            Assert.Equal(before, Snapshot(_f.LocationPath));
        }
    }

    /// <summary>Every path under <paramref name="root"/> with its bytes (files) or target (links), in order.</summary>
    private static List<string> Snapshot(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p =>
            new FileInfo(p) is { LinkTarget: { } target } ? $"{p} -> {target}"
            : File.Exists(p) ? $"{p}: {Convert.ToHexString(File.ReadAllBytes(p))}"
            : p)];

    // § import: the missing deployments, the active set, pins and bundle are one transaction (spec/lockfile.md §
    // Transactions): a handler failing on the second package leaves the target location as it was, the first
    // package's install undone.
    [Fact]
    public void An_import_that_fails_half_way_changes_nothing()
    {
        if (OperatingSystem.IsWindows()) return;
        var marker = _f.Temp["refuse"];
        _f.Packster.Ok("install-file", Tool("first", "1.0.0"), "--location", "dev");
        var second = _f.Temp["second-src"];
        Directory.CreateDirectory(second);
        var handler = Path.Combine(second, "install.sh");
        File.WriteAllText(handler, $"#!/bin/sh\n[ ! -e '{marker}' ] || {{ echo refused >&2; exit 1; }}\n");
        File.SetUnixFileMode(handler, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(second, "packster-manifest.toml"), "id = \"second\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\n[handlers]\ninstall = \"install.sh\"\n");
        _f.Packster.Ok("install-file", _f.Pack(second), "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);

        var copy = Location("copy");
        File.WriteAllText(marker, "");
        var before = Directory.EnumerateFileSystemEntries(copy, "*", SearchOption.AllDirectories).Where(p => !p.Contains("/logs", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var lockfile = File.ReadAllBytes(Path.Combine(copy, "packster-location.json"));
        var failed = _f.Packster.Run("import", env, "--location", "copy");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("nothing was committed", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal(lockfile, File.ReadAllBytes(Path.Combine(copy, "packster-location.json")));
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(copy, "*", SearchOption.AllDirectories).Where(p => !p.Contains("/logs", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList());
        Assert.Empty(Deployments("copy"));

        File.Delete(marker);
        _f.Packster.Ok("import", env, "--location", "copy");
        Assert.Equal(Deployments("dev"), Deployments("copy"));
    }

    // § Format: "a null inside an array or object parameter has no TOML form …: export is PST8021 naming the deployment
    // and the path of the null, and writes nothing."
    [Fact]
    public void A_null_inside_a_parameter_is_refused_at_export_by_its_path()
    {
        var package = Tool("cfg", "1.0.0", "[parameters.a]\ntype = \"array\"\n[parameters.o]\ntype = \"object\"\n");
        var parameters = _f.Temp["p.json"];
        File.WriteAllText(parameters, "{\"a\": [1, null], \"o\": {\"A\": null}}");
        _f.Packster.Ok("install-file", package, "--location", "dev", "--parameters-file", parameters);
        var env = _f.Temp["env.packster-lock.toml"];
        var refused = _f.Packster.Run("export", "--location", "dev", "-o", env);
        Assert.Equal(8, refused.ExitCode);
        Assert.StartsWith("error[PST8021]: deployment cfg 1.0.0 (", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("parameter value a[1] is null", refused.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(env));
    }

    // § Format: "a parameter value in the file that nests more than 32 arrays or tables is PST3007 at import/sync, as
    // install gives for the same value"; nothing changed.
    [Fact]
    public void A_parameter_nested_too_deep_in_the_file_is_PST3007_like_install()
    {
        var package = Tool("cfg", "1.0.0", "[parameters.a]\ntype = \"array\"\n");
        var deep = new string('[', 200) + new string(']', 200);
        var env = _f.Temp["deep.packster-lock.toml"];
        File.WriteAllText(env, $"format = 1\n\n[[deployments]]\npackage = \"{Path.GetFileName(package)}\"\ndeployment = \"{new string('0', 64)}\"\nparameters = {{ a = {deep} }}\n");
        Location("copy");
        var snapshot = _f.Snapshot(_f.Temp["copy"]);
        foreach (var command in new[] { "import", "sync" })
        {
            var refused = _f.Packster.Run(command, env, "--location", "copy");
            Assert.Equal(3, refused.ExitCode);
            Assert.StartsWith($"error[PST3007]: {env}:6:", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("parameter 'a' of 'deployments[0]': a value nests 33 arrays or objects deep", refused.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(snapshot, _f.Snapshot(_f.Temp["copy"]));

        var parameters = _f.Temp["deep.json"];
        File.WriteAllText(parameters, $"{{\"a\": {deep}}}");
        var install = _f.Packster.Run("install-file", package, "--location", "copy", "--parameters-file", parameters);
        Assert.Equal(3, install.ExitCode);
        Assert.Contains("a value nests 33 arrays or objects deep", install.Stderr, StringComparison.Ordinal);
    }

    // § Format: "a [policy] table the location's policy file could not hold is refused naming the environment file
    // (PST2030, PST2041) before anything is read from the sources or written: the location's packster-policy.toml is
    // never given it."
    [Theory]
    [InlineData("[policy.trust]\nsignatures = \"bogus\"\n", "error[PST2030]: ", "'trust.signatures' must be")]
    [InlineData("[policy.licenses]\nallow = [\"NotALicense-x\"]\n", "error[PST2041]: ", "licenses.allow: 'NotALicense-x'")]
    public void A_bad_policy_in_the_file_is_named_in_the_file_and_never_written(string policy, string code, string what)
    {
        var env = _f.Temp["policy.packster-lock.toml"];
        File.WriteAllText(env, $"format = 1\n\n{policy}");
        var copy = Location("copy");
        var snapshot = _f.Snapshot(copy);
        foreach (var command in new[] { "sync", "import" })
        {
            var refused = _f.Packster.Run(command, env, "--location", "copy");
            Assert.Equal(3, refused.ExitCode);
            Assert.StartsWith($"{code}{env}:3:1: policy: ", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains(what, refused.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(snapshot, _f.Snapshot(copy));
        Assert.False(File.Exists(Path.Combine(copy, "packster-policy.toml")));
    }

    // § sync step 2: the packages are judged under a copy of the location's policy file with the file's policy written
    // into it, "naming the location's packster-policy.toml", the copy being outside the location and gone by the time
    // the message is read; spec/signing.md § Enforcement: no `.sig` under "warn" is "warning, install". The warning,
    // like a refusal, names the location's policy file, never the copy in the temp folder.
    [Fact]
    public void A_warning_under_the_files_policy_names_the_locations_policy_file()
    {
        var env = ExportedWithPolicy("[trust]\nsignatures = \"warn\"\n");
        Assert.Contains("[policy.trust]\nsignatures = \"warn\"\n", File.ReadAllText(env), StringComparison.Ordinal);
        var copy = Location("copy");

        var synced = _f.Packster.Run("sync", env, "--location", "copy");

        Assert.True(synced.ExitCode == 0, synced.ToString());
        Assert.Contains("warning: tool-1.0.0-", synced.Stderr, StringComparison.Ordinal);
        Assert.Contains($"(signatures = \"warn\" in {Path.Combine(copy, "packster-policy.toml")})", synced.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("packster-policy-", synced.Stderr, StringComparison.Ordinal);
        Assert.Equal(Deployments("dev"), Deployments("copy"));
    }

    // § sync step 2: "`--dry-run` makes these checks too … and once they all pass it prints the warnings the run's
    // installs would print (an unsigned package under `signatures = "warn"` …), one per deployment to install as the
    // run prints them, naming the location's `packster-policy.toml`", changing nothing. The dry run's warning is the
    // real run's, line for line; before, the dry run printed none.
    [Theory]
    [InlineData("sync")]
    [InlineData("import")]
    public void A_dry_run_prints_the_warnings_the_run_would_print(string verb)
    {
        var env = ExportedWithPolicy("[trust]\nsignatures = \"warn\"\n");
        var copy = Location("copy");
        static string[] Warnings(string stderr) => [.. stderr.Split('\n').Where(l => l.StartsWith("warning: ", StringComparison.Ordinal))];

        var dry = _f.Packster.Run(verb, env, "--location", "copy", "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains("would install tool 1.0.0", dry.Stdout, StringComparison.Ordinal);
        var warning = Assert.Single(Warnings(dry.Stderr));
        Assert.StartsWith("warning: tool-1.0.0-", warning, StringComparison.Ordinal);
        Assert.EndsWith($"(signatures = \"warn\" in {Path.Combine(copy, "packster-policy.toml")})", warning, StringComparison.Ordinal);
        Assert.Empty(Deployments("copy"));
        Assert.False(File.Exists(Path.Combine(copy, "packster-policy.toml")));

        var synced = _f.Packster.Run(verb, env, "--location", "copy");

        Assert.True(synced.ExitCode == 0, synced.ToString());
        Assert.Equal(Warnings(dry.Stderr), Warnings(synced.Stderr));
    }

    // § sync step 2: "a dry run the checks refuse prints none [of the warnings], as the refused run prints none". lib
    // passes its checks unsigned under "warn" before tool, whose edited parameter gives another deployment (PST8018):
    // neither run warns about lib, and the dry run's stderr is the run's.
    [Fact]
    public void A_dry_run_its_checks_refuse_prints_no_warning()
    {
        _f.Packster.Ok("install-file", Tool("lib", "1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("tool", "1.0.0", "[parameters.port]\ntype = \"integer\"\ndefault = 1\n"), "--location", "dev", "-p", "port=7001");
        File.WriteAllText(Path.Combine(_f.LocationPath, "packster-policy.toml"), "[trust]\nsignatures = \"warn\"\n");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        var text = File.ReadAllText(env);
        Assert.True(text.IndexOf("lib-1.0.0-", StringComparison.Ordinal) < text.IndexOf("tool-1.0.0-", StringComparison.Ordinal), text);
        File.WriteAllText(env, text.Replace("port = 7001", "port = 7201", StringComparison.Ordinal));
        Location("copy");

        var dry = _f.Packster.Run("sync", env, "--location", "copy", "--dry-run");
        var real = _f.Packster.Run("sync", env, "--location", "copy");

        Assert.Equal(8, real.ExitCode);
        Assert.StartsWith("error[PST8018]: tool-1.0.0-", real.Stderr, StringComparison.Ordinal);
        Assert.Equal(real.ExitCode, dry.ExitCode);
        Assert.Equal(real.Stderr, dry.Stderr);
        Assert.Empty(Deployments("copy"));
    }

    // spec/lockfile.md § Recovery, "A policy change goes with its commit": sync writes the location's policy file with
    // its one commit — "a kill before the lockfile is written leaves the policy file as it was, one after it leaves the
    // change owed in .packster/policy.pending, and the next command that takes the lock writes it before anything else:
    // the policy file changes exactly when the lockfile does". The real executable is killed at each side of the commit.
    [Theory]
    [InlineData("commit.policy-pending", false)]
    [InlineData("commit.lockfile-written", true)]
    public void A_sync_killed_at_its_commit_changes_the_policy_exactly_when_it_changes_the_deployments(string point, bool committed)
    {
        if (OperatingSystem.IsWindows()) return;
        var env = ExportedWithPolicy("deny = [\"tool@1.4.2\"]\n\n[licenses]\nallow = [\"MIT\"]\n");
        var copy = Location("copy");
        var policy = Path.Combine(copy, "packster-policy.toml");
        var pending = Path.Combine(copy, ".packster", "policy.pending");
        const string Before = "# the team's own rules\ndeny = [\"other\"]\n\n[trust]\nsignatures = \"warn\"\n";
        File.WriteAllText(policy, Before);

        SyncKilledAt(env, point);
        // Killed before the commit: the lockfile as before; after it: as after. Either way the policy file is as it
        // was, its change journaled with the lockfile digest it goes with.
        Assert.Equal(committed ? 1 : 0, Deployments("copy").Count);
        Assert.Equal(Before, File.ReadAllText(policy));
        Assert.True(File.Exists(pending));

        // The next command that takes the lock (here one that changes nothing) settles it: both as before, or both as after.
        _f.Packster.Ok(committed ? ["use", "tool@1.0.0", "--location", "copy"] : ["location", "repair", "copy"]);
        Assert.False(File.Exists(pending));
        if (committed)
        {
            Assert.Equal(Deployments("dev"), Deployments("copy"));
            var after = File.ReadAllText(policy);
            Assert.StartsWith("# the team's own rules\ndeny = [\"tool@1.4.2\"]\n", after, StringComparison.Ordinal);
            Assert.Contains("signatures = \"warn\"", after, StringComparison.Ordinal);
            Assert.Contains("allow = [\"MIT\"]", after, StringComparison.Ordinal);
            Assert.Contains("location copy already matches the file", _f.Packster.Ok("sync", env, "--location", "copy"), StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(Deployments("copy"));
            Assert.Equal(Before, File.ReadAllText(policy));
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(copy, "deployments")));
            // The same sync again does the whole of it.
            Assert.Contains("set the location's deny list", _f.Packster.Ok("sync", env, "--location", "copy"), StringComparison.Ordinal);
            Assert.Equal(Deployments("dev"), Deployments("copy"));
            Assert.Contains("deny = [\"tool@1.4.2\"]", File.ReadAllText(policy), StringComparison.Ordinal);
        }
        _f.Packster.Ok("verify", "copy");
    }

    // spec/lockfile.md § Recovery: "If the journaled policy cannot be written then (a full disk), the command fails
    // changing nothing (`the policy change an earlier command committed to location 'dev' is not written yet: cannot
    // write '<path>': <reason>; nothing was changed`)" — the change stays journaled, and a later command writes it.
    [Fact]
    public void A_committed_policy_change_that_cannot_be_written_fails_the_next_command_and_waits()
    {
        if (OperatingSystem.IsWindows()) return;
        var env = ExportedWithPolicy("deny = [\"tool@1.4.2\"]\n");
        var copy = Location("copy");
        var policy = Path.Combine(copy, "packster-policy.toml");
        SyncKilledAt(env, "commit.lockfile-written");
        // A folder in the policy file's place: it cannot be written.
        Directory.CreateDirectory(policy);
        var snapshot = _f.Snapshot(copy);

        var refused = _f.Packster.Run("pin", "tool", "--location", "copy");
        Assert.Equal(9, refused.ExitCode);
        Assert.StartsWith($"error[PST9005]: the policy change an earlier command committed to location 'copy' is not written yet: cannot write '{policy}': ", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("; nothing was changed", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(snapshot, _f.Snapshot(copy));

        Directory.Delete(policy);
        _f.Packster.Ok("pin", "tool", "--location", "copy");
        Assert.Equal("deny = [\"tool@1.4.2\"]\n", File.ReadAllText(policy));
        Assert.False(File.Exists(Path.Combine(copy, ".packster", "policy.pending")));
    }

    // spec/lockfile.md § Lock, "Every mutation holds the location's lock for its whole duration", and § Recovery, "A
    // policy change goes with its commit": `trust` and `licenses` edit the location's policy file under its lock. While a
    // sync holds it (paused installing, its new policy text already made from the file), an edit with
    // PACKSTER_LOCK_TIMEOUT=0 is PST5004 and leaves the file as it was; one that waits is made after the sync's commit,
    // so the file holds both changes and neither overwrote the other.
    [Fact]
    public async Task A_policy_edit_waits_for_a_sync_that_holds_the_location()
    {
        if (OperatingSystem.IsWindows()) return;
        var env = ExportedWithPolicy("deny = [\"tool@1.4.2\"]\n");
        var copy = Location("copy");
        var policy = Path.Combine(copy, "packster-policy.toml");
        const string Before = "# the team's own rules\n[trust]\nsignatures = \"warn\"\n";
        File.WriteAllText(policy, Before);

        var signal = _f.Temp["paused"];
        // Without the store, the sync extracts its package under the lock, and pauses there (it would else link dev's files).
        using var sync = Process.Start(_f.Packster.StartInfo(["sync", env, "--location", "copy"],
            new Dictionary<string, string> { ["PACKSTER_NO_STORE"] = "1", [PausePoint.Variable] = "install.layout-read", [PausePoint.FileVariable] = signal }))!;
        sync.StandardInput.Close();
        var syncOut = sync.StandardOutput.ReadToEndAsync();
        var syncErr = sync.StandardError.ReadToEndAsync();
        Process? edit = null;
        try
        {
            Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || sync.HasExited, TimeSpan.FromMinutes(2)), "the sync never reached its pause point");
            if (!File.Exists(signal)) Assert.Fail($"the sync ended before its pause point: {await syncErr}");

            var noWait = new Dictionary<string, string> { ["PACKSTER_LOCK_TIMEOUT"] = "0" };
            foreach (var args in new[] { new[] { "trust", "require" }, ["trust", "revoke", "0123456789abcdef"], ["licenses", "deny", "SSPL-1.0"] })
            {
                var r = _f.Packster.Run([.. args, "--location", "copy"], noWait);
                Assert.True(r.ExitCode == 5, r.ToString());
                Assert.StartsWith("error[PST5004]: location 'copy' (", r.Stderr, StringComparison.Ordinal);
                Assert.Equal(Before, File.ReadAllText(policy));
            }

            // One that may wait says so, and waits.
            edit = Process.Start(_f.Packster.StartInfo(["licenses", "deny", "SSPL-1.0", "--location", "copy"], new Dictionary<string, string> { ["PACKSTER_LOCK_TIMEOUT"] = "120" }))!;
            edit.StandardInput.Close();
            var editOut = edit.StandardOutput.ReadToEndAsync();
            var waiting = await edit.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.StartsWith("waiting for another packster process (pid ", waiting, StringComparison.Ordinal);
            Assert.False(edit.HasExited);
            Assert.Equal(Before, File.ReadAllText(policy));

            File.Delete(signal);
            await sync.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(sync.ExitCode == 0, $"exit {sync.ExitCode}: {await syncOut} {await syncErr}");
            await edit.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            var editErr = await edit.StandardError.ReadToEndAsync();
            Assert.True(edit.ExitCode == 0, $"exit {edit.ExitCode}: {await editOut} {editErr}");
        }
        finally
        {
            File.Delete(signal);
            if (edit is { HasExited: false }) edit.Kill();
            edit?.Dispose();
            if (!sync.HasExited) sync.Kill();
        }

        var after = File.ReadAllText(policy);
        Assert.Contains("# the team's own rules\n", after, StringComparison.Ordinal);
        Assert.Contains("signatures = \"warn\"", after, StringComparison.Ordinal);
        Assert.Contains("deny = [\"tool@1.4.2\"]", after, StringComparison.Ordinal);
        Assert.Contains("[licenses]\ndeny = [\"SSPL-1.0\"]", after, StringComparison.Ordinal);
        Assert.Equal(Deployments("dev"), Deployments("copy"));
    }

    // spec/lockfile.md § Recovery: a policy change a commit carried and a kill left in .packster/policy.pending is written
    // by "the next command that takes the lock … before anything else". A `trust` edit of the location takes it, so it
    // edits the policy the sync committed, and no later command overwrites the edit with the journaled text.
    [Fact]
    public void A_policy_edit_after_a_killed_sync_edits_the_policy_that_sync_committed()
    {
        if (OperatingSystem.IsWindows()) return;
        var env = ExportedWithPolicy("deny = [\"tool@1.4.2\"]\n");
        var copy = Location("copy");
        var policy = Path.Combine(copy, "packster-policy.toml");
        SyncKilledAt(env, "commit.lockfile-written");
        Assert.True(File.Exists(Path.Combine(copy, ".packster", "policy.pending")));

        _f.Packster.Ok("trust", "require", "--location", "copy");
        Assert.False(File.Exists(Path.Combine(copy, ".packster", "policy.pending")));
        _f.Packster.Ok("pin", "tool", "--location", "copy");
        var after = File.ReadAllText(policy);
        Assert.Contains("deny = [\"tool@1.4.2\"]", after, StringComparison.Ordinal);
        Assert.Contains("[trust]\nsignatures = \"require\"", after, StringComparison.Ordinal);
    }
}
