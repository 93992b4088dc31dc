using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// spec/package-format.md §5 "Planning": local headers read in file order through one buffer give exactly the bytes a
/// read of each would, wherever the headers lie — close together, far apart, at one offset, at the limit or the file's end.
/// </summary>
public sealed class LocalHeaderReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-headers");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_piece_read_through_the_buffer_is_the_files_bytes_there(int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[300_000];
        random.NextBytes(bytes);
        var path = _temp["archive"];
        File.WriteAllBytes(path, bytes);
        // Runs of close headers (gaps under, at and over the reader's), lone far ones, repeats (shared data), and the last bytes.
        var offsets = new List<long>();
        long at = 0;
        while (at < bytes.Length - 40)
        {
            offsets.Add(at);
            if (random.Next(8) == 0) offsets.Add(at);
            at += random.Next(4) switch
            {
                0 => random.Next(1, 200),
                1 => LocalHeaderReader.Gap + random.Next(-1, 2),
                2 => random.Next(1, LocalHeaderReader.Gap),
                _ => random.Next(LocalHeaderReader.Gap, 40_000),
            };
        }
        offsets.Add(bytes.Length - 10);
        var limit = random.Next(2) == 0 ? bytes.Length : bytes.Length / 2;
        const int reach = 46;

        using var handle = File.OpenHandle(path);
        var reader = new LocalHeaderReader(handle, [.. offsets], limit, reach);
        for (var k = 0; k < offsets.Count; k++)
        {
            // A header's fixed part, its lengths, and a longer piece running past the reach.
            foreach (var (delta, length) in new[] { (0, 30), (26, 4), (0, reach), (4, reach + 20) })
            {
                var piece = new byte[length];
                var read = reader.Read(piece, offsets[k] + delta, k);
                var expected = Math.Max(0, Math.Min(length, bytes.Length - (int)(offsets[k] + delta)));
                Assert.Equal(expected, read);
                if (read > 0) Assert.True(piece.AsSpan(0, read).SequenceEqual(bytes.AsSpan((int)(offsets[k] + delta), read)), $"header {k} at {offsets[k]} + {delta}");
            }
        }
    }
}
