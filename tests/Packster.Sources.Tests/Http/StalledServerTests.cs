using Packster.Sources.Tests.Infrastructure;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// spec/sources.md §7 "Read timeout": a server that sends its headers and then stops sending the body fails the
/// request once no byte has arrived for <c>PACKSTER_READ_TIMEOUT</c> seconds, as a transport failure (PST8001), through
/// the real <c>packster</c> process. Each test ends because packster gives up; the server never sends the rest.
/// </summary>
public sealed class StalledServerTests : IAsyncLifetime
{
    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SlowSource _source = null!;
    private bool _stallIndex;
    private int _packageRequests;

    public async Task InitializeAsync() =>
        _source = await SlowSource.StartAsync("slow", async (context, body, isIndex) =>
        {
            if (!isIndex) Interlocked.Increment(ref _packageRequests);
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

    public async Task DisposeAsync()
    {
        _never.TrySetResult();
        await _source.DisposeAsync();
    }

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => _source.RunAsync(args);

    private Task AddSourceAsync() => _source.AddSourceAsync();

    private static string ErrorLine(string stderr) => SlowSource.ErrorLine(stderr);

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
        Assert.Empty(Directory.EnumerateFiles(_source.Cache, "*", SearchOption.AllDirectories));
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
