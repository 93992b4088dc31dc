using Packster.Model;
using Packster.Sources.Cache;
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

        var offlineMiss = await Assert.ThrowsAsync<PacksterException>(() => PackageAcquisition.AcquireAsync(acme, VersionRange.Parse("^1"), [repo], cache, offline: true));
        Assert.Equal(ErrorCode.PackageNotFound, offlineMiss.Code);

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
    }
}
