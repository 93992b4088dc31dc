using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/sources.md §1: "A source whose variable is unset fails when it is first used" — a configured source with no
/// credential in the environment stops only the commands that ask something of it.
/// </summary>
public sealed class UnsetCredentialTests : IDisposable
{
    // A name no environment sets, so the source's credential is surely missing.
    private const string Variable = "PACKSTER_IT_NEVER_SET_TOKEN";

    private readonly LocationFixture _f = new();

    public UnsetCredentialTests() =>
        _f.Packster.Ok("source", "add", "corp", "--type", "artifactory", "--url", "https://x.invalid/artifactory", "--repo", "r", "--token-env", Variable);

    public void Dispose() => _f.Dispose();

    private string Tool(string version)
    {
        var dir = _f.Temp[$"tool-{version}"];
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "bin", "tool"), $"#!/bin/sh\necho tool {version}\n");
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"tool\"\nversion = \"{version}\"\nlicense = \"MIT\"\n");
        return _f.Pack(dir);
    }

    // "A source whose variable is unset fails when it is first used": rollback to a generation whose deployments are
    // still on disk downloads nothing, so it needs no credential; a generation that does not exist is PST5015.
    [Fact]
    public void Rollback_with_everything_on_disk_needs_no_credential_and_a_missing_generation_is_PST5015()
    {
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");

        var missing = _f.Packster.Run("rollback", "--location", "dev", "--to", "99");
        Assert.Equal(5, missing.ExitCode);
        Assert.Contains("error[PST5015]", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Variable, missing.Stderr, StringComparison.Ordinal);

        _f.Packster.Ok("rollback", "--location", "dev", "--to", "2");
        using var doc = JsonDocument.Parse(_f.Packster.Ok("list", "--location", "dev", "--json"));
        Assert.Equal(["1.0.0"], doc.RootElement.EnumerateArray().Where(d => d.GetProperty("active").GetBoolean()).Select(d => d.GetProperty("version").GetString()));
    }

    // The same clause for the plans of sync and import: a dry run whose deployments are already installed asks no
    // source anything. One that must fetch a package makes the real run's checks (spec/export.md § sync, step 2:
    // "--dry-run makes these checks too … so a refusal is the same error"): the source is used, and its unset
    // credential is the same error as the real run's, with nothing changed.
    [Fact]
    public void Dry_runs_of_sync_and_import_use_a_source_only_to_fetch_what_the_real_run_would()
    {
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        var env = _f.Temp["env.packster-lock.toml"];
        _f.Packster.Ok("export", "--location", "dev", "-o", env);
        _f.Packster.Ok("sync", env, "--location", "dev", "--dry-run");
        var copy = _f.Temp["copy"];
        _f.Packster.Ok("location", "create", copy, "--id", "copy");
        var lockfile = File.ReadAllBytes(Path.Combine(copy, "packster-location.json"));
        var dry = _f.Packster.Run("import", env, "--location", "copy", "--dry-run");
        var real = _f.Packster.Run("import", env, "--location", "copy");
        Assert.Equal(8, real.ExitCode);
        Assert.Contains($"error[PST8002]: source 'corp' takes its credential from ${Variable}, which is not set", real.Stderr, StringComparison.Ordinal);
        Assert.Equal(real.ExitCode, dry.ExitCode);
        Assert.Equal(real.Stderr, dry.Stderr);
        Assert.Equal(lockfile, File.ReadAllBytes(Path.Combine(copy, "packster-location.json")));
    }

    // spec/sources.md § search: "across several sources, one that cannot be used is a warning naming it while the
    // others are searched; searched alone (the only source, or --source), it is the error."
    [Fact]
    public void Search_warns_about_a_source_it_cannot_use_and_searches_the_others()
    {
        Tool("1.0.0");
        _f.Packster.Ok("source", "add", "local", "--type", "folder", "--url", _f.Dist);

        var both = _f.Packster.Run("search", "tool");
        Assert.True(both.ExitCode == 0, both.ToString());
        Assert.Contains("tool\t1.0.0\tlocal", both.Stdout, StringComparison.Ordinal);
        Assert.Contains($"warning: source 'corp' was not searched: source 'corp' takes its credential from ${Variable}, which is not set (PST8002)", both.Stderr, StringComparison.Ordinal);

        var alone = _f.Packster.Run("search", "tool", "--source", "corp");
        Assert.Equal(8, alone.ExitCode);
        Assert.Contains("error[PST8002]", alone.Stderr, StringComparison.Ordinal);
    }
}
