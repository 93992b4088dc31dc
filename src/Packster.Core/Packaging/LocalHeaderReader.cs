using Microsoft.Win32.SafeHandles;

namespace Packster.Packaging;

/// <summary>
/// Reads the local headers of an archive in file order (spec/package-format.md §5 "Planning"). When the headers after
/// the one asked for lie close behind it — each within <see cref="Gap"/> bytes of the one before, as those of small
/// entries and of a solid run's members do — one read fills a buffer with all of them, and the next asks are answered
/// from it: a package of many small files costs one read per group of headers instead of one per header. A piece the
/// buffer does not hold is read by itself, exactly as without this reader; nothing past <c>limit</c> is buffered.
/// </summary>
internal sealed class LocalHeaderReader
{
    /// <summary>The largest gap between two headers read through (copying it costs less than another read).</summary>
    internal const int Gap = 4096;

    private const int Capacity = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly long[] _offsets;
    private readonly long _limit;
    private readonly int _reach;
    private byte[]? _buffer;
    private long _start = -1;
    private int _length;

    /// <param name="handle">The archive.</param>
    /// <param name="ascendingOffsets">The offsets of the headers that will be read, in the order they will be read (ascending).</param>
    /// <param name="limit">Where buffering stops (the central directory's offset).</param>
    /// <param name="reach">How far past its header's offset any read of a header may go.</param>
    public LocalHeaderReader(SafeFileHandle handle, long[] ascendingOffsets, long limit, int reach)
    {
        _handle = handle;
        _offsets = ascendingOffsets;
        _limit = limit;
        _reach = reach;
    }

    /// <summary>
    /// Reads <paramref name="destination"/> at <paramref name="offset"/>, a piece of the header at
    /// <c>ascendingOffsets[index]</c>; returns the number of bytes read, fewer only where the file ends.
    /// </summary>
    public int Read(Span<byte> destination, long offset, int index)
    {
        if (!Holds(offset, destination.Length)) Refill(offset, destination.Length, index);
        if (!Holds(offset, destination.Length)) return RandomAccess.Read(_handle, destination, offset);
        _buffer.AsSpan((int)(offset - _start), destination.Length).CopyTo(destination);
        return destination.Length;
    }

    /// <summary>Fills the buffer from header <paramref name="index"/> through the headers close behind it, when there are any and they hold the piece asked for.</summary>
    private void Refill(long offset, int count, int index)
    {
        var header = _offsets[index];
        var last = index;
        while (last + 1 < _offsets.Length && _offsets[last + 1] - _offsets[last] <= Gap && _offsets[last + 1] + _reach - header <= Capacity) last++;
        var end = Math.Min(_limit, _offsets[last] + _reach);
        if (last == index || offset < header || offset + count > end) return;
        _buffer ??= new byte[Capacity];
        _start = header;
        _length = Fill(_buffer.AsSpan(0, (int)(end - header)), header);
    }

    private bool Holds(long offset, int count) => _start >= 0 && offset >= _start && offset - _start <= _length - count;

    private int Fill(Span<byte> buffer, long offset)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = RandomAccess.Read(_handle, buffer[filled..], offset + filled);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }
}
