using Packster.Model;
using Packster.Sources.Cache;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Sources;

/// <summary>spec/sources.md §5 resolution: highest satisfying version across sources; ties go to the lower priority number.</summary>
public sealed class SourceResolverTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-resolve");

    public void Dispose() => _temp.Dispose();

    private FolderSource Folder(string name, int priority, params string[] versions)
    {
        foreach (var v in versions) TestPackages.Create(_temp[name], "acme", v, $"{name} {v}");
        return new FolderSource(name, _temp[name], priority);
    }

    private static readonly PackageId Acme = PackageId.Parse("acme");

    [Fact]
    public async Task The_highest_satisfying_version_wins_across_sources()
    {
        var a = Folder("a", 10, "1.0.0", "1.4.0");
        var b = Folder("b", 20, "1.5.0", "2.0.0");
        var best = await SourceResolver.ResolveAsync(Acme, VersionRange.Parse("^1.2"), [a, b]);
        Assert.Equal("1.5.0", best.Entry.Version.ToString());
        Assert.Same(b, best.Source);
    }

    [Fact]
    public async Task Equal_versions_go_to_the_source_with_the_lower_priority_number_whatever_the_list_order()
    {
        var low = Folder("low", 5, "1.0.0");
        var high = Folder("high", 50, "1.0.0");
        Assert.Same(low, (await SourceResolver.ResolveAsync(Acme, VersionRange.Parse("1.0.0"), [high, low])).Source);
        Assert.Same(low, (await SourceResolver.ResolveAsync(Acme, VersionRange.Parse("1.0.0"), [low, high])).Source);
    }

    // spec/manifest.md: "`latest` matches only the version literally named "latest"" — the error for it says so and
    // points to `*`, instead of the usual "widen the range".
    [Fact]
    public async Task A_latest_range_with_no_version_named_latest_says_what_latest_means()
    {
        var a = Folder("a", 1, "1.0.0", "2.0.0");
        var e = await Assert.ThrowsAsync<PacksterException>(() => SourceResolver.ResolveAsync(Acme, VersionRange.Parse("latest"), [a]));
        Assert.Equal(ErrorCode.NoMatchingVersion, e.Code);
        Assert.Equal("'latest' names only a version published as \"latest\"; for the newest version, use \"*\"", e.Hint);
        var other = await Assert.ThrowsAsync<PacksterException>(() => SourceResolver.ResolveAsync(Acme, VersionRange.Parse("^3"), [a]));
        Assert.Equal("widen the range or publish a matching version", other.Hint);
    }

    [Fact]
    public async Task No_range_means_the_highest_stable_version()
    {
        var a = Folder("a", 1, "1.0.0", "2.0.0-rc.1");
        Assert.Equal("1.0.0", (await SourceResolver.ResolveAsync(Acme, (VersionRange?)null, [a])).Entry.Version.ToString());
        var onlyPre = Folder("pre", 1, "3.0.0-beta.1");
        Assert.Equal("3.0.0-beta.1", (await SourceResolver.ResolveAsync(Acme, (VersionRange?)null, [onlyPre])).Entry.Version.ToString());
    }

    [Fact]
    public async Task Missing_packages_and_unsatisfiable_ranges_are_named()
    {
        var a = Folder("a", 1, "1.0.0", "1.1.0");
        var none = await Assert.ThrowsAsync<PacksterException>(() => SourceResolver.ResolveAsync(PackageId.Parse("ghost"), (VersionRange?)null, [a]));
        Assert.Equal(ErrorCode.PackageNotFound, none.Code);
        var nomatch = await Assert.ThrowsAsync<PacksterException>(() => SourceResolver.ResolveAsync(Acme, VersionRange.Parse("^2"), [a]));
        Assert.Equal(ErrorCode.NoMatchingVersion, nomatch.Code);
        Assert.Contains("1.1.0, 1.0.0", nomatch.Message);
        Assert.Contains("^2", nomatch.Message);
    }

    // spec/sources.md §5: "A source that fails fails the resolution (skipping it could silently pick an older version)";
    // §2: a folder source whose folder is gone is such a source, not an empty one.
    [Fact]
    public async Task A_folder_source_whose_folder_is_missing_fails_the_resolution_instead_of_yielding_an_older_version()
    {
        var older = Folder("older", 20, "1.0.0");
        var newer = Folder("newer", 10, "2.0.0");
        Directory.Delete(_temp["newer"], recursive: true);
        var e = await Assert.ThrowsAsync<PacksterException>(() => SourceResolver.ResolveAsync(Acme, (VersionRange?)null, [older, newer]));
        Assert.Equal(ErrorCode.SourceUnreachable, e.Code);
        Assert.Equal($"source 'newer': its folder '{_temp["newer"]}' does not exist or is not a folder", e.Message);
        Assert.Equal(ErrorCode.SourceUnreachable, (await Assert.ThrowsAsync<PacksterException>(() => newer.SearchAsync("acme"))).Code);
    }

    [Fact]
    public async Task The_cache_serves_hits_without_the_source_and_offline_misses_are_named()
    {
        // spec/sources.md §4 cache layout and --offline.
        var a = Folder("a", 1, "1.0.0");
        var entry = (await a.ListVersionsAsync(Acme)).Single();
        var cache = new PackageCache(_temp["cache"]);
        var offline = await Assert.ThrowsAsync<PacksterException>(() => cache.GetOrFetchAsync(entry.File, a, offline: true));
        Assert.Equal(ErrorCode.OfflineCacheMiss, offline.Code);

        var path = await cache.GetOrFetchAsync(entry.File, a);
        Assert.Equal(Path.Combine(cache.Root, "sha256", entry.Sha256.Hex[..2], entry.File.FileName), path);
        Directory.Delete(_temp["a"], recursive: true);
        Assert.Equal(path, await cache.GetOrFetchAsync(entry.File, a, offline: true));
        Assert.Equal(path, await cache.GetOrFetchAsync(entry.File, a));
    }

    [Fact]
    public async Task Partial_downloads_abandoned_for_a_day_are_swept()
    {
        var a = Folder("a", 1, "1.0.0");
        var entry = (await a.ListVersionsAsync(Acme)).Single();
        var cache = new PackageCache(_temp["cache"]);
        var old = _temp.Write("cache/tmp/dead.partial", "x");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-2));
        var recent = _temp.Write("cache/tmp/live.partial", "y");
        await cache.GetOrFetchAsync(entry.File, a);
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(recent));
    }
}
