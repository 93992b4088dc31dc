using Packster.Model;
using Packster.Sources.Cache;
using Packster.Sources.Config;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Sources;

/// <summary>spec/sources.md §5 and §4 together: resolve then fetch; offline resolves among cached files only.</summary>
public sealed class PackageAcquisitionTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-acquire");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Online_resolves_across_sources_and_offline_among_the_cache()
    {
        TestPackages.Create(_temp["repo"], "acme", "1.0.0", "a");
        TestPackages.Create(_temp["repo"], "acme", "1.5.0", "b");
        var repo = new FolderSource("repo", _temp["repo"]);
        var cache = new PackageCache(_temp["cache"]);
        var acme = PackageId.Parse("acme");

        // spec/sources.md §4, spec/errors.md: offline, a package the cache does not hold is PST8011, not PST8004.
        var offlineMiss = await Assert.ThrowsAsync<PacksterException>(() => PackageAcquisition.AcquireAsync(acme, VersionRange.Parse("^1"), [repo], cache, offline: true));
        Assert.Equal(ErrorCode.OfflineCacheMiss, offlineMiss.Code);
        Assert.Equal($"no version of package 'acme' is in the download cache ({cache.Root}), and --offline forbids looking in the sources", offlineMiss.Message);

        var old = await PackageAcquisition.AcquireAsync(acme, VersionRange.Parse("~1.0"), [repo], cache);
        Assert.Equal("1.0.0", old.File.Version.ToString());
        Assert.Equal("repo", old.Source);
        Assert.Equal(old.File.Sha256, Sha256Digest.ComputeFile(old.Path));

        // Offline, ^1 can only pick the 1.0.0 already downloaded, although the source has 1.5.0.
        var offline = await PackageAcquisition.AcquireAsync(acme, VersionRange.Parse("^1"), [repo], cache, offline: true);
        Assert.Equal("1.0.0", offline.File.Version.ToString());
        Assert.Equal(PackageCache.SourceName, offline.Source);

        var pinned = (await repo.ListVersionsAsync(acme)).Single(e => e.Version.ToString() == "1.5.0").File;
        var exact = await PackageAcquisition.AcquireExactAsync(pinned, [repo], cache);
        Assert.Equal(cache.PathOf(pinned), exact.Path);
        var ghost = new PackageFileName(acme, PackageVersion.Parse("9.9.9"), Sha256Digest.Compute([1, 2, 3]));
        var e = await Assert.ThrowsAsync<PacksterException>(() => PackageAcquisition.AcquireExactAsync(ghost, [repo], cache));
        Assert.Equal(ErrorCode.PackageNotFound, e.Code);
        Assert.Contains(ghost.FileName, e.Message);

        // spec/errors.md PST8000: with no source configured at all (import, sync, rollback of an uncached file), that
        // is what is said, not that no source (of an empty list) offers the file.
        var none = await Assert.ThrowsAsync<PacksterException>(() => PackageAcquisition.AcquireExactAsync(ghost, [], cache));
        Assert.Equal(ErrorCode.SourceNotFound, none.Code);
        Assert.Equal($"no sources to fetch {ghost.FileName} from", none.Message);
    }

    // spec/sources.md § Fall-through: a source serving bytes of another sha256 (or unreachable) is named in a warning
    // and the next source listing the same file serves it; when every one fails, the error names each failure.
    [Fact]
    public async Task A_failed_download_falls_through_to_the_next_source_that_lists_the_same_file()
    {
        await using var server = await ArtifactoryTestServer.StartAsync();
        server.Tokens["t0ken"] = "ci";
        var test = new TestContext(new Dictionary<string, string> { ["PK_TOKEN"] = "t0ken" });
        var definition = new SourceDefinition { Name = "corp", Kind = SourceKind.Artifactory, Url = server.BaseUrl, Repo = "pk-local", TokenEnv = "PK_TOKEN", Insecure = true, Priority = 1 };
        using var corp = new ArtifactorySource(definition, test.Context);
        var package = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        await corp.PublishAsync(package);
        TestPackages.Create(_temp["mirror"], "acme", "1.0.0");
        var mirror = new FolderSource("mirror", _temp["mirror"], priority: 2);
        var cache = new PackageCache(_temp["cache"]);
        server.TamperDownloads = true;

        var warnings = new StringWriter();
        var acquired = await PackageAcquisition.AcquireAsync(PackageId.Parse("acme"), VersionRange.Parse("^1"), [corp, mirror], cache, warnings: warnings);
        Assert.Equal("mirror", acquired.Source);
        Assert.Equal(acquired.File.Sha256, Sha256Digest.ComputeFile(acquired.Path));
        Assert.Contains("source 'corp'", warnings.ToString());
        Assert.Contains("trying source 'mirror', which lists the same file", warnings.ToString());

        // Both fail: the second source lists the file but cannot be reached; the error names both failures.
        File.Delete(acquired.Path);
        var exact = acquired.File;
        var e = await Assert.ThrowsAsync<PacksterException>(() =>
            PackageAcquisition.AcquireExactAsync(exact, [corp, new UnreachableSource("down", new PackageEntry(exact, null, "down"))], cache, warnings: warnings));
        Assert.Equal(ErrorCode.SourceUnreachable, e.Code);
        Assert.Contains($"every source that lists {exact.FileName} failed", e.Message);
        Assert.Contains("'corp': ", e.Message);
        Assert.Contains("'down': the test source is down", e.Message);
        Assert.False(cache.Contains(exact));
    }

    /// <summary>Lists one file and fails every download, as a source behind a broken network would.</summary>
    private sealed class UnreachableSource(string name, PackageEntry entry) : IPackageSource
    {
        public string Name => name;
        public int Priority => 50;
        public bool CanPublish => false;
        public Task<IReadOnlyList<PackageEntry>> SearchAsync(string pattern, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<PackageEntry>>([entry]);
        public Task<IReadOnlyList<PackageEntry>> ListVersionsAsync(PackageId id, CancellationToken cancellationToken = default) => SearchAsync(id.Value, cancellationToken);
        public Task FetchAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default) =>
            throw new PacksterException(ErrorCode.SourceUnreachable, "the test source is down");
        public Task<PublishResult> PublishAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
