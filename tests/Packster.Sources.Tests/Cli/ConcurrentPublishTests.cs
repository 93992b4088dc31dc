using System.Text.Json;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>spec/sources.md §2: two publishes of one file to a folder at the same moment both succeed, one of them as "unchanged".</summary>
public sealed class ConcurrentPublishTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-race");

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["PACKSTER_CONFIG"] = _temp["config.toml"],
            ["PACKSTER_CACHE"] = _temp["cache"],
            ["PACKSTER_DATA_HOME"] = _temp["data"],
        };
        foreach (var (key, value) in extra) env[key] = value;
        return env;
    }

    // The first publish is held between its copy and its rename (test seam PACKSTER_PAUSE_AT); the second publishes
    // the same file in that moment. Without handling the lost race, the first then fails on the name the second took.
    [Fact]
    public async Task The_publish_that_loses_the_race_reports_unchanged()
    {
        var package = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        Directory.CreateDirectory(_temp["shelf"]);
        var add = await CliProcess.RunAsync(_temp.Path, Environment(), "source", "add", "shelf", "--type", "folder", "--url", _temp["shelf"]);
        Assert.Equal(0, add.Exit);
        var signal = _temp["paused"];
        var first = CliProcess.RunAsync(_temp.Path, Environment((PausePoint.Variable, "folder-publish.before-rename"), (PausePoint.FileVariable, signal)),
            "publish", package, "--source", "shelf", "--json");
        Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || first.IsCompleted, TimeSpan.FromMinutes(2)), "the first publish never reached its pause point");
        if (first.IsCompleted) Assert.Fail($"the first publish ended before its pause point: {(await first).Err}");

        var second = await CliProcess.RunAsync(_temp.Path, Environment(), "publish", package, "--source", "shelf", "--json");
        Assert.True(second.Exit == 0, second.Err);
        Assert.Equal("published", JsonDocument.Parse(second.Out).RootElement[0].GetProperty("status").GetString());
        File.Delete(signal);

        var (exit, stdout, stderr) = await first;
        Assert.True(exit == 0, stderr);
        Assert.Equal("unchanged", JsonDocument.Parse(stdout).RootElement[0].GetProperty("status").GetString());
        Assert.Equal([Path.GetFileName(package)], Directory.EnumerateFiles(_temp["shelf"]).Select(Path.GetFileName));
    }
}

/// <summary>
/// spec/sources.md §6 (publish) against the Artifactory contract server: two publishes of one version at the same
/// moment. The first is held after its first look at the version (test seam PACKSTER_PAUSE_AT) while the second publishes.
/// </summary>
public sealed class ConcurrentArtifactoryPublishTests : IAsyncLifetime
{
    private const string Token = "race-token";
    private TlsArtifactory _tls = null!;

    private TempDirectory Temp => _tls.Temp;

    public async Task InitializeAsync() => _tls = await TlsArtifactory.StartAsync("packster-art-race", Token);

    public async Task DisposeAsync() => await _tls.DisposeAsync();

    private Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["PACKSTER_CONFIG"] = Temp["config.toml"],
            ["PACKSTER_CACHE"] = Temp["cache"],
            ["PACKSTER_DATA_HOME"] = Temp["data"],
            ["ART_TOKEN"] = Token,
        };
        foreach (var (key, value) in extra) env[key] = value;
        return env;
    }

    private async Task<(int Exit, string Out, string Err)> RaceAsync(string held, string meanwhile, string pauseAt = "artifactory-publish.before-deploy")
    {
        var add = await CliProcess.RunAsync(Temp.Path, Environment(), "source", "add", "corp", "--type", "artifactory", "--url", _tls.Server.BaseUrl,
            "--repo", "pk-local", "--token-env", "ART_TOKEN", "--ca-file", _tls.Pki.WriteAuthorityPem(Temp.Path), "--replace");
        Assert.True(add.Exit == 0, add.Err);
        var signal = Temp[$"paused-{Path.GetFileName(held)}"];
        var first = CliProcess.RunAsync(Temp.Path, Environment((PausePoint.Variable, pauseAt), (PausePoint.FileVariable, signal)),
            "publish", held, "--source", "corp", "--json");
        Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || first.IsCompleted, TimeSpan.FromMinutes(2)), "the first publish never reached its pause point");
        if (first.IsCompleted) Assert.Fail($"the first publish ended before its pause point: {(await first).Err}");
        var second = await CliProcess.RunAsync(Temp.Path, Environment(), "publish", meanwhile, "--source", "corp", "--json");
        Assert.True(second.Exit == 0, second.Err);
        Assert.Equal("published", JsonDocument.Parse(second.Out).RootElement[0].GetProperty("status").GetString());
        File.Delete(signal);
        return await first;
    }

    [Fact]
    public async Task The_same_bytes_published_meanwhile_make_the_held_publish_unchanged()
    {
        var package = TestPackages.Create(Temp["dist"], "acme", "1.0.0");
        var (exit, stdout, stderr) = await RaceAsync(package, package);
        Assert.True(exit == 0, stderr);
        Assert.Equal("unchanged", JsonDocument.Parse(stdout).RootElement[0].GetProperty("status").GetString());
        Assert.Single(_tls.Server.Files, f => f.Key.EndsWith(".packster", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Other_bytes_published_meanwhile_are_a_conflict_for_the_held_publish()
    {
        var held = TestPackages.Create(Temp["held"], "acme", "1.0.0", payload: "first");
        var winner = TestPackages.Create(Temp["winner"], "acme", "1.0.0", payload: "second");
        var (exit, _, stderr) = await RaceAsync(held, winner);
        Assert.Equal(8, exit);
        Assert.Contains("PST8005", stderr, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(winner), stderr, StringComparison.Ordinal);
        Assert.Equal([Path.GetFileName(winner)], _tls.Server.Files.Keys.Where(k => k.EndsWith(".packster", StringComparison.Ordinal)).Select(Path.GetFileName));
    }

    // Held after its last look, the publish writes beside the other file; its look afterwards sees both and says so.
    [Fact]
    public async Task A_publish_that_lands_beside_another_of_its_version_reports_both()
    {
        var held = TestPackages.Create(Temp["held"], "acme", "1.0.0", payload: "first");
        var winner = TestPackages.Create(Temp["winner"], "acme", "1.0.0", payload: "second");
        var (exit, _, stderr) = await RaceAsync(held, winner, "artifactory-publish.before-write");
        Assert.Equal(8, exit);
        Assert.Contains("PST8005", stderr, StringComparison.Ordinal);
        Assert.Contains("landed at the same moment", stderr, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(winner), stderr, StringComparison.Ordinal);
    }
}
