using System.IO.Compression;
using System.IO.Hashing;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Packster.Packaging;

/// <summary>
/// One entry's data ready to write: stored, deflated or zstd-compressed bytes with their CRC-32, held in a pooled buffer, or for
/// big files in a spill file next to the package (deleted on dispose) so memory stays bounded.
/// </summary>
internal sealed class CompressedEntry : IDisposable
{
    /// <summary>Compressed output larger than this goes to a spill file rather than memory.</summary>
    public const long SpillThreshold = 16L << 20;

    /// <summary>Compression must save at least this share (3%) or the entry is stored.</summary>
    private const int MinimumSavingPercent = 3;

    private const int ChunkSize = 256 << 10;

    /// <summary>
    /// The window of a solid run's frame: 8 MiB, more than a run holds (it closes at 4 MiB, and its last member is under
    /// 1 MiB); extraction accepts up to 2^<see cref="EntryDataStream.ZstdWindowLogMax"/>.
    /// </summary>
    internal const int SolidWindowLog = 23;

    /// <summary>
    /// The match finder's hash table for a solid run: 2^18 entries, one step above level 2's own. On three untuned trees
    /// it packed runs to 1.033–1.044 × the size of <c>tar -cf - | zstd -T0 -3</c> (level 2's table: 1.044–1.065 ×).
    /// </summary>
    internal const int SolidHashLog = 18;

    private static readonly HashSet<string> PrecompressedExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".lz4", ".br", ".7z", ".rar", ".jar", ".nupkg", ".snupkg",
        ".packster", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".mp4", ".woff", ".woff2",
    };

    private PooledBufferStream? _buffer;
    private int _dataStart;
    private FileStream? _spill;

    private CompressedEntry(SourceEntry source) => Source = source;

    public SourceEntry Source { get; }
    public ushort Method { get; private set; }
    public uint Crc { get; private set; }
    public long Size { get; private set; }
    public long CompressedSize { get; private set; }

    public static CompressedEntry Create(SourceEntry source, string spillDir, PackOptions options, CancellationToken ct)
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
                    entry.Crc = Crc32.HashToUInt32(target);
                    entry.Size = entry.CompressedSize = target.Length;
                    break;
                default:
                    entry.CompressFile(spillDir, options, ct);
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

    /// <summary>Whether a file of this path is stored as it is, its extension marking it as already compressed (§2).</summary>
    public static bool IsPrecompressed(string relativePath) => PrecompressedExtensions.Contains(Path.GetExtension(relativePath));

    /// <summary>
    /// Compresses <paramref name="members"/> (regular files, in entry order) as one solid run (spec/package-format.md
    /// § Solid runs): one zstd frame, flushed at the end of each member, so that each member's data is the frame's bytes
    /// since the previous member's and decodes, after them, to exactly its file. When the run as a whole does not save
    /// 3 %, each member is compressed on its own instead, as <see cref="Create"/> would.
    /// </summary>
    public static CompressedEntry[] CreateRun(IReadOnlyList<SourceEntry> members, string spillDir, PackOptions options, CancellationToken ct)
    {
        var entries = new CompressedEntry[members.Count];
        try
        {
            var ends = new long[members.Count];
            long total = 0;
            using var sink = new PooledBufferStream((int)Math.Max(members.Sum(m => m.Size) / 3, 4096));
            var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                using (var compressor = new Compressor(options.SolidZstdLevel))
                {
                    compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 0);
                    compressor.SetParameter(ZSTD_cParameter.ZSTD_c_hashLog, SolidHashLog);
                    // A window that holds the whole run: the compressor's input buffer then never wraps, so it never
                    // takes zstd's slower path for a window in two pieces, and every member can refer to every one before it.
                    compressor.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, SolidWindowLog);
                    var zstd = new CompressionStream(sink, compressor, ChunkSize, preserveCompressor: true, leaveOpen: true);
                    try
                    {
                        for (var k = 0; k < members.Count; k++)
                        {
                            var member = members[k];
                            entries[k] = new CompressedEntry(member) { Method = k == 0 ? ZipFormat.MethodSolidFirst : ZipFormat.MethodSolidNext };
                            using var input = OpenSource(member);
                            var crc = new Crc32();
                            var size = Copy(input, zstd, chunk, crc, ct);
                            entries[k].Crc = crc.GetCurrentHashAsUInt32();
                            entries[k].Size = size;
                            total += size;
                            // The last member's end is the frame's, written when the stream closes.
                            if (k < members.Count - 1)
                            {
                                zstd.Flush();
                                ends[k] = sink.Length;
                            }
                        }
                    }
                    catch
                    {
                        Abandon(zstd);
                        throw;
                    }
                    zstd.Dispose();
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
            }
            ends[^1] = sink.Length;
            if (sink.Length > total - (total * MinimumSavingPercent / 100))
            {
                // Each in the place of its run member, so a failure part-way still disposes every entry made.
                for (var k = 0; k < members.Count; k++)
                {
                    entries[k].Dispose();
                    entries[k] = Create(members[k], spillDir, options, ct);
                }
                return entries;
            }
            long start = 0;
            for (var k = 0; k < members.Count; k++)
            {
                var length = ends[k] - start;
                entries[k]._buffer = new PooledBufferStream((int)Math.Max(length, 64));
                entries[k]._buffer!.Write(sink.WrittenSpan.Slice((int)start, (int)length));
                entries[k].CompressedSize = length;
                start = ends[k];
            }
            return entries;
        }
        catch
        {
            foreach (var entry in entries) entry?.Dispose();
            throw;
        }
    }

    /// <summary>Copies the entry's data to <paramref name="writer"/>.</summary>
    public void WriteTo(PackageWriter writer)
    {
        if (_buffer is not null)
        {
            writer.WriteData(_buffer.WrittenSpan.Slice(_dataStart, checked((int)CompressedSize)));
            return;
        }
        if (_spill is null) return;
        _spill.Position = _dataStart;
        var chunk = new byte[ChunkSize];
        var remaining = CompressedSize;
        int read;
        while (remaining > 0 && (read = _spill.Read(chunk, 0, (int)Math.Min(ChunkSize, remaining))) > 0)
        {
            writer.WriteData(chunk.AsSpan(0, read));
            remaining -= read;
        }
        if (remaining != 0) throw new IOException($"spill file of '{Source.RelativePath}' ended early");
    }

    private void CompressFile(string spillDir, PackOptions options, CancellationToken ct)
    {
        using var input = OpenSource(Source);
        var length = input.Length;
        var storeOnly = IsPrecompressed(Source.RelativePath);
        Stream sink = OpenSink(length, spillDir);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            uint crc = 0;
            long total = 0;
            if (!storeOnly && length > 0)
            {
                var compressed = options.Compression == PackCompression.Zstd
                    ? Zstd(input, sink, chunk, options.ZstdLevel, out crc, out total, ct)
                    : Deflate(input, sink, chunk, options.CompressionLevel, out crc, out total, ct);
                if (compressed >= 0 && total > 0 && compressed <= total - (total * MinimumSavingPercent / 100))
                {
                    Method = options.Compression == PackCompression.Zstd ? ZipFormat.MethodZstd : ZipFormat.MethodDeflated;
                    Crc = crc;
                    Size = total;
                    CompressedSize = compressed;
                    return;
                }
                // Compression did not pay: store the bytes, read again (they are in the page cache by now).
                ResetSink(sink);
                _dataStart = 0;
                input.Position = 0;
            }
            var storedCrc = new Crc32();
            var stored = Copy(input, sink, chunk, storedCrc, ct);
            if (total > 0 && (stored != total || (crc != 0 && storedCrc.GetCurrentHashAsUInt32() != crc)))
            {
                throw Changed(Source.RelativePath);
            }
            Method = ZipFormat.MethodStored;
            Crc = storedCrc.GetCurrentHashAsUInt32();
            Size = CompressedSize = stored;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static FileStream OpenSource(SourceEntry source) =>
        FileSystemErrors.At(source.FullPath, "cannot read package source file",
            () => new FileStream(source.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan));

    /// <summary>Copies <paramref name="input"/> to <paramref name="output"/> through <paramref name="chunk"/>, adding its bytes to <paramref name="crc"/>; returns their count.</summary>
    private static long Copy(Stream input, Stream output, byte[] chunk, Crc32 crc, CancellationToken ct)
    {
        long total = 0;
        int read;
        while ((read = input.Read(chunk, 0, ChunkSize)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            crc.Append(chunk.AsSpan(0, read));
            output.Write(chunk, 0, read);
            total += read;
        }
        return total;
    }

    /// <summary>Deflates <paramref name="input"/>; returns the raw deflate size, or -1 when zlib's frame is not the plain one.</summary>
    private long Deflate(Stream input, Stream sink, byte[] chunk, int level, out uint crc, out long total, CancellationToken ct)
    {
        total = 0;
        // Compress as gzip so zlib-ng computes the CRC with its SIMD code; the frame is stripped on write.
        var gzip = new GZipStream(sink, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true);
        try
        {
            int read;
            while ((read = input.Read(chunk, 0, ChunkSize)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                gzip.Write(chunk, 0, read);
                total += read;
            }
        }
        catch
        {
            Abandon(gzip);
            throw;
        }
        gzip.Dispose();
        _dataStart = GzipFraming.HeaderLength;
        return ReadFrame(sink, out crc) ? sink.Length - GzipFraming.HeaderLength - GzipFraming.TrailerLength : -1;
    }

    /// <summary>
    /// Compresses <paramref name="input"/> into one zstd frame that records the content size and no checksum of its
    /// own (the ZIP CRC-32 covers the bytes); returns the frame's size.
    /// </summary>
    private long Zstd(Stream input, Stream sink, byte[] chunk, int level, out uint crc, out long total, CancellationToken ct)
    {
        _dataStart = 0;
        return ZstdFrame(input, sink, chunk, level, Source.RelativePath, out crc, out total, ct);
    }

    /// <summary>
    /// The frame pledges the size <paramref name="input"/> had when it was opened; a file that grows or shrinks while it
    /// is read is "changed while it was being packed" (an <see cref="IOException"/>, PST9005), never zstd's own words.
    /// </summary>
    internal static long ZstdFrame(Stream input, Stream sink, byte[] chunk, int level, string relativePath, out uint crc, out long total, CancellationToken ct)
    {
        var crc32 = new Crc32();
        var pledged = input.Length;
        try
        {
            using var compressor = new Compressor(level);
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_contentSizeFlag, 1);
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 0);
            compressor.SetPledgedSrcSize((ulong)pledged);
            var zstd = new CompressionStream(sink, compressor, ChunkSize, preserveCompressor: true, leaveOpen: true);
            try
            {
                total = 0;
                int read;
                while (total < pledged && (read = input.Read(chunk, 0, (int)Math.Min(Math.Min(ChunkSize, chunk.Length), pledged - total))) > 0)
                {
                    ct.ThrowIfCancellationRequested();
                    crc32.Append(chunk.AsSpan(0, read));
                    zstd.Write(chunk, 0, read);
                    total += read;
                }
                if (total != pledged || input.Read(chunk, 0, 1) != 0) throw Changed(relativePath);
            }
            catch
            {
                Abandon(zstd);
                throw;
            }
            zstd.Dispose();
        }
        catch (ZstdException)
        {
            // Disposing a frame whose pledged size was not met fails too; the cause is the same.
            throw Changed(relativePath);
        }
        crc = crc32.GetCurrentHashAsUInt32();
        return sink.Length;
    }

    /// <summary>
    /// Closes a compressing stream whose input failed part-way (a cancellation, a read error, a file that changed): closing
    /// ends its half-written frame, which may fail in turn (a zstd frame short of its pledged size does), and that failure
    /// must not take the place of the one that stopped the copy. The data is thrown away.
    /// </summary>
    private static void Abandon(Stream compressing)
    {
        try
        {
            compressing.Dispose();
        }
        catch (Exception)
        {
            // The failure being thrown is the one to report; this one is its consequence.
        }
    }

    private static IOException Changed(string relativePath) => new($"'{relativePath}' changed while it was being packed");

    /// <summary>Checks the gzip frame zlib wrote is the plain one we strip, and takes the CRC from its trailer.</summary>
    private static bool ReadFrame(Stream sink, out uint crc)
    {
        crc = 0;
        Span<byte> header = stackalloc byte[GzipFraming.HeaderLength];
        Span<byte> trailer = stackalloc byte[GzipFraming.TrailerLength];
        if (sink.Length < GzipFraming.HeaderLength + GzipFraming.TrailerLength) return false;
        if (sink is PooledBufferStream pooled)
        {
            pooled.WrittenSpan[..GzipFraming.HeaderLength].CopyTo(header);
            pooled.WrittenSpan[^GzipFraming.TrailerLength..].CopyTo(trailer);
        }
        else
        {
            sink.Position = 0;
            sink.ReadExactly(header);
            sink.Position = sink.Length - GzipFraming.TrailerLength;
            sink.ReadExactly(trailer);
        }
        if (!GzipFraming.HasPlainHeader(header, trailer)) return false;
        crc = GzipFraming.TrailerCrc(trailer);
        return true;
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
