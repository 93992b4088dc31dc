using System.Text.Json.Nodes;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Locations;

/// <summary>
/// No value can make a location unusable (spec/parameters.md § What a value may hold, spec/lockfile.md § Invariants
/// and § Repair), through the real <c>packster</c>: values no environment variable or script can carry are refused
/// before anything changes, a hand-edited lockfile that breaks an invariant is PST5002 naming it, and
/// <c>location repair</c> brings it back.
/// </summary>
public sealed class UnusableValueTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Source(string name, string manifest, params (string Path, string Text)[] files)
    {
        var dir = _f.Temp[$"src/{name}"];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), manifest);
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        return dir;
    }

    /// <summary>"Every scalar parameter reaches an environment variable … so it may not hold NUL" — refused up front, nothing changed.</summary>
    [Fact]
    public void A_NUL_in_given_parameters_is_refused_before_anything_changes_and_the_location_stays_usable()
    {
        var package = _f.PackSample("hello");
        var before = _f.Snapshot();

        var r = _f.Packster.Run("install-file", package, "--location", "dev", "--parameters", "{\"greeting\":\"a\\u0000b\"}");

        Assert.Equal(3, r.ExitCode);
        Assert.StartsWith("error[PST3006]: parameter 'greeting': ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("U+0000", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
        _f.Packster.Ok("install-file", package, "--location", "dev");
        _f.Packster.Ok("uninstall", "hello", "--location", "dev", "--force");
    }

    /// <summary>"A value written into a generated script may hold no control character" — cmd ends a line at Ctrl-Z.</summary>
    [Fact]
    public void A_control_character_in_a_value_written_into_a_script_is_refused_naming_the_place()
    {
        var package = _f.PackSample("hello");
        var before = _f.Snapshot();

        var r = _f.Packster.Run("install-file", package, "--location", "dev", "--parameters", "{\"greeting\":\"x\\u001acalc.exe &rem \"}");

        Assert.Equal(3, r.ExitCode);
        Assert.StartsWith("error[PST3006]: parameter 'greeting': ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("U+001A", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("provides.env.HELLO_GREETING", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    /// <summary>"manifest check and pack judge defaults and enum values by the same rules as given values."</summary>
    [Fact]
    public void A_NUL_in_a_TOML_default_is_refused_by_manifest_check_and_pack()
    {
        var dir = Source("nul", """
            id = "nul"
            version = "1.0.0"
            [parameters.g]
            type = "string"
            default = "a\u0000b"
            [shims]
            t = { target = "bin/t", args = ["{param.g}"] }
            """, ("bin/t", "#!/bin/sh\n"));

        var check = _f.Packster.Run("manifest", "check", dir);
        var pack = _f.Packster.Run("pack", dir, "-o", _f.Dist);

        foreach (var r in new[] { check, pack })
        {
            Assert.Equal(3, r.ExitCode);
            Assert.StartsWith("error[PST2002]: ", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("parameters.g.default: it holds U+0000 (NUL)", r.Stderr, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(_f.Dist) && Directory.EnumerateFiles(_f.Dist, "*.packster").Any());
    }

    /// <summary>
    /// spec/lockfile.md § Invariants: "at most one active deployment per package" — a hand-edited lockfile breaking it is
    /// PST5002 on read, and § Repair: "of several active deployments of one package the highest version stays active".
    /// </summary>
    [Fact]
    public void A_lockfile_with_two_active_versions_is_PST5002_and_repair_fixes_it()
    {
        var v1 = _f.PackSample("hello");
        var v2 = _f.Pack(Source("hello", File.ReadAllText(Path.Combine(RepoFiles.Sample("hello"), "packster-manifest.toml"))
            .Replace("version = \"1.0.0\"", "version = \"1.1.0\"", StringComparison.Ordinal), ("bin/hello", "#!/bin/sh\necho hi\n")));
        _f.Packster.Ok("install-file", v1, "--location", "dev");
        _f.Packster.Ok("install-file", v2, "--location", "dev");
        var lockfile = JsonNode.Parse(File.ReadAllText(_f.LockfilePath))!;
        foreach (var d in lockfile["deployments"]!.AsArray())
        {
            d!["active"] = true;
            d["claims"] = new JsonArray("env:HELLO_GREETING", "env:HELLO_HOME", "env:HELLO_PORT", "port:8080", "shim:hello");
        }
        File.WriteAllText(_f.LockfilePath, lockfile.ToJsonString());

        var list = _f.Packster.Run("list", "--location", "dev");
        Assert.Equal(5, list.ExitCode);
        Assert.StartsWith("error[PST5002]: ", list.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 active deployments of hello", list.Stderr, StringComparison.Ordinal);
        Assert.Contains("packster location repair", list.Stderr, StringComparison.Ordinal);
        Assert.Equal(5, _f.Packster.Run("install-file", v1, "--location", "dev", "--force").ExitCode);

        var edited = _f.Snapshot();
        var dry = _f.Packster.Run("location", "repair", "dev", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("would deactivate hello 1.0.0", dry.Stdout, StringComparison.Ordinal);
        Assert.Equal(edited, _f.Snapshot());

        var repair = _f.Packster.Run("location", "repair", "dev");
        Assert.Equal(0, repair.ExitCode);
        Assert.Contains("deactivated hello 1.0.0", repair.Stdout, StringComparison.Ordinal);
        var active = _f.List().EnumerateArray()
            .Where(d => d.GetProperty("active").GetBoolean()).Select(d => d.GetProperty("version").GetString()).ToList();
        Assert.Equal(["1.1.0"], active);
        Assert.Contains("\"action\":\"repair\"", File.ReadAllText(Path.Combine(_f.LocationPath, "history.jsonl")), StringComparison.Ordinal);
        _f.Packster.Ok("use", "hello@1.0.0", "--location", "dev");
        _f.Packster.Ok("uninstall", "hello@1.1.0", "--location", "dev", "--force");
    }

    /// <summary>A location wedged before values were checked (an active deployment recorded with a NUL) is repaired too.</summary>
    [Fact]
    public void Repair_deactivates_an_active_deployment_recorded_with_a_NUL()
    {
        var package = _f.PackSample("hello");
        _f.Packster.Ok("install-file", package, "--location", "dev");
        var lockfile = JsonNode.Parse(File.ReadAllText(_f.LockfilePath))!;
        lockfile["deployments"]![0]!["parameters"]!["greeting"] = "a\u0000b";
        File.WriteAllText(_f.LockfilePath, lockfile.ToJsonString());

        var install = _f.Packster.Run("install-file", package, "--location", "dev", "--parameters", "{\"greeting\":\"Hi\"}");
        Assert.Equal(5, install.ExitCode);
        Assert.Contains("parameter 'greeting': it holds U+0000", install.Stderr, StringComparison.Ordinal);

        var repair = _f.Packster.Run("location", "repair", "dev", "--json");
        Assert.Equal(0, repair.ExitCode);
        var change = JsonNode.Parse(repair.Stdout)!["changes"]!.AsArray().Single()!;
        Assert.Equal("deactivate", change["action"]!.GetValue<string>());
        _f.Packster.Ok("install-file", package, "--location", "dev", "--parameters", "{\"greeting\":\"Hi\"}");
    }

    /// <summary>
    /// A lone surrogate recorded in a deployment (JSON allows <c>"\ud800"</c>; no text holds it): kept as it was read by
    /// every commit and history line while the deployment is not active, listed with a warning (spec/lockfile.md
    /// § Readers), and an active one is PST5002 that <c>location repair</c> fixes. Every one of these was PST0001.
    /// </summary>
    [Fact]
    public void A_lone_surrogate_recorded_in_a_deployment_is_kept_listed_and_repaired()
    {
        var package = _f.PackSample("hello");
        _f.Packster.Ok("install-file", package, "--location", "dev");
        _f.Packster.Ok("install-file", package, "--location", "dev", "--inactive", "--parameters", "{\"greeting\":\"Zzz\",\"port\":9001}");
        var text = File.ReadAllText(_f.LockfilePath);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "\"Zzz\""));
        File.WriteAllText(_f.LockfilePath, text.Replace("\"Zzz\"", "\"Z\\ud800z\"", StringComparison.Ordinal));

        _f.Packster.Ok("install-file", package, "--location", "dev", "--inactive", "-p", "port=9002");
        Assert.Contains("\"greeting\": \"Z\\ud800z\"", File.ReadAllText(_f.LockfilePath), StringComparison.Ordinal);
        var list = _f.Packster.Run("list", "--location", "dev");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(3, list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("is listed without its shims, env and ports: parameter 'greeting': it holds a lone surrogate", list.Stderr, StringComparison.Ordinal);
        Assert.Contains("replays to its lockfile", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);
        // An environment file is TOML, which holds only text: export says so, and writes nothing (spec/export.md).
        var exported = _f.Temp["env.packster-lock.toml"];
        var export = _f.Packster.Run("export", "--location", "dev", "-o", exported);
        Assert.Equal(3, export.ExitCode);
        Assert.Contains("error[PST3008]: deployment hello 1.0.0 (", export.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(exported));

        // Made active by hand: every command refuses the file, and repair deactivates it again.
        var active = File.ReadAllText(_f.LockfilePath);
        var at = active.IndexOf("Z\\ud800z", StringComparison.Ordinal);
        var flag = active.IndexOf("\"active\": false", at, StringComparison.Ordinal);
        File.WriteAllText(_f.LockfilePath, active[..flag] + "\"active\": true" + active[(flag + "\"active\": false".Length)..]);
        var first = JsonNode.Parse(File.ReadAllText(_f.LockfilePath))!["deployments"]!.AsArray().Count(d => d!["active"]!.GetValue<bool>());
        Assert.Equal(2, first);
        var refused = _f.Packster.Run("install-file", package, "--location", "dev", "--inactive", "-p", "port=9003");
        Assert.Equal(5, refused.ExitCode);
        Assert.Contains("error[PST5002]", refused.Stderr, StringComparison.Ordinal);
        var repair = _f.Packster.Run("location", "repair", "dev");
        Assert.True(repair.ExitCode == 0, repair.ToString());
        _f.Packster.Ok("install-file", package, "--location", "dev", "--inactive", "-p", "port=9003");
        Assert.Contains("replays to its lockfile", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);

        // And it can be uninstalled: hello has no uninstall handler, so nothing needs the value.
        var hash = JsonNode.Parse(_f.Packster.Ok("list", "--location", "dev", "--json"))!.AsArray().Single(d => d!["problem"] is not null)!["deployment"]!.GetValue<string>();
        _f.Packster.Ok("uninstall", hash[..12], "--location", "dev");
        Assert.DoesNotContain("ud800", File.ReadAllText(_f.LockfilePath), StringComparison.Ordinal);
    }

    /// <summary>
    /// Uninstalling the active deployment makes the next one of the package active (spec/lockfile.md § Which deployment
    /// is active), passing over one whose recorded parameters activation refuses; that one made the uninstall PST3006.
    /// </summary>
    [Fact]
    public void Uninstalling_the_active_deployment_passes_over_a_successor_whose_parameters_are_refused()
    {
        var package = _f.PackSample("hello");
        var active = _f.Packster.Ok("install-file", package, "--location", "dev", "--json");
        _f.Packster.Ok("install-file", package, "--location", "dev", "--inactive", "--parameters", "{\"greeting\":\"Zzz\",\"port\":9001}");
        File.WriteAllText(_f.LockfilePath, File.ReadAllText(_f.LockfilePath).Replace("\"Zzz\"", "\"Z\\ud800z\"", StringComparison.Ordinal));
        var hash = JsonNode.Parse(active)!["deployment"]!.GetValue<string>();

        var r = _f.Packster.Run("uninstall", hash[..12], "--location", "dev");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("no deployment of hello is active now", r.Stderr + r.Stdout, StringComparison.Ordinal);
        var left = Assert.Single(_f.List().EnumerateArray());
        Assert.False(left.GetProperty("active").GetBoolean());
    }

    /// <summary>
    /// A deployment whose recorded parameters are refused, with an uninstall handler that would need them: uninstall
    /// refuses in words with nothing changed, and --force removes it without running the handler (as for any handler
    /// that cannot run). Both were PST3006 with no way out.
    /// </summary>
    [Fact]
    public void A_deployment_whose_recorded_parameters_are_refused_is_uninstalled_with_force_when_its_handler_needs_them()
    {
        var package = _f.Pack(Source("un", "id = \"un\"\nversion = \"1.0.0\"\n[parameters.name]\ntype = \"string\"\ndefault = \"x\"\n[handlers]\nuninstall = \"scripts/u.sh\"\n",
            ("scripts/u.sh", "#!/bin/sh\ntouch \"$PACKSTER_LOCATION_PATH/../handler-ran\"\n")));
        _f.Packster.Ok("install-file", package, "--location", "dev", "--inactive", "-p", "name=Zzz");
        File.WriteAllText(_f.LockfilePath, File.ReadAllText(_f.LockfilePath).Replace("\"Zzz\"", "\"Z\\ud800z\"", StringComparison.Ordinal));
        var before = File.ReadAllBytes(_f.LockfilePath);

        var refused = _f.Packster.Run("uninstall", "un", "--location", "dev");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("its uninstall handlers cannot be given its recorded parameters", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: --force removes it without running them", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_f.LockfilePath));

        var forced = _f.Packster.Run("uninstall", "un", "--location", "dev", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("removing it without running them (--force)", forced.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, _f.List().GetArrayLength());
        Assert.False(File.Exists(_f.Temp["handler-ran"]));
    }

    /// <summary>
    /// spec/activation.md § Derived files: "a mutation renders every shim and activation script before it commits" — a
    /// deployment whose scripts cannot be rendered fails the command with the lockfile unchanged.
    /// </summary>
    [Fact]
    public void Scripts_are_rendered_before_the_commit_so_a_failure_leaves_the_lockfile_unchanged()
    {
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev");
        var hash = _f.List()[0].GetProperty("deployment").GetString()!;
        File.Delete(Path.Combine(_f.LocationPath, "deployments", hash, "packster-manifest.toml"));
        var before = File.ReadAllBytes(_f.LockfilePath);

        var pin = _f.Packster.Run("pin", "hello", "--location", "dev");

        Assert.NotEqual(0, pin.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(_f.LockfilePath));
    }
}
