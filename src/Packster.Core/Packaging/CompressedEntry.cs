using System.IO.Compression;

namespace Packster.Packaging;

/// <summary>
/// One entry's data ready to write: stored or deflated bytes with their CRC-32, held in a pooled buffer, or for
/// big files in a spill file next to the package (deleted on dispose) so memory stays bounded.
/// </summary>
internal sealed class CompressedEntry : IDisposable
{
    /// <summary>Compressed output larger than this goes to a spill file rather than memory.</summary>
    public const long SpillThreshold = 16L << 20;

    /// <summary>Deflate must save at least this share (3%) or the entry is stored.</summary>
    private const int MinimumSavingPercent = 3;

    private const int ChunkSize = 256 << 10;

    private static readonly HashSet<string> PrecompressedExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".lz4", ".br", ".7z", ".rar", ".jar", ".nupkg", ".snupkg",
        ".packster", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".mp4", ".woff", ".woff2",
    };

    private PooledBufferStream? _buffer;
    private FileStream? _spill;

    private CompressedEntry(SourceEntry source) => Source = source;

    public SourceEntry Source { get; }
    public ushort Method { get; private set; }
    public uint Crc { get; private set; }
    public long Size { get; private set; }
    public long CompressedSize { get; private set; }

    public static CompressedEntry Create(SourceEntry source, string spillDir, int level, CancellationToken ct)
    {
        var entry = new CompressedEntry(source);
        try
        {
            switch (source.Kind)
            {
                case PackageEntryKind.Directory:
                    break;
                case PackageEntryKind.Symlink:
                    var target = System.Text.Encoding.UTF8.GetBytes(source.LinkTarget!);
                    entry._buffer = new PooledBufferStream(target.Length);
                    entry._buffer.Write(target);
                    entry.Crc = Crc32.Compute(target);
                    entry.Size = entry.CompressedSize = target.Length;
                    break;
                default:
                    entry.CompressFile(spillDir, level, ct);
                    break;
            }
            return entry;
        }
        catch
        {
            entry.Dispose();
            throw;
        }
    }

    /// <summary>Copies the entry's data to <paramref name="writer"/>.</summary>
    public void WriteTo(PackageWriter writer)
    {
        if (_buffer is not null)
        {
            writer.WriteData(_buffer.WrittenSpan);
            return;
        }
        if (_spill is null) return;
        _spill.Position = 0;
        var chunk = new byte[ChunkSize];
        int read;
        while ((read = _spill.Read(chunk)) > 0) writer.WriteData(chunk.AsSpan(0, read));
    }

    private void CompressFile(string spillDir, int level, CancellationToken ct)
    {
        using var input = new FileStream(Source.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        var length = input.Length;
        var storeOnly = PrecompressedExtensions.Contains(Path.GetExtension(Source.RelativePath));
        Stream sink = OpenSink(length, spillDir);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            uint crc = 0;
            long total = 0;
            if (!storeOnly && length > 0)
            {
                using (var deflate = new DeflateStream(sink, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
                {
                    int read;
                    while ((read = input.Read(chunk, 0, ChunkSize)) > 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        crc = Crc32.Append(crc, chunk.AsSpan(0, read));
                        deflate.Write(chunk, 0, read);
                        total += read;
                    }
                }
                if (sink.Length <= total - (total * MinimumSavingPercent / 100) && total > 0)
                {
                    Method = ZipFormat.MethodDeflated;
                    Crc = crc;
                    Size = total;
                    CompressedSize = sink.Length;
                    return;
                }
                // Deflate did not pay: store the bytes, read again (they are in the page cache by now).
                ResetSink(sink);
                input.Position = 0;
            }
            var storedCrc = 0u;
            long stored = 0;
            int count;
            while ((count = input.Read(chunk, 0, ChunkSize)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                storedCrc = Crc32.Append(storedCrc, chunk.AsSpan(0, count));
                sink.Write(chunk, 0, count);
                stored += count;
            }
            if (total > 0 && (stored != total || storedCrc != crc))
            {
                throw new IOException($"'{Source.RelativePath}' changed while it was being packed");
            }
            Method = ZipFormat.MethodStored;
            Crc = storedCrc;
            Size = CompressedSize = stored;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private Stream OpenSink(long length, string spillDir)
    {
        if (length <= SpillThreshold)
        {
            // Most files deflate to well under half; the buffer grows if not.
            _buffer = new PooledBufferStream((int)Math.Max(length / 2, 4096));
            return _buffer;
        }
        var spillPath = Path.Combine(spillDir, Packer.TempPrefix + Guid.NewGuid().ToString("N") + ".part");
        _spill = new FileStream(spillPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        return _spill;
    }

    private static void ResetSink(Stream sink)
    {
        if (sink is PooledBufferStream pooled) pooled.Reset();
        else sink.SetLength(0);
    }

    public void Dispose()
    {
        _buffer?.Dispose();
        _spill?.Dispose();
    }
}
