using System.Buffers.Binary;

namespace Packster.Packaging;

/// <summary>
/// Writes the ZIP container of a package, sequentially and deterministically (spec/package-format.md §Container):
/// every entry's sizes and CRC are known before its local header is written, so there are no data descriptors,
/// all timestamps are 1980-01-01 00:00:00, no extra fields except ZIP64 where a value overflows, version-made-by is
/// Unix and the external attributes carry the normalised st_mode.
/// </summary>
internal sealed class PackageWriter(Stream output)
{
    private readonly List<CentralRecord> _records = [];
    private long _position;

    public long Position => _position;

    public int EntryCount => _records.Count;

    /// <summary>Writes the local header; the caller then writes exactly <paramref name="compressedSize"/> data bytes via <see cref="WriteData"/>.</summary>
    public void BeginEntry(byte[] name, PackageEntryKind kind, int mode, ushort method, uint crc, long compressedSize, long size)
    {
        var zip64 = size >= ZipFormat.Zip32Max || compressedSize >= ZipFormat.Zip32Max;
        var record = new CentralRecord(name, kind, mode, method, crc, compressedSize, size, _position);
        Span<byte> header = stackalloc byte[ZipFormat.LocalHeaderLength + 20];
        BinaryPrimitives.WriteUInt32LittleEndian(header, ZipFormat.LocalHeaderSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], ZipFormat.VersionNeededFor(method, zip64));
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], ZipFormat.FlagUtf8);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], method);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], ZipFormat.FixedDosTime);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], ZipFormat.FixedDosDate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], zip64 ? ZipFormat.Zip32Max : (uint)compressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], zip64 ? ZipFormat.Zip32Max : (uint)size);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], checked((ushort)name.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)(zip64 ? 20 : 0));
        Write(header[..ZipFormat.LocalHeaderLength]);
        Write(name);
        if (zip64)
        {
            var extra = header[ZipFormat.LocalHeaderLength..];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, ZipFormat.Zip64ExtraId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[4..], (ulong)size);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[12..], (ulong)compressedSize);
            Write(extra);
        }
        _records.Add(record);
    }

    public void WriteData(ReadOnlySpan<byte> data) => Write(data);

    /// <summary>
    /// Adds an entry whose bytes are those of the earlier entry <paramref name="owner"/> (by position): its central record
    /// points at that entry's local header and data, with the owner's method, CRC and sizes, and nothing is written
    /// now (spec/package-format.md § Shared data).
    /// </summary>
    public void ShareEntry(byte[] name, PackageEntryKind kind, int mode, int owner) =>
        _records.Add(_records[owner] with { Name = name, Kind = kind, Mode = mode });

    /// <summary>Writes the central directory and the end records (ZIP64 ones when counts or offsets overflow).</summary>
    public void Finish()
    {
        var cdOffset = _position;
        Span<byte> header = stackalloc byte[ZipFormat.CentralHeaderLength];
        Span<byte> extra = stackalloc byte[28];
        foreach (var r in _records)
        {
            var extraLength = 0;
            var sizeOverflows = r.Size >= ZipFormat.Zip32Max;
            var compressedOverflows = r.CompressedSize >= ZipFormat.Zip32Max;
            var offsetOverflows = r.Offset >= ZipFormat.Zip32Max;
            if (sizeOverflows || compressedOverflows || offsetOverflows)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(extra, ZipFormat.Zip64ExtraId);
                extraLength = 4;
                if (sizeOverflows) WriteUInt64(extra, ref extraLength, r.Size);
                if (compressedOverflows) WriteUInt64(extra, ref extraLength, r.CompressedSize);
                if (offsetOverflows) WriteUInt64(extra, ref extraLength, r.Offset);
                BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)(extraLength - 4));
            }
            var needed = ZipFormat.VersionNeededFor(r.Method, extraLength > 0 || r.Size >= ZipFormat.Zip32Max);
            BinaryPrimitives.WriteUInt32LittleEndian(header, ZipFormat.CentralHeaderSignature);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], (ushort)((ZipFormat.HostUnix << 8) | needed));
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], needed);
            BinaryPrimitives.WriteUInt16LittleEndian(header[8..], ZipFormat.FlagUtf8);
            BinaryPrimitives.WriteUInt16LittleEndian(header[10..], r.Method);
            BinaryPrimitives.WriteUInt16LittleEndian(header[12..], ZipFormat.FixedDosTime);
            BinaryPrimitives.WriteUInt16LittleEndian(header[14..], ZipFormat.FixedDosDate);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], r.Crc);
            BinaryPrimitives.WriteUInt32LittleEndian(header[20..], compressedOverflows ? ZipFormat.Zip32Max : (uint)r.CompressedSize);
            BinaryPrimitives.WriteUInt32LittleEndian(header[24..], sizeOverflows ? ZipFormat.Zip32Max : (uint)r.Size);
            BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)r.Name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(header[30..], (ushort)extraLength);
            BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 0);   // comment length
            BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 0);   // disk number start
            BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 0);   // internal attributes
            BinaryPrimitives.WriteUInt32LittleEndian(header[38..], ZipFormat.ExternalAttributes(r.Kind, r.Mode));
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], offsetOverflows ? ZipFormat.Zip32Max : (uint)r.Offset);
            Write(header);
            Write(r.Name);
            Write(extra[..extraLength]);
        }
        var cdSize = _position - cdOffset;
        var count = _records.Count;
        var needsZip64 = count >= ZipFormat.Zip16Max || cdOffset >= ZipFormat.Zip32Max || cdSize >= ZipFormat.Zip32Max;
        if (needsZip64)
        {
            var recordOffset = _position;
            Span<byte> record = stackalloc byte[ZipFormat.Zip64EndOfCentralDirectoryLength];
            BinaryPrimitives.WriteUInt32LittleEndian(record, ZipFormat.Zip64EndOfCentralDirectorySignature);
            BinaryPrimitives.WriteUInt64LittleEndian(record[4..], ZipFormat.Zip64EndOfCentralDirectoryLength - 12);
            BinaryPrimitives.WriteUInt16LittleEndian(record[12..], (ZipFormat.HostUnix << 8) | ZipFormat.VersionNeededZip64);
            BinaryPrimitives.WriteUInt16LittleEndian(record[14..], ZipFormat.VersionNeededZip64);
            BinaryPrimitives.WriteUInt32LittleEndian(record[16..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(record[20..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(record[24..], (ulong)count);
            BinaryPrimitives.WriteUInt64LittleEndian(record[32..], (ulong)count);
            BinaryPrimitives.WriteUInt64LittleEndian(record[40..], (ulong)cdSize);
            BinaryPrimitives.WriteUInt64LittleEndian(record[48..], (ulong)cdOffset);
            Write(record);
            Span<byte> locator = stackalloc byte[ZipFormat.Zip64LocatorLength];
            BinaryPrimitives.WriteUInt32LittleEndian(locator, ZipFormat.Zip64LocatorSignature);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[4..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(locator[8..], (ulong)recordOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
            Write(locator);
        }
        Span<byte> end = stackalloc byte[ZipFormat.EndOfCentralDirectoryLength];
        BinaryPrimitives.WriteUInt32LittleEndian(end, ZipFormat.EndOfCentralDirectorySignature);
        BinaryPrimitives.WriteUInt16LittleEndian(end[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[6..], 0);
        var shortCount = (ushort)Math.Min(count, ZipFormat.Zip16Max);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], shortCount);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], shortCount);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)Math.Min(cdSize, ZipFormat.Zip32Max));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)Math.Min(cdOffset, ZipFormat.Zip32Max));
        BinaryPrimitives.WriteUInt16LittleEndian(end[20..], 0);
        Write(end);
    }

    private static void WriteUInt64(Span<byte> extra, ref int length, long value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(extra[length..], (ulong)value);
        length += 8;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        _position += bytes.Length;
    }

    private sealed record CentralRecord(byte[] Name, PackageEntryKind Kind, int Mode, ushort Method, uint Crc, long CompressedSize, long Size, long Offset);
}
