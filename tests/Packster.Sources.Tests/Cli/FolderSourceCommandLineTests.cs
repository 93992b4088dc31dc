using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>
/// spec/sources.md §1 and §2 through the real <c>packster</c> process: a folder source must name a folder that exists
/// when it is added, and one whose folder has gone since fails the resolution rather than counting as empty.
/// </summary>
public sealed class FolderSourceCommandLineTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-folder-cli");

    public void Dispose() => _temp.Dispose();

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) =>
        CliProcess.RunAsync(_temp.Path, CliProcess.HomeIn(_temp), args);

    private async Task OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.Exit == 0, $"packster {string.Join(' ', args)}: exit {r.Exit}\n{r.Err}");
    }

    [Fact]
    public async Task Source_add_refuses_a_folder_that_does_not_exist_and_writes_nothing()
    {
        var r = await RunAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["nonexist"]);
        Assert.True(r.Exit == 2, $"exit {r.Exit}\n{r.Err}");
        Assert.StartsWith($"error[PST1002]: the folder of source 'shelf' '{_temp["nonexist"]}' does not exist", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp["config/config.toml"]));

        File.WriteAllText(_temp["file"], "");
        var file = await RunAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["file"]);
        Assert.True(file.Exit == 2, $"exit {file.Exit}\n{file.Err}");
        Assert.StartsWith("error[PST1003]: ", file.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp["config/config.toml"]));
    }

    [Fact]
    public async Task A_folder_gone_since_it_was_added_fails_the_fetch_instead_of_yielding_an_older_version()
    {
        TestPackages.Create(_temp["old"], "hello", "1.0.0");
        TestPackages.Create(_temp["new"], "hello", "2.0.0", payload: "two");
        await OkAsync("source", "add", "old", "--type", "folder", "--url", _temp["old"], "--priority", "20");
        await OkAsync("source", "add", "new", "--type", "folder", "--url", _temp["new"], "--priority", "10");
        Directory.Delete(_temp["new"], recursive: true);

        var r = await RunAsync("fetch", "hello");
        Assert.True(r.Exit == 8, $"exit {r.Exit}\n{r.Out}\n{r.Err}");
        Assert.StartsWith($"error[PST8001]: source 'new': its folder '{_temp["new"]}' does not exist or is not a folder", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp["cache"]) && Directory.EnumerateFiles(_temp["cache"], "*.packster", SearchOption.AllDirectories).Any());
    }

    // spec/sources.md §4: "the cache holds complete, verified files only" — a cached file changed on disk since is taken
    // out and fetched again (with a warning), not refused on every later fetch with a hint to fetch it again.
    [Fact]
    public async Task A_cached_file_changed_on_disk_is_fetched_again()
    {
        var package = TestPackages.Create(_temp["shelf"], "hello", "1.0.0");
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);
        await OkAsync("fetch", "hello");
        var cached = Directory.EnumerateFiles(_temp["cache"], "hello-1.0.0-*.packster", SearchOption.AllDirectories).Single();
        File.AppendAllText(cached, "Z");

        var r = await RunAsync("fetch", "hello");

        Assert.True(r.Exit == 0, $"exit {r.Exit}\n{r.Err}");
        Assert.Contains($"warning: the cached {Path.GetFileName(package)} no longer hashes to its name; it was removed and is fetched again", r.Err, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(package), File.ReadAllBytes(cached));
    }

    // spec/sources.md §4: a file whose manifest names another package than its file name is refused (PST4000) and does
    // not stay in the cache, where it would fail every later install, offline ones too.
    [Fact]
    public async Task A_file_whose_manifest_contradicts_its_name_does_not_stay_in_the_cache()
    {
        var package = TestPackages.Create(_temp["built"], "hello", "1.0.0");
        Directory.CreateDirectory(_temp["shelf"]);
        var liar = Path.Combine(_temp["shelf"], Path.GetFileName(package).Replace("hello-1.0.0-", "hello-9.9.9-", StringComparison.Ordinal));
        File.Copy(package, liar);
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);

        var r = await RunAsync("fetch", "hello");

        Assert.True(r.Exit == 4, $"exit {r.Exit}\n{r.Err}");
        Assert.StartsWith($"error[PST4000]: '{Path.GetFileName(liar)}' is named hello 9.9.9 but its manifest says hello 1.0.0", r.Err, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_temp["cache"], "*.packster", SearchOption.AllDirectories));
    }

    // spec/sources.md §4: a cached file whose bytes no longer match its name "is taken out of the cache and fetched once
    // more … Neither stays to fail every later install" — the same for each build of a version offered as several
    // (§ Platform builds), the build for another OS too.
    [Fact]
    public async Task A_cached_build_changed_on_disk_is_fetched_again_when_a_version_has_several_builds()
    {
        TestPackages.Create(_temp["shelf"], "multi", "1.0.0", "anywhere");
        var windows = TestPackages.Create(_temp["shelf"], "multi", "1.0.0", "windows", "[platform]\nos = [\"windows\"]\n");
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);
        await OkAsync("fetch", "multi");
        var cached = Directory.EnumerateFiles(_temp["cache"], Path.GetFileName(windows), SearchOption.AllDirectories).Single();
        File.AppendAllText(cached, "Z");

        var r = await RunAsync("fetch", "multi");

        Assert.True(r.Exit == 0, $"exit {r.Exit}\n{r.Err}");
        Assert.Contains($"warning: the cached {Path.GetFileName(windows)} no longer hashes to its name; it was removed and is fetched again", r.Err, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(windows), File.ReadAllBytes(cached));
    }

    // spec/sources.md §4: a file "whose manifest names another package … is taken out and refused" — also when it is one
    // of several builds of a version: once the source no longer offers it, fetches (offline ones too) work again.
    [Fact]
    public async Task A_build_whose_manifest_names_another_version_does_not_stay_in_the_cache()
    {
        var good = TestPackages.Create(_temp["shelf"], "hello", "1.0.0");
        var other = TestPackages.Create(_temp["built"], "hello", "1.1.0");
        var liar = Path.Combine(_temp["shelf"], Path.GetFileName(other).Replace("hello-1.1.0-", "hello-1.0.0-", StringComparison.Ordinal));
        File.Copy(other, liar);
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);

        var r = await RunAsync("fetch", "hello@1.0.0");

        Assert.True(r.Exit == 4, $"exit {r.Exit}\n{r.Err}");
        Assert.StartsWith($"error[PST4000]: '{Path.GetFileName(liar)}' is named hello 1.0.0 but its manifest says hello 1.1.0", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateFiles(_temp["cache"], "*.packster", SearchOption.AllDirectories), f => Path.GetFileName(f) == Path.GetFileName(liar));
        File.Delete(liar);
        var offline = await RunAsync("fetch", "hello@1.0.0", "--offline");
        Assert.True(offline.Exit == 0, $"exit {offline.Exit}\n{offline.Err}");
        Assert.Equal(Path.GetFileName(good), Path.GetFileName(offline.Out.Trim()));
    }
}
