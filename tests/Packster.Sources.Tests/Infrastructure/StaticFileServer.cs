using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>Serves the files of a folder over GET (a static HTTP source); can redirect or tamper, and records every path asked for.</summary>
public sealed class StaticFileServer : IAsyncDisposable
{
    private readonly string _root;
    private LoopbackServer? _server;

    private StaticFileServer(string root) => _root = Path.GetFullPath(root);

    public Uri Address => _server!.Address;
    public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Paths that arrived with an Authorization header.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> AuthorizationsSeen { get; } = new();

    /// <summary>When set, answers 302 to the returned location for paths it gives one for.</summary>
    public Func<string, string?>? Redirect { get; set; }

    public bool TamperDownloads { get; set; }

    /// <summary>When set, awaited with the path before the request is answered: a test holds a request there.</summary>
    public Func<string, Task>? Hold { get; set; }

    /// <summary>When set, called with the path once the answer to a request has been sent whole.</summary>
    public Action<string>? Answered { get; set; }

    public static async Task<StaticFileServer> StartAsync(string root, X509Certificate2? certificate = null)
    {
        var server = new StaticFileServer(root);
        server._server = await LoopbackServer.StartAsync(server.HandleAsync, certificate);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = Uri.UnescapeDataString(context.Request.Path.Value ?? "/");
        Requests.Enqueue(path);
        if (context.Request.Headers.Authorization.Count > 0) AuthorizationsSeen.Enqueue(path);
        if (Answered is { } answered) context.Response.OnCompleted(() => { answered(path); return Task.CompletedTask; });
        if (Hold is { } hold) await hold(path);
        if (Redirect?.Invoke(path) is { } location)
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = location;
            return;
        }
        var full = Path.GetFullPath(Path.Combine(_root, path.TrimStart('/')));
        if (context.Request.Method != "GET" || !full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var bytes = await File.ReadAllBytesAsync(full);
        if (TamperDownloads && full.EndsWith(".packster", StringComparison.Ordinal)) bytes[0] ^= 0xff;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
