using Packster.Model;
using Packster.Sources.Cache;
using Packster.Sources.Config;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Sources;

/// <summary>Static HTTP(S) sources: index.json (spec/sources.md §3) and the network rules (spec/sources.md §7).</summary>
public sealed class HttpSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-http");
    private readonly TestContext _test = new();
    private readonly TestPki _pki = TestPki.Create();

    public void Dispose()
    {
        _pki.Dispose();
        _temp.Dispose();
    }

    private string Serve()
    {
        var root = _temp["www"];
        TestPackages.Create(Path.Combine(root, "acme"), "acme", "1.0.0", "a");
        TestPackages.Create(Path.Combine(root, "acme"), "acme", "1.10.0", "b");
        TestPackages.Create(root, "acme", "1.2.0", "c");
        TestPackages.Create(root, "zeta", "0.1.0", "z");
        File.WriteAllText(Path.Combine(root, "README.txt"), "not a package");
        File.WriteAllText(Path.Combine(root, "junk-1.0.0-abc.packster"), "not a package name");
        HttpIndex.Write(root);
        return root;
    }

    private SourceDefinition Https(Uri address, string? caFile) => new()
    {
        Name = "mirror",
        Kind = SourceKind.Http,
        Url = address.ToString(),
        CaFile = caFile,
        TokenEnv = "MIRROR_TOKEN",
    };

    [Fact]
    public void The_index_is_sorted_deterministic_and_ignores_junk()
    {
        // spec/sources.md §3: schema 1, sorted by id, version (SemVer order), file name; same folder, same bytes.
        var root = Serve();
        var first = File.ReadAllBytes(Path.Combine(root, HttpIndex.FileName));
        var again = HttpIndex.Write(root);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(root, HttpIndex.FileName)));
        Assert.Equal(["acme 1.0.0", "acme 1.2.0", "acme 1.10.0", "zeta 0.1.0"], again.Select(i => $"{i.File.Id} {i.File.Version}"));
        var text = System.Text.Encoding.UTF8.GetString(first);
        Assert.StartsWith("{\n  \"schema\": 1,\n  \"packages\": [\n", text);
        Assert.Contains("\"path\": \"acme/acme-1.0.0-", text);
        Assert.EndsWith("}\n", text);
    }

    [Fact]
    public void Indexing_refuses_a_file_whose_bytes_do_not_match_its_name()
    {
        var root = _temp["bad"];
        var path = TestPackages.Create(root, "acme", "1.0.0");
        File.AppendAllText(path, "x");
        var e = Assert.Throws<PacksterException>(() => HttpIndex.Write(root));
        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
        Assert.False(File.Exists(Path.Combine(root, HttpIndex.FileName)));
    }

    [Fact]
    public async Task Indexing_lists_a_package_file_that_is_a_symbolic_link_as_a_folder_source_finds_it()
    {
        // spec/sources.md §2: "A package file may be a symbolic link; a linked folder is not searched"; §3: every
        // *.packster under <dir> is opened as a package. The folder source and the index must list the same files.
        if (OperatingSystem.IsWindows()) return;
        var store = _temp["store"];
        var real = TestPackages.Create(store, "acme", "1.0.0");
        var root = _temp["linked"];
        Directory.CreateDirectory(Path.Combine(root, "acme"));
        File.CreateSymbolicLink(Path.Combine(root, "acme", Path.GetFileName(real)), real);
        // A linked folder holding a package stays out of both.
        Directory.CreateSymbolicLink(Path.Combine(root, "elsewhere"), store);

        var items = HttpIndex.Write(root);

        var item = Assert.Single(items);
        Assert.Equal(TestPackages.NameOf(real), item.File);
        Assert.Equal("acme/" + Path.GetFileName(real), item.Path);
        Assert.Equal(new FileInfo(real).Length, item.Size);
        Assert.Equal([item.File], (await new FolderSource("local", root).SearchAsync("*")).Select(e => e.File));
    }

    [Fact]
    public void Indexing_refuses_a_linked_package_file_whose_target_is_no_package_as_it_refuses_such_a_file()
    {
        // spec/sources.md §3: "the first that fails ends the run and no index.json is written" — through a link too.
        if (OperatingSystem.IsWindows()) return;
        var real = TestPackages.Create(_temp["store2"], "acme", "1.0.0");
        File.AppendAllText(real, "x");
        var root = _temp["linked-bad"];
        Directory.CreateDirectory(root);
        File.CreateSymbolicLink(Path.Combine(root, Path.GetFileName(real)), real);

        var e = Assert.Throws<PacksterException>(() => HttpIndex.Write(root));

        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
        Assert.False(File.Exists(Path.Combine(root, HttpIndex.FileName)));
    }

    [Fact]
    public void Indexing_a_folder_that_does_not_exist_is_PST1002_and_a_file_in_its_place_PST1003()
    {
        // spec/errors.md: PST1002 "a file or folder named on the command line does not exist"; PST1003 "a folder was expected".
        var missing = Assert.Throws<PacksterException>(() => HttpIndex.Write(_temp["nowhere"]));
        Assert.Equal(ErrorCode.PathNotFound, missing.Code);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        var file = Path.Combine(_temp.Path, "a-file");
        File.WriteAllText(file, "x");
        var notFolder = Assert.Throws<PacksterException>(() => HttpIndex.Write(file));
        Assert.Equal(ErrorCode.NotADirectory, notFolder.Code);
        Assert.Contains("is a file, not a folder", notFolder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Indexing_refuses_a_package_named_for_another_id_and_a_file_that_is_no_package()
    {
        // spec/sources.md §3: "every *.packster under <dir> … is opened as a package, as publish checks what it sends".
        var root = _temp["renamed"];
        var real = TestPackages.Create(root, "acme", "1.0.0");
        var renamed = Path.Combine(root, Path.GetFileName(real).Replace("acme-1.0.0-", "zeta-9.9.9-", StringComparison.Ordinal));
        File.Move(real, renamed);
        var e = Assert.Throws<PacksterException>(() => HttpIndex.Write(root));
        Assert.Equal(ErrorCode.PackageFileNameInvalid, e.Code);
        Assert.Contains("zeta 9.9.9", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(root, HttpIndex.FileName)));

        var junkRoot = _temp["junk"];
        Directory.CreateDirectory(junkRoot);
        var bytes = System.Text.Encoding.UTF8.GetBytes("these bytes are no package archive");
        File.WriteAllBytes(Path.Combine(junkRoot, $"junk-1.0.0-{Sha256Digest.Compute(bytes).Hex}.packster"), bytes);
        Assert.Throws<PacksterException>(() => HttpIndex.Write(junkRoot));
        Assert.False(File.Exists(Path.Combine(junkRoot, HttpIndex.FileName)));
    }

    [Fact]
    public async Task Https_with_a_private_ca_file_searches_lists_and_fetches_verified()
    {
        // spec/sources.md §7: a private CA given by ca-file is the trust root for that source.
        var root = Serve();
        await using var server = await StaticFileServer.StartAsync(root, _pki.Server);
        _test.Environment["MIRROR_TOKEN"] = "mirror-secret";
        using var source = new HttpSource(Https(server.Address, _pki.WriteAuthorityPem(_temp.Path)), _test.Context);

        Assert.Equal(3, (await source.SearchAsync("acm")).Count);
        Assert.Equal(["zeta"], (await source.SearchAsync("z*")).Select(e => e.Id.Value));
        var versions = await source.ListVersionsAsync(PackageId.Parse("acme"));
        var best = await SourceResolver.ResolveAsync(PackageId.Parse("acme"), VersionRange.Parse("^1.2"), [source]);
        Assert.Equal("1.10.0", best.Entry.Version.ToString());
        var cache = new PackageCache(_temp["cache"]);
        var path = await cache.GetOrFetchAsync(best.File, source);
        Assert.Equal(best.File.Sha256, Sha256Digest.ComputeFile(path));
        Assert.Equal(3, versions.Count);
        Assert.Equal(string.Empty, _test.Warnings.ToString());
    }

    [Fact]
    public async Task Https_without_the_ca_is_refused_and_not_retried()
    {
        var root = Serve();
        await using var server = await StaticFileServer.StartAsync(root, _pki.Server);
        using var other = TestPki.Create("Some Other CA");
        _test.Environment["MIRROR_TOKEN"] = "mirror-secret";
        foreach (var caFile in new[] { null, other.WriteAuthorityPem(_temp.Path) })
        {
            using var source = new HttpSource(Https(server.Address, caFile), _test.Context);
            var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));
            Assert.Equal(ErrorCode.SourceUnreachable, e.Code);
            Assert.Contains("TLS", e.Message);
            Assert.Contains("--ca-file", e.Hint);
        }
        Assert.Empty(_test.Delays);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Plain_http_is_refused_unless_the_source_is_insecure_and_then_warns()
    {
        // PRODUCT "Secure by default": plain http refused unless insecure = true (and then a loud warning).
        var root = Serve();
        await using var server = await StaticFileServer.StartAsync(root);
        var definition = new SourceDefinition { Name = "plain", Kind = SourceKind.Http, Url = server.Address.ToString() };
        var refused = Assert.Throws<PacksterException>(() => SourceFactory.Open(definition, _test.Context));
        Assert.Equal(ErrorCode.InsecureSource, refused.Code);
        Assert.Empty(server.Requests);

        var source = SourceFactory.Open(definition with { Insecure = true }, _test.Context);
        Assert.Equal(4, (await source.SearchAsync("*")).Count);
        Assert.Contains("warning: source 'plain' is INSECURE", _test.Warnings.ToString());
    }

    [Fact]
    public async Task An_https_to_http_redirect_is_refused_before_anything_is_sent_there()
    {
        var root = Serve();
        await using var plain = await StaticFileServer.StartAsync(root);
        await using var secure = await StaticFileServer.StartAsync(root, _pki.Server);
        secure.Redirect = path => new Uri(plain.Address, path.TrimStart('/')).ToString();
        _test.Environment["MIRROR_TOKEN"] = "mirror-secret";
        using var source = new HttpSource(Https(secure.Address, _pki.WriteAuthorityPem(_temp.Path)), _test.Context);

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));
        Assert.Equal(ErrorCode.InsecureSource, e.Code);
        Assert.Contains("redirected", e.Message);
        Assert.Empty(plain.Requests);
    }

    [Fact]
    public async Task Redirects_are_followed_up_to_five_and_credentials_stay_with_the_configured_origin()
    {
        var root = Serve();
        await using var target = await StaticFileServer.StartAsync(root, _pki.Server);
        await using var front = await StaticFileServer.StartAsync(root, _pki.Server);
        front.Redirect = path => new Uri(target.Address, path.TrimStart('/')).ToString();
        _test.Environment["MIRROR_TOKEN"] = "mirror-secret";
        var ca = _pki.WriteAuthorityPem(_temp.Path);
        using (var source = new HttpSource(Https(front.Address, ca), _test.Context))
        {
            Assert.Equal(3, (await source.SearchAsync("acme")).Count);
        }
        Assert.Contains("/index.json", front.AuthorizationsSeen);
        Assert.Empty(target.AuthorizationsSeen);
        Assert.Contains("/index.json", target.Requests);

        // A loop: every answer redirects again.
        await using var loop = await StaticFileServer.StartAsync(root, _pki.Server);
        loop.Redirect = path => path + "x";
        using var looping = new HttpSource(Https(loop.Address, ca), _test.Context);
        var e = await Assert.ThrowsAsync<PacksterException>(() => looping.SearchAsync("acme"));
        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Equal(6, loop.Requests.Count);
    }

    [Fact]
    public async Task A_tampered_static_file_is_refused_by_the_cache()
    {
        var root = Serve();
        await using var server = await StaticFileServer.StartAsync(root, _pki.Server);
        server.TamperDownloads = true;
        _test.Environment["MIRROR_TOKEN"] = "mirror-secret";
        using var source = new HttpSource(Https(server.Address, _pki.WriteAuthorityPem(_temp.Path)), _test.Context);
        var entry = (await source.ListVersionsAsync(PackageId.Parse("zeta"))).Single();
        var cache = new PackageCache(_temp["cache"]);
        var e = await Assert.ThrowsAsync<PacksterException>(() => cache.GetOrFetchAsync(entry.File, source));
        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
        Assert.False(cache.Contains(entry.File));
    }

    [Fact]
    public async Task Static_sources_cannot_receive_packages()
    {
        var root = Serve();
        await using var server = await StaticFileServer.StartAsync(root, _pki.Server);
        _test.Environment["MIRROR_TOKEN"] = "x";
        using var source = new HttpSource(Https(server.Address, _pki.WriteAuthorityPem(_temp.Path)), _test.Context);
        Assert.False(source.CanPublish);
        await Assert.ThrowsAsync<PacksterException>(() => source.PublishAsync(TestPackages.Create(_temp["dist"], "acme", "9.0.0")));
    }
}
