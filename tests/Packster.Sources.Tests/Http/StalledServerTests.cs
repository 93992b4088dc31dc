using Microsoft.AspNetCore.Http;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// spec/sources.md §7 "Read timeout": a server that sends its headers and then stops sending the body fails the
/// request once no byte has arrived for <c>PACKSTER_READ_TIMEOUT</c> seconds, as a transport failure (PST8001), through
/// the real <c>packster</c> process. Each test ends because packster gives up; the server never sends the rest.
/// </summary>
public sealed class StalledServerTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("packster-stalled");
    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackServer _server = null!;
    private string _packagePath = "";
    private bool _stallIndex;
    private int _packageRequests;

    public async Task InitializeAsync()
    {
        var package = TestPackages.Create(_temp["dist"], "slow", "1.0.0");
        var name = TestPackages.NameOf(package);
        var bytes = await File.ReadAllBytesAsync(package);
        var index = $"{{\"schema\":1,\"packages\":[{{\"id\":\"slow\",\"version\":\"1.0.0\",\"sha256\":\"{name.Sha256}\",\"path\":\"{name.FileName}\",\"size\":{bytes.Length}}}]}}";
        _packagePath = "/" + name.FileName;
        _server = await LoopbackServer.StartAsync(async context =>
        {
            var isIndex = context.Request.Path == "/index.json";
            if (!isIndex && context.Request.Path != _packagePath)
            {
                context.Response.StatusCode = 404;
                return;
            }
            if (!isIndex) Interlocked.Increment(ref _packageRequests);
            var body = isIndex ? System.Text.Encoding.UTF8.GetBytes(index) : bytes;
            context.Response.ContentLength = body.Length;
            if (isIndex && !_stallIndex)
            {
                await context.Response.Body.WriteAsync(body);
                return;
            }
            // The headers and the first bytes, then nothing until the test ends.
            await context.Response.Body.WriteAsync(body.AsMemory(0, 10));
            await context.Response.Body.FlushAsync();
            await _never.Task;
        });
    }

    public async Task DisposeAsync()
    {
        _never.TrySetResult();
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["PACKSTER_CONFIG"] = _temp["config.toml"],
            ["PACKSTER_CACHE"] = _temp["cache"],
            ["PACKSTER_DATA_HOME"] = _temp["data"],
            ["PACKSTER_READ_TIMEOUT"] = "1",
        };
        return await CliProcess.RunAsync(_temp.Path, environment, args);
    }

    private async Task AddSourceAsync()
    {
        var add = await RunAsync("source", "add", "web", "--type", "http", "--url", _server.Address.ToString(), "--insecure");
        Assert.True(add.Exit == 0, add.Err);
    }

    private static string ErrorLine(string stderr) => stderr.Split('\n').First(l => l.StartsWith("error[", StringComparison.Ordinal));

    [Fact]
    public async Task A_download_whose_body_stops_fails_as_a_timeout_and_leaves_nothing_in_the_cache()
    {
        await AddSourceAsync();
        var r = await RunAsync("fetch", "slow");
        Assert.True(r.Exit == 8, $"exit {r.Exit}\n{r.Err}");
        var line = ErrorLine(r.Err);
        Assert.StartsWith("error[PST8001]: source 'web': GET ", line, StringComparison.Ordinal);
        Assert.Contains("broke off after 10 bytes: timed out: no byte arrived for 1 s", line, StringComparison.Ordinal);
        // The first answer (to a ranged request) and the one-stream download after it both timed out.
        Assert.Equal(2, Volatile.Read(ref _packageRequests));
        Assert.Empty(Directory.EnumerateFiles(_temp["cache"], "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_index_whose_body_stops_fails_as_a_timeout()
    {
        _stallIndex = true;
        await AddSourceAsync();
        var r = await RunAsync("search", "slow");
        Assert.True(r.Exit == 8, $"exit {r.Exit}\n{r.Err}");
        var line = ErrorLine(r.Err);
        Assert.StartsWith("error[PST8001]: source 'web': GET ", line, StringComparison.Ordinal);
        Assert.Contains("index.json", line, StringComparison.Ordinal);
        Assert.Contains("timed out: no byte arrived for 1 s", line, StringComparison.Ordinal);
    }
}
