using System.Text.Json;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>spec/sources.md § Mirror through the real <c>packster</c>: folder → Artifactory → folder, with signatures, idempotent.</summary>
public sealed class MirrorTests : IAsyncLifetime
{
    private const string Token = "mirror-token";
    private TlsArtifactory _tls = null!;

    private TempDirectory Temp => _tls.Temp;
    private TestPki Pki => _tls.Pki;
    private ArtifactoryTestServer Server => _tls.Server;

    public async Task InitializeAsync() => _tls = await TlsArtifactory.StartAsync("packster-mirror", Token);

    public async Task DisposeAsync() => await _tls.DisposeAsync();

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => CliProcess.RunAsync(Temp.Path, new Dictionary<string, string>
    {
        ["PACKSTER_CONFIG"] = Temp["config.toml"],
        ["PACKSTER_CACHE"] = Temp["cache"],
        ["PACKSTER_DATA_HOME"] = Temp["data"],
        ["ART_TOKEN"] = Token,
    }, args);

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.Exit == 0, $"packster {string.Join(' ', args)}: exit {r.Exit}\n{r.Out}\n{r.Err}");
        return r.Out + r.Err;
    }

    [Fact]
    public async Task Mirror_copies_what_the_target_lacks_with_signatures_and_then_nothing()
    {
        var one = TestPackages.Create(Temp["origin"], "acme", "1.0.0");
        TestPackages.Create(Temp["origin"], "acme", "1.1.0", payload: "b");
        TestPackages.Create(Temp["origin"], "acme", "2.0.0", payload: "c");
        TestPackages.Create(Temp["origin"], "other", "1.0.0", payload: "d");
        await OkAsync("key", "generate", "ci");
        await OkAsync("sign", one, "--key", "ci");
        await OkAsync("source", "add", "origin", "--type", "folder", "--url", Temp["origin"]);
        await OkAsync("source", "add", "corp", "--type", "artifactory", "--url", Server.BaseUrl, "--repo", "pk-local", "--token-env", "ART_TOKEN",
            "--ca-file", Pki.WriteAuthorityPem(Temp.Path));
        Directory.CreateDirectory(Temp["air"]);
        await OkAsync("source", "add", "air", "--type", "folder", "--url", Temp["air"]);

        // A dry run names what would be copied, filtered, and copies nothing.
        using (var plan = JsonDocument.Parse((await RunAsync("mirror", "origin", "corp", "--filter", "acme@^1", "--dry-run", "--json")).Out))
        {
            Assert.Equal(["missing", "missing"], plan.RootElement.EnumerateArray().Select(i => i.GetProperty("status").GetString()));
        }
        Assert.Empty(Server.Files);

        var first = await OkAsync("mirror", "origin", "corp", "--filter", "acme@^1");
        Assert.Contains("copied acme-1.0.0-", first, StringComparison.Ordinal);
        Assert.Contains("(with its signature)", first, StringComparison.Ordinal);
        Assert.Equal(3, Server.Files.Count); // two packages and one signature
        Assert.Equal(File.ReadAllBytes(one + ".sig"), Server.Files.Single(f => f.Key.EndsWith(".sig", StringComparison.Ordinal)).Value.Bytes);

        var again = await OkAsync("mirror", "origin", "corp", "--filter", "acme@^1");
        Assert.Contains("nothing to copy: 'corp' already has all 2 package files of 'origin' that match", again, StringComparison.Ordinal);

        // Everything else, then Artifactory to a folder for an air-gapped machine; the signature comes along.
        await OkAsync("mirror", "origin", "corp");
        Assert.Equal(5, Server.Files.Count);
        await OkAsync("mirror", "corp", "air");
        Assert.Equal(4, Directory.EnumerateFiles(Temp["air"], "*.packster").Count());
        Assert.Equal(File.ReadAllBytes(one + ".sig"), File.ReadAllBytes(Path.Combine(Temp["air"], Path.GetFileName(one) + ".sig")));
    }

    // spec/signing.md: a source's .sig that signs another package fails that file's mirror with PST4031, and is not
    // kept in the download cache, where a later install of the package from a source without one would find it.
    [Fact]
    public async Task A_signature_of_another_package_fails_its_mirror_and_is_not_cached()
    {
        var one = TestPackages.Create(Temp["origin"], "acme", "1.0.0");
        var two = TestPackages.Create(Temp["origin"], "acme", "1.1.0", payload: "b");
        await OkAsync("key", "generate", "ci");
        await OkAsync("sign", one, "--key", "ci");
        File.Copy(one + ".sig", two + ".sig");
        Directory.CreateDirectory(Temp["target"]);
        await OkAsync("source", "add", "origin", "--type", "folder", "--url", Temp["origin"]);
        await OkAsync("source", "add", "target", "--type", "folder", "--url", Temp["target"]);

        var r = await RunAsync("mirror", "origin", "target");
        Assert.Equal(8, r.Exit);
        Assert.Contains($"FAILED {Path.GetFileName(two)}", r.Out, StringComparison.Ordinal);
        Assert.Contains("PST4031", r.Out, StringComparison.Ordinal);
        Assert.Contains($"it signs {Path.GetFileName(one)}", r.Out, StringComparison.Ordinal);
        Assert.Contains($"copied {Path.GetFileName(one)}", r.Out, StringComparison.Ordinal);
        var cached = Directory.EnumerateFiles(Temp["cache"], "*.sig", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.Equal([Path.GetFileName(one) + ".sig"], cached);
    }

    // spec/sources.md § Mirror: each file is opened as a package, as publish opens it, before it is kept; one that is
    // not the package its name says fails like any other file (exit 8, the rest still copied) and is kept nowhere.
    [Fact]
    public async Task A_file_that_is_not_the_package_its_name_says_is_not_copied_nor_cached()
    {
        var good = TestPackages.Create(Temp["origin"], "acme", "1.0.0");
        var renamed = Path.Combine(Temp["origin"], $"zeta-9.9.9-{TestPackages.NameOf(good).Sha256}.packster");
        File.Copy(good, renamed);
        var bytes = new byte[500];
        new Random(11).NextBytes(bytes);
        var junk = Path.Combine(Temp["origin"], $"junk-1.0.0-{Packster.Model.Sha256Digest.Compute(new MemoryStream(bytes))}.packster");
        File.WriteAllBytes(junk, bytes);
        Directory.CreateDirectory(Temp["target"]);
        await OkAsync("source", "add", "origin", "--type", "folder", "--url", Temp["origin"]);
        await OkAsync("source", "add", "target", "--type", "folder", "--url", Temp["target"]);

        var r = await RunAsync("mirror", "origin", "target");
        Assert.Equal(8, r.Exit);
        Assert.Contains($"FAILED {Path.GetFileName(renamed)} (PST4000: ", r.Out, StringComparison.Ordinal);
        Assert.Contains("is named zeta 9.9.9 but its manifest says acme 1.0.0", r.Out, StringComparison.Ordinal);
        Assert.Contains($"FAILED {Path.GetFileName(junk)} (PST40", r.Out, StringComparison.Ordinal);
        Assert.Contains($"copied {Path.GetFileName(good)}", r.Out, StringComparison.Ordinal);
        Assert.Equal([Path.GetFileName(good)], Directory.EnumerateFiles(Temp["target"]).Select(Path.GetFileName));
        Assert.Equal([Path.GetFileName(good)],
            Directory.EnumerateFiles(Path.Combine(Temp["cache"], "sha256"), "*", SearchOption.AllDirectories).Select(Path.GetFileName));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Temp["cache"], "tmp")));
    }

    // spec/sources.md § Mirror: a filter that matches nothing says so (not "already has all 0"), and when no file was
    // copied the PST8008 hint does not speak of "the others".
    [Fact]
    public async Task A_filter_matching_nothing_and_a_run_that_copied_nothing_say_so()
    {
        TestPackages.Create(Temp["origin"], "acme", "1.0.0");
        TestPackages.Create(Temp["target"], "acme", "1.0.0", payload: "other bytes, same version");
        await OkAsync("source", "add", "origin", "--type", "folder", "--url", Temp["origin"]);
        await OkAsync("source", "add", "target", "--type", "folder", "--url", Temp["target"]);

        var none = await RunAsync("mirror", "origin", "target", "--filter", "nosuch");
        Assert.Equal(0, none.Exit);
        Assert.Contains("nothing to copy: no package file of 'origin' matches --filter nosuch", none.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("already has all", none.Err, StringComparison.Ordinal);

        var failed = await RunAsync("mirror", "origin", "target");
        Assert.Equal(8, failed.Exit);
        Assert.Contains("error[PST8008]: 1 package file could not be copied", failed.Err, StringComparison.Ordinal);
        Assert.Contains("hint: no package file was copied; run the mirror again after fixing the cause", failed.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_the_target_holds_as_other_bytes_is_reported_and_the_rest_still_copied()
    {
        TestPackages.Create(Temp["origin"], "acme", "1.0.0");
        TestPackages.Create(Temp["origin"], "acme", "2.0.0", payload: "two");
        TestPackages.Create(Temp["target"], "acme", "1.0.0", payload: "other bytes, same version");
        await OkAsync("source", "add", "origin", "--type", "folder", "--url", Temp["origin"]);
        await OkAsync("source", "add", "target", "--type", "folder", "--url", Temp["target"]);

        var r = await RunAsync("mirror", "origin", "target");
        Assert.Equal(8, r.Exit);
        Assert.Contains("FAILED acme-1.0.0-", r.Out, StringComparison.Ordinal);
        Assert.Contains("PST8005", r.Out, StringComparison.Ordinal);
        Assert.Contains("copied acme-2.0.0-", r.Out, StringComparison.Ordinal);
        Assert.StartsWith("error[PST8008]: 1 package file could not be copied", r.Err.Split('\n').First(l => l.StartsWith("error", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(2, Directory.EnumerateFiles(Temp["target"], "*.packster").Count());

        var readOnly = await RunAsync("source", "add", "web", "--type", "http", "--url", "https://127.0.0.1:9/");
        Assert.Equal(0, readOnly.Exit);
        var refused = await RunAsync("mirror", "origin", "web");
        Assert.Equal(8, refused.Exit);
        Assert.Contains("web", refused.Err, StringComparison.Ordinal);
    }

    // spec/sources.md §4: a cached file whose bytes no longer hash to its name "is taken out of the cache and fetched
    // once more … Neither stays to fail every later install" — a mirror, which copies through the cache, too.
    [Fact]
    public async Task A_cached_file_changed_on_disk_is_fetched_again_and_copied()
    {
        var package = TestPackages.Create(Temp["origin"], "acme", "1.0.0");
        Directory.CreateDirectory(Temp["target"]);
        await OkAsync("source", "add", "origin", "--type", "folder", "--url", Temp["origin"]);
        await OkAsync("source", "add", "target", "--type", "folder", "--url", Temp["target"]);
        await OkAsync("fetch", "acme");
        var cached = Directory.EnumerateFiles(Temp["cache"], Path.GetFileName(package), SearchOption.AllDirectories).Single();
        File.AppendAllText(cached, "Z");

        var r = await RunAsync("mirror", "origin", "target");

        Assert.True(r.Exit == 0, $"exit {r.Exit}\n{r.Out}\n{r.Err}");
        Assert.Contains($"warning: the cached {Path.GetFileName(package)} no longer hashes to its name; it was removed and is fetched again", r.Err, StringComparison.Ordinal);
        Assert.Contains($"copied {Path.GetFileName(package)}", r.Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(package), File.ReadAllBytes(cached));
        Assert.Equal(File.ReadAllBytes(package), File.ReadAllBytes(Path.Combine(Temp["target"], Path.GetFileName(package))));
    }
}
