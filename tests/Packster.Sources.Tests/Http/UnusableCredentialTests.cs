using Microsoft.AspNetCore.Http;
using Packster.Sources.Config;
using Packster.Sources.Tests.Infrastructure;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// spec/sources.md §1 ("… so does one whose variable holds what no request can carry") and spec/errors.md PST8002: a credential's variable whose value no request can carry
/// (a control character, such as the carriage return of a file with Windows line endings; a character outside ASCII in
/// a Bearer token) is refused when the source is opened, naming the variable and never its value; nothing is sent and
/// nothing is retried.
/// </summary>
public sealed class UnusableCredentialTests : IAsyncLifetime
{
    private int _requests;
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(context =>
    {
        Interlocked.Increment(ref _requests);
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("abcdef\r", null, "a carriage return")]
    [InlineData("abc\ndef", null, "a line feed")]
    [InlineData("abc\0def", null, "a NUL character")]
    [InlineData("abcdef\r", "ci", "a carriage return")]
    [InlineData("t\u00f6k\u00e9n", null, "a character outside ASCII")]
    public async Task A_value_no_request_can_carry_is_refused_naming_the_variable_before_anything_is_sent(string value, string? user, string what)
    {
        var test = new TestContext(new Dictionary<string, string> { ["TOK"] = value });

        var e = await Assert.ThrowsAsync<PacksterException>(async () =>
        {
            using var source = new HttpSource(new SourceDefinition
            {
                Name = "web",
                Kind = SourceKind.Http,
                Url = _server.Address.ToString(),
                Insecure = true,
                TokenEnv = "TOK",
                User = user,
            }, test.Context);
            await source.SearchAsync("acme");
        });

        Assert.Equal(ErrorCode.SourceUnauthorized, e.Code);
        Assert.StartsWith($"source 'web' takes its credential from $TOK, whose value holds {what}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value.Trim('\r', '\n', '\0'), e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _requests);
        Assert.Empty(test.Delays);
    }

    [Fact]
    public async Task A_password_outside_ascii_is_sent_in_its_basic_encoding()
    {
        var test = new TestContext(new Dictionary<string, string> { ["PASS"] = "p\u00e4ss" });
        using var source = new HttpSource(new SourceDefinition
        {
            Name = "web",
            Kind = SourceKind.Http,
            Url = _server.Address.ToString(),
            Insecure = true,
            User = "ci",
            PasswordEnv = "PASS",
        }, test.Context);

        await Assert.ThrowsAsync<PacksterException>(() => source.SearchAsync("acme"));

        Assert.Equal(1, _requests);
    }
}
