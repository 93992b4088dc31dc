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
