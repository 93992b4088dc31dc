using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>
/// A file where packster would create a folder it was given or configured — <c>fetch --output</c>, a folder source it
/// publishes to, the download cache, a location and its registry, the enabled locations — through the real <c>packster</c> process: the command says the path is a file,
/// not a folder (PST9005, exit 9), never the OS's "it already exists", and the file is left as it was.
/// </summary>
public sealed class FileWhereFolderBelongsTests : IDisposable
{
    private const string InTheWay = "not a folder\n";

    private readonly TempDirectory _temp = new("packster-no-folder");

    public void Dispose() => _temp.Dispose();

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunAsync(CliProcess.HomeIn(_temp), args);

    private Task<(int Exit, string Out, string Err)> RunAsync(Dictionary<string, string> environment, params string[] args) =>
        CliProcess.RunAsync(_temp.Path, environment, args);

    private async Task OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.Exit == 0, $"packster {string.Join(' ', args)}: exit {r.Exit}\n{r.Err}");
    }

    /// <summary>hello 1.0.0 in a folder source "shelf"; returns the package's path.</summary>
    private async Task<string> ShelfAsync()
    {
        var package = TestPackages.Create(_temp["shelf"], "hello", "1.0.0");
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);
        return package;
    }

    private string FileInTheWay(string name)
    {
        var path = _temp[name];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, InTheWay);
        return path;
    }

    private static void AssertNotAFolder((int Exit, string Out, string Err) r, string message)
    {
        Assert.True(r.Exit == 9, $"exit {r.Exit}\n{r.Err}");
        var line = r.Err.Split('\n')[0];
        Assert.Equal($"error[PST9005]: {message}", line);
        Assert.DoesNotContain("already exists", r.Err, StringComparison.Ordinal);
    }

    // spec/sources.md § `packster fetch`: "A file (or a FIFO, a device) where DIR, or a folder on its path, belongs is
    // refused before anything is downloaded: PST9005 `cannot create output folder '<DIR>': it is a regular file, not a
    // folder`, with the hint to give a folder."
    [Fact]
    public async Task Fetch_output_that_is_a_file_is_refused_before_the_download()
    {
        await ShelfAsync();
        var file = FileInTheWay("out");
        var r = await RunAsync("fetch", "hello", "--source", "shelf", "--output", file);
        AssertNotAFolder(r, $"cannot create output folder '{file}': it is a regular file, not a folder");
        Assert.Contains("hint: give --output a folder", r.Err, StringComparison.Ordinal);
        Assert.Equal(InTheWay, File.ReadAllText(file));
        Assert.False(Directory.Exists(_temp["cache"]) && Directory.EnumerateFiles(_temp["cache"], "*.packster", SearchOption.AllDirectories).Any());

        var under = Path.Combine(file, "sub");
        r = await RunAsync("fetch", "hello", "--source", "shelf", "--output", under);
        AssertNotAFolder(r, $"cannot create output folder '{under}': '{file}' on its path is a regular file, not a folder");
        Assert.Equal(InTheWay, File.ReadAllText(file));
    }

    // spec/sources.md §2: "A file (or a FIFO, a device, a link that leads nowhere) where the folder, or a folder on its
    // path, belongs is PST9005 `cannot create folder of source 'S' '<path>': it is a regular file, not a folder` …, and
    // nothing is written."
    [Fact]
    public async Task Publishing_to_a_folder_source_whose_folder_is_a_file_says_so()
    {
        var package = TestPackages.Create(_temp["dist"], "hello", "1.0.0");
        Directory.CreateDirectory(_temp["shelf"]);
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);
        Directory.Delete(_temp["shelf"]);
        var file = FileInTheWay("shelf");
        var r = await RunAsync("publish", package, "--source", "shelf");
        AssertNotAFolder(r, $"cannot create folder of source 'shelf' '{file}': it is a regular file, not a folder");
        Assert.Equal(InTheWay, File.ReadAllText(file));
    }

    // spec/sources.md §4: "A file … where one of them belongs — `PACKSTER_CACHE` naming a file, or a file at
    // `<root>/tmp` or `<root>/sha256/9f` — stops the download with PST9005 `cannot create download cache folder
    // '<folder>': it is a regular file, not a folder` (or `'<root>' on its path is a regular file, not a folder`) …;
    // never "it already exists", and what is there is left as it is."
    [Fact]
    public async Task A_cache_root_that_is_a_file_is_named_as_one()
    {
        await ShelfAsync();
        var file = FileInTheWay("cache-file");
        var environment = CliProcess.HomeIn(_temp);
        environment["PACKSTER_CACHE"] = file;
        var r = await RunAsync(environment, "fetch", "hello", "--source", "shelf");
        AssertNotAFolder(r, $"cannot create download cache folder '{Path.Combine(file, "tmp")}': '{file}' on its path is a regular file, not a folder");
        Assert.Contains("hint: the download cache must be a folder", r.Err, StringComparison.Ordinal);
        Assert.Equal(InTheWay, File.ReadAllText(file));
    }

    [Fact]
    public async Task A_file_where_a_cache_folder_belongs_is_named_as_one()
    {
        var package = await ShelfAsync();
        var temps = FileInTheWay("cache/tmp");
        var r = await RunAsync("fetch", "hello", "--source", "shelf");
        AssertNotAFolder(r, $"cannot create download cache folder '{temps}': it is a regular file, not a folder");
        Assert.Equal(InTheWay, File.ReadAllText(temps));

        File.Delete(temps);
        var shard = FileInTheWay($"cache/sha256/{Path.GetFileNameWithoutExtension(package)[^64..][..2]}");
        r = await RunAsync("fetch", "hello", "--source", "shelf");
        AssertNotAFolder(r, $"cannot create download cache folder '{shard}': it is a regular file, not a folder");
        Assert.Equal(InTheWay, File.ReadAllText(shard));
        Assert.Empty(Directory.EnumerateFiles(_temp["cache/tmp"]));
    }

    // spec/errors.md PST9005: so is a file where "the folder of the config file (`cannot create config folder
    // '<path>'`, when `source add` writes it), the key store, or the folder of a lock packster takes (`cannot create lock
    // folder '<path>'`, under `PACKSTER_DATA_HOME` or a location) belongs … and nothing changes."
    [Fact]
    public async Task A_file_where_the_config_or_data_folder_belongs_is_named_as_one()
    {
        Directory.CreateDirectory(_temp["shelf"]);
        var file = FileInTheWay("home-file");
        var environment = CliProcess.HomeIn(_temp);
        environment["PACKSTER_CONFIG"] = Path.Combine(file, "config.toml");
        var r = await RunAsync(environment, "source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);
        AssertNotAFolder(r, $"cannot create config folder '{file}': it is a regular file, not a folder");
        Assert.Contains("hint: move what is there away, or set PACKSTER_CONFIG to a file in a folder", r.Err, StringComparison.Ordinal);
        Assert.Equal(InTheWay, File.ReadAllText(file));

        environment = CliProcess.HomeIn(_temp);
        environment["PACKSTER_DATA_HOME"] = file;
        r = await RunAsync(environment, "key", "generate", "ci");
        AssertNotAFolder(r, $"cannot create lock folder '{Path.Combine(file, "keys")}': '{file}' on its path is a regular file, not a folder");
        Assert.Equal(InTheWay, File.ReadAllText(file));
    }

    // spec/lockfile.md § What a location may contain: "a file … on its path, where one of the location's own folders
    // belongs (the default location may hold files) … is PST9005 `cannot create location folder '<dir>': '<parent>' on
    // its path is a regular file, not a folder` (`cannot create folder of location L '<dir>/logs': it is a regular
    // file, not a folder` …), never "it already exists". Nothing is created when it refuses."
    [Fact]
    public async Task A_file_on_the_path_of_a_new_location_is_named_as_one()
    {
        var file = FileInTheWay("loc-file");
        var under = Path.Combine(file, "loc");
        var r = await RunAsync("location", "create", under);
        AssertNotAFolder(r, $"cannot create location folder '{under}': '{file}' on its path is a regular file, not a folder");
        Assert.Contains("hint: move what is there away, or create the location in another folder", r.Err, StringComparison.Ordinal);
        Assert.Equal(InTheWay, File.ReadAllText(file));
        Assert.False(Directory.Exists(_temp["data/registry"]) && Directory.EnumerateFileSystemEntries(_temp["data/registry"]).Any());

        var locations = FileInTheWay("data/locations");
        r = await RunAsync("location", "setup");
        AssertNotAFolder(r, $"cannot create location folder '{Path.Combine(locations, "default")}': '{locations}' on its path is a regular file, not a folder");
        Assert.Equal(InTheWay, File.ReadAllText(locations));
    }

    // spec/lockfile.md § What a location may contain: "… where one of the location's own folders belongs (the default
    // location may hold files) … (`cannot create folder of location L '<dir>/logs': it is a regular file, not a
    // folder` …) … Nothing is created when it refuses."
    [Fact]
    public async Task A_file_where_a_folder_of_the_default_location_belongs_is_named_as_one()
    {
        var logs = FileInTheWay("data/locations/default/logs");
        var r = await RunAsync("location", "setup");
        AssertNotAFolder(r, $"cannot create folder of location default '{logs}': it is a regular file, not a folder");
        Assert.Equal(InTheWay, File.ReadAllText(logs));
        Assert.Equal(new[] { logs }, Directory.EnumerateFileSystemEntries(_temp["data/locations/default"]));
    }

    // spec/lockfile.md § What a location may contain: "… or where the registry's folder belongs is PST9005 … (`cannot
    // create location registry folder '<path>': …`), never "it already exists". Nothing is created when it refuses."
    [Fact]
    public async Task A_file_where_the_location_registry_belongs_is_named_as_one()
    {
        var registry = FileInTheWay("data/registry");
        var r = await RunAsync("location", "create", _temp["loc"]);
        AssertNotAFolder(r, $"cannot create location registry folder '{registry}': it is a regular file, not a folder");
        Assert.Equal(InTheWay, File.ReadAllText(registry));
        Assert.False(Directory.Exists(_temp["loc"]));
    }

    // spec/activation.md § §6 Persistent activation: "a file (or another non-folder) where `enabled/` or a folder on
    // its path belongs (PST9005 `cannot create enabled locations folder '<path>': it is a regular file, not a folder`)
    // — comes before anything is written."
    [Fact]
    public async Task A_file_where_the_enabled_locations_folder_belongs_is_named_before_a_profile_is_edited()
    {
        if (OperatingSystem.IsWindows()) return; // the user environment, not a profile, is what Windows edits
        var environment = CliProcess.HomeIn(_temp);
        environment["HOME"] = _temp["home"];
        var bashrc = _temp["home/.bashrc"];
        Directory.CreateDirectory(_temp["home"]);
        File.WriteAllText(bashrc, "# mine\n");
        await OkAsync("location", "create", _temp["loc"], "--id", "loc");
        var enabled = FileInTheWay("data/enabled");
        var r = await RunAsync(environment, "location", "enable", "loc");
        AssertNotAFolder(r, $"cannot create enabled locations folder '{enabled}': it is a regular file, not a folder");
        Assert.Equal(InTheWay, File.ReadAllText(enabled));
        Assert.Equal("# mine\n", File.ReadAllText(bashrc));
    }
}
