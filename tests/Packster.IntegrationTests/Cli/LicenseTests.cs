using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>spec/licenses.md through the real executable: manifest validation, the policy, refusals that change nothing, the report.</summary>
public sealed class LicenseTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Package(string id, string version, string? license)
    {
        var dir = _f.Temp[$"{id}-{version}"];
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "bin", id), "#!/bin/sh\necho hi\n");
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"),
            $"id = \"{id}\"\nversion = \"{version}\"\n" + (license is null ? "" : $"license = \"{license}\"\n"));
        return dir;
    }

    // § Expressions: manifest check and pack refuse an expression that is not SPDX, naming it (PST2040, exit 3: invalid input).
    [Fact]
    public void Manifest_check_and_pack_refuse_a_deprecated_or_unknown_licence()
    {
        var deprecated = Package("old", "1.0.0", "GPL-2.0");
        var check = _f.Packster.Run("manifest", "check", deprecated);
        Assert.Equal(3, check.ExitCode);
        Assert.Contains("PST2040", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("'GPL-2.0' is deprecated", check.Stderr, StringComparison.Ordinal);

        var unknown = Package("odd", "1.0.0", "Foo-1.0 OR MIT");
        var pack = _f.Packster.Run("pack", unknown, "-o", _f.Dist);
        Assert.Equal(3, pack.ExitCode);
        Assert.Contains("'Foo-1.0' is not on the SPDX licence list", pack.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_f.Dist) && Directory.EnumerateFiles(_f.Dist).Any());

        _f.Packster.Ok("manifest", "check", Package("ok", "1.0.0", "GPL-3.0-only WITH Classpath-exception-2.0"));
    }

    // § Evaluation, § Policy: a location that denies copyleft refuses a GPL package with one line naming the package,
    // its expression and the rule, exit 4, and the location is byte for byte as before; an OR with an allowed side passes.
    [Fact]
    public void A_location_policy_refuses_before_anything_changes()
    {
        _f.Packster.Ok("licenses", "deny", "copyleft", "--location", "dev");
        var gpl = _f.Pack(Package("gpl", "1.0.0", "GPL-3.0-or-later"));
        var before = _f.Snapshot();
        foreach (var args in new[] { new[] { "install-file", gpl }, ["install-file", gpl, "--dry-run"] })
        {
            var r = _f.Packster.Run([.. args, "--location", "dev"]);
            Assert.Equal(4, r.ExitCode);
            var line = r.Stderr.Split('\n')[0];
            Assert.Equal("error[PST4050]: gpl 1.0.0 is licensed 'GPL-3.0-or-later': refused by the licence policy: GPL-3.0-or-later is denied by 'copyleft' ("
                + Path.Combine(_f.LocationPath, "packster-policy.toml") + ")", line);
            Assert.Equal(before, _f.Snapshot());
        }
        _f.InstallJson(_f.Pack(Package("dual", "1.0.0", "GPL-2.0-only OR MIT")));
    }

    // § Evaluation: the refusal "comes before the location is locked": `install` and `bundle install` from a source
    // refuse a denied package at once while another process holds the location's lock (they waited for it and then
    // failed with PST5004), and leave the location as it was.
    [Fact]
    public void A_refusal_of_a_package_from_a_source_comes_before_the_lock()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("licenses", "deny", "copyleft", "--location", "dev");
        var repo = Directory.CreateDirectory(_f.Temp["repo"]).FullName;
        var gpl = _f.Pack(Package("gpl", "1.0.0", "GPL-3.0-or-later"));
        File.Copy(gpl, Path.Combine(repo, Path.GetFileName(gpl)));
        _f.Packster.Ok("source", "add", "local", "--type", "folder", "--url", repo);
        var bundle = _f.Temp.Write("bundle.toml", "[packages]\ngpl = \"^1\"\n");
        var before = _f.Snapshot();
        // Held as packster holds it: an exclusive flock on .packster/lock (.NET takes one for FileShare.None).
        using (new FileStream(Path.Combine(_f.LocationPath, ".packster", "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            foreach (var args in new[] { new[] { "install", "gpl" }, ["bundle", "install", bundle] })
            {
                var r = _f.Packster.Run([.. args, "--location", "dev"], new Dictionary<string, string> { ["PACKSTER_LOCK_TIMEOUT"] = "1" });
                Assert.True(r.ExitCode == 4, r.ToString());
                Assert.StartsWith("error[PST4050]: gpl 1.0.0 is licensed 'GPL-3.0-or-later'", r.Stderr, StringComparison.Ordinal);
            }
        }
        Assert.Equal(before, _f.Snapshot());
    }

    // § Policy: the user's allow list applies to every location; the location adds to it; a package cannot relax either.
    [Fact]
    public void The_user_allow_list_and_the_location_deny_list_both_apply()
    {
        _f.Packster.Ok("licenses", "allow", "osi-approved", "LicenseRef-Corp");
        Assert.Contains("[licenses]\nallow = [\"osi-approved\", \"LicenseRef-Corp\"]", File.ReadAllText(_f.Temp["config.toml"]), StringComparison.Ordinal);
        using var policy = JsonDocument.Parse(_f.Packster.Ok("licenses", "policy", "--location", "dev", "--json"));
        Assert.Equal(["osi-approved", "LicenseRef-Corp"], policy.RootElement[0].GetProperty("allow").EnumerateArray().Select(e => e.GetString()));

        _f.InstallJson(_f.Pack(Package("corp", "1.0.0", "LicenseRef-Corp")));
        var proprietary = _f.Packster.Run("install-file", _f.Pack(Package("prop", "1.0.0", "LicenseRef-Other")), "--location", "dev");
        Assert.Equal(4, proprietary.ExitCode);
        Assert.Contains("not in the allow list", proprietary.Stderr, StringComparison.Ordinal);
        var none = _f.Packster.Run("install-file", _f.Pack(Package("none", "1.0.0", null)), "--location", "dev");
        Assert.Equal(4, none.ExitCode);
        Assert.Contains("no licence is declared", none.Stderr, StringComparison.Ordinal);

        _f.Packster.Ok("licenses", "deny", "LicenseRef-Corp", "--location", "dev");
        var corp2 = _f.Packster.Run("install-file", _f.Pack(Package("corp", "1.1.0", "LicenseRef-Corp")), "--location", "dev");
        Assert.Equal(4, corp2.ExitCode);
        Assert.Contains("denied by 'LicenseRef-Corp'", corp2.Stderr, StringComparison.Ordinal);
    }

    // § Expressions: "`licenses policy` prints its version (`SPDX licence list 3.25`) when the data records one"; the
    // NuGet.Packaging data records e4c1f27, no list release, which was printed as if it were the list's version.
    [Fact]
    public void Licenses_policy_names_the_licence_list_by_its_package_when_it_records_no_list_version()
    {
        var line = _f.Packster.Ok("licenses", "policy", "--location", "dev").Split('\n').Single(l => l.StartsWith("SPDX licence list ", StringComparison.Ordinal));
        Assert.Matches(@"^SPDX licence list (\d+\.\d+(\.\d+)?|of NuGet\.Packaging \d+\.\d+\.\d+ \(its data is marked [0-9a-f]+, not a list version\)); a package must pass both$", line.TrimEnd('\r'));
        Assert.DoesNotMatch(@"^SPDX licence list [0-9a-f]{7};", line);
    }

    // § Report: every active deployment's licence and whether the policy in force allows it now.
    [Fact]
    public void Licenses_reports_each_active_deployment_against_the_current_policy()
    {
        _f.InstallJson(_f.Pack(Package("a", "1.0.0", "MIT")));
        _f.InstallJson(_f.Pack(Package("b", "1.0.0", "MPL-2.0")));
        _f.InstallJson(_f.Pack(Package("c", "1.0.0", null)));
        _f.Packster.Ok("licenses", "deny", "copyleft", "--location", "dev");
        using var doc = JsonDocument.Parse(_f.Packster.Ok("licenses", "--location", "dev", "--json"));
        var rows = doc.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.True(rows["a"].GetProperty("allowed").GetBoolean());
        Assert.False(rows["b"].GetProperty("allowed").GetBoolean());
        Assert.Contains("MPL-2.0 is denied by 'copyleft'", rows["b"].GetProperty("refusal").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, rows["c"].GetProperty("license").ValueKind);
        Assert.True(rows["c"].GetProperty("allowed").GetBoolean());
    }

    // § Expressions: "a `LicenseRef-` without a name" is PST2040 for manifest check and pack; § Policy: "`LicenseRef-`
    // alone is not an entry" (PST2041, nothing written). Before, all three took it, and the SPDX document then used a
    // LicenseRef it could not define.
    [Fact]
    public void A_LicenseRef_without_a_name_is_refused_by_the_manifest_and_the_policy()
    {
        var dir = Package("alpha", "1.0.0", "LicenseRef- OR MIT");
        var check = _f.Packster.Run("manifest", "check", dir);
        Assert.Equal(3, check.ExitCode);
        Assert.Contains("PST2040", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("'LicenseRef-' names no licence", check.Stderr, StringComparison.Ordinal);
        var pack = _f.Packster.Run("pack", dir, "-o", _f.Dist);
        Assert.Equal(3, pack.ExitCode);
        Assert.Contains("PST2040", pack.Stderr, StringComparison.Ordinal);

        var before = _f.Snapshot();
        foreach (var verb in new[] { "allow", "deny" })
        {
            var r = _f.Packster.Run("licenses", verb, "LicenseRef-", "--location", "dev");
            Assert.Equal(3, r.ExitCode);
            Assert.Contains("PST2041", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("'LicenseRef-' names no licence", r.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(before, _f.Snapshot());
        _f.Packster.Ok("licenses", "allow", "LicenseRef-Corp.2", "--location", "dev");
    }

    // § Expressions: "the manifest's text is shown on the one line of the message with control characters escaped".
    [Fact]
    public void A_licence_with_a_line_break_is_shown_escaped_on_one_line()
    {
        var dir = Package("alpha", "1.0.0", "MIT\\nAND BSD-2-Clause");
        var check = _f.Packster.Run("manifest", "check", dir);
        Assert.Equal(3, check.ExitCode);
        var line = Assert.Single(check.Stderr.Split('\n'), l => l.Contains("PST2040", StringComparison.Ordinal));
        Assert.Contains("license 'MIT\\u000aAND BSD-2-Clause' is not a valid SPDX expression: it holds a line break", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_policy_entry_is_refused_and_nothing_is_written()
    {
        var before = _f.Snapshot();
        var r = _f.Packster.Run("licenses", "deny", "Foo", "--location", "dev");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("PST2041", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    // spec/licenses.md § Policy: "`licenses allow|deny --location` writes by temporary file and rename, so it replaces
    // such a link with a file and never writes through it"; spec/toml.md §9 says so of a location's policy file, the
    // exception to following links; `trust … --location` alike. The shared file the link led to is only read.
    [Fact]
    public void A_linked_location_policy_is_replaced_by_a_file_never_written_through()
    {
        if (OperatingSystem.IsWindows()) return; // the test makes a symbolic link as POSIX does
        const string Shared = "[licenses]\ndeny = [\"copyleft\"]\n";
        var shared = _f.Temp.Write("shared.toml", Shared);
        var policy = Path.Combine(_f.LocationPath, "packster-policy.toml");
        File.CreateSymbolicLink(policy, shared);

        _f.Packster.Ok("licenses", "allow", "MIT", "--location", "dev");

        Assert.Equal(Shared, File.ReadAllText(shared));
        Assert.Null(new FileInfo(policy).LinkTarget);
        Assert.Equal(Shared + "allow = [\"MIT\"]\n", File.ReadAllText(policy));

        File.Delete(policy);
        File.CreateSymbolicLink(policy, shared);
        _f.Packster.Ok("trust", "warn", "--location", "dev");
        Assert.Equal(Shared, File.ReadAllText(shared));
        Assert.Null(new FileInfo(policy).LinkTarget);
        Assert.Equal(Shared + "\n[trust]\nsignatures = \"warn\"\n", File.ReadAllText(policy));
    }

    // spec/errors.md: text from a config is shown with its control characters escaped. A [licenses] key holding an
    // escape sequence reached the terminal raw in the unknown-key error.
    [Fact]
    public void An_unknown_licenses_key_is_shown_with_its_control_characters_escaped()
    {
        _f.Temp.Write("config.toml", "[licenses]\n\"allo\\u001bw\" = [\"MIT\"]\n");
        var r = _f.Packster.Run("licenses", "policy");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("'allo\\u001bw'", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', r.Stdout + r.Stderr);
    }
}
