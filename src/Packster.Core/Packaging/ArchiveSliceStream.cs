using Microsoft.Win32.SafeHandles;

namespace Packster.Packaging;

/// <summary>
/// A read-only window [start, start+length) of a file read with positional reads, so many workers can share one
/// handle without seeking each other's position.
/// </summary>
internal sealed class ArchiveSliceStream(SafeFileHandle handle, long start, long length) : ReadOnlyStream
{
    private long _position;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var remaining = length - _position;
        if (remaining <= 0 || buffer.IsEmpty) return 0;
        if (buffer.Length > remaining) buffer = buffer[..(int)remaining];
        var read = RandomAccess.Read(handle, buffer, start + _position);
        _position += read;
        return read;
    }
}
