namespace Packster.Packaging;

/// <summary>Reads a fixed prefix, then a stream, then a fixed suffix, as one stream.</summary>
internal sealed class ConcatReadStream(ReadOnlyMemory<byte> prefix, Stream middle, ReadOnlyMemory<byte> suffix) : ReadOnlyStream
{
    private ReadOnlyMemory<byte> _prefix = prefix;
    private ReadOnlyMemory<byte> _suffix = suffix;
    private bool _middleDone;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (!_prefix.IsEmpty) return Take(ref _prefix, buffer);
        if (!_middleDone)
        {
            var read = middle.Read(buffer);
            if (read > 0) return read;
            _middleDone = true;
        }
        return _suffix.IsEmpty ? 0 : Take(ref _suffix, buffer);
    }

    private static int Take(ref ReadOnlyMemory<byte> source, Span<byte> buffer)
    {
        var count = Math.Min(source.Length, buffer.Length);
        source.Span[..count].CopyTo(buffer);
        source = source[count..];
        return count;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) middle.Dispose();
        base.Dispose(disposing);
    }
}
