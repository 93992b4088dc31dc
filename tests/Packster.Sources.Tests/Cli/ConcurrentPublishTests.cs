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
