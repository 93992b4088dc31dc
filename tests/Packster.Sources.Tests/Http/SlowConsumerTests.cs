using Packster.Sources.Config;
using Packster.Sources.Http;
using Packster.Sources.Tests.Infrastructure;

namespace Packster.Sources.Tests.Http;

/// <summary>
/// spec/sources.md §7 "Minimum speed": "Only the time spent waiting for the body counts, that is the time inside its
/// reads: the time packster spends between reads on what it read (writing it to a disk that stalls, hashing it) is its
/// own and is never held against the server." A server on loopback sends a whole body at once; the destination stalls
/// on its first write for longer than a window, as a disk may. The download must succeed.
/// </summary>
public sealed class SlowConsumerTests : IAsyncLifetime
{
    /// <summary>A window (the read timeout) of 1 s.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>256 KiB: four reads of 64 KiB at least, so reads follow the stall.</summary>
    private static readonly byte[] Body = [.. Enumerable.Range(0, 256 << 10).Select(i => (byte)(i * 7 % 251))];

    // A minimum of 1 MiB a second: the whole body is a quarter of what one window must bring, so a window that counted
    // the stall would fail the download as too slow; loopback brings it in a small part of a window of waiting.
    private readonly TestContext _test = new(limits: new SourceLimits { ReadTimeout = Window, MinBytesPerSecond = 1 << 20 });
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentLength = Body.Length;
            await context.Response.Body.WriteAsync(Body, context.RequestAborted);
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_destination_that_stalls_longer_than_a_window_does_not_make_a_fast_server_too_slow()
    {
        var definition = new SourceDefinition { Name = "web", Kind = SourceKind.Http, Url = _server.Address.ToString(), Insecure = true };
        using var client = new SourceHttpClient(definition, _test.Context);
        using var destination = new StallingStream(Window * 2);
        await client.DownloadAsync(new Uri(_server.Address, "package.pkz"), destination, null, Body.Length, CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(destination.Stalled);
        Assert.Equal(Body, destination.ToArray());
    }

    /// <summary>
    /// A destination whose first write stalls for <paramref name="stall"/> before it takes the bytes, as a disk that
    /// stops for a while. The stall is the condition under test (packster's own time between reads), not a wait for
    /// anything else to happen.
    /// </summary>
    private sealed class StallingStream(TimeSpan stall) : MemoryStream
    {
        public bool Stalled { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!Stalled)
            {
                Stalled = true;
                await Task.Delay(stall, cancellationToken);
            }
            await base.WriteAsync(buffer, cancellationToken);
        }
    }
}
