using System.IO.Compression;

namespace Packster.Packaging;

/// <summary>
/// The inflated bytes of one entry, checked as they are read: more bytes than declared fail at declared size + 1
/// (so a lying size never inflates further), fewer bytes or a wrong CRC-32 fail at the end.
/// </summary>
internal sealed class EntryDataStream : Stream
{
    private const long InputBufferSize = 256 << 10;

    private readonly Stream _source;
    private readonly Stream _raw;
    private readonly string _archive;
    private readonly PackageEntry _entry;
    private long _produced;
    private uint _crc;
    private bool _finished;

    public EntryDataStream(Stream raw, PackageEntry entry, string archive)
    {
        _raw = raw;
        _entry = entry;
        _archive = archive;
        // DeflateStream pulls 8 KiB at a time; a buffer in between turns that into one positional read per 256 KiB.
        _source = entry.Method == ZipFormat.MethodDeflated
            ? new DeflateStream(new BufferedStream(raw, (int)Math.Clamp(entry.CompressedSize, 1, InputBufferSize)), CompressionMode.Decompress)
            : raw;
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
        // Ask for at most one byte past the declared size: enough to prove a lie, never more.
        var allowed = _entry.Size - _produced + 1;
        if (buffer.Length > allowed) buffer = buffer[..(int)allowed];
        int read;
        try
        {
            read = _source.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw ArchiveErrors.Corrupt(_archive, $"entry '{ArchiveErrors.Printable(_entry.Path)}' has invalid deflate data ({e.Message})");
        }
        if (read == 0)
        {
            _finished = true;
            if (_produced != _entry.Size)
            {
                throw ArchiveErrors.SizeMismatch(_archive, _entry.Path, _entry.Size, $"only {_produced}");
            }
            if (_crc != _entry.Crc32) throw ArchiveErrors.Crc(_archive, _entry.Path, _entry.Crc32, _crc);
            return 0;
        }
        _produced += read;
        if (_produced > _entry.Size) throw ArchiveErrors.SizeMismatch(_archive, _entry.Path, _entry.Size, "more");
        _crc = Crc32.Append(_crc, buffer[..read]);
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
            _raw.Dispose();
        }
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
