using Packster.Packaging;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// An interrupt that stops a file part-way through its compression: closing the half-written frame may fail in turn
/// (a zstd frame short of its pledged size does), and that failure must not take the cancellation's place.
/// </summary>
public sealed class CancelledCompressionTests
{
    private const int Chunk = 256 << 10;

    /// <summary>Yields its data, and cancels <paramref name="cancel"/> on the read after <paramref name="reads"/> reads: an interrupt mid-file.</summary>
    private sealed class InterruptedStream(byte[] data, int reads, CancellationTokenSource cancel) : MemoryStream(data)
    {
        private int _reads;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (++_reads > reads) cancel.Cancel();
            return base.Read(buffer, offset, count);
        }
    }

    private static byte[] Data(int length)
    {
        var data = new byte[length];
        new Random(11).NextBytes(data.AsSpan(0, length / 4));
        return data;
    }

    // spec/errors.md PST0002: "SIGINT or SIGTERM stopped the command outside a handler … exit 128 + the signal's
    // number" — an interrupt while a file is compressed is the cancellation, not "'…' changed while it was being packed" (PST9005).
    [Fact]
    public void A_zstd_frame_cancelled_after_its_first_chunk_throws_the_cancellation()
    {
        using var cancel = new CancellationTokenSource();
        using var input = new InterruptedStream(Data(4 * Chunk), reads: 1, cancel);
        using var sink = new MemoryStream();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            CompressedEntry.ZstdFrame(input, sink, new byte[Chunk], 3, "big.bin", out _, out _, cancel.Token));
        Assert.True(sink.Length > 0, "the frame was begun before the cancellation");
    }
}
