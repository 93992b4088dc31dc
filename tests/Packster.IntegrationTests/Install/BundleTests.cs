namespace Packster.IntegrationTests.Install;

/// <summary><c>packster bundle install|delete</c> through the real executable (spec/bundle.md).</summary>
public sealed class BundleTests : IDisposable
{
    private const string GreeterTail = """
        [parameters.port]
        type = "integer"
        default = 8080
        [provides]
        ports = ["{param.port}"]
        """;

    private readonly SourceFixture _f = new();
    private readonly string _repo;

    public BundleTests() => _repo = _f.AddFolderSource("local");

    public void Dispose() => _f.Dispose();

    private string WriteBundle(string text) => _f.Temp.Write(Path.Combine("bundles", $"{Guid.NewGuid():N}.toml"), text);

    private static Dictionary<string, string> Deployments(System.Text.Json.JsonElement list) =>
        list.EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!, d => d.GetProperty("deployment").GetString()!);

    [Fact]
    public void Locked_install_reproduces_the_exact_deployments_in_a_second_location()
    {
        // spec/bundle.md § --locked: the pinned package files and parameters, not the newest matching versions.
        _f.Publish(_repo, "greeter", "1.0.0", GreeterTail);
        _f.Publish(_repo, "util", "2.0.0");
        var bundle = WriteBundle("""
            [packages]
            greeter = { version = "^1.0", parameters = { port = 9100 } }
            util = "^2"
            """);
        _f.Packster.Ok("bundle", "install", bundle, "--location", "dev");
        var first = Deployments(_f.List());
        Assert.Equal(["greeter", "util"], first.Keys.Order());

        var pinned = _f.Lockfile().GetProperty("bundle");
        Assert.Equal("^1.0", pinned.GetProperty("greeter").GetProperty("range").GetString());
        Assert.Equal(9100, pinned.GetProperty("greeter").GetProperty("parameters").GetProperty("port").GetInt32());
        Assert.Equal(first["greeter"], pinned.GetProperty("greeter").GetProperty("resolved").GetProperty("deployment").GetString());
        Assert.Equal(first["util"], pinned.GetProperty("util").GetProperty("resolved").GetProperty("deployment").GetString());

        // Newer matching versions appear; a locked install elsewhere must ignore them.
        _f.Publish(_repo, "greeter", "1.1.0", GreeterTail);
        _f.Publish(_repo, "util", "2.5.0");
        _f.Packster.Ok("location", "create", _f.Temp["second"], "--id", "second");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "second", "--locked", "--lockfile", _f.LocationPath);
        Assert.Equal(first, Deployments(_f.List("second")));
        var secondPins = _f.Lockfile(Path.Combine(_f.Temp["second"], "packster-location.json")).GetProperty("bundle");
        Assert.Equal(pinned.GetProperty("greeter").GetRawText(), secondPins.GetProperty("greeter").GetRawText());

        // Unlocked, the same bundle file resolves to the newest matching versions.
        _f.Packster.Ok("location", "create", _f.Temp["third"], "--id", "third");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "third");
        var versions = _f.List("third").EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!, d => d.GetProperty("version").GetString());
        Assert.Equal("1.1.0", versions["greeter"]);
        Assert.Equal("2.5.0", versions["util"]);
    }

    // spec/bundle.md § --locked: the lockfile's bundle must have "a `resolved` entry whose package is of that id and
    // whose version is within that range …; otherwise PST8013 BundleLockMismatch … and nothing is installed".
    [Fact]
    public void Locked_install_refuses_a_resolution_of_another_id_or_outside_the_range()
    {
        _f.Publish(_repo, "util", "1.0.0");
        var util2 = Path.GetFileName(_f.Publish(_repo, "util", "2.0.0"));
        var other = Path.GetFileName(_f.Publish(_repo, "other", "1.0.0"));
        var bundle = WriteBundle("[packages]\nutil = \"^1\"\n");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "dev");
        var lockfile = File.ReadAllText(_f.LockfilePath);
        _f.Packster.Ok("location", "create", _f.Temp["second"], "--id", "second");

        foreach (var (package, why) in new[] { (util2, "to version 2.0.0, outside its range '^1'"), (other, $"to {other}, a package of another id") })
        {
            // The bundle's resolution edited, the deployment it names left as it is.
            var edited = System.Text.Json.Nodes.JsonNode.Parse(lockfile)!;
            edited["bundle"]!["util"]!["resolved"]!["package"] = package;
            var pins = _f.Temp.Write(Path.Combine($"pins-{Guid.NewGuid():N}", "packster-location.json"), edited.ToJsonString());
            var r = _f.Run("bundle", "install", bundle, "--location", "second", "--locked", "--lockfile", pins);
            Assert.Equal(8, r.ExitCode);
            Assert.Contains("PST8013", r.Stderr, StringComparison.Ordinal);
            Assert.Contains($"'util' is resolved in the lockfile {why}", r.Stderr, StringComparison.Ordinal);
            Assert.Equal(0, _f.List("second").GetArrayLength());
        }
    }

    [Fact]
    public void Locked_install_fails_when_the_bundle_file_differs_from_the_lockfile_and_changes_nothing()
    {
        // spec/bundle.md § --locked / spec/errors.md PST8013.
        _f.Publish(_repo, "greeter", "1.0.0", GreeterTail);
        var bundle = WriteBundle("[packages]\ngreeter = { version = \"^1.0\", parameters = { port = 9100 } }\n");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "dev");
        _f.Packster.Ok("location", "create", _f.Temp["second"], "--id", "second");

        var changed = WriteBundle("[packages]\ngreeter = { version = \"^1.0\", parameters = { port = 9200 } }\n");
        var r = _f.Run("bundle", "install", changed, "--location", "second", "--locked", "--lockfile", _f.LockfilePath);
        Assert.Equal(8, r.ExitCode);
        Assert.Contains("PST8013", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("9200", r.Stderr, StringComparison.Ordinal);

        var extra = WriteBundle("[packages]\ngreeter = { version = \"^1.0\", parameters = { port = 9100 } }\nutil = \"^1\"\n");
        var r2 = _f.Run("bundle", "install", extra, "--location", "second", "--locked", "--lockfile", _f.LockfilePath);
        Assert.Equal(8, r2.ExitCode);
        Assert.Contains("'util' is in the bundle file but not in the lockfile", r2.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, _f.List("second").GetArrayLength());
    }

    // spec/bundle.md § --locked: with --lockfile naming another location's lockfile, PST8013's hint says to resolve the
    // bundle where that lockfile belongs (a run without --locked would change the target's lockfile, not that one) —
    // and following it makes the locked install pass.
    [Fact]
    public void A_mismatch_with_another_locations_lockfile_hints_at_resolving_it_there()
    {
        _f.Publish(_repo, "util", "1.0.0");
        _f.Publish(_repo, "greeter", "1.0.0", GreeterTail);
        _f.Packster.Ok("bundle", "install", WriteBundle("[packages]\nutil = \"^1\"\n"), "--location", "dev");
        _f.Packster.Ok("location", "create", _f.Temp["second"], "--id", "second");
        var grown = WriteBundle("[packages]\nutil = \"^1\"\ngreeter = \"^1\"\n");

        var r = _f.Run("bundle", "install", grown, "--location", "second", "--locked", "--lockfile", _f.LockfilePath);
        Assert.Equal(8, r.ExitCode);
        Assert.Contains("error[PST8013]: ", r.Stderr, StringComparison.Ordinal);
        var hint = $"hint: {_f.LockfilePath} is another location's lockfile, which this command only reads: resolve the bundle there "
            + $"('packster bundle install {grown} --location {_f.LocationPath}'), then run this again";
        Assert.Contains(hint, r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("without --locked to resolve the bundle again and update the lockfile", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, _f.List("second").GetArrayLength());

        // Following it: the command it names, then the same locked install again.
        var command = System.Text.RegularExpressions.Regex.Match(r.Stderr, @"\('packster (bundle install [^']+)'\)").Groups[1].Value;
        _f.Packster.Ok(command.Split(' '));
        _f.Packster.Ok("bundle", "install", grown, "--location", "second", "--locked", "--lockfile", _f.LockfilePath);
        Assert.Equal(Deployments(_f.List()), Deployments(_f.List("second")));

        // The target's own lockfile keeps the hint that fits it: without --locked, it is the one updated.
        var own = _f.Run("bundle", "install", WriteBundle("[packages]\nutil = \"^1\"\ngreeter = \"^1.0\"\n"), "--location", "second", "--locked");
        Assert.Contains("hint: run 'packster bundle install' without --locked to resolve the bundle again and update the lockfile", own.Stderr, StringComparison.Ordinal);
    }

    // spec/bundle.md §3: "A file given with `--lockfile` that is not a lockfile packster can read is PST5002 … with the
    // hint that it is not a lockfile and what to give instead". Before, the hint was a location's own lockfile's:
    // "the lockfile was left untouched; restore it from a backup or version control".
    [Fact]
    public void Locked_install_from_a_file_that_is_not_a_lockfile_says_so_and_what_to_give()
    {
        _f.Publish(_repo, "util", "1.0.0");
        var bundle = WriteBundle("[packages]\nutil = \"^1\"\n");
        var json = _f.Temp.Write("other.json", "{\"a\": 1}\n");
        _f.Packster.Ok("location", "create", _f.Temp["second"], "--id", "second");
        foreach (var (given, why) in new[] { (bundle, "expected a JSON object at line 1"), (json, "no \"schema\" field: not a packster lockfile") })
        {
            var r = _f.Run("bundle", "install", bundle, "--location", "second", "--locked", "--lockfile", given);
            Assert.Equal(5, r.ExitCode);
            var lines = r.Stderr.Split('\n');
            Assert.Equal($"error[PST5002]: {given}: {why}", lines[0]);
            Assert.Equal($"hint: '{given}', given with --lockfile, is not a lockfile packster can take pins from: give a location's "
                + "packster-location.json, or the location directory holding one; nothing was changed", lines[1]);
            Assert.Equal(0, _f.List("second").GetArrayLength());
        }
    }

    [Fact]
    public void Bundle_install_resolves_everything_first_so_an_unknown_package_installs_nothing()
    {
        // spec/bundle.md § bundle install: every requirement is resolved before the first install.
        _f.Publish(_repo, "util", "1.0.0");
        var bundle = WriteBundle("[packages]\nutil = \"^1\"\nghost = \"^1\"\n");
        var before = _f.Snapshot();
        var r = _f.Run("bundle", "install", bundle, "--location", "dev");
        Assert.Equal(8, r.ExitCode);
        Assert.Contains("ghost", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    [Fact]
    public void A_failing_install_bundle_entry_after_a_bundle_install_leaves_the_bundle_installed()
    {
        // spec/bundle.md § install-bundle: "This step runs after the package is installed; a failure in it leaves the
        // package installed and reports the error" — for bundle install too: the bundle's own commit stays.
        _f.Publish(_repo, "fail", "1.0.0", "[handlers]\ninstall = \"install.sh\"", ("install.sh", "#!/bin/sh\nexit 9\n"));
        _f.Publish(_repo, "meta", "1.0.0", "[install-bundle]\nfail = \"*\"");
        _f.Publish(_repo, "util", "1.0.0");
        var bundle = WriteBundle("[packages]\nmeta = \"^1\"\nutil = \"^1\"\n");

        var r = _f.Run("bundle", "install", bundle, "--location", "dev");
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("error[PST7000]: meta 1.0.0's [install-bundle] entry fail = \"*\": ", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(["meta", "util"], _f.List().EnumerateArray().Select(d => d.GetProperty("id").GetString()).Order());
        Assert.Equal(["meta", "util"], _f.Lockfile().GetProperty("bundle").EnumerateObject().Select(p => p.Name).Order());
    }

    // spec/bundle.md § install-bundle, "After the commit": for upgrade too, the upgrade is committed first and each
    // package's [install-bundle] step is a transaction of its own — a failing entry leaves the upgrade in place, is
    // reported naming the package, and gives the exit code.
    [Fact]
    public void A_failing_install_bundle_entry_after_an_upgrade_leaves_the_upgrade_in_place()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Publish(_repo, "fail", "1.0.0", "[handlers]\ninstall = \"install.sh\"", ("install.sh", "#!/bin/sh\nexit 9\n"));
        _f.Publish(_repo, "meta", "1.0.0");
        _f.Packster.Ok("install", "meta", "--location", "dev");
        _f.Publish(_repo, "meta", "2.0.0", "[install-bundle]\nfail = \"*\"");

        var r = _f.Run("upgrade", "meta", "--location", "dev");
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("upgraded meta 1.0.0 → 2.0.0", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("error[PST7000]: meta 2.0.0's [install-bundle] entry fail = \"*\": ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("meta 2.0.0 stays installed, without the entries of its [install-bundle]", r.Stderr, StringComparison.Ordinal);
        var active = _f.List().EnumerateArray().Where(d => d.GetProperty("active").GetBoolean()).Select(d => (d.GetProperty("id").GetString(), d.GetProperty("version").GetString()));
        Assert.Equal([("meta", "2.0.0")], active);
        Assert.False(_f.Lockfile().TryGetProperty("bundle", out var bundle) && bundle.TryGetProperty("fail", out _));

        using var json = System.Text.Json.JsonDocument.Parse(_f.Run("upgrade", "meta", "--location", "dev", "--json").Stdout);
        Assert.Equal("unchanged", json.RootElement.GetProperty("status").GetString());
    }

    // spec/bundle.md § install-bundle: "The command prints what it installed as usual" — for upgrade as for install:
    // the entries its [install-bundle] installed after the commit, one "installed …" line each, and in --json a "bundle"
    // array of install's shape (spec/lockfile.md § upgrade).
    [Fact]
    public void An_upgrade_prints_the_install_bundle_entries_it_installed_as_install_does()
    {
        _f.Publish(_repo, "util", "1.0.0");
        _f.Publish(_repo, "meta", "1.0.0");
        _f.Packster.Ok("location", "create", _f.Temp["second"], "--id", "second");
        _f.Packster.Ok("install", "meta", "--location", "dev");
        _f.Packster.Ok("install", "meta", "--location", "second");
        _f.Publish(_repo, "meta", "2.0.0", "[install-bundle]\nutil = \"^1\"");

        var r = _f.Run("upgrade", "meta", "--location", "dev");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n');
        var upgraded = Array.FindIndex(lines, l => l.StartsWith("upgraded meta 1.0.0 → 2.0.0 → ", StringComparison.Ordinal));
        Assert.True(upgraded >= 0, r.ToString());
        var util = _f.List().EnumerateArray().Single(d => d.GetProperty("id").GetString() == "util");
        Assert.Equal($"installed util 1.0.0 → {util.GetProperty("path").GetString()}", lines[upgraded + 1]);

        var j = _f.Run("upgrade", "meta", "--location", "second", "--json");
        Assert.True(j.ExitCode == 0, j.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(j.Stdout);
        Assert.Equal("upgraded", json.RootElement.GetProperty("status").GetString());
        var entry = Assert.Single(json.RootElement.GetProperty("bundle").EnumerateArray());
        Assert.Equal(("util", "1.0.0", "installed"), (entry.GetProperty("id").GetString(), entry.GetProperty("version").GetString(), entry.GetProperty("status").GetString()));
        Assert.Equal(0, entry.GetProperty("dependencies").GetArrayLength());
        Assert.True(_f.Lockfile(Path.Combine(_f.Temp["second"], "packster-location.json")).GetProperty("bundle").TryGetProperty("util", out _));
    }

    // spec/lockfile.md § Upgrade: "`--dry-run` plans those steps too, as `install --dry-run` does …: `would install …` for
    // each entry after the `would upgrade …` lines, `"bundle"` the planned objects, … nothing changes." Before, the dry
    // run said nothing of the [install-bundle] entries and its "bundle" was empty.
    [Fact]
    public void An_upgrade_dry_run_lists_the_install_bundle_entries_the_upgrade_would_install_and_changes_nothing()
    {
        _f.Publish(_repo, "util", "1.0.0");
        _f.Publish(_repo, "meta", "1.0.0");
        _f.Packster.Ok("install", "meta", "--location", "dev");
        _f.Publish(_repo, "meta", "2.0.0", "[install-bundle]\nutil = \"^1\"");
        var before = _f.Snapshot();

        var r = _f.Run("upgrade", "meta", "--location", "dev", "--dry-run");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n');
        var upgrade = Array.FindIndex(lines, l => l.StartsWith("would upgrade meta 1.0.0 → 2.0.0 ", StringComparison.Ordinal));
        var util = Array.IndexOf(lines, "would install util 1.0.0");
        Assert.True(upgrade >= 0 && util > upgrade, r.ToString());

        var j = _f.Run("upgrade", "meta", "--location", "dev", "--dry-run", "--json");
        Assert.True(j.ExitCode == 0, j.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(j.Stdout);
        Assert.Equal("planned", json.RootElement.GetProperty("status").GetString());
        var entry = Assert.Single(json.RootElement.GetProperty("bundle").EnumerateArray());
        Assert.Equal(("util", "1.0.0", "planned"), (entry.GetProperty("id").GetString(), entry.GetProperty("version").GetString(), entry.GetProperty("status").GetString()));
        Assert.Equal(before, _f.Snapshot());

        // What the dry run said is what the run does.
        var real = _f.Run("upgrade", "meta", "--location", "dev", "--json");
        using var done = System.Text.Json.JsonDocument.Parse(real.Stdout);
        Assert.Equal(entry.GetProperty("deployment").GetString(), Assert.Single(done.RootElement.GetProperty("bundle").EnumerateArray()).GetProperty("deployment").GetString());
    }

    // spec/bundle.md § install-bundle, Dry run: "An entry that would fail is reported as the run would report it, ending
    // `meta 2.0.0 would be installed, without the entries of its [install-bundle]` …, with nothing of that step listed,
    // since the run would undo it whole; the command exits with its code. Nothing changes." For install as for upgrade.
    [Fact]
    public void A_dry_run_reports_an_install_bundle_entry_that_would_fail_without_changing_anything()
    {
        _f.Publish(_repo, "util", "1.0.0");
        _f.Publish(_repo, "meta", "1.0.0");
        _f.Packster.Ok("install", "meta", "--location", "dev");
        _f.Publish(_repo, "meta", "2.0.0", "[install-bundle]\nutil = \"^1\"\nghost = \"*\"");
        var before = _f.Snapshot();

        foreach (var args in new[] { new[] { "upgrade", "meta" }, ["install", "meta@2.0.0"] })
        {
            var r = _f.Run([.. args, "--location", "dev", "--dry-run"]);
            Assert.True(r.ExitCode == 8, r.ToString());
            Assert.Contains("error[PST8004]: meta 2.0.0's [install-bundle] entry ghost = \"*\": ", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("meta 2.0.0 would be installed, without the entries of its [install-bundle]", r.Stderr, StringComparison.Ordinal);
            // The step would be undone whole, so nothing of it is listed: util with it.
            Assert.DoesNotContain("util", r.Stdout, StringComparison.Ordinal);

            var j = _f.Run([.. args, "--location", "dev", "--dry-run", "--json"]);
            Assert.True(j.ExitCode == 8, j.ToString());
            using var json = System.Text.Json.JsonDocument.Parse(j.Stdout);
            Assert.Equal(0, json.RootElement.GetProperty("bundle").GetArrayLength());
            var error = Assert.Single(json.RootElement.GetProperty("bundleErrors").EnumerateArray());
            Assert.Equal("PST8004", error.GetProperty("code").GetString());
        }
        Assert.Equal(before, _f.Snapshot());
    }

    // spec/resources.md (the guard's refusal) within one command: two packages of one bundle that claim the same shim
    // are refused as one transaction, so the first one is undone with the rest; the hint must not send the user to
    // uninstall or switch away from it (it was never committed), but say that the two cannot both be active. Before,
    // the hint said "uninstall or switch away from conflict-a 1.0.0 … first", and that uninstall then failed (PST5005).
    [Fact]
    public void A_conflict_between_two_packages_of_one_bundle_hints_at_leaving_one_out()
    {
        const string Tool = "[shims]\ntool = \"bin/tool\"\n";
        _f.Publish(_repo, "conflict-a", "1.0.0", Tool, ("bin/tool", "#!/bin/sh\necho a\n"));
        _f.Publish(_repo, "conflict-b", "1.0.0", Tool, ("bin/tool", "#!/bin/sh\necho b\n"));
        var bundle = WriteBundle("[packages]\nconflict-a = \"1.0.0\"\nconflict-b = \"1.0.0\"\n");
        var before = File.ReadAllText(_f.LockfilePath);

        var r = _f.Run("bundle", "install", bundle, "--location", "dev");

        Assert.Equal(6, r.ExitCode);
        Assert.Contains("error[PST6000]: shim 'tool' is already owned by conflict-a 1.0.0", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: conflict-a 1.0.0 came with this same command, which installs nothing now: it and conflict-b 1.0.0 cannot both be active in location dev; "
            + "leave one of them out, or install one into another location (--location)", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("switch away", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(_f.LockfilePath));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_f.LocationPath, "deployments")));
    }

    // spec/lockfile.md § Dry run: "a refusal (a resource conflict) is the same error … (Only a handler failure, which a
    // plan cannot foresee, can make the run fail where the plan did not.)" Each step of a dry run is planned against what
    // the steps before it would leave, as the run installs each in a transaction that has them: the second of two
    // packages claiming one shim is refused by both, whether they come as dependencies or as a bundle's packages.
    // Before, each step was planned against the lockfile as it was, and the dry run predicted success.
    [Fact]
    public void A_dry_run_meets_the_conflict_between_two_packages_of_one_command_as_the_run_does()
    {
        const string Tool = "[shims]\ntool = \"bin/tool\"\n";
        _f.Publish(_repo, "conflict-a", "1.0.0", Tool, ("bin/tool", "#!/bin/sh\necho a\n"));
        _f.Publish(_repo, "conflict-b", "1.0.0", Tool, ("bin/tool", "#!/bin/sh\necho b\n"));
        _f.Publish(_repo, "both", "1.0.0", Tool + "[dependencies]\nconflict-a = \"*\"\nconflict-b = \"*\"\n", ("bin/tool", "#!/bin/sh\necho both\n"));
        var bundle = WriteBundle("[packages]\nconflict-a = \"1.0.0\"\nconflict-b = \"1.0.0\"\n");
        foreach (var args in new[] { new[] { "install", "both" }, ["bundle", "install", bundle] })
        {
            var before = _f.Snapshot();
            var dry = _f.Run([.. args, "--location", "dev", "--dry-run"]);
            Assert.True(dry.ExitCode == 6, dry.ToString());
            Assert.Equal(before, _f.Snapshot());
            var real = _f.Run([.. args, "--location", "dev"]);
            Assert.True(real.ExitCode == 6, real.ToString());
            var error = real.Stderr[real.Stderr.IndexOf("error[", StringComparison.Ordinal)..];
            Assert.StartsWith("error[PST6000]: shim 'tool' is already owned by conflict-a 1.0.0", error, StringComparison.Ordinal);
            // The same error, word for word, hint included.
            Assert.EndsWith(error, dry.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_bundle_install_that_changes_nothing_commits_nothing()
    {
        // spec/lockfile.md § History: "Reinstalling an existing deployment (status `unchanged`) … append nothing and
        // commit nothing"; spec/bundle.md §2: so does a bundle install that changes nothing, and an empty [packages]
        // says there is nothing to install.
        var empty = WriteBundle("[packages]\n");
        var before = _f.Snapshot();
        var nothing = _f.Packster.Ok("bundle", "install", empty, "--location", "dev");
        Assert.Contains($"nothing to install: {empty} has no requirements in [packages]", nothing, StringComparison.Ordinal);
        Assert.Equal("[]", _f.Packster.Ok("bundle", "install", empty, "--location", "dev", "--json").Trim());
        Assert.Equal(before, _f.Snapshot());

        _f.Publish(_repo, "util", "1.0.0");
        var bundle = WriteBundle("[packages]\nutil = \"1.0.0\"\n");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "dev");
        var installed = _f.Snapshot();
        var again = _f.Packster.Ok("bundle", "install", bundle, "--location", "dev");
        Assert.Contains("unchanged util 1.0.0", again, StringComparison.Ordinal);
        Assert.Equal(installed, _f.Snapshot());

        // A changed requirement is a change, though the deployment is the same one.
        var wider = WriteBundle("[packages]\nutil = \"^1\"\n");
        _f.Packster.Ok("bundle", "install", wider, "--location", "dev");
        Assert.Equal("^1", _f.Lockfile().GetProperty("bundle").GetProperty("util").GetProperty("range").GetString());
    }

    [Fact]
    public void An_invalid_bundle_file_names_the_file_line_and_key()
    {
        // spec/bundle.md § format / spec/errors.md PST8012.
        var bundle = WriteBundle("[packages]\nutil = { versoin = \"^1\" }\n");
        var r = _f.Run("bundle", "install", bundle, "--location", "dev");
        Assert.Equal(8, r.ExitCode);
        Assert.Contains("PST8012", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(":2:", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("packages.util.versoin", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_uninstalls_the_bundle_deployments_and_removes_them_from_the_bundle()
    {
        // spec/bundle.md § bundle delete.
        _f.Publish(_repo, "util", "1.0.0");
        _f.Publish(_repo, "keep", "1.0.0");
        var bundle = WriteBundle("[packages]\nutil = \"^1\"\nkeep = \"^1\"\n");
        _f.Packster.Ok("bundle", "install", bundle, "--location", "dev");
        var part = WriteBundle("[packages]\nutil = \"^1\"\n");

        var output = _f.Packster.Ok("bundle", "delete", part, "--location", "dev");
        Assert.Contains("uninstalled util 1.0.0", output, StringComparison.Ordinal);
        Assert.Equal(["keep"], _f.List().EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        var remaining = _f.Lockfile().GetProperty("bundle").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["keep"], remaining);
    }

    [Fact]
    public void Delete_is_one_transaction_a_failing_uninstall_handler_removes_nothing_and_the_ran_ones_are_answered()
    {
        // spec/bundle.md §4: every requirement's uninstall and its removal from the bundle commit together; when an
        // uninstall handler fails, the install handlers of those whose uninstall handlers ran are run again.
        var journal = _f.Temp["journal.txt"];
        const string Handlers = "[handlers]\ninstall = \"install.sh\"\nuninstall = \"uninstall.sh\"";
        // Handlers get a clean environment (spec/handlers.md), so the journal's path is written into the scripts.
        string Script(string id, string action, int exit) => $"#!/bin/sh\necho {id}-{action} >> '{journal}'\nexit {exit}\n";
        _f.Publish(_repo, "alpha", "1.0.0", Handlers, ("install.sh", Script("alpha", "install", 0)), ("uninstall.sh", Script("alpha", "uninstall", 0)));
        _f.Publish(_repo, "omega", "1.0.0", Handlers, ("install.sh", Script("omega", "install", 0)), ("uninstall.sh", Script("omega", "uninstall", 3)));
        var bundle = WriteBundle("[packages]\nalpha = \"^1\"\nomega = \"^1\"\n");
        var env = new Dictionary<string, string>();
        Assert.Equal(0, _f.Packster.Run(["bundle", "install", bundle, "--location", "dev"], env).ExitCode);
        File.Delete(journal);
        static IReadOnlyDictionary<string, string> WithoutLogs(IReadOnlyDictionary<string, string> s) =>
            s.Where(kv => !kv.Key.Replace('\\', '/').Contains("logs", StringComparison.Ordinal)).ToDictionary();
        var before = WithoutLogs(_f.Snapshot());

        var failed = _f.Packster.Run(["bundle", "delete", bundle, "--location", "dev"], env);
        Assert.True(failed.ExitCode == 7, failed.ToString());
        Assert.True(File.Exists(journal), failed.ToString());
        Assert.Contains("omega", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, WithoutLogs(_f.Snapshot()));
        Assert.Equal(["alpha-uninstall", "omega-uninstall", "alpha-install"], File.ReadAllLines(journal));

        // Without the failure, both go in one commit: one new generation, both gone from the bundle.
        int Generations() => Directory.GetFiles(Path.Combine(_f.LocationPath, "generations"), "*.json").Length;
        var generation = Generations();
        File.Delete(journal);
        _f.Packster.Ok("uninstall", "omega", "--location", "dev", "--force");
        var after = _f.Packster.Run(["bundle", "delete", bundle, "--location", "dev"], env);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Empty(_f.List().EnumerateArray());
        Assert.Empty(_f.Lockfile().GetProperty("bundle").EnumerateObject());
        Assert.Equal(generation + 2, Generations());
    }
}
