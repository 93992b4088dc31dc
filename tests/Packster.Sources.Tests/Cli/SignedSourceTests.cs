using System.Security.Cryptography;
using System.Text.Json;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>
/// spec/signing.md § Transport and § Trust policy through the real <c>packster</c> process: a package's detached
/// signature is published with it to a folder, a static HTTPS folder (via <c>source index</c>) and Artifactory, travels
/// into the download cache with it, and is enforced per source and offline; <c>verify</c> re-checks it.
/// </summary>
public sealed class SignedSourceTests : IAsyncLifetime
{
    private const string Token = "sig-token-correct";
    private TlsArtifactory _tls = null!;
    private StaticFileServer _web = null!;

    private TempDirectory Temp => _tls.Temp;
    private TestPki Pki => _tls.Pki;
    private ArtifactoryTestServer Artifactory => _tls.Server;

    public async Task InitializeAsync()
    {
        _tls = await TlsArtifactory.StartAsync("packster-signed", Token);
        Directory.CreateDirectory(Temp["www"]);
        _web = await StaticFileServer.StartAsync(Temp["www"], Pki.Server);
    }

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        await _tls.DisposeAsync();
    }

    private sealed record Result(int Exit, string Out, string Err)
    {
        public override string ToString() => $"exit {Exit}\nstdout: {Out}\nstderr: {Err}";
    }

    private async Task<Result> RunAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Temp.Path, new Dictionary<string, string>
        {
            ["PACKSTER_CONFIG"] = Temp["config/config.toml"],
            ["PACKSTER_CACHE"] = Temp["cache"],
            ["PACKSTER_DATA_HOME"] = Temp["data"],
            ["ART_TOKEN"] = Token,
        }, args);
        return new Result(exit, stdout, stderr);
    }

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.Exit == 0, $"packster {string.Join(' ', args)}\n{r}");
        return r.Out;
    }

    private async Task<string> KeyIdAsync(string name)
    {
        using var doc = JsonDocument.Parse(await OkAsync("key", "list", "--json"));
        return doc.RootElement.EnumerateArray().Single(k => k.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;
    }

    /// <summary>A key "ci" the user's policy requires, and acme 1.0.0 signed by it.</summary>
    private async Task<(string KeyId, string Package)> RequireSignedAcmeAsync()
    {
        await OkAsync("key", "generate", "ci");
        await OkAsync("trust", "require", "--key", "ci");
        var signed = TestPackages.Create(Temp["dist"], "acme", "1.0.0");
        await OkAsync("sign", signed, "--key", "ci");
        return (await KeyIdAsync("ci"), signed);
    }

    private async Task<string> LocationAsync(string id)
    {
        await OkAsync("location", "create", Temp[id], "--id", id);
        return Temp[id];
    }

    private static string Snapshot(string directory) => string.Join("\n", Directory
        .EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        .Where(p => !Path.GetRelativePath(directory, p).Replace('\\', '/').StartsWith(".packster/lock", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .Select(p => Path.GetRelativePath(directory, p) + " " + (File.Exists(p) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) : "dir")));

    private async Task AssertRefusedAsync(string location, string why, params string[] install)
    {
        var before = Snapshot(location);
        var r = await RunAsync([.. install, "--location", location]);
        Assert.True(r.Exit == 4, r.ToString());
        var line = r.Err.Split('\n')[0];
        Assert.StartsWith("error[PST4030]: acme ", line, StringComparison.Ordinal);
        Assert.Contains(why, line, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(location));
    }

    private async Task<JsonElement> InstalledAsync(string location, params string[] install)
    {
        using var doc = JsonDocument.Parse(await OkAsync([.. install, "--location", location, "--json"]));
        return doc.RootElement.Clone();
    }

    private async Task<string?> SignerAsync(string location)
    {
        using var doc = JsonDocument.Parse(await OkAsync("list", "--location", location, "--json"));
        return doc.RootElement.EnumerateArray().Single().GetProperty("signer").GetString();
    }

    // § Transport: publish carries the .sig to each kind of source, install fetches it into the cache beside the
    // package, and under "require" the unsigned version of the same package is refused from every source.
    [Fact]
    public async Task A_signature_travels_with_its_package_through_every_kind_of_source()
    {
        var (keyId, signed) = await RequireSignedAcmeAsync();
        var unsigned = TestPackages.Create(Temp["dist"], "acme", "1.1.0", payload: "unsigned");
        var ca = Pki.WriteAuthorityPem(Temp.Path);

        Directory.CreateDirectory(Temp["shelf"]);
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", Temp["shelf"]);
        await OkAsync("source", "add", "web", "--type", "http", "--url", _web.Address.ToString(), "--ca-file", ca);
        await OkAsync("source", "add", "corp", "--type", "artifactory", "--url", Artifactory.BaseUrl, "--repo", "pk-local", "--token-env", "ART_TOKEN", "--ca-file", ca);

        foreach (var source in new[] { "shelf", "corp" })
        {
            using var published = JsonDocument.Parse(await OkAsync("publish", signed, unsigned, "--source", source, "--json"));
            Assert.Equal([true, false], published.RootElement.EnumerateArray().Select(r => r.GetProperty("signed").GetBoolean()));
        }
        var onShelf = Path.Combine(Temp["shelf"], Path.GetFileName(signed) + ".sig");
        Assert.Equal(File.ReadAllBytes(signed + ".sig"), File.ReadAllBytes(onShelf));
        var onServer = Artifactory.Files[$"pk-local/acme/1.0.0/{Path.GetFileName(signed)}.sig"];
        Assert.Equal(File.ReadAllBytes(signed + ".sig"), onServer.Bytes);
        Assert.False(Artifactory.Files.ContainsKey($"pk-local/acme/1.1.0/{Path.GetFileName(unsigned)}.sig"));

        // The static folder: the signature is listed in index.json beside the package it signs.
        foreach (var file in new[] { signed, signed + ".sig", unsigned }) File.Copy(file, Path.Combine(Temp["www"], Path.GetFileName(file)));
        Assert.Contains("2 package files, 1 signed", await OkAsync("source", "index", Temp["www"]), StringComparison.Ordinal);
        using (var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(Temp["www"], "index.json"))))
        {
            var entries = index.RootElement.GetProperty("packages").EnumerateArray().ToList();
            Assert.Equal(Path.GetFileName(signed) + ".sig", entries.Single(e => e.GetProperty("version").GetString() == "1.0.0").GetProperty("signature").GetString());
            Assert.False(entries.Single(e => e.GetProperty("version").GetString() == "1.1.0").TryGetProperty("signature", out _));
        }

        foreach (var source in new[] { "shelf", "web", "corp" })
        {
            if (Directory.Exists(Temp["cache"])) Directory.Delete(Temp["cache"], recursive: true);
            var location = await LocationAsync("loc-" + source);
            await AssertRefusedAsync(location, "it is unsigned", "install", "acme@1.1.0", "--source", source);
            var installed = await InstalledAsync(location, "install", "acme@1.0.0", "--source", source);
            Assert.Equal("installed", installed.GetProperty("status").GetString());
            Assert.Equal(source, installed.GetProperty("source").GetString());
            Assert.Equal(keyId, await SignerAsync(location));
            var cached = Directory.EnumerateFiles(Temp["cache"], Path.GetFileName(signed) + ".sig", SearchOption.AllDirectories).Single();
            Assert.Equal(File.ReadAllBytes(signed + ".sig"), File.ReadAllBytes(cached));
        }
        Assert.Contains(_web.Requests, p => p.EndsWith(".packster.sig", StringComparison.Ordinal));
    }

    // spec/sources.md § index.json: a `signature` the index names but the server answers 404 for counts as none — the
    // package installs with signatures off and is refused as unsigned under "require", never as "not found".
    [Fact]
    public async Task A_listed_signature_the_server_no_longer_has_counts_as_none()
    {
        var (_, signed) = await RequireSignedAcmeAsync();
        var ca = Pki.WriteAuthorityPem(Temp.Path);
        await OkAsync("source", "add", "web", "--type", "http", "--url", _web.Address.ToString(), "--ca-file", ca);
        foreach (var file in new[] { signed, signed + ".sig" }) File.Copy(file, Path.Combine(Temp["www"], Path.GetFileName(file)));
        await OkAsync("source", "index", Temp["www"]);
        File.Delete(Path.Combine(Temp["www"], Path.GetFileName(signed) + ".sig"));

        var location = await LocationAsync("strict");
        await AssertRefusedAsync(location, "it is unsigned", "install", "acme@1.0.0", "--source", "web");

        await OkAsync("trust", "off");
        var open = await LocationAsync("open");
        var installed = await InstalledAsync(open, "install", "acme@1.0.0", "--source", "web");
        Assert.Equal("installed", installed.GetProperty("status").GetString());
    }

    // § Enforcement: upgrade is held to the same policy; an unsigned newer version leaves the signed one in place.
    [Fact]
    public async Task Upgrade_refuses_an_unsigned_newer_version()
    {
        await OkAsync("key", "generate", "ci");
        var signed = TestPackages.Create(Temp["dist"], "acme", "1.0.0");
        await OkAsync("sign", signed, "--key", "ci");
        Directory.CreateDirectory(Temp["shelf"]);
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", Temp["shelf"]);
        await OkAsync("publish", signed, "--source", "shelf");
        await OkAsync("trust", "require", "--source", "shelf", "--key", "ci");
        var location = await LocationAsync("dev");
        await OkAsync("install", "acme", "--location", location);
        await OkAsync("publish", TestPackages.Create(Temp["dist"], "acme", "1.1.0", payload: "newer"), "--source", "shelf");

        await AssertRefusedAsync(location, "acme 1.1.0", "upgrade", "acme");
        using var list = JsonDocument.Parse(await OkAsync("list", "--location", location, "--json"));
        Assert.Equal("1.0.0", list.RootElement.EnumerateArray().Single().GetProperty("version").GetString());
    }

    // § Transport: a signature that belongs to another package is refused at publish and at index time, before the
    // source holds anything that would make every later install fail.
    [Fact]
    public async Task A_signature_of_another_package_is_not_published()
    {
        await OkAsync("key", "generate", "ci");
        var first = TestPackages.Create(Temp["dist"], "acme", "1.0.0");
        var second = TestPackages.Create(Temp["dist"], "acme", "2.0.0", payload: "two");
        await OkAsync("sign", first, "--key", "ci");
        File.Copy(first + ".sig", second + ".sig");
        Directory.CreateDirectory(Temp["shelf"]);
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", Temp["shelf"]);

        var r = await RunAsync("publish", second, "--source", "shelf");
        Assert.Equal(4, r.Exit);
        Assert.Contains("error[PST4031]", r.Err, StringComparison.Ordinal);
        Assert.Contains($"it signs {Path.GetFileName(first)}", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Temp["shelf"]) && Directory.EnumerateFileSystemEntries(Temp["shelf"]).Any());

        File.Copy(second, Path.Combine(Temp["www"], Path.GetFileName(second)));
        File.Copy(second + ".sig", Path.Combine(Temp["www"], Path.GetFileName(second) + ".sig"));
        var index = await RunAsync("source", "index", Temp["www"]);
        Assert.Equal(4, index.Exit);
        Assert.Contains("PST4031", index.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Temp["www"], "index.json")));
    }

    // § Trust policy: a source can demand signatures and name its own keys; that adds to the user's policy for its
    // packages only, and offline the cache is held to every source's rules at once.
    [Fact]
    public async Task A_source_can_demand_signatures_by_its_own_keys()
    {
        await OkAsync("key", "generate", "ci");
        await OkAsync("key", "generate", "other");
        var ci = await KeyIdAsync("ci");
        var other = await KeyIdAsync("other");
        var unsigned = TestPackages.Create(Temp["dist"], "acme", "1.0.0");
        var byOther = TestPackages.Create(Temp["dist"], "acme", "2.0.0", payload: "two");
        await OkAsync("sign", byOther, "--key", "other");
        var byCi = TestPackages.Create(Temp["dist"], "acme", "3.0.0", payload: "three");
        await OkAsync("sign", byCi, "--key", "ci");
        Directory.CreateDirectory(Temp["vetted"]);
        await OkAsync("source", "add", "vetted", "--type", "folder", "--url", Temp["vetted"]);
        Directory.CreateDirectory(Temp["plain"]);
        await OkAsync("source", "add", "plain", "--type", "folder", "--url", Temp["plain"]);
        await OkAsync("publish", unsigned, byOther, byCi, "--source", "vetted");
        await OkAsync("publish", unsigned, "--source", "plain");

        Assert.Contains("sources.vetted.signatures = \"require\"", await OkAsync("trust", "require", "--source", "vetted", "--key", "ci"), StringComparison.Ordinal);
        var config = File.ReadAllText(Temp["config/config.toml"]);
        Assert.Contains($"trusted-keys = [\"{ci}\"]", config, StringComparison.Ordinal);
        using (var show = JsonDocument.Parse(await OkAsync("trust", "show", "--json", "--location", await LocationAsync("dev"))))
        {
            Assert.Equal("off", show.RootElement.GetProperty("signatures").GetString());
            Assert.Equal("require", show.RootElement.GetProperty("sources").GetProperty("vetted").GetProperty("signatures").GetString());
        }

        var location = Temp["dev"];
        await AssertRefusedAsync(location, $"policy: signatures = \"require\" in [sources.vetted] in {Temp["config/config.toml"]}", "install", "acme@1.0.0", "--source", "vetted");
        await AssertRefusedAsync(location, $"key {other} ('other') is not trusted", "install", "acme@2.0.0", "--source", "vetted");
        Assert.Equal("installed", (await InstalledAsync(location, "install", "acme@3.0.0", "--source", "vetted")).GetProperty("status").GetString());
        Assert.Equal(ci, await SignerAsync(location));

        // The same unsigned bytes from the source that demands nothing install (the user's policy is "off").
        var plainLocation = await LocationAsync("plain-dev");
        Assert.Equal("installed", (await InstalledAsync(plainLocation, "install", "acme@1.0.0", "--source", "plain")).GetProperty("status").GetString());
        Assert.Null(await SignerAsync(plainLocation));

        // Offline, the cache cannot say which source a file came from: every source's rules apply.
        var offline = await LocationAsync("offline-dev");
        await AssertRefusedAsync(offline, "the sources' rules", "install", "acme@1.0.0", "--offline");
        Assert.Equal("installed", (await InstalledAsync(offline, "install", "acme@3.0.0", "--offline")).GetProperty("status").GetString());
        Assert.Equal(ci, await SignerAsync(offline));
    }

    // § Trust policy: a project config file may demand signatures but may not name the keys to trust.
    [Fact]
    public async Task A_project_file_cannot_choose_trusted_keys()
    {
        await OkAsync("key", "generate", "ci");
        var ci = await KeyIdAsync("ci");
        var project = Temp["project"];
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "packster.toml"), $"[sources.team]\ntype = \"folder\"\nurl = \"shelf\"\ntrusted-keys = [\"{ci}\"]\n");
        var r = await RunAsync("config", "trust", Path.Combine(project, "packster.toml"));
        Assert.True(r.Exit == 8, r.ToString());
        Assert.StartsWith("error[PST8014]: ", r.Err, StringComparison.Ordinal);
        Assert.Contains("trusted-keys", r.Err, StringComparison.Ordinal);
    }

    // § Verify: verify re-checks each deployment's recorded signature against today's keys and policy.
    [Fact]
    public async Task Verify_rechecks_recorded_signatures_after_a_revocation()
    {
        var (ci, signed) = await RequireSignedAcmeAsync();
        var location = await LocationAsync("dev");
        await OkAsync("install-file", signed, "--location", location);
        var record = Directory.EnumerateFiles(Path.Combine(location, "deployments"), "packster-deployment.json", SearchOption.AllDirectories).Single();
        using (var doc = JsonDocument.Parse(File.ReadAllText(record)))
        {
            Assert.Equal(ci, doc.RootElement.GetProperty("signature").GetProperty("key").GetString());
        }
        var ok = await RunAsync("verify", location);
        Assert.True(ok.Exit == 0, ok.ToString());

        await OkAsync("trust", "revoke", ci);
        var revoked = await RunAsync("verify", location, "--json");
        Assert.Equal(4, revoked.Exit);
        Assert.Contains("error[PST4030]", revoked.Err, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(revoked.Out);
        var problem = report.RootElement.EnumerateArray().Single().GetProperty("problems").EnumerateArray().Single();
        Assert.Equal("Signature", problem.GetProperty("kind").GetString());
        Assert.Contains($"signed by key {ci}, revoked in", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // § Verify: switching a location to "require" makes verify name what was installed unsigned before.
    [Fact]
    public async Task Verify_names_unsigned_deployments_once_signatures_are_required()
    {
        var location = await LocationAsync("dev");
        await OkAsync("install-file", TestPackages.Create(Temp["dist"], "acme", "1.0.0"), "--location", location);
        Assert.Equal(0, (await RunAsync("verify", location)).Exit);
        await OkAsync("trust", "require", "--location", location);
        var r = await RunAsync("verify", location);
        Assert.Equal(4, r.Exit);
        Assert.Contains("Signature: acme-1.0.0-", r.Out, StringComparison.Ordinal);
        Assert.Contains("unsigned, and signatures = \"require\"", r.Out, StringComparison.Ordinal);
    }

    // spec/bom.md § Before a change: bundle install --dry-run --bom describes what it would deploy, signer included,
    // and changes nothing.
    [Fact]
    public async Task Bundle_dry_run_writes_a_bill_of_materials_and_changes_nothing()
    {
        var (ci, signed) = await RequireSignedAcmeAsync();
        Directory.CreateDirectory(Temp["shelf"]);
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", Temp["shelf"]);
        await OkAsync("publish", signed, "--source", "shelf");
        var location = await LocationAsync("dev");
        File.WriteAllText(Temp["bundle.toml"], "[packages]\nacme = \"^1.0\"\n");

        var before = Snapshot(location);
        var bom = Temp["bom.json"];
        await OkAsync("bundle", "install", Temp["bundle.toml"], "--location", location, "--dry-run", "--bom", bom);
        Assert.Equal(before, Snapshot(location));
        using var doc = JsonDocument.Parse(File.ReadAllText(bom));
        var component = doc.RootElement.GetProperty("components").EnumerateArray().Single();
        Assert.Equal("acme", component.GetProperty("name").GetString());
        Assert.Contains(component.GetProperty("properties").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "packster:signer" && p.GetProperty("value").GetString() == ci);
        Assert.Contains(component.GetProperty("components").EnumerateArray(), f => f.GetProperty("name").GetString() == "bin/payload.txt");

        var noDryRun = await RunAsync("bundle", "install", Temp["bundle.toml"], "--location", location, "--bom", bom);
        Assert.Equal(2, noDryRun.Exit);
    }
}
