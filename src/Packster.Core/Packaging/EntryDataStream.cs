using System.IO.Compression;
using System.IO.Hashing;
using ZstdSharp;

namespace Packster.Packaging;

/// <summary>
/// The inflated bytes of one entry, checked as they are read: more bytes than declared fail at declared size + 1
/// (so a lying size never inflates further), fewer bytes or a wrong CRC-32 fail at the end. zstd entries are checked
/// by our own CRC like stored ones; deflated entries are
/// read as gzip (see <see cref="GzipFraming"/>) so zlib checks the CRC; when zlib objects, the entry is read again
/// the slow way to say exactly what is wrong.
/// </summary>
internal sealed class EntryDataStream : Stream
{
    /// <summary>Below the 85 KB large-object threshold, so thousands of entries do not churn the LOH.</summary>
    private const long InputBufferSize = 64 << 10;

    /// <summary>The largest zstd window extraction accepts: 2^25 bytes (Packster writes 2^21 at most, 2^23 for a solid run).</summary>
    internal const int ZstdWindowLogMax = 25;

    private readonly Func<Stream> _openRaw;
    private readonly Stream _source;
    private readonly string _archive;
    private readonly PackageEntry _entry;
    private readonly bool _zlibChecksCrc;

    /// <summary>Whether reading may ask one byte past the declared size to prove the data ends there.</summary>
    private readonly bool _provesEnd = true;

    /// <summary>What disposing this stream disposes: the source it opened, or for a member of a solid run the run's reader when this stream owns it.</summary>
    private readonly IDisposable? _owned;
    private long _produced;
    private readonly Crc32 _crc = new();
    private bool _finished;

    public EntryDataStream(Func<Stream> openRaw, PackageEntry entry, string archive)
    {
        _openRaw = openRaw;
        _entry = entry;
        _archive = archive;
        _zlibChecksCrc = entry.Method == ZipFormat.MethodDeflated;
        _source = entry.Method switch
        {
            ZipFormat.MethodDeflated => new GZipStream(Buffered(new ConcatReadStream(GzipFraming.Header, openRaw(), GzipFraming.Trailer(entry.Crc32, entry.Size))), CompressionMode.Decompress),
            ZipFormat.MethodZstd => OpenZstd(openRaw(), entry.CompressedSize, [entry.Size]),
            _ => openRaw(),
        };
        _owned = _source;
    }

    /// <summary>
    /// A member of a solid run (spec/package-format.md § Solid runs): its bytes are the next <see cref="PackageEntry.Size"/>
    /// bytes <paramref name="run"/> decodes, checked by the member's CRC-32. Only the run's last member asks
    /// <paramref name="run"/> for one byte more, to prove the run ends with it; the others leave the rest to the next member.
    /// Disposing disposes <paramref name="owner"/> (null: the run's reader is disposed by whoever made it).
    /// </summary>
    internal EntryDataStream(Stream run, PackageEntry entry, string archive, bool lastInRun, IDisposable? owner)
    {
        _openRaw = () => throw new InvalidOperationException("a member of a solid run is read through its run");
        _entry = entry;
        _archive = archive;
        _source = run;
        _provesEnd = lastInRun;
        _owned = owner;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _entry.Size;

    public override long Position
    {
        get => _produced;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_finished || buffer.IsEmpty) return 0;
        // Ask for at most one byte past the declared size: enough to prove a lie, never more. A member of a solid run
        // that is not its last asks for exactly its size: the bytes after it are the next member's.
        var allowed = _entry.Size - _produced + (_provesEnd ? 1 : 0);
        if (buffer.Length > allowed) buffer = buffer[..(int)allowed];
        int read;
        try
        {
            read = buffer.IsEmpty ? 0 : _source.Read(buffer);
        }
        catch (InvalidDataException)
        {
            _finished = true;
            throw Diagnose();
        }
        catch (ZstdException e)
        {
            _finished = true;
            throw ArchiveErrors.Corrupt(_archive, $"entry '{ArchiveErrors.Printable(_entry.Path)}' has invalid zstd data ({e.Message})");
        }
        catch (EndOfStreamException)
        {
            _finished = true;
            throw ArchiveErrors.Corrupt(_archive, $"entry '{ArchiveErrors.Printable(_entry.Path)}' has truncated zstd data");
        }
        if (read == 0)
        {
            _finished = true;
            if (_produced != _entry.Size) throw ArchiveErrors.SizeMismatch(_archive, _entry.Path, _entry.Size, $"only {_produced}");
            if (!_zlibChecksCrc && _crc.GetCurrentHashAsUInt32() != _entry.Crc32)
            {
                throw ArchiveErrors.Crc(_archive, _entry.Path, _entry.Crc32, _crc.GetCurrentHashAsUInt32());
            }
            return 0;
        }
        _produced += read;
        if (_produced > _entry.Size) throw ArchiveErrors.SizeMismatch(_archive, _entry.Path, _entry.Size, "more");
        if (!_zlibChecksCrc) _crc.Append(buffer[..read]);
        return read;
    }

    /// <summary>zlib refused the gzip-framed entry: inflate it raw with our own CRC to name the actual fault.</summary>
    private PacksterException Diagnose()
    {
        var name = ArchiveErrors.Printable(_entry.Path);
        using var raw = new DeflateStream(Buffered(_openRaw()), CompressionMode.Decompress);
        var buffer = new byte[64 << 10];
        long produced = 0;
        var crc = new Crc32();
        try
        {
            int read;
            while ((read = raw.Read(buffer, 0, (int)Math.Min(buffer.Length, _entry.Size - produced + 1))) > 0)
            {
                produced += read;
                if (produced > _entry.Size) return ArchiveErrors.SizeMismatch(_archive, _entry.Path, _entry.Size, "more");
                crc.Append(buffer.AsSpan(0, read));
            }
        }
        catch (InvalidDataException e)
        {
            return ArchiveErrors.Corrupt(_archive, $"entry '{name}' has invalid deflate data ({e.Message})");
        }
        if (produced != _entry.Size) return ArchiveErrors.SizeMismatch(_archive, _entry.Path, _entry.Size, $"only {produced}");
        if (crc.GetCurrentHashAsUInt32() != _entry.Crc32) return ArchiveErrors.Crc(_archive, _entry.Path, _entry.Crc32, crc.GetCurrentHashAsUInt32());
        return ArchiveErrors.Corrupt(_archive, $"entry '{name}' has bytes after the end of its deflate data");
    }

    /// <summary>
    /// A zstd frame may ask for a window of up to 2 GiB; past <see cref="ZstdWindowLogMax"/> (32 MiB) it is refused
    /// rather than allocated, so a hostile entry cannot make extraction's memory grow. Decoded by the system's libzstd
    /// where <see cref="NativeZstdStream.IsAvailable"/>, else by the managed port: the same bytes and refusals either way.
    /// </summary>
    /// <param name="raw">The compressed bytes, read in pieces of up to 64 KiB.</param>
    /// <param name="compressedSize">How many bytes <paramref name="raw"/> holds at most, to size the buffer.</param>
    /// <param name="decodedSizes">What the data declares it decodes to (an entry's size, a run's members' sizes): only
    /// from <see cref="NativeZstdFrom"/> bytes on is libzstd worth loading (about 0.3 ms, once per process), so a package
    /// of a few small files never loads it.</param>
    internal static Stream OpenZstd(Stream raw, long compressedSize, IEnumerable<long> decodedSizes)
    {
        var bufferSize = BufferSize(compressedSize);
        if (DecodesAtLeast(decodedSizes, NativeZstdFrom) && NativeZstdStream.IsAvailable) return new NativeZstdStream(raw, bufferSize, ZstdWindowLogMax);
        var zstd = new DecompressionStream(new BufferedStream(raw, bufferSize), (int)InputBufferSize, true, false);
        zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_dParameter.ZSTD_d_windowLogMax, ZstdWindowLogMax);
        return zstd;
    }

    // DeflateStream pulls 8 KiB at a time; a buffer in between turns that into one positional read per 64 KiB.
    private BufferedStream Buffered(Stream stream) => new(stream, BufferSize(_entry.CompressedSize));

    /// <summary>The decoded size from which zstd data is decoded by libzstd where there is one (spec/package-format.md § Decoders).</summary>
    internal const long NativeZstdFrom = 1L << 20;

    /// <summary>Whether <paramref name="sizes"/> add up to <paramref name="threshold"/> or more (without overflowing on declared sizes).</summary>
    internal static bool DecodesAtLeast(IEnumerable<long> sizes, long threshold)
    {
        long total = 0;
        foreach (var size in sizes)
        {
            if (size >= threshold - total) return true;
            total += size;
        }
        return false;
    }

    private static int BufferSize(long compressedSize) => (int)Math.Clamp(Math.Min(compressedSize, InputBufferSize) + 32, 64, InputBufferSize);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _owned?.Dispose();
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
