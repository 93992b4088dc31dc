using Microsoft.AspNetCore.Http;
using Packster.Sources.Config;
using Packster.Sources.Tests.Infrastructure;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// What a server says reaches the user only in packster's words: its error text with control characters escaped
/// (spec/sources.md §7, "plus the server's message"; spec/errors.md: one line, no raw library text), and a broken
/// transfer or handshake named by what happened rather than by .NET's sentence.
/// </summary>
public sealed class ServerTextTests : IAsyncLifetime
{
    private readonly TestContext _test = new();
    private Func<HttpContext, Task> _answer = context =>
    {
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    };
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(context => _answer(context));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HttpSource Open(string scheme = "http") => new(new SourceDefinition
    {
        Name = "web",
        Kind = SourceKind.Http,
        Url = new UriBuilder(_server.Address) { Scheme = scheme }.Uri.ToString(),
        Insecure = true,
    }, _test.Context);

    private static void NoControlCharacters(string message) =>
        Assert.False(message.Any(char.IsControl), $"a control character reached the message: {message.Replace("\u001b", "<ESC>", StringComparison.Ordinal)}");

    [Fact]
    public async Task Escape_codes_in_a_plain_text_error_body_are_shown_escaped()
    {
        // The tester's server: retitles the terminal, erases the line and hides what follows.
        _answer = context =>
        {
            context.Response.StatusCode = 404;
            return context.Response.WriteAsync("\u001b]0;owned\u0007\u001b[2K\rall good, nothing to see\u001b[8m");
        };
        using var source = Open();

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));

        Assert.Equal(ErrorCode.PackageNotFound, e.Code);
        NoControlCharacters(e.Message);
        Assert.Contains(@"(\u001b]0;owned\u0007\u001b[2K\u000dall good, nothing to see\u001b[8m)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escape_codes_in_an_artifactory_style_error_message_are_shown_escaped()
    {
        _answer = context =>
        {
            context.Response.StatusCode = 403;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("{\"errors\":[{\"status\":403,\"message\":\"\\u001b[2K\\rdenied\"}]}");
        };
        using var source = Open();

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));

        Assert.Equal(ErrorCode.SourceForbidden, e.Code);
        NoControlCharacters(e.Message);
        Assert.Contains(@"answered 403 (\u001b[2K\u000ddenied)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_index_cut_short_inside_a_number_is_said_in_words()
    {
        _answer = context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("[1,2");
        };
        using var source = Open();

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));

        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Contains("the answer is not valid JSON (a number malformed or cut short at '2')", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("delimiter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_shorter_than_its_content_length_is_said_in_words()
    {
        _answer = async context =>
        {
            context.Response.ContentLength = 100;
            await context.Response.WriteAsync("{\"schema\":1");
            // Kestrel ends the connection 89 bytes short of what was announced.
        };
        using var source = Open();

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));

        Assert.Equal(ErrorCode.SourceUnreachable, e.Code);
        Assert.Contains("the answer broke off after 11 bytes: the server closed the connection before the answer was complete", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ResponseEnded", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("prematurely", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_does_not_speak_tls_to_an_https_source_is_said_in_words()
    {
        using var source = Open("https");

        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));

        Assert.Equal(ErrorCode.SourceUnreachable, e.Code);
        Assert.Contains("TLS failed: the server did not answer in TLS (is it a plain http server?)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("frame", e.Message, StringComparison.Ordinal);
    }
}
