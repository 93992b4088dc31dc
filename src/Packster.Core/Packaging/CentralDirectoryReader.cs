using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Packster.Packaging;

/// <summary>
/// Parses the end-of-central-directory records (ZIP64 too) and the central directory, checking every count, size and
/// offset against the file before trusting it: a truncated, multi-disk or self-overlapping archive is refused here.
/// </summary>
internal static class CentralDirectoryReader
{
    private const int MaxCommentLength = 0xFFFF;

    public static (IReadOnlyList<PackageEntry> Entries, byte[][] LocalNames, long CentralDirectoryOffset) Read(
        SafeFileHandle handle, string archive, long maxEntries)
    {
        var fileLength = RandomAccess.GetLength(handle);
        var (count, cdOffset, cdSize) = ReadEnd(handle, archive, fileLength);
        // Checked from the end record, before anything is allocated for the entries.
        if (count > maxEntries) throw ArchiveErrors.TooManyEntries(archive, count, maxEntries);
        if (cdSize / ZipFormat.CentralHeaderLength < count || cdSize > int.MaxValue)
        {
            throw ArchiveErrors.Corrupt(archive, $"central directory of {cdSize} bytes cannot hold {count} entries");
        }

        var cd = new byte[cdSize];
        RandomAccess.Read(handle, cd, cdOffset);
        var entries = new PackageEntry[count];
        var rawNames = new byte[count][];
        var span = cd.AsSpan();
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            if (ZipFormat.CentralHeaderLength > span.Length - position
                || BinaryPrimitives.ReadUInt32LittleEndian(span[position..]) != ZipFormat.CentralHeaderSignature)
            {
                throw ArchiveErrors.Corrupt(archive, $"central directory entry {i} is missing or damaged");
            }
            var header = span.Slice(position, ZipFormat.CentralHeaderLength);
            var madeBy = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
            int disk = BinaryPrimitives.ReadUInt16LittleEndian(header[34..]);
            var external = BinaryPrimitives.ReadUInt32LittleEndian(header[38..]);
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
            var variableLength = nameLength + extraLength + commentLength;
            if (ZipFormat.CentralHeaderLength + variableLength > span.Length - position)
            {
                throw ArchiveErrors.Corrupt(archive, $"central directory entry {i} runs past the directory's end");
            }
            var rawName = span.Slice(position + ZipFormat.CentralHeaderLength, nameLength).ToArray();
            var extra = span.Slice(position + ZipFormat.CentralHeaderLength + nameLength, extraLength);
            var name = PackageArchive.DecodeName(rawName, out var invalidUtf8);
            ApplyZip64(extra, ref size, ref compressed, ref offset, ref disk, archive, name);
            if (disk != 0) throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(name)}' lives on another disk; split archives are not packages");

            var unixMode = madeBy >> 8 == ZipFormat.HostUnix ? (int)(external >> 16) : 0;
            var kind = KindOf(unixMode, external, name);
            var path = kind == PackageEntryKind.Directory && name.EndsWith('/') ? name[..^1] : name;
            entries[i] = new PackageEntry(path, kind, NormalisedMode(kind, unixMode), compressed, size, crc, method)
            {
                Index = i,
                LocalHeaderOffset = offset,
                Flags = flags,
                RawUnixMode = unixMode,
                RawName = name,
                NameIsInvalidUtf8 = invalidUtf8,
            };
            rawNames[i] = rawName;
            position += ZipFormat.CentralHeaderLength + variableLength;
        }
        var localNames = CheckDataRanges(handle, entries, rawNames, cdOffset, archive);
        AssignRuns(entries, archive);
        return (entries, localNames, cdOffset);
    }

    /// <summary>
    /// Gives each member of a solid run (spec/package-format.md § Solid runs) the index of its run's first member: a
    /// <see cref="ZipFormat.MethodSolidNext"/> entry continues the run the nearest <see cref="ZipFormat.MethodSolidFirst"/>
    /// entry before it in the central directory started. A member must be a regular file whose data lies after the
    /// previous member's (the run is one stream read front to back); a member before any first one is refused.
    /// </summary>
    private static void AssignRuns(PackageEntry[] entries, string archive)
    {
        var start = -1;
        long previousOffset = -1;
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (!ZipFormat.IsSolid(entry.Method)) continue;
            if (entry.Method == ZipFormat.MethodSolidFirst)
            {
                start = i;
            }
            else if (start < 0)
            {
                throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(entry.RawName)}' continues a solid run that no entry before it starts");
            }
            else if (entry.LocalHeaderOffset <= previousOffset)
            {
                throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(entry.RawName)}' continues a solid run with data that lies before the run's previous member");
            }
            if (entry.Kind != PackageEntryKind.File) throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(entry.RawName)}' is a member of a solid run but not a regular file");
            previousOffset = entry.LocalHeaderOffset;
            entries[i] = entry with { RunStart = start };
        }
    }

    /// <summary>
    /// Every entry's local header and data must lie before the central directory and after the previous entry's data:
    /// overlapping entries are how "non-recursive" zip bombs multiply one compressed stream. The range is the one the
    /// data is really read from: local header, name, local extra field (read from the file, up to 64 KiB), data. Every
    /// bound is compared in subtraction form, so no declared 64-bit value can make a sum wrap.
    /// The one overlap allowed is whole (spec/package-format.md § Shared data): regular files at exactly the offset of an
    /// earlier regular file, declaring its method, flags, CRC-32 and sizes, read its local header and data; a partial
    /// overlap, or a sharer that declares anything else, is refused. Returns, per entry, the name its local header
    /// must carry: its own, or for a sharer that of the entry whose data it shares.
    /// </summary>
    private static byte[][] CheckDataRanges(SafeFileHandle handle, PackageEntry[] entries, byte[][] rawNames, long cdOffset, string archive)
    {
        var order = Enumerable.Range(0, entries.Length).OrderBy(i => entries[i].LocalHeaderOffset).ToArray();
        var localNames = (byte[][])rawNames.Clone();
        long previousEnd = 0;
        PackageEntry? previous = null;
        Span<byte> lengths = stackalloc byte[4];
        var headers = new LocalHeaderReader(handle, [.. order.Select(i => entries[i].LocalHeaderOffset)], cdOffset, ZipFormat.LocalHeaderLength);
        for (var k = 0; k < order.Length; k++)
        {
            var i = order[k];
            var entry = entries[i];
            if (previous is not null && entry.LocalHeaderOffset == previous.LocalHeaderOffset)
            {
                // A member of a solid run is never shared: its bytes only mean something read in the run's order.
                if (entry.Kind != PackageEntryKind.File || previous.Kind != PackageEntryKind.File || entry.Method != previous.Method
                    || ZipFormat.IsSolid(entry.Method)
                    || entry.Flags != previous.Flags || entry.Crc32 != previous.Crc32 || entry.CompressedSize != previous.CompressedSize || entry.Size != previous.Size)
                {
                    throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(entry.RawName)}' overlaps entry '{ArchiveErrors.Printable(previous.RawName)}' without being the same file's data");
                }
                localNames[i] = rawNames[previous.Index];
                continue;
            }
            if (entry.LocalHeaderOffset < previousEnd)
            {
                throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(entry.RawName)}' overlaps entry '{ArchiveErrors.Printable(previous!.RawName)}'");
            }
            if (ZipFormat.LocalHeaderLength > cdOffset - entry.LocalHeaderOffset
                || headers.Read(lengths, entry.LocalHeaderOffset + ZipFormat.LocalNameLengthOffset, k) != lengths.Length)
            {
                throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(entry.RawName)}' has no local header at offset {entry.LocalHeaderOffset}");
            }
            // The local name must equal the central one (PackageArchive.DataOffset checks it); its extra field may differ.
            long headerLength = ZipFormat.LocalHeaderLength + rawNames[i].Length + BinaryPrimitives.ReadUInt16LittleEndian(lengths[2..]);
            var room = cdOffset - entry.LocalHeaderOffset;
            if (headerLength > room || entry.CompressedSize > room - headerLength)
            {
                throw ArchiveErrors.Truncated(archive, $"data of entry '{ArchiveErrors.Printable(entry.RawName)}' runs past the central directory");
            }
            previousEnd = entry.LocalHeaderOffset + headerLength + entry.CompressedSize;
            previous = entry;
        }
        return localNames;
    }

    private static PackageEntryKind KindOf(int unixMode, uint external, string name)
    {
        switch (unixMode & ZipFormat.TypeMask)
        {
            case ZipFormat.TypeDirectory: return PackageEntryKind.Directory;
            case ZipFormat.TypeSymlink: return PackageEntryKind.Symlink;
            case ZipFormat.TypeRegular: return PackageEntryKind.File;
            case 0:
                // Not made on Unix (or no type bits): a trailing '/' or the MS-DOS directory bit marks a directory.
                return name.EndsWith('/') || (unixMode == 0 && (external & ZipFormat.MsDosDirectoryAttribute) != 0)
                    ? PackageEntryKind.Directory
                    : PackageEntryKind.File;
            default:
                // Devices, FIFOs, sockets: reported as files here, refused by the extractor from RawUnixMode.
                return PackageEntryKind.File;
        }
    }

    private static int NormalisedMode(PackageEntryKind kind, int unixMode) => kind switch
    {
        PackageEntryKind.Directory => ZipFormat.ModeDirectory,
        PackageEntryKind.Symlink => ZipFormat.ModeSymlink,
        _ => (unixMode & ZipFormat.AnyExecuteBits) != 0 ? ZipFormat.ModeExecutable : ZipFormat.ModeFile,
    };

    private static void ApplyZip64(ReadOnlySpan<byte> extra, ref long size, ref long compressed, ref long offset, ref int disk, string archive, string name)
    {
        var needSize = size == ZipFormat.Zip32Max;
        var needCompressed = compressed == ZipFormat.Zip32Max;
        var needOffset = offset == ZipFormat.Zip32Max;
        var needDisk = disk == ZipFormat.Zip16Max;
        if (!(needSize || needCompressed || needOffset || needDisk)) return;
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (4 + length > extra.Length) break;
            if (id == ZipFormat.Zip64ExtraId)
            {
                var field = extra.Slice(4, length);
                if (needSize) size = TakeInt64(ref field, archive, name);
                if (needCompressed) compressed = TakeInt64(ref field, archive, name);
                if (needOffset) offset = TakeInt64(ref field, archive, name);
                if (needDisk)
                {
                    if (field.Length < 4) throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(name)}' has a short ZIP64 field");
                    disk = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(field), int.MaxValue);
                }
                return;
            }
            extra = extra[(4 + length)..];
        }
        throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(name)}' needs a ZIP64 field but has none");
    }

    private static long TakeInt64(ref ReadOnlySpan<byte> field, string archive, string name)
    {
        if (field.Length < 8) throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(name)}' has a short ZIP64 field");
        var value = BinaryPrimitives.ReadUInt64LittleEndian(field);
        field = field[8..];
        if (value > long.MaxValue) throw ArchiveErrors.Corrupt(archive, $"entry '{ArchiveErrors.Printable(name)}' declares an impossible size");
        return (long)value;
    }

    private static (long Count, long Offset, long Size) ReadEnd(SafeFileHandle handle, string archive, long fileLength)
    {
        if (fileLength < ZipFormat.EndOfCentralDirectoryLength)
        {
            throw ArchiveErrors.Truncated(archive, $"{fileLength} bytes is too short for a ZIP archive");
        }
        var tailLength = (int)Math.Min(fileLength, ZipFormat.EndOfCentralDirectoryLength + MaxCommentLength);
        var tail = new byte[tailLength];
        RandomAccess.Read(handle, tail, fileLength - tailLength);
        var at = -1;
        for (var i = tailLength - ZipFormat.EndOfCentralDirectoryLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == ZipFormat.EndOfCentralDirectorySignature
                && i + ZipFormat.EndOfCentralDirectoryLength + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) == tailLength)
            {
                at = i;
                break;
            }
        }
        if (at < 0) throw ArchiveErrors.Truncated(archive, "no end-of-central-directory record at its end");

        var eocd = tail.AsSpan(at);
        int diskNumber = BinaryPrimitives.ReadUInt16LittleEndian(eocd[4..]);
        int cdDisk = BinaryPrimitives.ReadUInt16LittleEndian(eocd[6..]);
        long entriesOnDisk = BinaryPrimitives.ReadUInt16LittleEndian(eocd[8..]);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(eocd[10..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(eocd[12..]);
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(eocd[16..]);
        var eocdPosition = fileLength - tailLength + at;
        var endOfDirectory = eocdPosition;

        if (count == ZipFormat.Zip16Max || size == ZipFormat.Zip32Max || offset == ZipFormat.Zip32Max)
        {
            var locatorPosition = eocdPosition - ZipFormat.Zip64LocatorLength;
            Span<byte> locator = stackalloc byte[ZipFormat.Zip64LocatorLength];
            if (locatorPosition < 0 || RandomAccess.Read(handle, locator, locatorPosition) != locator.Length
                || BinaryPrimitives.ReadUInt32LittleEndian(locator) != ZipFormat.Zip64LocatorSignature)
            {
                throw ArchiveErrors.Corrupt(archive, "the ZIP64 end-of-central-directory locator is missing");
            }
            var recordPosition = BinaryPrimitives.ReadUInt64LittleEndian(locator[8..]);
            Span<byte> record = stackalloc byte[ZipFormat.Zip64EndOfCentralDirectoryLength];
            if (recordPosition > (ulong)locatorPosition - ZipFormat.Zip64EndOfCentralDirectoryLength
                || RandomAccess.Read(handle, record, (long)recordPosition) != record.Length
                || BinaryPrimitives.ReadUInt32LittleEndian(record) != ZipFormat.Zip64EndOfCentralDirectorySignature)
            {
                throw ArchiveErrors.Corrupt(archive, "the ZIP64 end-of-central-directory record is missing");
            }
            diskNumber = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(record[16..]), int.MaxValue);
            cdDisk = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(record[20..]), int.MaxValue);
            entriesOnDisk = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(record[24..]), long.MaxValue);
            count = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(record[32..]), long.MaxValue);
            size = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(record[40..]), long.MaxValue);
            offset = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(record[48..]), long.MaxValue);
            endOfDirectory = (long)recordPosition;
        }

        if (diskNumber != 0 || cdDisk != 0 || entriesOnDisk != count)
        {
            throw ArchiveErrors.Corrupt(archive, "it spans several disks; split archives are not packages");
        }
        if (offset > endOfDirectory || size > endOfDirectory - offset)
        {
            throw ArchiveErrors.Truncated(archive, $"the central directory ({size} bytes at {offset}) lies outside the file");
        }
        return (count, offset, size);
    }
}
