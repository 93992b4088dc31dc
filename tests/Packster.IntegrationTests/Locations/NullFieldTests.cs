using System.Text.Json.Nodes;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Locations;

/// <summary>
/// A hand-edited <c>null</c> in a location's files, through the real <c>packster</c>: spec/lockfile.md § Lockfile
/// ("absent optional values are omitted (never <c>null</c>)"), § Compatibility ("An unreadable lockfile is never
/// rewritten or repaired … recovery does not run") and § packster-deployment.json (a record whose <c>files</c> or
/// <c>links</c> hold a <c>null</c> is PST5011).
/// </summary>
public sealed class NullFieldTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private void EditLockfile(Action<JsonNode> edit)
    {
        var lockfile = JsonNode.Parse(File.ReadAllText(_f.LockfilePath))!;
        edit(lockfile);
        File.WriteAllText(_f.LockfilePath, lockfile.ToJsonString());
    }

    /// <summary>
    /// <c>"deployments": null</c>, or no <c>deployments</c> at all, was read as a location without deployments: <c>list</c>
    /// said so, and the next install's recovery deleted every deployment directory as unrecorded. § Compatibility:
    /// PST5002 ("`deployments` is never left out, even when empty"), "recovery does not run".
    /// </summary>
    [Theory]
    [InlineData("null", "$.deployments: null")]
    [InlineData("missing", "$.deployments: missing")]
    public void Null_or_missing_deployments_are_PST5002_and_the_next_install_deletes_nothing(string edit, string why)
    {
        var motd = _f.InstallJson(_f.PackSample("motd"), "--parameters", "{\"message\":\"keep\"}");
        var directory = motd.GetProperty("path").GetString()!;
        EditLockfile(l =>
        {
            if (edit == "null") l["deployments"] = null;
            else l.AsObject().Remove("deployments");
        });
        var edited = _f.Snapshot();

        var list = _f.Packster.Run("list", "--location", "dev");
        Assert.Equal(5, list.ExitCode);
        Assert.StartsWith($"error[PST5002]: {_f.LockfilePath}: {why}", list.Stderr, StringComparison.Ordinal);

        var install = _f.Packster.Run("install-file", _f.PackSample("hello"), "--location", "dev");
        Assert.Equal(5, install.ExitCode);
        Assert.StartsWith("error[PST5002]: ", install.Stderr, StringComparison.Ordinal);
        Assert.True(Directory.Exists(directory));
        Assert.Equal(edited, _f.Snapshot());
    }

    /// <summary><c>"deployments": [null]</c> crashed <c>list</c> and <c>location repair</c> (PST0001); it is PST5002 naming the entry, which repair does not fix (§ Repair: "a file that is not JSON or has a bad field is still PST5002").</summary>
    [Fact]
    public void A_null_deployment_is_PST5002_for_list_and_repair()
    {
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev");
        EditLockfile(l => l["deployments"] = new JsonArray((JsonNode?)null));
        var edited = _f.Snapshot();

        foreach (var args in new[] { new[] { "list", "--location", "dev", "--verbose" }, ["location", "repair", "dev"] })
        {
            var r = _f.Packster.Run(args);
            Assert.Equal(5, r.ExitCode);
            Assert.StartsWith($"error[PST5002]: {_f.LockfilePath}: $.deployments[0]: null", r.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("PST0001", r.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(edited, _f.Snapshot());
    }

    /// <summary><c>"claims": null</c> on an active deployment passed the resource guard, so a second install of the package failed with PST6000 (a shim defined twice).</summary>
    [Fact]
    public void Null_claims_are_PST5002_before_the_resource_guard()
    {
        var hello = _f.PackSample("hello");
        _f.Packster.Ok("install-file", hello, "--location", "dev");
        EditLockfile(l => l["deployments"]![0]!["claims"] = null);
        var edited = _f.Snapshot();

        var r = _f.Packster.Run("install-file", hello, "--location", "dev", "--parameters", "{\"greeting\":\"other\"}");

        Assert.Equal(5, r.ExitCode);
        Assert.StartsWith($"error[PST5002]: {_f.LockfilePath}: $.deployments[0].claims: null", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(edited, _f.Snapshot());
    }

    /// <summary>§ packster-deployment.json: a record whose <c>links</c> (or <c>files</c>) is <c>null</c> is PST5011: <c>verify</c> does not call it intact.</summary>
    [Theory]
    [InlineData("links")]
    [InlineData("files")]
    public void Verify_does_not_call_a_record_with_null_files_or_links_intact(string field)
    {
        var installed = _f.InstallJson(_f.PackSample("hello"));
        var record = Path.Combine(installed.GetProperty("path").GetString()!, "packster-deployment.json");
        var json = JsonNode.Parse(File.ReadAllText(record))!;
        json[field] = null;
        File.WriteAllText(record, json.ToJsonString());

        var r = _f.Packster.Run("verify", "dev");

        Assert.Equal(5, r.ExitCode);
        Assert.Contains($"$.{field}: null", r.Stdout + r.Stderr, StringComparison.Ordinal);
    }
}
