using Packster.Packaging;

namespace Packster.Core.Tests.Packaging;

/// <summary>A source file whose size changes between the stat that sizes its zstd frame and the read that fills it.</summary>
public sealed class ChangingSourceTests
{
    /// <summary>Says it holds <paramref name="declared"/> bytes (the size at open) but yields all of <paramref name="data"/>.</summary>
    private sealed class ChangedStream(byte[] data, long declared) : MemoryStream(data)
    {
        public override long Length => declared;
    }

    // A file that grows or shrinks while it is packed is "'name' changed while it was being packed" (an I/O error,
    // PST9005 FileSystemError: "any other refusal … with its own words"), never the compressor's "Src size is incorrect".
    [Theory]
    [InlineData(1000, 4000)]   // grew after the stat
    [InlineData(4000, 1000)]   // shrank after the stat
    public void A_file_whose_size_changes_while_it_is_compressed_is_changed_not_a_zstd_error(int declared, int actual)
    {
        var data = new byte[actual];
        new Random(7).NextBytes(data.AsSpan(0, actual / 2));
        using var input = new ChangedStream(data, declared);
        using var sink = new MemoryStream();
        var e = Assert.Throws<IOException>(() =>
            CompressedEntry.ZstdFrame(input, sink, new byte[256 << 10], 3, "big.bin", out _, out _, CancellationToken.None));
        Assert.Equal("'big.bin' changed while it was being packed", e.Message);
    }
}
