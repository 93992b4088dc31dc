using System.Net.Http.Headers;
using System.Text.Json;
using Packster.Model;
using Packster.Sources.Oci;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>A test that needs Debian's docker-registry; skipped, saying why, where it is not installed (CI installs it).</summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute()
    {
        if (RegistryServer.Missing is { } missing) Skip = missing;
    }

    /// <summary>The test also makes bcrypt htpasswd users.</summary>
    public bool Htpasswd
    {
        get => false;
        init
        {
            if (value && Skip is null && RegistryServer.Htpasswd is null) Skip = "htpasswd (apache2-utils) is not installed; .ci/install-registry.sh installs it";
        }
    }
}

/// <summary>
/// spec/sources.md §10 through the real <c>packster</c> process against a real OCI registry (Debian's docker-registry,
/// the CNCF distribution server 2.8.2, on loopback): publish, search, install by range, signatures through the
/// referrers tag, immutability, Bearer token authentication, TLS with htpasswd users, concurrent publishes and mirror.
/// </summary>
public sealed class OciSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-oci");

    public void Dispose() => _temp.Dispose();

    private sealed record Result(int Exit, string Out, string Err)
    {
        public override string ToString() => $"exit {Exit}\nstdout: {Out}\nstderr: {Err}";
    }

    private Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["PACKSTER_CONFIG"] = _temp["config.toml"],
            ["PACKSTER_CACHE"] = _temp["cache"],
            ["PACKSTER_DATA_HOME"] = _temp["data"],
            ["REGISTRY_PASSWORD"] = "correct horse",
            ["WRONG_PASSWORD"] = "not the password",
        };
        foreach (var (key, value) in extra) env[key] = value;
        return env;
    }

    private async Task<Result> RunAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(_temp.Path, Environment(), args);
        return new Result(exit, stdout, stderr);
    }

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.Exit == 0, $"packster {string.Join(' ', args)}\n{r}");
        return args.Contains("--json") ? r.Out : r.Out + r.Err;
    }

    private static async Task<byte[]> GetAsync(RegistryServer registry, string path, string accept = OciManifest.ManifestMediaType)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.Address, "v2/" + path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The package sha256 the tag's manifest names: its one layer's digest.</summary>
    private static async Task<Sha256Digest> LayerOfAsync(RegistryServer registry, string repository, string tag)
    {
        using var manifest = JsonDocument.Parse(await GetAsync(registry, $"{repository}/manifests/{tag}"));
        var digest = manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!;
        Assert.StartsWith("sha256:", digest, StringComparison.Ordinal);
        return Sha256Digest.Parse(digest["sha256:".Length..]);
    }

    private static string Status(string json) => JsonDocument.Parse(json).RootElement[0].GetProperty("status").GetString()!;

    // §10.1: one repository per id under the prefix, tagged by version ('+' written '_'), one layer whose digest is
    // the package's sha256; the manifest is valid against the OCI image-spec schema and carries the artifact type
    // both as artifactType and as config.mediaType (what ORAS writes for registries older than 1.1).
    [RegistryFact]
    public async Task A_published_package_is_an_oci_artifact_that_install_by_range_finds_and_verifies()
    {
        await using var registry = await RegistryServer.StartAsync(_temp["registry"]);
        var one = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        var two = TestPackages.Create(_temp["dist"], "acme", "1.2.0+build.7", payload: "two");
        var three = TestPackages.Create(_temp["dist"], "acme", "2.0.0", payload: "three");
        await OkAsync("source", "add", "reg", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster", "--insecure");

        using (var published = JsonDocument.Parse(await OkAsync("publish", one, two, three, "--source", "reg", "--json")))
        {
            Assert.All(published.RootElement.EnumerateArray(), p => Assert.Equal("published", p.GetProperty("status").GetString()));
            Assert.Equal($"{registry.Address.Authority}/org/packster/acme:1.2.0_build.7", published.RootElement[1].GetProperty("location").GetString());
        }

        var manifest = await GetAsync(registry, "org/packster/acme/manifests/1.2.0_build.7");
        if (OciSchemas.Missing is null) OciSchemas.AssertValid(OciSchemas.Manifest, manifest);
        using (var doc = JsonDocument.Parse(manifest))
        {
            var root = doc.RootElement;
            Assert.Equal(OciManifest.PackageArtifactType, root.GetProperty("artifactType").GetString());
            Assert.Equal(OciManifest.PackageArtifactType, root.GetProperty("config").GetProperty("mediaType").GetString());
            var layer = Assert.Single(root.GetProperty("layers").EnumerateArray().ToList());
            Assert.Equal("sha256:" + TestPackages.NameOf(two).Sha256.Hex, layer.GetProperty("digest").GetString());
            Assert.Equal(new FileInfo(two).Length, layer.GetProperty("size").GetInt64());
            Assert.Equal(Path.GetFileName(two), layer.GetProperty("annotations").GetProperty("org.opencontainers.image.title").GetString());
            Assert.Equal("1.2.0+build.7", root.GetProperty("annotations").GetProperty("org.opencontainers.image.version").GetString());
            Assert.Equal("acme", root.GetProperty("annotations").GetProperty("io.packster.package.id").GetString());
        }
        // What an ORAS-style pull reads: the blob under the layer digest is the package file.
        Assert.Equal(File.ReadAllBytes(two), await GetAsync(registry, $"org/packster/acme/blobs/sha256:{TestPackages.NameOf(two).Sha256.Hex}", "*/*"));

        using (var search = JsonDocument.Parse(await OkAsync("search", "ac*", "--json")))
        {
            var row = Assert.Single(search.RootElement.EnumerateArray().ToList());
            Assert.Equal("acme", row.GetProperty("id").GetString());
            Assert.Equal(["1.0.0", "1.2.0+build.7", "2.0.0"], row.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).Order(StringComparer.Ordinal));
        }

        var location = _temp["loc"];
        await OkAsync("location", "create", location, "--id", "oci");
        await OkAsync("install", "acme@^1", "--location", location);
        using var list = JsonDocument.Parse(await OkAsync("list", "--location", location, "--json"));
        Assert.Equal("1.2.0+build.7", list.RootElement[0].GetProperty("version").GetString());
    }

    // §10.3: versions are immutable — the same bytes again are "unchanged", other bytes under a taken version PST8005.
    [RegistryFact]
    public async Task A_version_is_immutable_in_the_registry()
    {
        await using var registry = await RegistryServer.StartAsync(_temp["registry"]);
        var first = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        var other = TestPackages.Create(_temp["other"], "acme", "1.0.0", payload: "different bytes");
        await OkAsync("source", "add", "reg", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "team", "--insecure");
        Assert.Equal("published", Status(await OkAsync("publish", first, "--source", "reg", "--json")));
        Assert.Equal("unchanged", Status(await OkAsync("publish", first, "--source", "reg", "--json")));

        var conflict = await RunAsync("publish", other, "--source", "reg");
        Assert.Equal(8, conflict.Exit);
        Assert.Contains("PST8005", conflict.Err, StringComparison.Ordinal);
        Assert.Contains($"already published with sha256 {TestPackages.NameOf(first).Sha256}", conflict.Err, StringComparison.Ordinal);
        Assert.Equal(TestPackages.NameOf(first).Sha256, await LayerOfAsync(registry, "team/acme", "1.0.0"));
    }

    // §10.3 publish, as a folder source (§2): a version that differs only by build metadata is the same version, so
    // 1.0.0+build.8 after 1.0.0+build.7 is PST8005, though its tag (1.0.0_build.8) is free; fetch then gives build.7 only.
    [RegistryFact]
    public async Task A_version_differing_only_by_build_metadata_is_refused_as_already_published()
    {
        await using var registry = await RegistryServer.StartAsync(_temp["registry"]);
        var first = TestPackages.Create(_temp["dist"], "bm", "1.0.0+build.7");
        var second = TestPackages.Create(_temp["other"], "bm", "1.0.0+build.8");
        await OkAsync("source", "add", "reg", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "team", "--insecure");
        Assert.Equal("published", Status(await OkAsync("publish", first, "--source", "reg", "--json")));

        var conflict = await RunAsync("publish", second, "--source", "reg");

        Assert.Equal(8, conflict.Exit);
        Assert.Contains("PST8005", conflict.Err, StringComparison.Ordinal);
        Assert.Contains($"is already published as {Path.GetFileName(first)}", conflict.Err, StringComparison.Ordinal);
        using var client = new HttpClient();
        using var tag = await client.GetAsync(new Uri(registry.Address, "v2/team/bm/manifests/1.0.0_build.8"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, tag.StatusCode);
    }

    // §10.4: distribution 2.8.2 has no referrers API (404), so the signature manifest is listed in the referrers tag
    // sha256-<manifest digest>, an image index; install under "signatures require" finds and verifies it there.
    [RegistryFact]
    public async Task A_signature_travels_as_a_referrer_of_the_package_manifest()
    {
        await using var registry = await RegistryServer.StartAsync(_temp["registry"]);
        var signed = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        await OkAsync("key", "generate", "ci");
        await OkAsync("sign", signed, "--key", "ci");
        await OkAsync("source", "add", "reg", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster", "--insecure");
        using (var published = JsonDocument.Parse(await OkAsync("publish", signed, "--source", "reg", "--json")))
        {
            Assert.True(published.RootElement[0].GetProperty("signed").GetBoolean());
        }

        var manifest = await GetAsync(registry, "org/packster/acme/manifests/1.0.0");
        var digest = Sha256Digest.Compute(manifest);
        var index = await GetAsync(registry, $"org/packster/acme/manifests/sha256-{digest.Hex}", OciManifest.IndexMediaType);
        if (OciSchemas.Missing is null) OciSchemas.AssertValid(OciSchemas.Index, index);
        using (var doc = JsonDocument.Parse(index))
        {
            var entry = Assert.Single(doc.RootElement.GetProperty("manifests").EnumerateArray().ToList());
            Assert.Equal(OciManifest.SignatureArtifactType, entry.GetProperty("artifactType").GetString());
            var signature = await GetAsync(registry, $"org/packster/acme/manifests/{entry.GetProperty("digest").GetString()}");
            if (OciSchemas.Missing is null) OciSchemas.AssertValid(OciSchemas.Manifest, signature);
            using var sig = JsonDocument.Parse(signature);
            Assert.Equal("sha256:" + digest.Hex, sig.RootElement.GetProperty("subject").GetProperty("digest").GetString());
            var layer = sig.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString();
            Assert.Equal(File.ReadAllBytes(signed + ".sig"), await GetAsync(registry, $"org/packster/acme/blobs/{layer}", "*/*"));
        }

        // Publishing again changes nothing: the index still holds one signature.
        Assert.Equal("unchanged", Status(await OkAsync("publish", signed, "--source", "reg", "--json")));
        using (var again = JsonDocument.Parse(await GetAsync(registry, $"org/packster/acme/manifests/sha256-{digest.Hex}", OciManifest.IndexMediaType)))
        {
            Assert.Single(again.RootElement.GetProperty("manifests").EnumerateArray().ToList());
        }

        await OkAsync("trust", "require", "--source", "reg", "--key", "ci");
        var location = _temp["loc"];
        await OkAsync("location", "create", location, "--id", "signed");
        await OkAsync("install", "acme", "--location", location);
        Assert.True(File.Exists(Path.Combine(_temp["cache"], "packages", Path.GetFileName(signed) + ".sig")) ||
            Directory.EnumerateFiles(_temp["cache"], Path.GetFileName(signed) + ".sig", SearchOption.AllDirectories).Any(),
            "the signature did not reach the download cache");

        // An unsigned package from the same source is refused under that policy.
        await OkAsync("publish", TestPackages.Create(_temp["dist"], "acme", "1.1.0", payload: "unsigned"), "--source", "reg");
        var refused = await RunAsync("install", "acme@1.1.0", "--location", _temp["loc"]);
        Assert.Equal(4, refused.Exit);
    }

    // §10.2: the Bearer token dance — anonymous pull tokens for reading, the user's Basic credentials exchanged for a
    // push token at the realm the registry names; a publish without credentials is refused (PST8002).
    [RegistryFact]
    public async Task Token_authentication_gives_anonymous_pulls_and_exchanges_credentials_for_pushes()
    {
        await using var tokens = await RegistryTokenServer.StartAsync("ci", "correct horse");
        await using var registry = await RegistryServer.StartWithTokensAsync(_temp["registry"], tokens);
        var package = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        await OkAsync("source", "add", "anon", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster", "--insecure");
        await OkAsync("source", "add", "ci", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster", "--insecure",
            "--user", "ci", "--password-env", "REGISTRY_PASSWORD", "--priority", "200");
        await OkAsync("source", "add", "wrong", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster", "--insecure",
            "--user", "ci", "--password-env", "WRONG_PASSWORD", "--priority", "300");

        var anonymous = await RunAsync("publish", package, "--source", "anon");
        Assert.Equal(8, anonymous.Exit);
        Assert.Contains("PST8002", anonymous.Err, StringComparison.Ordinal);
        Assert.Contains("no credentials (anonymous)", anonymous.Err, StringComparison.Ordinal);

        var wrong = await RunAsync("publish", package, "--source", "wrong");
        Assert.Equal(8, wrong.Exit);
        Assert.Contains("PST8002", wrong.Err, StringComparison.Ordinal);
        Assert.Contains("$WRONG_PASSWORD", wrong.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("not the password", wrong.Out + wrong.Err, StringComparison.Ordinal);

        Assert.Equal("published", Status(await OkAsync("publish", package, "--source", "ci", "--json")));
        lock (tokens.Requests)
        {
            Assert.Contains(tokens.Requests, r => r.User == "ci" && r.Scopes.Contains("repository:org/packster/acme:pull,push"));
            Assert.Contains(tokens.Requests, r => r.User is null);
        }

        // Reading needs no credentials: the anonymous source gets a pull token and installs.
        var before = tokens.Requests.Count;
        var location = _temp["loc"];
        await OkAsync("location", "create", location, "--id", "tok");
        await OkAsync("install", "acme@1", "--location", location, "--source", "anon");
        lock (tokens.Requests)
        {
            Assert.Contains(tokens.Requests.Skip(before), r => r.User is null && r.Scopes.Contains("repository:org/packster/acme:pull"));
        }

        // The catalog needs more than a pull token: a wildcard search says so (PST8019), an exact id still works.
        var wildcard = await RunAsync("search", "ac*", "--source", "anon");
        Assert.Equal(8, wildcard.Exit);
        Assert.Contains("PST8019", wildcard.Err, StringComparison.Ordinal);
        Assert.Contains("acme", await OkAsync("search", "acme", "--source", "anon"), StringComparison.Ordinal);
    }

    // §10.2 and §7: TLS with a private CA (--ca-file) and htpasswd users (Basic, sent to the registry itself).
    [RegistryFact(Htpasswd = true)]
    public async Task Tls_and_htpasswd_users_work_with_a_private_ca()
    {
        using var pki = TestPki.Create();
        await using var registry = await RegistryServer.StartWithHtpasswdAsync(_temp["registry"], pki, ("ci", "correct horse"));
        var ca = pki.WriteAuthorityPem(_temp.Path);
        var package = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        await OkAsync("source", "add", "tls", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster",
            "--user", "ci", "--password-env", "REGISTRY_PASSWORD", "--ca-file", ca);
        await OkAsync("source", "add", "bad", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster",
            "--user", "ci", "--password-env", "WRONG_PASSWORD", "--ca-file", ca, "--priority", "300");
        await OkAsync("source", "add", "noca", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster",
            "--user", "ci", "--password-env", "REGISTRY_PASSWORD", "--priority", "400");

        Assert.Equal("published", Status(await OkAsync("publish", package, "--source", "tls", "--json")));
        Assert.Contains("acme", await OkAsync("search", "acme", "--source", "tls"), StringComparison.Ordinal);

        var bad = await RunAsync("search", "acme", "--source", "bad");
        Assert.Equal(8, bad.Exit);
        Assert.Contains("PST8002", bad.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("not the password", bad.Out + bad.Err, StringComparison.Ordinal);

        var untrusted = await RunAsync("search", "acme", "--source", "noca");
        Assert.Equal(8, untrusted.Exit);
        Assert.Contains("PST8001", untrusted.Err, StringComparison.Ordinal);
    }

    // §10.3: registries have no conditional tag write. The first publish is held just before its last look at the
    // tag; the second publishes meanwhile. The first then reports "unchanged" for the same bytes, a conflict for others.
    [RegistryFact]
    public async Task Concurrent_publishes_of_one_version_end_with_one_winner()
    {
        await using var registry = await RegistryServer.StartAsync(_temp["registry"]);
        var same = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        var other = TestPackages.Create(_temp["other"], "acme", "2.0.0", payload: "first");
        var winner = TestPackages.Create(_temp["winner"], "acme", "2.0.0", payload: "second");
        await OkAsync("source", "add", "reg", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster", "--insecure");

        async Task<Result> RaceAsync(string held, string meanwhile)
        {
            var signal = _temp[$"paused-{Path.GetFileName(held)}"];
            var first = CliProcess.RunAsync(_temp.Path, Environment((PausePoint.Variable, "oci-publish.before-manifest"), (PausePoint.FileVariable, signal)),
                "publish", held, "--source", "reg", "--json");
            Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || first.IsCompleted, TimeSpan.FromMinutes(2)), "the first publish never reached its pause point");
            if (first.IsCompleted) Assert.Fail($"the first publish ended before its pause point: {(await first).Err}");
            Assert.Equal("published", Status(await OkAsync("publish", meanwhile, "--source", "reg", "--json")));
            File.Delete(signal);
            var (exit, stdout, stderr) = await first;
            return new Result(exit, stdout, stderr);
        }

        var identical = await RaceAsync(same, same);
        Assert.True(identical.Exit == 0, identical.ToString());
        Assert.Equal("unchanged", Status(identical.Out));

        var different = await RaceAsync(other, winner);
        Assert.Equal(8, different.Exit);
        Assert.Contains("PST8005", different.Err, StringComparison.Ordinal);
        Assert.Equal(TestPackages.NameOf(winner).Sha256, await LayerOfAsync(registry, "org/packster/acme", "2.0.0"));
    }

    // §10.5 and § Mirror: folder → OCI → another repository of the same registry (the blob is mounted, not uploaded)
    // → folder for an air-gapped machine; signatures come along and a second run copies nothing.
    [RegistryFact]
    public async Task Mirror_moves_packages_into_and_out_of_a_registry_and_mounts_between_its_repositories()
    {
        await using var registry = await RegistryServer.StartAsync(_temp["registry"]);
        var signed = TestPackages.Create(_temp["origin"], "acme", "1.0.0");
        TestPackages.Create(_temp["origin"], "tool", "2.0.0", payload: "tool");
        await OkAsync("key", "generate", "ci");
        await OkAsync("sign", signed, "--key", "ci");
        await OkAsync("source", "add", "origin", "--type", "folder", "--url", _temp["origin"]);
        await OkAsync("source", "add", "staging", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "staging", "--insecure");
        await OkAsync("source", "add", "release", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "release", "--insecure");
        Directory.CreateDirectory(_temp["air"]);
        await OkAsync("source", "add", "air", "--type", "folder", "--url", _temp["air"]);

        Assert.Contains("copied acme-1.0.0-", await OkAsync("mirror", "origin", "staging"), StringComparison.Ordinal);
        Assert.Contains("nothing to copy", await OkAsync("mirror", "origin", "staging"), StringComparison.Ordinal);

        await OkAsync("mirror", "staging", "release", "--filter", "acme");
        // The registry's access log: the package blob was mounted (201), never uploaded to the second repository.
        var hex = TestPackages.NameOf(signed).Sha256.Hex;
        Assert.Contains($"\"POST /v2/release/acme/blobs/uploads/?mount=sha256:{hex}&from=staging/acme HTTP/1.1\" 201", registry.Log, StringComparison.Ordinal);
        Assert.DoesNotContain($"digest=sha256%3A{hex}", string.Join('\n', registry.Log.Split('\n').Where(l => l.Contains("PUT /v2/release/", StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(signed), await GetAsync(registry, $"release/acme/blobs/sha256:{TestPackages.NameOf(signed).Sha256.Hex}", "*/*"));

        await OkAsync("mirror", "release", "air");
        Assert.Equal([Path.GetFileName(signed)], Directory.EnumerateFiles(_temp["air"], "*.packster").Select(Path.GetFileName));
        Assert.Equal(File.ReadAllBytes(signed + ".sig"), File.ReadAllBytes(Path.Combine(_temp["air"], Path.GetFileName(signed) + ".sig")));
    }

    // §10.1: an id that cannot be an OCI repository component is refused before anything is sent (PST8020).
    [RegistryFact]
    public async Task An_id_that_cannot_name_a_repository_is_refused()
    {
        await using var registry = await RegistryServer.StartAsync(_temp["registry"]);
        var package = TestPackages.Create(_temp["dist"], "acme..tools", "1.0.0");
        await OkAsync("source", "add", "reg", "--type", "oci", "--url", registry.Address.ToString(), "--repo", "org/packster", "--insecure");
        var r = await RunAsync("publish", package, "--source", "reg");
        Assert.Equal(8, r.Exit);
        Assert.Contains("PST8020", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(registry.Storage, "docker", "registry", "v2", "repositories", "org")), "something reached the registry");
    }
}
