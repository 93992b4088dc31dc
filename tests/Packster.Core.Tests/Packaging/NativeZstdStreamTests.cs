using System.Runtime.InteropServices;
using System.Text;
using Packster.Packaging;
using Packster.Testing;
using ZstdSharp;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// spec/package-format.md §2 "Decoders": "Decoding is fixed by RFC 8878, so the choice changes speed only ... both give
/// the same bytes, both refuse a frame whose window is over 2^25 bytes before allocating it (§5), and both fail the
/// same inputs". Every case decodes the same bytes through libzstd and through the managed port and compares.
/// </summary>
public sealed class NativeZstdStreamTests
{
    private static bool LibraryLoads => OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libzstd.so.1", out _);

    /// <summary>A comparison with libzstd, skipped where there is none to compare with (macOS, Windows, a Linux without it).</summary>
    private sealed class WithLibzstdFactAttribute : FactAttribute
    {
        public WithLibzstdFactAttribute()
        {
            if (!LibraryLoads) Skip = "libzstd.so.1 does not load here (only Linux decodes zstd with the system's library)";
        }
    }

    // "libzstd is used on Linux when libzstd.so.1 loads, is 1.4.0 or later ... or PACKSTER_ZSTD=managed in the
    // environment use the managed decoder."
    [Fact]
    public void Libzstd_is_used_where_it_loads_unless_managed_is_asked_for()
    {
        Assert.Equal(LibraryLoads, NativeZstdStream.Usable(null));
        Assert.Equal(LibraryLoads, NativeZstdStream.Usable("native"));
        Assert.False(NativeZstdStream.Usable("managed"));
        Assert.False(NativeZstdStream.Usable("Managed"));
        Assert.Equal(NativeZstdStream.Usable(Environment.GetEnvironmentVariable("PACKSTER_ZSTD")), NativeZstdStream.IsAvailable);
    }

    [WithLibzstdFact]
    public void Both_decoders_give_the_same_bytes_whatever_the_reads_ask_for()
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i % 977} of a text that repeats\n")));
        var noise = new byte[300_000];
        new Random(7).NextBytes(noise);
        byte[][] inputs = [[], [42], text, noise, [.. text, .. noise]];
        foreach (var input in inputs)
        {
            var frame = HostileZipBuilder.Zstd(input);
            // Two frames and a skippable frame between them decode as the concatenation of the two.
            byte[] skippable = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3];
            byte[] twoFrames = [.. frame, .. skippable, .. HostileZipBuilder.Zstd(input)];
            foreach (var readSize in new[] { 1, 7, 4096, 1 << 20 })
            {
                Assert.Equal(input, Decode(frame, native: true, readSize, inputSize: 64 << 10));
                Assert.Equal(input, Decode(frame, native: false, readSize, inputSize: 64 << 10));
                Assert.Equal([.. input, .. input], Decode(twoFrames, native: true, readSize, inputSize: 13));
                Assert.Equal([.. input, .. input], Decode(twoFrames, native: false, readSize, inputSize: 13));
            }
        }
    }

    // §5: "a zstd frame whose window is over 2^25 bytes ... refused before anything is allocated for it".
    [WithLibzstdFact]
    public void Both_decoders_refuse_a_window_over_the_limit_in_the_same_words()
    {
        foreach (var windowLog in new[] { 26, 27, 31 })
        {
            var frame = Declaring(windowLog);
            var native = Assert.Throws<ZstdException>(() => Decode(frame, native: true, 4096, 64 << 10));
            var managed = Assert.Throws<ZstdException>(() => Decode(frame, native: false, 4096, 64 << 10));
            Assert.Equal(managed.Message, native.Message);
            Assert.Equal(managed.Code, native.Code);
            Assert.Contains("memory", native.Message, StringComparison.OrdinalIgnoreCase);
        }
        // Within the limit the same frame is fine.
        Assert.Equal("abc"u8.ToArray(), Decode(Declaring(25), native: true, 4096, 64 << 10));
        Assert.Equal("abc"u8.ToArray(), Decode(Declaring(25), native: false, 4096, 64 << 10));
    }

    /// <summary>A frame of "abc" whose header declares a window of 2^<paramref name="windowLog"/> bytes and no content size.</summary>
    private static byte[] Declaring(int windowLog) =>
        [0x28, 0xB5, 0x2F, 0xFD, 0x00, (byte)((windowLog - 10) << 3), 0x19, 0x00, 0x00, (byte)'a', (byte)'b', (byte)'c'];

    // "both fail the same inputs": cut short anywhere, or followed by bytes that are no frame, both decoders fail
    // alike. A changed byte inside the data is another matter: frames carry no checksum (the entry's CRC-32 covers the
    // bytes, §2), and where neither decoder notices the damage each may decode it to different wrong bytes (libzstd
    // 1.5.4 and the port of a later zstd do, for a changed Huffman-coded literal). What must hold is that neither ever
    // turns damaged data into the original bytes the other refuses: either way the entry is refused, by the decoder or
    // by its CRC-32.
    [WithLibzstdFact]
    public void Both_decoders_refuse_the_same_damaged_inputs()
    {
        var input = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3_000).Select(i => $"{i * 7919 % 1000:D4} packster\n")));
        var frame = HostileZipBuilder.Zstd(input);
        var cut = new List<byte[]>();
        for (var length = 0; length < frame.Length; length++) cut.Add(frame[..length]);
        cut.Add([.. frame, 0x00, 0x01, 0x02, 0x03, 0x04]);
        cut.Add([.. frame, 0x28, 0xB5]);
        for (var i = 0; i < cut.Count; i++)
        {
            var native = Outcome(input, Decode(cut[i], native: true));
            Assert.Equal((i, Outcome(input, Decode(cut[i], native: false))), (i, native));
            Assert.StartsWith(i == 0 ? "gives nothing" : "fails", native, StringComparison.Ordinal);
        }
        var changed = 0;
        var lenient = new List<(int At, byte Flip)>();
        for (var at = 0; at < frame.Length; at++)
        {
            foreach (var flip in new byte[] { 0x01, 0x80, 0xFF })
            {
                var copy = (byte[])frame.Clone();
                copy[at] ^= flip;
                var native = Outcome(input, Decode(copy, native: true));
                var managed = Outcome(input, Decode(copy, native: false));
                // The one difference allowed: libzstd before 1.5.5 does not check the reserved bits of a block's
                // sequences header, which the port refuses; the data decodes to the original bytes all the same.
                if (native == "gives the original" && managed == "fails as bad data")
                {
                    lenient.Add((at, flip));
                    continue;
                }
                Assert.True(managed == "gives the original" == (native == "gives the original"), $"byte {at} ^ 0x{flip:X2}: managed {managed}, native {native}");
                if (native != "gives the original") changed++;
            }
        }
        // Nearly every change must be noticed for the comparison to be worth something.
        Assert.True(changed > frame.Length * 3 * 9 / 10, $"{changed} of {frame.Length * 3} changed frames were refused");
        // One block, so one sequences header: at most its reserved bits, and none from 1.5.5 on.
        Assert.All(lenient, l => Assert.Equal(0, l.Flip & ~0x03));
        Assert.InRange(lenient.Count, 0, NativeZstdStream.LibraryVersion < 10505 ? 1 : 0);
    }

    // "libzstd ... decodes a frame or a run of 1 MiB or more": smaller data never loads the library.
    [WithLibzstdFact]
    public void Only_data_of_a_mebibyte_or_more_is_decoded_by_libzstd()
    {
        using var small = EntryDataStream.OpenZstd(new MemoryStream(HostileZipBuilder.Zstd([1, 2, 3])), 16, [EntryDataStream.NativeZstdFrom - 1]);
        using var large = EntryDataStream.OpenZstd(new MemoryStream(HostileZipBuilder.Zstd([1, 2, 3])), 16, [600_000, 600_000]);
        Assert.IsType<DecompressionStream>(small);
        Assert.IsType<NativeZstdStream>(large);
        Assert.False(EntryDataStream.DecodesAtLeast([EntryDataStream.NativeZstdFrom - 1], EntryDataStream.NativeZstdFrom));
        Assert.True(EntryDataStream.DecodesAtLeast([EntryDataStream.NativeZstdFrom], EntryDataStream.NativeZstdFrom));
        Assert.True(EntryDataStream.DecodesAtLeast([600_000, 600_000], EntryDataStream.NativeZstdFrom));
        // Declared sizes are not trusted to add up without overflowing.
        Assert.True(EntryDataStream.DecodesAtLeast([1, long.MaxValue, long.MaxValue], EntryDataStream.NativeZstdFrom));
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(3 << 20)]
    public void Extraction_errors_read_the_same_through_either_decoder(int size)
    {
        // EntryDataStream turns the decoders' exceptions into PST4002 with the entry's name (§5); below 1 MiB the managed
        // decoder reads the entry, from there libzstd where it loads.
        var frame = HostileZipBuilder.Zstd(Encoding.UTF8.GetBytes(new string('x', size)));
        var entry = new PackageEntry("a.txt", PackageEntryKind.File, 0x1A4, frame.Length - 3, size, 0, ZipFormat.MethodZstd);
        var e = Assert.Throws<PacksterException>(() => new EntryDataStream(() => new MemoryStream(frame[..^3]), entry, "p.packster").CopyTo(Stream.Null));
        Assert.Equal(ErrorCode.ArchiveCorrupt, e.Code);
        Assert.Contains("entry 'a.txt' has truncated zstd data", e.Message, StringComparison.Ordinal);
    }

    private static string Outcome(byte[] original, Func<byte[]> decode)
    {
        try
        {
            var bytes = decode();
            return bytes.Length == 0 ? "gives nothing" : bytes.AsSpan().SequenceEqual(original) ? "gives the original" : "gives other bytes";
        }
        catch (ZstdException)
        {
            return "fails as bad data";
        }
        catch (EndOfStreamException)
        {
            return "fails as truncated";
        }
    }

    private static Func<byte[]> Decode(byte[] compressed, bool native) => () => Decode(compressed, native, 4096, 512);

    private static byte[] Decode(byte[] compressed, bool native, int readSize, int inputSize)
    {
        using var raw = new MemoryStream(compressed);
        using Stream zstd = native
            ? new NativeZstdStream(raw, inputSize, EntryDataStream.ZstdWindowLogMax)
            : Managed(raw, inputSize);
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = zstd.Read(buffer, 0, buffer.Length)) > 0) output.Write(buffer, 0, read);
        return output.ToArray();
    }

    private static DecompressionStream Managed(Stream raw, int inputSize)
    {
        var zstd = new DecompressionStream(raw, inputSize, true, false);
        zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_dParameter.ZSTD_d_windowLogMax, EntryDataStream.ZstdWindowLogMax);
        return zstd;
    }
}
