using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Packster.Packaging;

/// <summary>
/// A zip entry's data, checked against the CRC-32 its central directory declares once it has been read to its end:
/// SharpCompress hands out the inflated bytes without comparing (spec/pack-from.md §Rules: PST4011).
/// </summary>
internal sealed class CrcCheckingStream(Stream inner, uint declared, string archive, string entry) : ForwardOnlyStream
{
    private readonly Crc32 _crc = new();
    private bool _checked;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        if (read > 0)
        {
            _crc.Append(buffer[..read]);
        }
        else if (buffer.Length > 0 && !_checked)
        {
            _checked = true;
            var actual = _crc.GetCurrentHashAsUInt32();
            if (actual != declared) throw ArchiveErrors.Crc(archive, entry, declared, actual);
        }
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// A tar stream that remembers the last <see cref="WindowSize"/> bytes read, so that when System.Formats.Tar refuses a
/// header the header can still be looked at: a GNU sparse file (old GNU type 'S', or pax GNU.sparse.* keys) is refused
/// as such (PST4005), not as damaged data.
/// </summary>
internal sealed class RecentBytesStream(Stream inner) : ForwardOnlyStream
{
    private const int WindowSize = 64 << 10;
    private const int Block = 512;
    private readonly byte[] _ring = new byte[WindowSize];
    private long _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Remember(buffer[..read]);
        return read;
    }

    private void Remember(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > WindowSize)
        {
            _position += bytes.Length - WindowSize;
            bytes = bytes[^WindowSize..];
        }
        var start = (int)(_position % WindowSize);
        var first = Math.Min(bytes.Length, WindowSize - start);
        bytes[..first].CopyTo(_ring.AsSpan(start));
        bytes[first..].CopyTo(_ring);
        _position += bytes.Length;
    }

    private byte At(long position) => _ring[(int)(position % WindowSize)];

    /// <summary>
    /// The name of the GNU sparse file whose header was read last, or null when the last valid tar header in the window
    /// is no sparse file's: type 'S', or a pax header ('x') whose records name GNU.sparse.* keys.
    /// </summary>
    public string? SparseHeaderName()
    {
        var oldest = Math.Max(0, _position - WindowSize);
        for (var header = (_position - Block) / Block * Block; header >= oldest; header -= Block)
        {
            if (!IsHeader(header)) continue;
            var type = At(header + 156);
            var name = Name(header);
            if (type == (byte)'S') return name;
            if (type != (byte)'x') return null;
            var after = new byte[(int)(_position - header - Block)];
            for (var i = 0; i < after.Length; i++) after[i] = At(header + Block + i);
            if (after.AsSpan().IndexOf("GNU.sparse."u8) < 0) return null;
            // pax headers are named '<dir>/PaxHeaders.<pid>/<name>' by GNU tar; the file is '<dir>/<name>'.
            var parts = name.Split('/').Where(p => !p.StartsWith("PaxHeaders.", StringComparison.Ordinal));
            return string.Join('/', parts);
        }
        return null;
    }

    private string Name(long header)
    {
        var bytes = new byte[100];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = At(header + i);
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    /// <summary>A tar header: its checksum field (octal, at 148) is the sum of its bytes with that field as spaces.</summary>
    private bool IsHeader(long header)
    {
        long sum = 0;
        var allZero = true;
        for (var i = 0; i < Block; i++)
        {
            var b = At(header + i);
            if (b != 0) allZero = false;
            sum += i is >= 148 and < 156 ? (byte)' ' : b;
        }
        if (allZero) return false;
        long stored = 0;
        var digits = 0;
        for (var i = 148; i < 156; i++)
        {
            var b = At(header + i);
            if (b is (byte)' ' or 0) { if (digits > 0) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') return false;
            stored = stored * 8 + (b - '0');
            digits++;
        }
        return digits > 0 && stored == sum;
    }
}

/// <summary>A stream read once from start to end, as the vendor-archive readers read: no seeking, no writing.</summary>
internal abstract class ForwardOnlyStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// The data of a gzip file, member after member (RFC 1952 allows several, as <c>cat a.gz b.gz</c> makes), each checked
/// against the CRC-32 and length in its trailer. .NET's GZipStream takes input that ends before a member's trailer for
/// the end of the data, so a .tar.gz cut short would read as whole; here each member's deflate data is inflated by
/// itself, and its trailer must follow where that data ends (spec/pack-from.md §Formats: PST4019). What follows the
/// last member may be zeros, as gzip allows; anything else is refused.
/// </summary>
/// <remarks>
/// The inflater does not tell how much of its last input it used, so the trailer is looked for in that input: its
/// 8 bytes, the CRC-32 and length of what the member decoded to, must follow the deflate data there.
/// </remarks>
internal sealed class GzipMemberStream(Microsoft.Win32.SafeHandles.SafeFileHandle file, long length, string archive) : ForwardOnlyStream
{
    private const int Trailer = GzipFraming.TrailerLength;
    private const int MaxHeader = 128 << 10;
    private const byte FlagHeaderCrc = 0x02, FlagExtra = 0x04, FlagName = 0x08, FlagComment = 0x10, FlagsReserved = 0xE0;

    private readonly Crc32 _crc = new();
    private System.IO.Compression.DeflateStream? _member;
    private FileWindow? _input;
    private long _size;
    private long _next;
    private int _members;
    private bool _ended;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (buffer.Length > 0 && !_ended)
        {
            if (_member is null && !StartMember())
            {
                _ended = true;
                break;
            }
            var read = _member!.Read(buffer);
            if (read > 0)
            {
                _crc.Append(buffer[..read]);
                _size += read;
                return read;
            }
            EndMember();
        }
        return 0;
    }

    /// <summary>Reads the header of the member at <see cref="_next"/>; false at the end of the file (or of its zero padding).</summary>
    private bool StartMember()
    {
        if (_members > 0 && !StartsMember(_next))
        {
            // EndMember found the trailer followed by the end of the file or by zeros.
            return false;
        }
        var header = new byte[(int)Math.Min(MaxHeader, length - _next)];
        var got = RandomAccess.Read(file, header, _next);
        if (got < header.Length) throw VendorArchive.Unreadable(archive, "it ended while it was being read");
        var at = HeaderLength(header);
        _members++;
        _input = new FileWindow(file, _next + at);
        _member = new System.IO.Compression.DeflateStream(_input, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true);
        _crc.Reset();
        _size = 0;
        return true;
    }

    /// <summary>The length of the gzip header at the start of <paramref name="header"/> (RFC 1952 §2.3).</summary>
    private int HeaderLength(ReadOnlySpan<byte> header)
    {
        PacksterException Cut() => VendorArchive.Unreadable(archive, "its gzip data ends early, in the middle of a member's header");
        if (header.Length < GzipFraming.HeaderLength) throw Cut();
        if (header[0] != 0x1F || header[1] != 0x8B || header[2] != 8 || (header[3] & FlagsReserved) != 0)
        {
            throw VendorArchive.Unreadable(archive, "its gzip data is damaged: a member's header is not a gzip header of deflate data");
        }
        var flags = header[3];
        var at = GzipFraming.HeaderLength;
        if ((flags & FlagExtra) != 0)
        {
            if (header.Length < at + 2) throw Cut();
            at += 2 + BinaryPrimitives.ReadUInt16LittleEndian(header[at..]);
        }
        foreach (var flag in (ReadOnlySpan<byte>)[FlagName, FlagComment])
        {
            if ((flags & flag) == 0) continue;
            var end = at > header.Length ? -1 : header[at..].IndexOf((byte)0);
            if (end < 0) throw header.Length == length - _next ? Cut() : VendorArchive.Unreadable(archive, "its gzip data is damaged: a member's header has no end");
            at += end + 1;
        }
        if ((flags & FlagHeaderCrc) == 0) return at <= header.Length ? at : throw Cut();
        if (at + 2 > header.Length) throw Cut();
        // FHCRC: the two low bytes of the CRC-32 of the header up to them (RFC 1952 §2.3.1), checked as gzip -t checks them.
        var declared = BinaryPrimitives.ReadUInt16LittleEndian(header[at..]);
        if ((Crc32.HashToUInt32(header[..at]) & 0xFFFF) != declared)
        {
            throw VendorArchive.Unreadable(archive, "its gzip data is damaged: a member's header does not match its header CRC");
        }
        return at + 2;
    }

    /// <summary>The member's deflate data ended (or its input did): its trailer must follow, and say what it decoded to.</summary>
    private void EndMember()
    {
        var input = _input!;
        _member!.Dispose();
        _member = null;
        // A finished inflater asks for no more input: one that found the end of the file wanted more than there is.
        if (input.HitEnd) throw VendorArchive.Unreadable(archive, "its gzip data ends early, in the middle of a member's compressed data");
        ReadOnlySpan<byte> expected = GzipFraming.Trailer(_crc.GetCurrentHashAsUInt32(), _size);
        // The deflate data ended within the input read last: its trailer starts there, or just after it, and is followed
        // by the end of the file, another member or zeros. (The data of an empty member ends with a zero byte, as its
        // trailer does: the first place that fits is not always the trailer.)
        var window = new byte[(int)(Math.Min(length, input.Offset + Trailer) - input.LastStart)];
        var got = RandomAccess.Read(file, window, input.LastStart);
        long? followed = null;
        for (var from = 0; from < got;)
        {
            var found = window.AsSpan(from, got - from).IndexOf(expected);
            if (found < 0) break;
            var next = input.LastStart + from + found + Trailer;
            if (next == length || StartsMember(next) || AllZero(next))
            {
                _next = next;
                return;
            }
            followed ??= next;
            from += found + 1;
        }
        if (followed is { } garbage) throw VendorArchive.Unreadable(archive, $"{length - garbage} bytes that are not gzip data follow its compressed data");
        throw VendorArchive.Unreadable(archive,
            "its gzip data is damaged or cut short: the CRC-32 and length that end a member are missing or do not match its data");
    }

    private bool StartsMember(long at)
    {
        Span<byte> magic = stackalloc byte[2];
        return RandomAccess.Read(file, magic, at) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    private bool AllZero(long from)
    {
        var buffer = new byte[1 << 16];
        for (var at = from; at < length;)
        {
            var got = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - at)), at);
            if (got <= 0) return true;
            if (buffer.AsSpan(0, got).ContainsAnyExcept((byte)0)) return false;
            at += got;
        }
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _member?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The file from an offset on, read with positioned reads; remembers where its last read started.</summary>
    private sealed class FileWindow(Microsoft.Win32.SafeHandles.SafeFileHandle file, long start) : ForwardOnlyStream
    {
        public long LastStart { get; private set; } = start;

        /// <summary>Where the next read starts.</summary>
        public long Offset { get; private set; } = start;

        /// <summary>Whether a read found the end of the file.</summary>
        public bool HitEnd { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.Length == 0) return 0;
            var read = RandomAccess.Read(file, buffer, Offset);
            if (read == 0)
            {
                HitEnd = true;
                return 0;
            }
            LastStart = Offset;
            Offset += read;
            return read;
        }
    }
}

/// <summary>
/// A decompressor's output, its failures said in packster's words (spec/errors.md: never a library's text): damaged
/// or cut-short compressed data is PST4019, naming the compressor, whatever the decoder threw.
/// </summary>
internal sealed class DecoderWordsStream(Stream inner, string archive, string compressor) : ForwardOnlyStream
{
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception e) when (VendorArchive.IsReaderFailure(e))
        {
            throw VendorArchive.Unreadable(archive, $"its {compressor} data is damaged or cut short");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
