using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Packster.Packaging;

/// <summary>
/// A <c>.packster</c> file opened for reading: its central directory parsed and bounds-checked (every entry's data
/// lies inside the file, before the central directory, without overlapping another), with random access to any
/// entry's data. It does not judge names or links; <see cref="SafeExtractor"/> does.
/// </summary>
public sealed class PackageArchive : IDisposable
{
    /// <summary>The manifest is a small text file; anything bigger is not a manifest (the limit pack and manifest check apply too).</summary>
    public const long MaxManifestSize = Manifest.ManifestReader.MaxSize;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly SafeFileHandle _handle;
    private readonly long _centralDirectoryOffset;
    private readonly byte[][] _localNames;

    /// <summary>Each entry's data offset once <see cref="DataOffset"/> read its local header; -1 before.</summary>
    private readonly long[] _dataOffsets;

    /// <summary>Where entry data is read from when not from this file (<see cref="ReadDataFrom"/>), and what to wait for first.</summary>
    private (SafeFileHandle Handle, Action<long> AwaitEnd)? _data;

    private PackageArchive(string path, SafeFileHandle handle, IReadOnlyList<PackageEntry> entries, byte[][] localNames, long centralDirectoryOffset)
    {
        FilePath = path;
        _handle = handle;
        Entries = entries;
        _localNames = localNames;
        _centralDirectoryOffset = centralDirectoryOffset;
        _dataOffsets = new long[entries.Count];
        Array.Fill(_dataOffsets, -1);
    }

    /// <summary>The archive's path as given to <see cref="Open(string)"/>.</summary>
    public string FilePath { get; }

    /// <summary>The file name, used in every error message.</summary>
    public string Name => Path.GetFileName(FilePath);

    /// <summary>The archive's size in bytes, read from the open handle: what the compression ratio is judged against.</summary>
    public long Length => RandomAccess.GetLength(_handle);

    /// <summary>Entries in central-directory order (for packages Packster wrote: manifest, then ordinal path order).</summary>
    public IReadOnlyList<PackageEntry> Entries { get; }

    /// <summary>
    /// Opens and parses the central directory; fails with a 4xxx code when the container is damaged or declares more
    /// than the default <see cref="ExtractionLimits.MaxEntries"/> entries (checked before any entry is read).
    /// </summary>
    public static PackageArchive Open(string path) => Open(path, ExtractionLimits.Default.MaxEntries);

    internal static PackageArchive Open(string path, long maxEntries) => Open(path, maxEntries, beforeParsing: null);

    /// <summary>
    /// The manifest of <paramref name="path"/> read from the first local header alone — where <c>pack</c> writes it —
    /// without the central directory; null when the file does not start that way (not a package Packster wrote, a data
    /// descriptor, an unknown method, a manifest over <see cref="MaxManifestSize"/>, bytes that fail their CRC-32).
    /// Nothing here is trusted: the caller compares the bytes with a SHA-256 it already knows.
    /// </summary>
    public static byte[]? TryReadLeadingManifest(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var name = Encoding.UTF8.GetBytes(Packer.ManifestFileName);
        var buffer = new byte[ZipFormat.LocalHeaderLength + name.Length];
        if (RandomAccess.Read(handle, buffer, 0) != buffer.Length) return null;
        var header = buffer.AsSpan(0, ZipFormat.LocalHeaderLength);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        var method = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[14..]);
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[18..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(header[22..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != ZipFormat.LocalHeaderSignature
            || (flags & (ZipFormat.FlagEncrypted | ZipFormat.FlagStrongEncryption | ZipFormat.FlagDataDescriptor)) != 0
            || method is not (ZipFormat.MethodStored or ZipFormat.MethodDeflated or ZipFormat.MethodZstd)
            || size > MaxManifestSize || compressed > MaxManifestSize
            || BinaryPrimitives.ReadUInt16LittleEndian(header[26..]) != name.Length
            || !buffer.AsSpan(ZipFormat.LocalHeaderLength).SequenceEqual(name))
        {
            return null;
        }
        var dataOffset = ZipFormat.LocalHeaderLength + name.Length + BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        var entry = new PackageEntry(Packer.ManifestFileName, PackageEntryKind.File, 0, compressed, size, crc, method);
        try
        {
            using var data = new EntryDataStream(() => new ArchiveSliceStream(handle, dataOffset, compressed), entry, Path.GetFileName(path));
            var bytes = new byte[size];
            data.ReadExactly(bytes);
            // Reading to the end runs the size and CRC checks.
            return data.Read(new byte[1]) == 0 ? bytes : null;
        }
        catch (Exception e) when (e is PacksterException or EndOfStreamException or IOException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>As <see cref="Open(string)"/>; <paramref name="beforeParsing"/> sees the open handle first (to hash it).</summary>
    internal static PackageArchive Open(string path, long maxEntries, Action<SafeFileHandle>? beforeParsing)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            beforeParsing?.Invoke(handle);
            var name = Path.GetFileName(path);
            var (entries, localNames, cdOffset) = CentralDirectoryReader.Read(handle, name, maxEntries);
            return new PackageArchive(path, handle, entries, localNames, cdOffset);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The bytes of <c>packster-manifest.toml</c>, which must be the first entry, its local header at offset 0 (so the
    /// manifest the central directory names is the one the first local header holds); reads nothing else of the payload.
    /// </summary>
    public byte[] ReadManifestBytes()
    {
        var first = Entries.Count > 0 ? Entries[0] : null;
        if (first is null || first.RawName != Packer.ManifestFileName || first.Kind != PackageEntryKind.File)
        {
            throw ArchiveErrors.ManifestMissing(Name, first?.RawName ?? "(none)", first?.Kind ?? PackageEntryKind.File);
        }
        // pack writes the manifest's local header first: one elsewhere leaves bytes before it that another local header
        // can fill — a second manifest, which a reader of the first local header (TryReadLeadingManifest) would take.
        if (first.LocalHeaderOffset != 0)
        {
            throw ArchiveErrors.Corrupt(Name,
                $"its central directory puts '{Packer.ManifestFileName}' at offset {first.LocalHeaderOffset}, not at the start of the file, where its first local header is");
        }
        if (first.Size > MaxManifestSize) throw ArchiveErrors.TooLarge(Name, first.Path, first.Size, MaxManifestSize);
        CheckEntryFlags(first);
        using var data = OpenEntry(first);
        var bytes = new byte[first.Size];
        data.ReadExactly(bytes);
        // Reading to the end runs the size and CRC checks.
        if (data.Read(new byte[1]) != 0) throw ArchiveErrors.SizeMismatch(Name, first.Path, first.Size, "more");
        return bytes;
    }

    /// <summary>
    /// The inflated data of <paramref name="entry"/>; reading it to the end verifies its size and CRC-32.
    /// Safe to call from several threads at once (positional reads on one handle).
    /// </summary>
    public Stream OpenEntry(PackageEntry entry) => OpenEntry(entry, DataOffset(entry));

    /// <summary>
    /// As <see cref="OpenEntry(PackageEntry)"/>, with the data offset already checked by <see cref="DataOffset"/>. A member
    /// of a solid run is read through its run from the run's first member (each member before it decoded and checked,
    /// its bytes dropped): random access to it costs the run up to it; <see cref="OpenRun"/> reads a whole run once.
    /// </summary>
    internal Stream OpenEntry(PackageEntry entry, long dataOffset)
    {
        if (entry.RunStart < 0) return new EntryDataStream(() => OpenRaw(entry, dataOffset), entry, Name);
        var members = RunMembers(entry.RunStart);
        var run = OpenRun(members, members.Select(m => m.Index == entry.Index ? dataOffset : DataOffset(m)).ToArray());
        try
        {
            while (run.Upcoming.Index != entry.Index) run.Skip();
            return run.Next(owner: run);
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Shows <paramref name="visit"/> every regular file's data in central-directory order, each member of a solid run
    /// read through one reader of its run (opening the members one by one would decode each run up to every member).
    /// Whatever <paramref name="visit"/> leaves unread is read to the end after it, so size and CRC-32 are always checked.
    /// </summary>
    public void ForEachFile(Action<PackageEntry, Stream> visit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(visit);
        SolidRunReader? run = null;
        try
        {
            foreach (var entry in Entries.Where(e => e.Kind == PackageEntryKind.File))
            {
                ct.ThrowIfCancellationRequested();
                if (entry.RunStart >= 0 && (run is null || run.Start != entry.RunStart))
                {
                    run?.Dispose();
                    var members = RunMembers(entry.RunStart);
                    run = OpenRun(members, members.Select(DataOffset).ToArray());
                }
                using var data = entry.RunStart >= 0 ? run!.Next() : OpenEntry(entry);
                visit(entry, data);
                data.CopyTo(Stream.Null);
            }
        }
        finally
        {
            run?.Dispose();
        }
    }

    /// <summary>The members of the solid run whose first member is entry <paramref name="start"/>, in the run's order.</summary>
    internal PackageEntry[] RunMembers(int start) => Entries.Where(e => e.RunStart == start).ToArray();

    /// <summary>A reader of the solid run <paramref name="members"/> (in order), whose data starts at <paramref name="dataOffsets"/>.</summary>
    internal SolidRunReader OpenRun(IReadOnlyList<PackageEntry> members, IReadOnlyList<long> dataOffsets) =>
        new(members, k => OpenRaw(members[k], dataOffsets[k]), Name);

    /// <summary>The compressed bytes of <paramref name="entry"/>, from the copy being written once it holds them (<see cref="ReadDataFrom"/>).</summary>
    private ArchiveSliceStream OpenRaw(PackageEntry entry, long dataOffset)
    {
        if (_data is not { } data) return new ArchiveSliceStream(_handle, dataOffset, entry.CompressedSize);
        data.AwaitEnd(dataOffset + entry.CompressedSize);
        return new ArchiveSliceStream(data.Handle, dataOffset, entry.CompressedSize);
    }

    /// <summary>
    /// From now on, entry data is read from <paramref name="handle"/>, a copy of this file being written front to back:
    /// before reading the data that ends at offset E, <paramref name="awaitEnd"/>(E) returns once the copy holds it (or
    /// throws if the copy failed). The central directory and local headers stay this file's; <see cref="SameLayout"/>
    /// then tells whether they are the copy's.
    /// </summary>
    internal void ReadDataFrom(SafeFileHandle handle, Action<long> awaitEnd) => _data = (handle, awaitEnd);

    /// <summary>Whether entry data arrives front to back (<see cref="ReadDataFrom"/>): then it is best read in file order.</summary>
    internal bool DataArrivesInOrder => _data is not null;

    /// <summary>
    /// Whether <paramref name="other"/> has the layout this archive read: the same central directory at the same offset,
    /// the same names in the local headers, and the same data offset for every entry whose local header this archive read.
    /// Extracting from this archive's layout with <paramref name="other"/>'s data is then extracting <paramref name="other"/>.
    /// </summary>
    internal bool SameLayout(PackageArchive other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._centralDirectoryOffset != _centralDirectoryOffset || !other.Entries.SequenceEqual(Entries)) return false;
        for (var i = 0; i < _localNames.Length; i++)
        {
            if (!other._localNames[i].AsSpan().SequenceEqual(_localNames[i])) return false;
        }
        try
        {
            // In file order, through one reader: the local headers of small entries come a group per read.
            var read = Enumerable.Range(0, _dataOffsets.Length).Where(i => _dataOffsets[i] >= 0).OrderBy(i => other.Entries[i].LocalHeaderOffset).ToArray();
            var headers = new LocalHeaderReader(other._handle, [.. read.Select(i => other.Entries[i].LocalHeaderOffset)], other._centralDirectoryOffset,
                ZipFormat.LocalHeaderLength + (read.Length == 0 ? 0 : read.Max(i => other._localNames[i].Length)));
            for (var k = 0; k < read.Length; k++)
            {
                if (other.DataOffset(other.Entries[read[k]], headers, k) != _dataOffsets[read[k]]) return false;
            }
        }
        catch (PacksterException)
        {
            return false;
        }
        return true;
    }

    /// <summary>Refuses encryption and methods other than stored, deflate, zstd and zstd's solid runs.</summary>
    internal void CheckEntryFlags(PackageEntry entry)
    {
        if ((entry.Flags & (ZipFormat.FlagEncrypted | ZipFormat.FlagStrongEncryption)) != 0) throw ArchiveErrors.Encrypted(Name, entry.Path);
        if (entry.Method is not (ZipFormat.MethodStored or ZipFormat.MethodDeflated or ZipFormat.MethodZstd) && !ZipFormat.IsSolid(entry.Method))
        {
            throw ArchiveErrors.UnsupportedCompression(Name, entry.Path, entry.Method);
        }
    }

    /// <summary>
    /// Where the entry's data starts, after checking its local header agrees with the central directory and its data
    /// ends before the central directory.
    /// </summary>
    internal long DataOffset(PackageEntry entry) => DataOffset(entry, null, 0);

    /// <summary>As <see cref="DataOffset(PackageEntry)"/>, the local header read through <paramref name="headers"/> (its header <paramref name="index"/>).</summary>
    private long DataOffset(PackageEntry entry, LocalHeaderReader? headers, int index)
    {
        // One read for the fixed header and the name we expect it to carry.
        // A sharer's local header is the one of the entry whose data it shares (CentralDirectoryReader.CheckDataRanges).
        var expectedName = _localNames[entry.Index];
        var buffer = new byte[ZipFormat.LocalHeaderLength + expectedName.Length];
        var header = buffer.AsSpan(0, ZipFormat.LocalHeaderLength);
        if (ZipFormat.LocalHeaderLength > _centralDirectoryOffset - entry.LocalHeaderOffset
            || (headers is null ? RandomAccess.Read(_handle, buffer, entry.LocalHeaderOffset) : headers.Read(buffer, entry.LocalHeaderOffset, index)) != buffer.Length
            || BinaryPrimitives.ReadUInt32LittleEndian(header) != ZipFormat.LocalHeaderSignature)
        {
            throw ArchiveErrors.Corrupt(Name, $"entry '{ArchiveErrors.Printable(entry.Path)}' has no local header at offset {entry.LocalHeaderOffset}");
        }
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        var method = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if ((flags & (ZipFormat.FlagEncrypted | ZipFormat.FlagStrongEncryption)) != 0) throw ArchiveErrors.Encrypted(Name, entry.Path);
        if (method != entry.Method)
        {
            throw ArchiveErrors.Corrupt(Name, $"entry '{ArchiveErrors.Printable(entry.Path)}' has method {method} locally but {entry.Method} in the central directory");
        }
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[26..]);
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        if (nameLength != expectedName.Length || !buffer.AsSpan(ZipFormat.LocalHeaderLength).SequenceEqual(expectedName))
        {
            throw ArchiveErrors.Corrupt(Name, $"entry '{ArchiveErrors.Printable(entry.Path)}' has a different name in its local header");
        }
        var dataOffset = entry.LocalHeaderOffset + ZipFormat.LocalHeaderLength + nameLength + extraLength;
        if (dataOffset > _centralDirectoryOffset || entry.CompressedSize > _centralDirectoryOffset - dataOffset)
        {
            throw ArchiveErrors.Truncated(Name, $"data of entry '{ArchiveErrors.Printable(entry.Path)}' runs past the central directory");
        }
        _dataOffsets[entry.Index] = dataOffset;
        return dataOffset;
    }

    internal static string DecodeName(byte[] raw, out bool invalid)
    {
        try
        {
            invalid = false;
            return StrictUtf8.GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            invalid = true;
            return Encoding.Latin1.GetString(raw);
        }
    }

    public void Dispose() => _handle.Dispose();
}
