using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Packster.Model;
using Packster.Sources.Cache;
using Packster.Sources.Config;
using Packster.Sources.Http;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// Servers that answer what no contract allows: endless bodies, downloads longer than announced, odd JSON, and
/// Artifactory paths that would steer authenticated requests elsewhere (spec/sources.md §3, §6, §7 "Bounded reads",
/// "Paths from servers"). Every answer must end in a classified error, never an unbounded read or a request built
/// from an unchecked path.
/// </summary>
public sealed class HostileServerTests : IAsyncLifetime
{
    private const string Token = "hostile-test-token-0042";
    private readonly TempDirectory _temp = new("packster-hostile");
    private readonly TestContext _test = new(limits: new SourceLimits { MaxJsonBytes = 256 << 10, MaxErrorBytes = 16 << 10, MaxDownloadBytes = 1 << 20 });
    private readonly ConcurrentQueue<(string Method, string Target, bool Authorized)> _requests = new();
    private Func<HttpContext, string, Task>? _answer;
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        _test.Environment["HOSTILE_TOKEN"] = Token;
        _server = await LoopbackServer.StartAsync(async context =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            _requests.Enqueue((context.Request.Method, target, context.Request.Headers.Authorization.Count > 0));
            if (_answer is null) context.Response.StatusCode = 404;
            else await _answer(context, target);
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private SourceDefinition Definition(SourceKind kind) => new()
    {
        Name = "hostile",
        Kind = kind,
        Url = kind == SourceKind.Artifactory ? new Uri(_server.Address, "artifactory/").ToString() : _server.Address.ToString(),
        Repo = kind == SourceKind.Artifactory ? "pk-local" : null,
        TokenEnv = "HOSTILE_TOKEN",
        Insecure = true,
    };

    /// <summary>
    /// Writes <paramref name="prefix"/>, then filler until the client goes away, at most 64 MiB: far more than any cap
    /// under test, so a client that reads it all shows in <see cref="CountingHandler.BodyBytesRead"/>.
    /// </summary>
    private static async Task EndlessAsync(HttpContext context, int status, string contentType, byte[] prefix, byte filler)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        var chunk = new byte[64 << 10];
        Array.Fill(chunk, filler);
        try
        {
            await context.Response.Body.WriteAsync(prefix, context.RequestAborted);
            for (var i = 0; i < (64 << 20) / chunk.Length && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client hung up: what a bounded reader does.
        }
    }

    private static Task JsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    [Fact]
    public async Task An_endless_error_body_is_read_only_up_to_the_cap()
    {
        // spec/sources.md §7: "at most MaxErrorBytes (64 KiB) of an error body are read".
        _answer = (context, _) => EndlessAsync(context, 404, "text/plain", Encoding.UTF8.GetBytes("no such thing "), (byte)'x');
        var counting = new CountingHandler();
        using var source = new HttpSource(Definition(SourceKind.Http), new SourceHttpClient(Definition(SourceKind.Http), _test.Context, counting));
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme")).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(ErrorCode.PackageNotFound, e.Code);
        Assert.Contains("(no such thing xxx", e.Message);
        Assert.True(e.Message.Length < 600, e.Message);
        Assert.InRange(counting.BodyBytesRead, 1, 16 << 10);
    }

    [Fact]
    public async Task An_endless_json_body_is_refused_at_the_cap()
    {
        // spec/sources.md §7: "JSON answers larger than MaxJsonBytes (64 MiB) are refused (PST8008) before parsing".
        _answer = (context, _) => EndlessAsync(context, 200, "application/json", Encoding.UTF8.GetBytes("{\"schema\":1,\"packages\":["), (byte)' ');
        var counting = new CountingHandler();
        using var source = new HttpSource(Definition(SourceKind.Http), new SourceHttpClient(Definition(SourceKind.Http), _test.Context, counting));
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme")).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Contains("larger than 256 KiB", e.Message);
        Assert.InRange(counting.BodyBytesRead, 1, (256 << 10) + (64 << 10));
    }

    [Theory]
    [InlineData("{\"schema\": 1.5, \"packages\": []}")]
    [InlineData("{\"schema\": 1e40, \"packages\": []}")]
    [InlineData("{\"schema\": \"1\", \"packages\": []}")]
    [InlineData("[1, 2]")]
    [InlineData("{\"schema\": 1, \"packages\": [5]}")]
    public async Task A_malformed_index_is_a_protocol_error(string index)
    {
        // spec/sources.md §3: "A reader refuses any other schema (PST8008)" — a non-integer one included.
        _answer = (context, _) => JsonAsync(context, index);
        using var source = new HttpSource(Definition(SourceKind.Http), _test.Context);
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));
        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_download_longer_than_announced_stops_at_the_announced_size(bool announced)
    {
        // spec/sources.md §4: "a download is stopped as soon as it exceeds the size the index or listing announced
        // (else MaxDownloadBytes), PST8008, before the hash check; the partial file is deleted".
        var package = TestPackages.Create(_temp["dist"], "acme", "1.0.0");
        var bytes = File.ReadAllBytes(package);
        var name = TestPackages.NameOf(package);
        var size = announced ? $", \"size\": {bytes.Length}" : "";
        _answer = (context, target) => target == "/index.json"
            ? JsonAsync(context, $"{{\"schema\":1,\"packages\":[{{\"id\":\"acme\",\"version\":\"1.0.0\",\"sha256\":\"{name.Sha256}\",\"path\":\"{name.FileName}\"{size}}}]}}")
            : EndlessAsync(context, 200, "application/octet-stream", bytes, 0);
        using var source = new HttpSource(Definition(SourceKind.Http), _test.Context);
        var cache = new PackageCache(_temp["cache"]);
        var e = await Assert.ThrowsAsync<PacksterException>(() => cache.GetOrFetchAsync(name, source)).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Contains(announced ? $"more than the {bytes.Length} bytes announced" : "more than the 1 MiB allowed", e.Message);
        Assert.False(cache.Contains(name));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache.Root, "tmp")));
    }

    private static readonly string Sha = new('a', 64);
    private static readonly string FileName = $"acme-1.0.0-{Sha}.packster";

    /// <summary>AQL, quick-search and storage answers naming paths that leave the repository or hide segments.</summary>
    public static TheoryData<string, string> HostilePaths => new()
    {
        { "aql", "../../api/security" },
        { "aql", "acme/../../../api/security" },
        { "aql", "acme/./1.0.0" },
        { "aql", "acme//1.0.0" },
        { "aql", "acme\\..\\..\\api" },
        { "aql", "acme/1.0.0\u0001" },
        { "quick", "%2e%2e/%2e%2e/api/security" },
        { "quick", "acme/%2E/1.0.0" },
        { "list", "/../../api/security" },
        { "list", "/1.0.0//x" },
    };

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public async Task Paths_from_artifactory_are_checked_before_any_authenticated_request_is_built_from_them(string api, string path)
    {
        // spec/sources.md §6: "paths from AQL, quick search and storage listings are checked like index.json entries
        // (no '.', '..', empty segments, backslashes or control characters); a bad one is PST8008".
        _answer = (context, target) =>
        {
            if (target.StartsWith("/artifactory/api/search/aql", StringComparison.Ordinal))
            {
                if (api != "aql") { context.Response.StatusCode = 400; return context.Response.WriteAsync("AQL not allowed"); }
                var json = System.Text.Json.JsonSerializer.Serialize(new { results = new[] { new { repo = "pk-local", path, name = FileName, size = 5 } } });
                return JsonAsync(context, json);
            }
            if (target.StartsWith("/artifactory/api/search/artifact", StringComparison.Ordinal))
                return JsonAsync(context, $"{{\"results\":[{{\"uri\":\"{_server.Address}artifactory/api/storage/pk-local/{path}/{FileName}\"}}]}}");
            if (target.StartsWith("/artifactory/api/storage/pk-local/acme", StringComparison.Ordinal))
                return JsonAsync(context, System.Text.Json.JsonSerializer.Serialize(new { files = new[] { new { uri = $"{path}/{FileName}", size = 5, folder = false } } }));
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        };
        using var source = new ArtifactorySource(Definition(SourceKind.Artifactory), _test.Context);
        var failure = await Record.ExceptionAsync(async () =>
        {
            var found = api == "list" ? await source.ListVersionsAsync(PackageId.Parse("acme")) : await source.SearchAsync("acme");
            foreach (var entry in found) await source.FetchAsync(entry.File, Stream.Null);
        });
        var sent = _requests.Where(r => r.Authorized).Select(r => r.Target).ToList();
        Assert.All(sent, target => Assert.Matches("^/artifactory/api/(search/aql|search/artifact\\?|storage/pk-local/acme\\?list)", target));
        Assert.Equal(ErrorCode.SourceProtocol, Assert.IsType<PacksterException>(failure).Code);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"results\": [5]}")]
    [InlineData("{\"results\": [{\"name\": 5, \"path\": \"acme\"}]}")]
    [InlineData("{\"results\": [{\"name\": \"FILE\", \"path\": [1]}]}")]
    [InlineData("{\"results\": [{\"name\": \"FILE\", \"path\": \"acme\", \"sha256\": 7}]}")]
    public async Task Odd_json_shapes_from_artifactory_are_protocol_errors(string aql)
    {
        // spec/sources.md §6: an answer that does not have the contract's shape is PST8008, never an internal error.
        _answer = (context, _) => JsonAsync(context, aql.Replace("FILE", FileName, StringComparison.Ordinal));
        using var source = new ArtifactorySource(Definition(SourceKind.Artifactory), _test.Context);
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));
        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
    }

    [Theory]
    [InlineData("{\"results\": \"x\"}")]
    [InlineData("{\"results\": {}}")]
    [InlineData("{\"results\": [5]}")]
    [InlineData("{}")]
    [InlineData("[]")]
    public async Task Odd_json_shapes_from_the_quick_search_fallback_are_protocol_errors_not_no_match(string answer)
    {
        // spec/sources.md §6: on a 4xx to AQL, search falls back to api/search/artifact; "an answer of another shape (not
        // an object, `results` not an array of objects, …) is PST8008" — never taken for "no package matches".
        _answer = (context, target) =>
        {
            if (context.Request.Method == "POST")
            {
                context.Response.StatusCode = 403;
                return Task.CompletedTask;
            }
            return target.Contains("/api/search/artifact?", StringComparison.Ordinal) ? JsonAsync(context, answer) : JsonAsync(context, "{}");
        };
        using var source = new ArtifactorySource(Definition(SourceKind.Artifactory), _test.Context);

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));

        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Contains("GET " + _server.Address + "artifactory/api/search/artifact", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The real socket handler, counting the body bytes the client actually took from each answer.</summary>
    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        private long _read;

        public long BodyBytesRead => Interlocked.Read(ref _read);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var original = response.Content;
            var counted = new StreamContent(new CountingStream(await original.ReadAsStreamAsync(cancellationToken), n => Interlocked.Add(ref _read, n)));
            foreach (var header in original.Headers) counted.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content = counted;
            return response;
        }
    }

    private sealed class CountingStream(Stream inner, Action<int> counted) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            counted(n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            counted(n);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
