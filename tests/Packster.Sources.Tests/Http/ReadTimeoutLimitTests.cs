using Microsoft.AspNetCore.Http;
using Packster.Sources.Config;
using Packster.Sources.Tests.Infrastructure;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// spec/sources.md §7 "Read timeout": <c>PACKSTER_READ_TIMEOUT</c> is "whole seconds, 1 to 86400, a day; … a value out
/// of range is taken as the nearest bound". A value past what a timer can wait (about 49.7 days) is no crash.
/// </summary>
public sealed class ReadTimeoutLimitTests : IAsyncLifetime
{
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(context =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"schema":1,"packages":[]}""");
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("4294968", 86400)] // past the longest a timer waits
    [InlineData("2147483647", 86400)]
    [InlineData("86401", 86400)]
    [InlineData("86400", 86400)]
    [InlineData("0", 1)]
    public async Task A_read_timeout_out_of_range_is_taken_as_the_nearest_bound_and_the_source_answers(string value, int seconds)
    {
        var test = new TestContext(new Dictionary<string, string> { ["PACKSTER_READ_TIMEOUT"] = value });
        using var source = new HttpSource(new SourceDefinition
        {
            Name = "web",
            Kind = SourceKind.Http,
            Url = _server.Address.ToString(),
            Insecure = true,
        }, test.Context);

        var found = await source.SearchAsync("acme");

        Assert.Empty(found);
        Assert.Equal(TimeSpan.FromSeconds(seconds), test.Context.Limits.ReadTimeout);
    }
}
