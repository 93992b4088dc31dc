using System.Text;
using Microsoft.AspNetCore.Http;
using Packster.Sources.Config;
using Packster.Sources.Http;
using Packster.Sources.Tests.Infrastructure;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// spec/sources.md §7: the credential's value "is redacted from any server text shown; it never appears in … errors",
/// wherever the server's message is cut (at 300 characters, or where the bounded read of its body stopped) and with the
/// white space around it that a header drops.
/// </summary>
public sealed class EchoedCredentialTests : IAsyncLifetime
{
    private const string Token = "s3cr3tTOKENvalue1234567890abcdefXYZ";

    private int _padding;
    private LoopbackServer _server = null!;

    // A server that echoes the Authorization it was sent after a line of padding, as a badly written proxy does.
    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(context =>
    {
        context.Response.StatusCode = 401;
        return context.Response.WriteAsync(new string('x', _padding) + " you sent " + context.Request.Headers.Authorization);
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> RejectionAsync(string token, string? user = null, SourceLimits? limits = null)
    {
        var test = new TestContext(new Dictionary<string, string> { ["TOK"] = token }, limits: limits);
        using var source = new HttpSource(new SourceDefinition
        {
            Name = "web",
            Kind = SourceKind.Http,
            Url = _server.Address.ToString(),
            Insecure = true,
            TokenEnv = "TOK",
            User = user,
        }, test.Context);
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));
        Assert.Equal(ErrorCode.SourceUnauthorized, e.Code);
        return e.Message;
    }

    // The start of a secret, long enough that its being shown is no coincidence.
    private static void ShowsNoPartOf(string secret, string message)
    {
        Assert.DoesNotContain(secret[..4], message, StringComparison.Ordinal);
        Assert.Contains("***", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(270)] // the cut at 300 characters falls 13 characters into the token
    [InlineData(280)] // … 3 characters into it
    [InlineData(0)] // no cut
    public async Task A_bearer_token_echoed_where_the_message_is_cut_shows_no_part_of_it(int padding)
    {
        _padding = padding;

        var message = await RejectionAsync(Token);

        ShowsNoPartOf(Token, message);
        Assert.Contains("the token in $TOK", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_basic_encoding_echoed_where_the_message_is_cut_shows_no_part_of_it()
    {
        _padding = 270;
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"ci:{Token}"));

        var message = await RejectionAsync(Token, user: "ci");

        ShowsNoPartOf(basic, message);
        Assert.DoesNotContain("Basic Y2k6", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Token + " ")]
    [InlineData(" " + Token)]
    [InlineData(" " + Token + "  ")]
    public async Task A_token_with_white_space_around_it_in_its_variable_is_redacted_as_the_header_carries_it(string value)
    {
        _padding = 0;

        var message = await RejectionAsync(value);

        ShowsNoPartOf(Token, message);
    }

    [Fact]
    public async Task A_token_where_the_bounded_read_of_the_body_stopped_shows_no_part_of_it()
    {
        // 64 bytes read: 40 of padding, " you sent Bearer " (17), then the first 7 characters of the token.
        _padding = 40;

        var message = await RejectionAsync(Token, limits: SourceLimits.Default with { MaxErrorBytes = 64 });

        ShowsNoPartOf(Token, message);
        Assert.Contains("you sent Bearer ***…", message, StringComparison.Ordinal);
    }
}
