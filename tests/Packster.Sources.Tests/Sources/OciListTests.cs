using System.Text;
using Microsoft.AspNetCore.Http;
using Packster.Model;
using Packster.Sources.Config;
using Packster.Sources.Oci;
using Packster.Sources.Tests.Infrastructure;

namespace Packster.Sources.Tests.Sources;

/// <summary>
/// spec/sources.md §10.3, "list versions of id": <c>tags/list</c> is followed page by page along <c>Link: &lt;…&gt;;
/// rel="next"</c>; §7 "Bounded reads": a list that goes round in a circle, or holds more names than a list may, is PST8008
/// rather than a command that reads, and keeps, pages without end.
/// </summary>
public sealed class OciListTests : IAsyncLifetime
{
    private readonly TestContext _test = new();
    private LoopbackServer _server = null!;
    private int _requests;

    /// <summary>What the fake registry answers for <c>tags/list</c>: the page's tags and its next page, if any.</summary>
    private Func<HttpRequest, (IEnumerable<string> Tags, string? Next)> _page = _ => ([], null);

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(async context =>
    {
        Interlocked.Increment(ref _requests);
        if (!context.Request.Path.Value!.EndsWith("/tags/list", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var (tags, next) = _page(context.Request);
        if (next is not null) context.Response.Headers["Link"] = $"<{next}>; rel=\"next\"";
        context.Response.ContentType = "application/json";
        var body = new StringBuilder("{\"name\":\"packages/tool\",\"tags\":[");
        body.AppendJoin(',', tags.Select(t => $"\"{t}\""));
        body.Append("]}");
        await context.Response.WriteAsync(body.ToString());
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OciSource Open() => (OciSource)SourceFactory.Open(
        new SourceDefinition { Name = "registry", Kind = SourceKind.Oci, Url = _server.Address.ToString(), Repo = "packages", Insecure = true }, _test.Context);

    [Fact]
    public async Task A_tag_list_whose_next_page_is_itself_is_refused_naming_the_registry()
    {
        // The tester's registry: every answer says the next page is the page just read.
        _page = request => (["latest", "x-1"], "/v2/packages/tool/tags/list?n=1000");
        using var source = Open();

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.ListVersionsAsync(PackageId.Parse("tool")));

        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Contains("source 'registry'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"GET {_server.Address}v2/packages/tool/tags/list", e.Message, StringComparison.Ordinal);
        Assert.Contains("a page already read", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, _requests);
    }

    [Fact]
    public async Task A_circle_of_two_pages_is_refused_too()
    {
        _page = request => request.Query.ContainsKey("last")
            ? (["b"], "/v2/packages/tool/tags/list?n=1000")
            : (["a"], "/v2/packages/tool/tags/list?n=1000&last=a");
        using var source = Open();

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.ListVersionsAsync(PackageId.Parse("tool")));

        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Contains("goes round in a circle", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, _requests);
    }

    [Fact]
    public async Task A_list_of_more_names_than_allowed_is_refused_once_past_the_bound()
    {
        // Every page is new and full: only the bound on names ends it.
        _page = request =>
        {
            var n = request.Query.TryGetValue("page", out var p) ? int.Parse(p!, System.Globalization.CultureInfo.InvariantCulture) : 0;
            return (Enumerable.Range(n * 1000, 1000).Select(i => $"t{i}"), $"/v2/packages/tool/tags/list?n=1000&page={n + 1}");
        };
        using var source = Open();

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.ListVersionsAsync(PackageId.Parse("tool")));

        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Contains("the list holds more than 100,000 names; refused", e.Message, StringComparison.Ordinal);
        Assert.Equal(OciRegistry.MaxListedNames / 1000 + 1, _requests);
    }
}
