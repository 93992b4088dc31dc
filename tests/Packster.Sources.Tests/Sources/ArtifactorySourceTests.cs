using Packster.Model;
using Packster.Sources.Cache;
using Packster.Sources.Config;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Sources;

/// <summary>
/// The CI flow against a loopback Artifactory that follows /work/shared/artifactory-api.md: publish → search →
/// resolve by range → fetch into the cache verified, and the failures that must be refused (spec/sources.md §4, §6).
/// </summary>
public sealed class ArtifactorySourceTests : IAsyncLifetime
{
    private const string Token = "tok-3f9a1c77e2-correct";
    private readonly TempDirectory _temp = new("packster-artifactory");
    private ArtifactoryTestServer _server = null!;
    private readonly TestContext _test = new();

    public async Task InitializeAsync()
    {
        _server = await ArtifactoryTestServer.StartAsync();
        _server.Tokens[Token] = "ci";
        _server.Passwords["alice"] = "wonderland-pass";
        _test.Environment["PK_TOKEN"] = Token;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private SourceDefinition Definition(string? tokenEnv = "PK_TOKEN") => new()
    {
        Name = "corp",
        Kind = SourceKind.Artifactory,
        Url = _server.BaseUrl,
        Repo = "pk-local",
        TokenEnv = tokenEnv,
        Insecure = true,
    };

    private ArtifactorySource Open(SourceDefinition? definition = null) => new(definition ?? Definition(), _test.Context);

    private static bool Major1(PackageVersion v) => v.SemVer is { Major: 1 };

    [Fact]
    public async Task Publish_search_resolve_and_fetch_into_the_cache()
    {
        // spec/sources.md §6 publish, §5 resolution, §4 cache: the whole CI flow.
        using var source = Open();
        var files = new[] { ("acme", "1.2.0"), ("acme", "1.3.0"), ("acme", "2.0.0"), ("other", "1.0.0") }
            .Select(p => TestPackages.Create(_temp["dist"], p.Item1, p.Item2, $"payload {p.Item1} {p.Item2}")).ToList();
        foreach (var file in files)
        {
            var result = await source.PublishAsync(file);
            Assert.Equal(PublishStatus.Published, result.Status);
        }

        var acme130 = TestPackages.NameOf(files[1]);
        var stored = _server.Files[$"pk-local/acme/1.3.0/{acme130.FileName}"];
        Assert.Equal(acme130.Sha256.Hex, stored.Sha256);
        Assert.Equal(["acme"], stored.Properties[ArtifactorySource.IdProperty]);
        Assert.Equal(["1.3.0"], stored.Properties[ArtifactorySource.VersionProperty]);

        var found = await source.SearchAsync("acm");
        Assert.Equal(["1.2.0", "1.3.0", "2.0.0"], found.Select(e => e.Version.ToString()).Order());
        Assert.All(found, e => Assert.Equal("corp", e.Source));
        Assert.All(found, e => Assert.NotNull(e.Size));

        var resolved = await SourceResolver.ResolveAsync(PackageId.Parse("acme"), VersionFilter.From("^1", Major1), [source]);
        Assert.Equal(acme130, resolved.File);

        var cache = new PackageCache(_temp["cache"]);
        var cached = await cache.GetOrFetchAsync(resolved.File, source);
        Assert.Equal(acme130.Sha256, Sha256Digest.ComputeFile(cached));
        Assert.Equal(cache.PathOf(acme130), cached);
    }

    [Fact]
    public async Task Republishing_identical_bytes_succeeds_and_a_taken_version_is_a_conflict()
    {
        // artifactory-api.md "Deploy": re-publishing identical content succeeds; spec/sources.md §6: versions are immutable.
        using var source = Open();
        var first = TestPackages.Create(_temp["a"], "acme", "1.0.0", "one");
        Assert.Equal(PublishStatus.Published, (await source.PublishAsync(first)).Status);
        Assert.Equal(PublishStatus.Unchanged, (await source.PublishAsync(first)).Status);

        var other = TestPackages.Create(_temp["b"], "acme", "1.0.0", "different bytes");
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.PublishAsync(other));
        Assert.Equal(ErrorCode.PublishConflict, e.Code);
        Assert.Contains(TestPackages.NameOf(first).FileName, e.Message);
        Assert.Single(_server.Files);
    }

    [Theory]
    [InlineData("1.0.0+build.7", "1.0.0+build.8")]
    [InlineData("1.0.0+build.7", "1.0.0")]
    [InlineData("1.0.0", "1.0.0+build.8")]
    public async Task A_version_differing_only_by_build_metadata_is_a_conflict_as_on_a_folder_source(string published, string again)
    {
        // spec/sources.md §6 publish: "another file for the same version → PST8005", as a folder source refuses it (§2):
        // build metadata does not make another version, though Artifactory's layout gives it another folder.
        using var source = Open();
        var first = TestPackages.Create(_temp["a"], "bm", published);
        Assert.Equal(PublishStatus.Published, (await source.PublishAsync(first)).Status);

        var other = TestPackages.Create(_temp["b"], "bm", again);
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.PublishAsync(other));

        Assert.Equal(ErrorCode.PublishConflict, e.Code);
        Assert.Contains($"is already published as {TestPackages.NameOf(first).FileName}", e.Message, StringComparison.Ordinal);
        Assert.Single(_server.Files);
        Assert.Equal(PublishStatus.Unchanged, (await source.PublishAsync(first)).Status);
    }

    [Fact]
    public async Task A_checksum_deploy_is_tried_first_and_bytes_are_uploaded_only_when_the_server_lacks_them()
    {
        // artifactory-api.md "Checksum deploy": 201 when the content is known, 404 otherwise, then a normal upload.
        using var source = Open();
        var path = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        await source.PublishAsync(path);
        var puts = _server.Requests.Where(r => r.Method == "PUT" && !r.RawTarget.Contains("api/storage", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, puts.Count);
        Assert.True(puts[0].ChecksumDeploy);
        Assert.Equal(404, puts[0].Status);
        Assert.False(puts[1].ChecksumDeploy);
        Assert.Equal(201, puts[1].Status);
        Assert.Equal(new FileInfo(path).Length, puts[1].BodyLength);
        Assert.Contains(";packster.id=acme;packster.version=1.0.0", puts[1].RawTarget);

        // The same bytes already stored elsewhere: the checksum deploy alone is enough.
        var known = File.ReadAllBytes(path);
        _server.Seed("pk-local/elsewhere/copy.bin", known);
        var tool = TestPackages.Create(_temp["tool"], "tool", "2.0.0");
        var toolBytes = File.ReadAllBytes(tool);
        _server.Seed("pk-local/mirror/tool.bin", toolBytes);
        while (_server.Requests.TryDequeue(out _)) { }
        Assert.Equal(PublishStatus.Published, (await source.PublishAsync(tool)).Status);
        var deploys = _server.Requests.Where(r => r.Method == "PUT" && !r.RawTarget.Contains("api/storage", StringComparison.Ordinal)).ToList();
        Assert.Single(deploys);
        Assert.True(deploys[0].ChecksumDeploy);
        Assert.Equal(201, deploys[0].Status);
        var stored = _server.Files[$"pk-local/tool/2.0.0/{TestPackages.NameOf(tool).FileName}"];
        Assert.Equal(["tool"], stored.Properties[ArtifactorySource.IdProperty]);
    }

    [Fact]
    public async Task A_tampered_download_is_refused_and_its_bytes_deleted()
    {
        // spec/sources.md §4: the cache verifies the sha256 in the name; a mismatch names both hashes and leaves nothing.
        using var source = Open();
        var path = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        await source.PublishAsync(path);
        _server.TamperDownloads = true;
        var name = TestPackages.NameOf(path);
        var cache = new PackageCache(_temp["cache"]);

        var e = await Assert.ThrowsAsync<PacksterException>(() => cache.GetOrFetchAsync(name, source));
        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
        Assert.Contains(name.Sha256.Hex, e.Message);
        var tampered = File.ReadAllBytes(path);
        tampered[^1] ^= 0xff;
        Assert.Contains(Sha256Digest.Compute(tampered).Hex, e.Message);
        Assert.False(cache.Contains(name));
        Assert.Empty(Directory.EnumerateFiles(cache.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_bad_token_is_refused_without_its_value_appearing_anywhere()
    {
        // artifactory-api.md "Authentication"; PRODUCT "Secure by default": name the variable, never the value.
        const string wrong = "wr0ng-t0ken-Zq81xX";
        _test.Environment["PK_TOKEN"] = wrong;
        _server.EchoCredentialsInErrors = true;
        using var source = Open();
        var path = TestPackages.Create(_temp["dist"], "acme", "1.0.0");

        var search = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));
        var publish = await Assert.ThrowsAsync<PacksterException>(() => source.PublishAsync(path));
        foreach (var e in new[] { search, publish })
        {
            Assert.Equal(ErrorCode.SourceUnauthorized, e.Code);
            Assert.Contains("$PK_TOKEN", e.Message);
            Assert.Contains("corp", e.Message);
            Assert.DoesNotContain(wrong, e.ToString());
            Assert.DoesNotContain(wrong, e.Hint ?? "");
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(wrong)), e.ToString());
        }
        Assert.DoesNotContain(wrong, _test.Warnings.ToString());
        // 401 is never retried.
        Assert.Empty(_test.Delays);
    }

    [Fact]
    public async Task Basic_authentication_with_user_and_password_variable_works()
    {
        // artifactory-api.md "Authentication": Basic user:password.
        _test.Environment["PK_PASSWORD"] = "wonderland-pass";
        using var source = Open(Definition(tokenEnv: null) with { User = "alice", PasswordEnv = "PK_PASSWORD" });
        var path = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        Assert.Equal(PublishStatus.Published, (await source.PublishAsync(path)).Status);
        Assert.Single(await source.ListVersionsAsync(PackageId.Parse("acme")));
    }

    // spec/sources.md §1: "A source whose variable is unset fails when it is first used" — opening it is not using it;
    // the first request fails, naming the variable, before anything is sent.
    [Fact]
    public async Task A_missing_credential_variable_is_named_at_first_use_not_at_open()
    {
        _test.Environment.Remove("PK_TOKEN");
        using var source = Open();
        while (_server.Requests.TryDequeue(out _)) { }
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.ListVersionsAsync(PackageId.Parse("acme")));
        Assert.Equal(ErrorCode.SourceUnauthorized, e.Code);
        Assert.Contains("$PK_TOKEN", e.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Transient_503s_are_retried_with_the_servers_retry_after_then_succeed()
    {
        // spec/sources.md §7: retries on 5xx and 429, honouring Retry-After.
        using var source = Open();
        await source.PublishAsync(TestPackages.Create(_temp["dist"], "acme", "1.0.0"));
        while (_server.Requests.TryDequeue(out _)) { }
        _server.FailNext(2, 503, retryAfterSeconds: 2);

        var found = await source.SearchAsync("acme");
        Assert.Single(found);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], _test.Delays);
        Assert.Equal([503, 503, 200], _server.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task A_429_is_retried_after_the_servers_delay()
    {
        using var source = Open();
        _server.FailNext(1, 429, retryAfterSeconds: 3);
        Assert.Empty(await source.SearchAsync("acme"));
        Assert.Equal([TimeSpan.FromSeconds(3)], _test.Delays);
    }

    [Fact]
    public async Task A_user_without_deploy_permission_gets_one_line_naming_the_variable()
    {
        // artifactory-api.md "Authentication": 403 = authenticated but not allowed; never retried.
        _server.ReadOnlyUsers.Add("ci");
        using var source = Open();
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.PublishAsync(TestPackages.Create(_temp["dist"], "acme", "1.0.0")));
        Assert.Equal(ErrorCode.SourceForbidden, e.Code);
        Assert.Contains("source 'corp' does not permit this to the token in $PK_TOKEN", e.Message);
        Assert.Contains("is not permitted to deploy", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(_test.Delays);
    }

    [Fact]
    public async Task A_server_that_keeps_failing_gives_up_after_four_attempts()
    {
        using var source = Open();
        _server.FailNext(10, 502);
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));
        Assert.Equal(ErrorCode.SourceUnreachable, e.Code);
        Assert.Contains("4 attempts", e.Message);
        Assert.Equal(4, _server.Requests.Count);
        Assert.Equal(3, _test.Delays.Count);
        Assert.True(_test.Delays[1] > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_download_that_breaks_off_resumes_with_a_range_request()
    {
        // artifactory-api.md "Download": Accept-Ranges: bytes, Range → 206 with Content-Range.
        using var source = Open();
        var path = TestPackages.Create(_temp["dist"], "acme", "1.0.0", new string('x', 5000));
        await source.PublishAsync(path);
        while (_server.Requests.TryDequeue(out _)) { }
        _server.DropDownloads = 1;
        _server.DropAfterBytes = 100;
        _server.Probe = new DownloadProbe();

        var cache = new PackageCache(_temp["cache"]);
        var name = TestPackages.NameOf(path);
        var cached = await cache.GetOrFetchAsync(name, _server.Probe.Wrap(source));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(cached));
        // The server logs a request when its response ends, and the broken one may end after the retry: waited for, order-free.
        await _server.WhenLoggedAsync(r => r.Method == "GET", 2, TimeSpan.FromSeconds(30));
        var gets = _server.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal(2, gets.Count);
        Assert.Single(gets, g => g.Range.Length == 0);
        Assert.Equal(206, Assert.Single(gets, g => g.Range == "bytes=100-").Status);
    }

    [Fact]
    public async Task A_download_that_keeps_breaking_off_is_reported_and_leaves_nothing()
    {
        using var source = Open();
        var path = TestPackages.Create(_temp["dist"], "acme", "1.0.0", new string('x', 5000));
        await source.PublishAsync(path);
        _server.DropDownloads = 100; // every attempt, the resumed ones included, breaks off after 10 bytes
        _server.DropAfterBytes = 10;
        _server.Probe = new DownloadProbe();
        var cache = new PackageCache(_temp["cache"]);
        var name = TestPackages.NameOf(path);
        var download = cache.GetOrFetchAsync(name, _server.Probe.Wrap(source));
        var e = await Assert.ThrowsAsync<PacksterException>(() => download);
        Assert.Equal(ErrorCode.SourceUnreachable, e.Code);
        Assert.False(cache.Contains(name));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache.Root, "tmp")));
        Assert.Contains("4 attempts", e.Message);
        Assert.Contains("after 40 bytes", e.Message);
    }

    [Fact]
    public async Task A_404_is_not_retried()
    {
        // artifactory-api.md: never retry 4xx.
        using var source = Open();
        var missing = PackageFileName.Parse("ghost-1.0.0-" + new string('a', 64) + ".packster");
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.FetchAsync(missing, Stream.Null));
        Assert.Equal(ErrorCode.PackageNotFound, e.Code);
        Assert.Contains("File not found.", e.Message);
        Assert.Single(_server.Requests);
        Assert.Empty(_test.Delays);
    }

    [Fact]
    public async Task Anonymous_readers_fall_back_from_aql_to_quick_search_and_storage_listing()
    {
        // artifactory-api.md "Search": AQL is authenticated only; quick search and the storage API are not.
        using (var publisher = Open())
        {
            await publisher.PublishAsync(TestPackages.Create(_temp["dist"], "acme", "1.0.0"));
            await publisher.PublishAsync(TestPackages.Create(_temp["dist"], "acme", "1.1.0"));
        }
        _server.AnonymousRead = true;
        while (_server.Requests.TryDequeue(out _)) { }
        using var source = Open(Definition(tokenEnv: null));

        var found = await source.SearchAsync("acme");
        Assert.Equal(2, found.Count);
        Assert.Contains(_server.Requests, r => r.RawTarget.StartsWith("/artifactory/api/search/aql", StringComparison.Ordinal) && r.Status == 401);
        Assert.Contains(_server.Requests, r => r.RawTarget.StartsWith("/artifactory/api/search/artifact?", StringComparison.Ordinal) && r.Status == 200);

        var versions = await source.ListVersionsAsync(PackageId.Parse("acme"));
        Assert.Equal(["1.0.0", "1.1.0"], versions.Select(v => v.Version.ToString()).Order());
        Assert.All(versions, v => Assert.True(v.Size > 0)); // the deep listing gives size as a number
        Assert.Contains(_server.Requests, r => r.RawTarget.Contains("?list&deep=1", StringComparison.Ordinal));

        var cache = new PackageCache(_temp["cache"]);
        var path = await cache.GetOrFetchAsync(versions[0].File, source);
        Assert.Equal(versions[0].Sha256, Sha256Digest.ComputeFile(path));
    }

    [Fact]
    public void Sizes_are_read_as_strings_or_numbers()
    {
        // artifactory-api.md: "size" is a string in storage/deploy answers and a number in list/AQL answers.
        using var asString = System.Text.Json.JsonDocument.Parse("{\"size\":\"4\"}");
        using var asNumber = System.Text.Json.JsonDocument.Parse("{\"size\":4}");
        using var bogus = System.Text.Json.JsonDocument.Parse("{\"size\":\"-4x\"}");
        Assert.Equal(4, ArtifactorySource.Size(asString.RootElement));
        Assert.Equal(4, ArtifactorySource.Size(asNumber.RootElement));
        Assert.Null(ArtifactorySource.Size(bogus.RootElement));
    }

    [Fact]
    public void The_aql_query_keeps_the_pattern_as_data()
    {
        var aql = ArtifactorySource.BuildAql("pk-local", "a\"b*.packster");
        Assert.StartsWith("items.find({\"repo\":\"pk-local\",\"type\":\"file\",\"name\":{\"$match\":\"a\\u0022b*.packster\"}})", aql);
        Assert.EndsWith(".include(\"repo\",\"path\",\"name\",\"size\",\"sha256\",\"actual_sha1\",\"created\")", aql);
    }

    [Fact]
    public async Task A_version_with_build_metadata_keeps_its_plus_sign_on_the_server()
    {
        // artifactory-api.md "Addresses": a literal '+' stays '+'.
        using var source = Open();
        var path = TestPackages.Create(_temp["dist"], "acme", "1.0.0+build.7");
        await source.PublishAsync(path);
        Assert.Contains(_server.Files.Keys, k => k.StartsWith("pk-local/acme/1.0.0+build.7/", StringComparison.Ordinal));
        var stored = _server.Files.Values.Single();
        Assert.Equal(["1.0.0+build.7"], stored.Properties[ArtifactorySource.VersionProperty]);
        var found = await source.ListVersionsAsync(PackageId.Parse("acme"));
        Assert.Equal("1.0.0+build.7", Assert.Single(found).Version.ToString());
    }
}
