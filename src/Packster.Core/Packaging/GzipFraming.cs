using System.Buffers.Binary;

namespace Packster.Packaging;

/// <summary>
/// A ZIP deflate entry is a gzip member without its 10-byte header and 8-byte trailer (CRC-32, size mod 2^32).
/// Framing raw deflate as gzip lets zlib-ng compute and check the CRC in the same pass as inflating, instead of a
/// second pass with <c>System.IO.Hashing.Crc32</c>; we only add or strip the frame.
/// </summary>
internal static class GzipFraming
{
    public const int HeaderLength = 10;
    public const int TrailerLength = 8;

    /// <summary>ID1 ID2, CM=8, no flags, MTIME 0, XFL 0, OS 3 (Unix).</summary>
    public static ReadOnlyMemory<byte> Header { get; } = new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

    public static byte[] Trailer(uint crc, long size)
    {
        var trailer = new byte[TrailerLength];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), unchecked((uint)size));
        return trailer;
    }

    /// <summary>True when a gzip member written by zlib has the plain 10-byte header we strip (no name, extra or comment).</summary>
    public static bool HasPlainHeader(ReadOnlySpan<byte> header, ReadOnlySpan<byte> trailer) =>
        header.Length == HeaderLength && trailer.Length == TrailerLength
        && header[0] == 0x1f && header[1] == 0x8b && header[2] == 8 && header[3] == 0;

    public static uint TrailerCrc(ReadOnlySpan<byte> trailer) => BinaryPrimitives.ReadUInt32LittleEndian(trailer);
}
