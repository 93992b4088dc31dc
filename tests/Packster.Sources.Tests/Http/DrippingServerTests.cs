using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// spec/sources.md §7 "Minimum speed": a server that sends its headers and then one byte now and then, each within the
/// read timeout, fails the request once a window of <c>PACKSTER_READ_TIMEOUT</c> seconds brings fewer than
/// <c>PACKSTER_MIN_SPEED</c> bytes a second, as a transport failure (PST8001), through the real <c>packster</c> process.
/// The server drips for as long as it is read; each test ends because packster gives up.
/// </summary>
public sealed class DrippingServerTests : IAsyncLifetime
{
    /// <summary>The drip: one byte every this long, far inside the 1 s read timeout and far below 1024 bytes a second.</summary>
    private static readonly TimeSpan Drip = TimeSpan.FromMilliseconds(50);

    private readonly TempDirectory _temp = new("packster-drip");
    private LoopbackServer _server = null!;
    private string _packagePath = "";
    private int _packageLength;
    private bool _dripIndex;
    private int _mostSent;

    public async Task InitializeAsync()
    {
        var package = TestPackages.Create(_temp["dist"], "drip", "1.0.0");
        var name = TestPackages.NameOf(package);
        var bytes = await File.ReadAllBytesAsync(package);
        _packageLength = bytes.Length;
        var index = $"{{\"schema\":1,\"packages\":[{{\"id\":\"drip\",\"version\":\"1.0.0\",\"sha256\":\"{name.Sha256}\",\"path\":\"{name.FileName}\",\"size\":{bytes.Length}}}]}}";
        _packagePath = "/" + name.FileName;
        _server = await LoopbackServer.StartAsync(async context =>
        {
            var isIndex = context.Request.Path == "/index.json";
            if (!isIndex && context.Request.Path != _packagePath)
            {
                context.Response.StatusCode = 404;
                return;
            }
            var body = isIndex ? System.Text.Encoding.UTF8.GetBytes(index) : bytes;
            context.Response.ContentLength = body.Length;
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
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    public async Task DisposeAsync()
    {
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
            // A window of 1 s; the minimum speed is its default, 1024 bytes a second.
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

    // spec/sources.md §7 "Minimum speed": "each window of PACKSTER_READ_TIMEOUT seconds must bring at least
    // PACKSTER_MIN_SPEED bytes a second on average (… default 1024 …)"; a download "fails with PST8001 naming the bytes received".
    [Fact]
    public async Task A_download_that_drips_fails_as_too_slow_and_leaves_nothing_in_the_cache()
    {
        await AddSourceAsync();
        var r = await RunAsync("fetch", "drip");
        Assert.True(r.Exit == 8, $"exit {r.Exit}\n{r.Err}");
        var line = ErrorLine(r.Err);
        Assert.StartsWith("error[PST8001]: source 'web': GET ", line, StringComparison.Ordinal);
        Assert.Matches(@"broke off after \d+ bytes: too slow: \d+ bytes arrived in 1 s, less than the 1024 bytes a second a source must send \(PACKSTER_MIN_SPEED\)", line);
        Assert.Empty(Directory.EnumerateFiles(_temp["cache"], "*", SearchOption.AllDirectories));
        Assert.True(Volatile.Read(ref _mostSent) < _packageLength, "packster gave up before the drip had sent the whole package");
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
