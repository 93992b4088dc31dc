using System.Buffers;

namespace Packster.Locations;

/// <summary>
/// A growing byte buffer whose arrays are not cleared first (<see cref="GC.AllocateUninitializedArray{T}(int, bool)"/>):
/// only bytes written are ever read, and a lockfile of 600 KB written into an <see cref="ArrayBufferWriter{T}"/> paid
/// for clearing its 768 KB before writing it, pages the kernel had just handed over as zeroes.
/// </summary>
internal sealed class UninitializedBuffer(int capacity) : IBufferWriter<byte>
{
    private byte[] _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(capacity, 256));

    /// <summary>
    /// An array of exactly <paramref name="length"/> bytes, not cleared, its pages mapped at once where the system can
    /// (<see cref="PosixFiles.Populate"/>): for an array every byte of which is written next.
    /// </summary>
    public static byte[] NewArray(int length)
    {
        var array = GC.AllocateUninitializedArray<byte>(length);
        PosixFiles.Populate(array);
        return array;
    }

    public int WrittenCount { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, WrittenCount);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - WrittenCount) throw new InvalidOperationException("advanced past the end of the buffer");
        WrittenCount += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(WrittenCount);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(WrittenCount);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        WrittenCount += bytes.Length;
    }

    private void Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - WrittenCount >= needed) return;
        var bigger = GC.AllocateUninitializedArray<byte>(Math.Max(_buffer.Length * 2, WrittenCount + needed));
        WrittenSpan.CopyTo(bigger);
        _buffer = bigger;
    }
}
