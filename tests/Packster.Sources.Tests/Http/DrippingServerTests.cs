using Packster.Sources.Tests.Infrastructure;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// spec/sources.md §7 "Minimum speed": a server that sends its headers and then one byte now and then, each within the
/// read timeout, fails the request once a window of <c>PACKSTER_READ_TIMEOUT</c> seconds spent waiting brings fewer than
/// <c>PACKSTER_MIN_SPEED</c> bytes a second, as a transport failure (PST8001), through the real <c>packster</c> process.
/// The server drips for as long as it is read; each test ends because packster gives up.
/// </summary>
public sealed class DrippingServerTests : IAsyncLifetime
{
    /// <summary>The drip: one byte every this long, far inside the 1 s read timeout and far below 1024 bytes a second.</summary>
    private static readonly TimeSpan Drip = TimeSpan.FromMilliseconds(50);

    private SlowSource _source = null!;
    private bool _dripIndex;
    private int _mostSent;

    public async Task InitializeAsync() =>
        _source = await SlowSource.StartAsync("drip", async (context, body, isIndex) =>
        {
            if (isIndex && !_dripIndex)
            {
                await context.Response.Body.WriteAsync(body);
                return;
            }
            // One byte per tick until the body is sent or packster hangs up; never more than the body.
            using var timer = new PeriodicTimer(Drip);
            var sent = 0;
            try
            {
                while (sent < body.Length && await timer.WaitForNextTickAsync(context.RequestAborted))
                {
                    await context.Response.Body.WriteAsync(body.AsMemory(sent, 1), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    InterlockedMax(ref _mostSent, ++sent);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // packster gave up on the drip.
            }
        });

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    public async Task DisposeAsync() => await _source.DisposeAsync();

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => _source.RunAsync(args);

    private Task AddSourceAsync() => _source.AddSourceAsync();

    private static string ErrorLine(string stderr) => SlowSource.ErrorLine(stderr);

    // spec/sources.md §7 "Minimum speed": "each window of PACKSTER_READ_TIMEOUT seconds of that waiting must bring at
    // least PACKSTER_MIN_SPEED bytes a second on average (… default 1024 …)"; a download "fails with PST8001 naming the
    // bytes received". A drip is all waiting: packster does next to nothing between its reads.
    [Fact]
    public async Task A_download_that_drips_fails_as_too_slow_and_leaves_nothing_in_the_cache()
    {
        await AddSourceAsync();
        var r = await RunAsync("fetch", "drip");
        Assert.True(r.Exit == 8, $"exit {r.Exit}\n{r.Err}");
        var line = ErrorLine(r.Err);
        Assert.StartsWith("error[PST8001]: source 'web': GET ", line, StringComparison.Ordinal);
        Assert.Matches(@"broke off after \d+ bytes: too slow: \d+ bytes arrived in 1 s, less than the 1024 bytes a second a source must send \(PACKSTER_MIN_SPEED\)", line);
        Assert.Empty(Directory.EnumerateFiles(_source.Cache, "*", SearchOption.AllDirectories));
        Assert.True(Volatile.Read(ref _mostSent) < _source.PackageLength, "packster gave up before the drip had sent the whole package");
    }

    // spec/sources.md §7 "Minimum speed": "a JSON answer is PST8001 at once".
    [Fact]
    public async Task An_index_that_drips_fails_as_too_slow()
    {
        _dripIndex = true;
        await AddSourceAsync();
        var r = await RunAsync("search", "drip");
        Assert.True(r.Exit == 8, $"exit {r.Exit}\n{r.Err}");
        var line = ErrorLine(r.Err);
        Assert.StartsWith("error[PST8001]: source 'web': GET ", line, StringComparison.Ordinal);
        Assert.Contains("index.json", line, StringComparison.Ordinal);
        Assert.Contains("too slow: ", line, StringComparison.Ordinal);
    }
}
