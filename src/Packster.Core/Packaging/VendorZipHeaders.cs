using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Packster.Packaging;

/// <summary>
/// Walks a vendor zip's central directory in step with SharpCompress's entries and reads each entry's local header,
/// so that every entry is known by one name only (spec/pack-from.md §Formats "One name per entry"). A zip whose local
/// header names another path than its central directory unpacks one file in tools that follow the directory (unzip,
/// SharpCompress) and another in tools that stream the local headers; such a zip, or one whose local header declares
/// another method or encryption, is refused as PST4002. An entry of method 99 (WinZip AES) is encrypted whatever its
/// flags say: PST4013.
/// </summary>
/// <remarks>
/// The directory is found as SharpCompress finds it (the last end record in the file, the ZIP64 locator just before it)
/// and read entry by entry from its start. Each entry's name must also be the one SharpCompress reported for it, so a
/// directory that the two would read differently is refused rather than checked against the wrong bytes.
/// </remarks>
internal sealed class VendorZipHeaders
{
    private const int MaxCommentLength = 0xFFFF;
    private const ushort MethodWinZipAes = 99;

    private readonly SafeFileHandle _handle;
    private readonly string _archive;
    private readonly long _length;
    /// <summary>An empty deflate stream is 2 bytes; a directory entry with more compressed data than this holds data.</summary>
    private const int MaxEmptyDeflate = 1 << 10;

    private long _position;
    private int _index;
    private (string Name, ushort Method, long DataOffset) _last = ("", 0, 0);

    private VendorZipHeaders(SafeFileHandle handle, string archive, long length, long directory)
    {
        _handle = handle;
        _archive = archive;
        _length = length;
        _position = directory;
    }

    /// <summary>Finds the central directory; a zip whose end records cannot be found is PST4019, as the reader would say.</summary>
    public static VendorZipHeaders Open(FileStream file, string archive)
    {
        var handle = file.SafeFileHandle;
        var length = file.Length;
        if (length < ZipFormat.EndOfCentralDirectoryLength) throw VendorArchive.Unreadable(archive, "it is too short for a zip archive");
        var tail = new byte[(int)Math.Min(length, ZipFormat.EndOfCentralDirectoryLength + MaxCommentLength)];
        ReadExactly(handle, tail, length - tail.Length, archive);
        var at = tail.AsSpan(0, tail.Length - ZipFormat.EndOfCentralDirectoryLength + 4).LastIndexOf("PK\x05\x06"u8);
        if (at < 0) throw VendorArchive.Unreadable(archive, "it has no end-of-central-directory record");
        var end = tail.AsSpan(at);
        var endPosition = length - tail.Length + at;
        long directory = BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(end[8..]) == ZipFormat.Zip16Max
            || BinaryPrimitives.ReadUInt32LittleEndian(end[12..]) == ZipFormat.Zip32Max || directory == ZipFormat.Zip32Max)
        {
            var locator = new byte[ZipFormat.Zip64LocatorLength];
            var locatorPosition = endPosition - ZipFormat.Zip64LocatorLength;
            if (locatorPosition < 0) throw VendorArchive.Unreadable(archive, "its ZIP64 end-of-central-directory locator is missing");
            ReadExactly(handle, locator, locatorPosition, archive);
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator) != ZipFormat.Zip64LocatorSignature)
            {
                throw VendorArchive.Unreadable(archive, "its ZIP64 end-of-central-directory locator is missing");
            }
            var recordPosition = BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8));
            var record = new byte[ZipFormat.Zip64EndOfCentralDirectoryLength];
            if (recordPosition > (ulong)length - (ulong)record.Length) throw VendorArchive.Unreadable(archive, "its ZIP64 end-of-central-directory record is missing");
            ReadExactly(handle, record, (long)recordPosition, archive);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != ZipFormat.Zip64EndOfCentralDirectorySignature)
            {
                throw VendorArchive.Unreadable(archive, "its ZIP64 end-of-central-directory record is missing");
            }
            directory = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(48)), long.MaxValue);
        }
        return new VendorZipHeaders(handle, archive, length, directory);
    }

    /// <summary>
    /// Reads the next central directory entry and its local header, checking them against each other and against
    /// <paramref name="readerName"/>, the name SharpCompress gave the same entry.
    /// </summary>
    public void Next(string readerName)
    {
        var index = _index++;
        var header = new byte[ZipFormat.CentralHeaderLength];
        if (!TryRead(header, _position) || BinaryPrimitives.ReadUInt32LittleEndian(header) != ZipFormat.CentralHeaderSignature)
        {
            throw TwoReadings($"the zip reader found entry {index + 1} ('{ArchiveErrors.Printable(readerName)}') where its central directory has none");
        }
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8));
        var method = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(10));
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(20));
        long size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(24));
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30));
        int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(42));
        var variable = new byte[nameLength + extraLength];
        if (!TryRead(variable, _position + ZipFormat.CentralHeaderLength))
        {
            throw VendorArchive.Unreadable(_archive, $"central directory entry {index + 1} runs past the end of the file");
        }
        _position += ZipFormat.CentralHeaderLength + nameLength + extraLength + commentLength;
        var rawName = variable.AsSpan(0, nameLength);
        var name = Encoding.UTF8.GetString(rawName);
        if (name != readerName)
        {
            throw TwoReadings($"entry {index + 1} is '{ArchiveErrors.Printable(name)}' in its central directory but '{ArchiveErrors.Printable(readerName)}' to the zip reader");
        }
        if (offset == ZipFormat.Zip32Max) offset = Zip64Offset(variable.AsSpan(nameLength), size == ZipFormat.Zip32Max, compressed == ZipFormat.Zip32Max, name);
        const ushort encryption = ZipFormat.FlagEncrypted | ZipFormat.FlagStrongEncryption;
        if ((flags & encryption) != 0) throw ArchiveErrors.VendorEncrypted(_archive, name);
        if (method == MethodWinZipAes) throw WinZipAes(name, "its central directory");

        var local = new byte[ZipFormat.LocalHeaderLength + nameLength];
        if (offset > _length - ZipFormat.LocalHeaderLength || !TryRead(local.AsSpan(0, ZipFormat.LocalHeaderLength), offset)
            || BinaryPrimitives.ReadUInt32LittleEndian(local) != ZipFormat.LocalHeaderSignature)
        {
            throw Inconsistent(name, $"has no local header at offset {offset}");
        }
        var localFlags = BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(6));
        var localMethod = BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(8));
        int localNameLength = BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(ZipFormat.LocalNameLengthOffset));
        var localName = new byte[localNameLength];
        if (!TryRead(localName, offset + ZipFormat.LocalHeaderLength))
        {
            throw Inconsistent(name, $"has a local header at offset {offset} whose name runs past the end of the file");
        }
        if (!localName.AsSpan().SequenceEqual(rawName))
        {
            throw Inconsistent(name,
                $"is named '{ArchiveErrors.Printable(Encoding.UTF8.GetString(localName))}' in its local header; readers that follow the local headers would unpack another file than those that follow the central directory");
        }
        if (localMethod == MethodWinZipAes) throw WinZipAes(name, "its local header");
        if (localMethod != method)
        {
            throw Inconsistent(name, $"has compression method {localMethod} in its local header but {method} in the central directory");
        }
        if ((localFlags & encryption) != 0) throw Inconsistent(name, "is encrypted in its local header but not in the central directory");
        int localExtraLength = BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(ZipFormat.LocalNameLengthOffset + 2));
        _last = (name, method, offset + ZipFormat.LocalHeaderLength + localNameLength + localExtraLength);
    }

    /// <summary>
    /// Whether the entry <see cref="Next"/> read last, a directory that declares no data, holds data all the same:
    /// stored bytes, or a deflate stream that decodes to bytes (package-format.md §5: PST4005). Writers that deflate every
    /// entry (Python's zipfile in ZIP_DEFLATED mode) store a folder as an empty deflate stream, two bytes that hold
    /// nothing. Data in other methods, or more than <see cref="MaxEmptyDeflate"/> bytes of it, is not decoded: it counts.
    /// </summary>
    public bool DirectoryHoldsData(long compressedSize)
    {
        if (compressedSize <= 0) return false;
        var (name, method, dataOffset) = _last;
        if (method != ZipFormat.MethodDeflated || compressedSize > MaxEmptyDeflate) return true;
        var compressed = new byte[compressedSize];
        if (!TryRead(compressed, dataOffset))
        {
            throw VendorArchive.Unreadable(_archive, $"the data of entry '{ArchiveErrors.Printable(name)}' runs past the end of the file");
        }
        using var inflated = new DeflateStream(new MemoryStream(compressed), CompressionMode.Decompress);
        return inflated.Read(new byte[1]) != 0;
    }

    /// <summary>After the reader's last entry: the central directory must hold no more.</summary>
    public void End()
    {
        Span<byte> signature = stackalloc byte[4];
        if (TryRead(signature, _position) && BinaryPrimitives.ReadUInt32LittleEndian(signature) == ZipFormat.CentralHeaderSignature)
        {
            throw TwoReadings($"its central directory holds more entries than the zip reader found ({_index})");
        }
    }

    private long Zip64Offset(ReadOnlySpan<byte> extra, bool hasSize, bool hasCompressed, string name)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (4 + length > extra.Length) break;
            if (id == ZipFormat.Zip64ExtraId)
            {
                var skip = (hasSize ? 8 : 0) + (hasCompressed ? 8 : 0);
                if (length < skip + 8) break;
                var value = BinaryPrimitives.ReadUInt64LittleEndian(extra[(4 + skip)..]);
                return value > long.MaxValue ? long.MaxValue : (long)value;
            }
            extra = extra[(4 + length)..];
        }
        throw VendorArchive.Unreadable(_archive, $"entry '{ArchiveErrors.Printable(name)}' needs a ZIP64 field for its local header's offset but has none");
    }

    private bool TryRead(Span<byte> buffer, long offset)
    {
        if (offset < 0 || offset > _length || buffer.Length > _length - offset) return false;
        return RandomAccess.Read(_handle, buffer, offset) == buffer.Length;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string archive)
    {
        if (RandomAccess.Read(handle, buffer, offset) != buffer.Length) throw VendorArchive.Unreadable(archive, "it ended while it was being read");
    }

    private PacksterException Inconsistent(string entry, string what) =>
        new(ErrorCode.ArchiveCorrupt, $"entry '{ArchiveErrors.Printable(entry)}' in '{_archive}' {what}", ArchiveErrors.HostileHint);

    private PacksterException TwoReadings(string what) =>
        new(ErrorCode.ArchiveCorrupt, $"'{_archive}' can be read two ways: {what}", ArchiveErrors.HostileHint);

    private PacksterException WinZipAes(string entry, string where) =>
        ArchiveErrors.VendorEncrypted(_archive, entry,
            $"its compression method in {where} is 99, WinZip AES encryption, though its encryption flag is not set");
}
