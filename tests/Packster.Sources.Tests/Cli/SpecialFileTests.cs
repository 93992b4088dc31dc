using System.Diagnostics;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>
/// Files small by contract — a <c>.sig</c> (spec/signing.md § Signature file: at most 4096 bytes), a key, a ca-file —
/// are judged by the bytes read, and what is not a regular file (a FIFO, a device) is refused without being opened,
/// through the real <c>packster</c> process: a link to <c>/dev/zero</c> never ends, a sparse file reports gigabytes,
/// and opening a FIFO waits for a writer. Each command here ends because packster refuses; none may hang or run out of
/// memory.
/// </summary>
public sealed class SpecialFileTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-special");

    public void Dispose() => _temp.Dispose();

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) =>
        await CliProcess.RunAsync(_temp.Path, CliProcess.HomeIn(_temp), args);

    private async Task OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.Exit == 0, $"packster {string.Join(' ', args)}: exit {r.Exit}\n{r.Err}");
    }

    private static void AssertRefused((int Exit, string Out, string Err) r, int exit, string code, params string[] words)
    {
        Assert.True(r.Exit == exit, $"exit {r.Exit}\n{r.Err}");
        var line = r.Err.Split('\n').First(l => l.StartsWith("error[", StringComparison.Ordinal));
        Assert.StartsWith($"error[{code}]: ", line, StringComparison.Ordinal);
        foreach (var word in words) Assert.Contains(word, line, StringComparison.Ordinal);
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    private static void MakeSparse(string path, long size)
    {
        using var stream = File.Create(path);
        stream.SetLength(size);
    }

    /// <summary>hello 1.0.0 in a folder source "shelf"; returns the package's path.</summary>
    private async Task<string> ShelfAsync()
    {
        var package = TestPackages.Create(_temp["shelf"], "hello", "1.0.0");
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);
        return package;
    }

    [Fact]
    public async Task A_signature_linked_to_dev_zero_in_a_folder_source_is_refused_by_fetch()
    {
        if (OperatingSystem.IsWindows()) return; // no /dev/zero
        var package = await ShelfAsync();
        File.CreateSymbolicLink(package + ".sig", "/dev/zero");
        AssertRefused(await RunAsync("fetch", "hello", "--source", "shelf"), 8, "PST8008", "source 'shelf'", ".sig", "a character device, not a regular file");
    }

    [Fact]
    public async Task A_sparse_signature_of_three_gigabytes_is_refused_by_fetch_after_4097_bytes()
    {
        var package = await ShelfAsync();
        MakeSparse(package + ".sig", 3L << 30);
        AssertRefused(await RunAsync("fetch", "hello", "--source", "shelf"), 8, "PST8008", "more than 4096 bytes");
        Assert.Empty(Directory.EnumerateFiles(_temp["cache"], "*.sig", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_fifo_signature_is_refused_by_install_file_under_require()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        await OkAsync("key", "generate", "ci");
        await OkAsync("trust", "require", "--key", "ci");
        await OkAsync("location", "create", _temp["loc"], "--id", "loc");
        var package = TestPackages.Create(_temp["dist"], "hello", "1.0.0");
        MakeFifo(package + ".sig");
        var r = await RunAsync("install-file", package, "--dry-run", "--location", _temp["loc"]);
        AssertRefused(r, 4, "PST4030", "a FIFO (named pipe), not a regular file");
    }

    // spec/resources.md §4: "Nor is a record that is not a regular file (a FIFO, whose opening would wait for a writer
    // …): it names no location". Every command that looks at the enabled set read each record, and a FIFO put in place
    // of one held them all, waiting for a writer; the guard below ends a run that hangs, as a failure.
    [Fact]
    public async Task A_fifo_in_place_of_an_enabled_locations_record_is_not_read()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        await OkAsync("location", "create", _temp["loc"], "--id", "loc");
        await OkAsync("location", "create", _temp["other"], "--id", "other");
        await OkAsync("location", "enable", "loc");
        await OkAsync("location", "enable", "other");
        var record = Path.Combine(_temp["data"], "enabled", "other");
        Assert.True(File.Exists(record));
        File.Delete(record);
        MakeFifo(record);
        var package = TestPackages.Create(_temp["dist"], "hello", "1.0.0");
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var install = await CliProcess.RunAsync(_temp.Path, CliProcess.HomeIn(_temp), hang.Token, "install-file", package, "--location", "loc");
        Assert.False(hang.IsCancellationRequested, "install-file into an enabled location hung on the FIFO record");
        Assert.True(install.Exit == 0, $"exit {install.Exit}\n{install.Err}");
        var disable = await CliProcess.RunAsync(_temp.Path, CliProcess.HomeIn(_temp), hang.Token, "location", "disable", "loc");
        Assert.False(hang.IsCancellationRequested, "location disable hung on the FIFO record");
        Assert.True(disable.Exit == 0, $"exit {disable.Exit}\n{disable.Err}");
        Assert.Equal(Packster.Packaging.FileKind.Fifo, Packster.Packaging.FileKinds.Of(record));
    }

    [Fact]
    public async Task A_fifo_package_file_is_refused_by_install_file_and_source_index()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        await OkAsync("location", "create", _temp["loc"], "--id", "loc");
        var real = TestPackages.Create(_temp["dist"], "hello", "1.0.0");
        var fifo = _temp["www/" + Path.GetFileName(real)];
        Directory.CreateDirectory(_temp["www"]);
        MakeFifo(fifo);
        AssertRefused(await RunAsync("install-file", fifo, "--dry-run", "--location", _temp["loc"]), 2, "PST1001", fifo, "a FIFO (named pipe), not a regular file");
        AssertRefused(await RunAsync("source", "index", _temp["www"]), 2, "PST1001", fifo, "a FIFO (named pipe), not a regular file");
        Assert.False(File.Exists(_temp["www/index.json"]));
    }

    [Fact]
    public async Task A_signature_linked_to_dev_zero_is_refused_by_source_index_and_publish()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = TestPackages.Create(_temp["www"], "hello", "1.0.0");
        File.CreateSymbolicLink(package + ".sig", "/dev/zero");
        AssertRefused(await RunAsync("source", "index", _temp["www"]), 4, "PST4031", "a character device, not a regular file");
        Assert.False(File.Exists(_temp["www/index.json"]));

        Directory.CreateDirectory(_temp["shelf"]);
        await OkAsync("source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);
        AssertRefused(await RunAsync("publish", package, "--source", "shelf"), 4, "PST4031", "a character device, not a regular file");
        Assert.False(Directory.Exists(_temp["shelf"]) && Directory.EnumerateFileSystemEntries(_temp["shelf"]).Any());
    }

    // spec/signing.md § Keys: "In the store, a `.pub` file that is not a public key by these rules is skipped, not
    // fatal: `key list` lists the other keys and says `warning: skipped <file>: <why>: not a public key`".
    [Fact]
    public async Task A_key_linked_to_dev_zero_is_skipped_by_key_list_without_being_read()
    {
        if (OperatingSystem.IsWindows()) return;
        await OkAsync("key", "generate", "ci");
        File.CreateSymbolicLink(_temp["data/keys/zero.pub"], "/dev/zero");
        var (exit, stdout, stderr) = await RunAsync("key", "list");
        Assert.True(exit == 0, stderr);
        Assert.Contains("  ci", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("zero", stdout, StringComparison.Ordinal);
        var warning = stderr.Split('\n').Single(l => l.StartsWith("warning: skipped ", StringComparison.Ordinal));
        Assert.Contains("zero.pub", warning, StringComparison.Ordinal);
        Assert.Contains("a character device, not a regular file", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sparse_key_file_is_refused_by_key_import()
    {
        MakeSparse(_temp["big.pub"], 3L << 30);
        AssertRefused(await RunAsync("key", "import", _temp["big.pub"]), 4, "PST4032", "more than 65536 bytes");
        Assert.False(Directory.Exists(_temp["data/keys"]) && Directory.EnumerateFiles(_temp["data/keys"]).Any());
    }

    /// <summary>
    /// Runs packster in <paramref name="directory"/> with <paramref name="environment"/>, killed after 60 seconds: a run
    /// that blocks opening a FIFO fails the test instead of hanging it.
    /// </summary>
    private static async Task<(int Exit, string Out, string Err)> RunBoundedAsync(string directory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var r = await CliProcess.RunAsync(directory, environment, limit.Token, args);
        Assert.False(limit.IsCancellationRequested, $"packster {string.Join(' ', args)} was still running after 60 s: it blocked opening the FIFO");
        return r;
    }

    // spec/sources.md §1.1: "`config trust` refuses such a file before opening it: PST1001 `config file '<path>' is a
    // FIFO (named pipe), not a regular file`, nothing is recorded." Before, it blocked in the read until a writer came.
    [Fact]
    public async Task A_fifo_given_to_config_trust_is_refused_without_being_opened()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        var fifo = _temp["packster.toml"];
        MakeFifo(fifo);
        var r = await RunBoundedAsync(_temp.Path, CliProcess.HomeIn(_temp), "config", "trust", fifo);
        AssertRefused(r, 2, "PST1001", $"config file '{fifo}' is a FIFO (named pipe), not a regular file");
        Assert.False(File.Exists(_temp["data/trusted-configs.json"]));
    }

    // spec/sources.md §1.1: "A `./packster.toml` that is a FIFO … is never opened … and is ignored with `warning:
    // ignoring <abs path>: it is a FIFO (named pipe), not a regular file`". Before, every command reading the config in
    // that folder, without a user config file, blocked.
    [Fact]
    public async Task A_fifo_project_config_file_is_ignored_without_being_opened()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        Directory.CreateDirectory(_temp["project"]);
        var fifo = _temp["project/packster.toml"];
        MakeFifo(fifo);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _temp["home"],
            ["XDG_CONFIG_HOME"] = _temp["home/.config"],
            ["PACKSTER_CACHE"] = _temp["cache"],
            ["PACKSTER_DATA_HOME"] = _temp["data"],
        };
        var (exit, _, err) = await RunBoundedAsync(_temp["project"], environment, "source", "list");
        Assert.True(exit == 0, err);
        Assert.Equal($"warning: ignoring {fifo}: it is a FIFO (named pipe), not a regular file", err.Split('\n')[0]);
    }

    [Fact]
    public async Task A_ca_file_that_is_dev_zero_is_refused_before_anything_is_sent()
    {
        if (OperatingSystem.IsWindows()) return;
        Directory.CreateDirectory(_temp["config"]);
        File.WriteAllText(_temp["config/config.toml"], """
            [sources.corp]
            type = "http"
            url = "https://127.0.0.1:9/"
            ca-file = "/dev/zero"
            """);
        AssertRefused(await RunAsync("fetch", "hello", "--source", "corp"), 8, "PST8007", "source 'corp'", "ca-file '/dev/zero'", "a character device, not a regular file");
    }

    // spec/sources.md §1, `ca-file`: "a ca-file that does not exist (or a link to nothing) is PST8007 too, `source 'S':
    // ca-file '<path>' does not exist`, when the source is first used".
    [Fact]
    public async Task A_ca_file_that_does_not_exist_is_a_setting_of_the_source_that_cannot_be_used()
    {
        var missing = _temp["corp-ca.pem"];
        Directory.CreateDirectory(_temp["config"]);
        File.WriteAllText(_temp["config/config.toml"], $"""
            [sources.corp]
            type = "http"
            url = "https://127.0.0.1:9/"
            ca-file = '{missing}'
            """);
        var r = await RunAsync("fetch", "hello", "--source", "corp");
        AssertRefused(r, 8, "PST8007", $"source 'corp': ca-file '{missing}' does not exist");
        Assert.Contains("hint: set ca-file of [sources.corp]", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }
}
