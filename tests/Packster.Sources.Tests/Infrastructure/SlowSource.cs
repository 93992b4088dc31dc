using Microsoft.AspNetCore.Http;
using Packster.Testing;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>
/// An HTTP source on loopback offering one package, whose index and package file are sent by the test's own
/// <c>send</c> (headers with the body's length already set), and the real <c>packster</c> run against it with a read
/// timeout of 1 s: for the tests of a server that stalls or drips (spec/sources.md §7).
/// </summary>
internal sealed class SlowSource : IAsyncDisposable
{
    private readonly TempDirectory _temp;

    private SlowSource(TempDirectory temp, LoopbackServer server, int packageLength)
    {
        _temp = temp;
        Server = server;
        PackageLength = packageLength;
    }

    public LoopbackServer Server { get; }

    public int PackageLength { get; }

    /// <summary>The download cache packster used.</summary>
    public string Cache => _temp["cache"];

    /// <summary>
    /// Starts the server for package <paramref name="id"/> 1.0.0; <paramref name="send"/> gets the request, the body to
    /// send and whether it is the index.
    /// </summary>
    public static async Task<SlowSource> StartAsync(string id, Func<HttpContext, byte[], bool, Task> send)
    {
        var temp = new TempDirectory("packster-" + id);
        var package = TestPackages.Create(temp["dist"], id, "1.0.0");
        var name = TestPackages.NameOf(package);
        var bytes = await File.ReadAllBytesAsync(package);
        var index = System.Text.Encoding.UTF8.GetBytes(
            $"{{\"schema\":1,\"packages\":[{{\"id\":\"{id}\",\"version\":\"1.0.0\",\"sha256\":\"{name.Sha256}\",\"path\":\"{name.FileName}\",\"size\":{bytes.Length}}}]}}");
        var packagePath = "/" + name.FileName;
        var server = await LoopbackServer.StartAsync(async context =>
        {
            var isIndex = context.Request.Path == "/index.json";
            if (!isIndex && context.Request.Path != packagePath)
            {
                context.Response.StatusCode = 404;
                return;
            }
            var body = isIndex ? index : bytes;
            context.Response.ContentLength = body.Length;
            await send(context, body, isIndex);
        });
        return new SlowSource(temp, server, bytes.Length);
    }

    public async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["PACKSTER_CONFIG"] = _temp["config.toml"],
            ["PACKSTER_CACHE"] = _temp["cache"],
            ["PACKSTER_DATA_HOME"] = _temp["data"],
            // A read timeout (and minimum-speed window) of 1 s; the minimum speed is its default, 1024 bytes a second.
            ["PACKSTER_READ_TIMEOUT"] = "1",
        };
        return await CliProcess.RunAsync(_temp.Path, environment, args);
    }

    public async Task AddSourceAsync()
    {
        var add = await RunAsync("source", "add", "web", "--type", "http", "--url", Server.Address.ToString(), "--insecure");
        Assert.True(add.Exit == 0, add.Err);
    }

    public static string ErrorLine(string stderr) => stderr.Split('\n').First(l => l.StartsWith("error[", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _temp.Dispose();
    }
}
