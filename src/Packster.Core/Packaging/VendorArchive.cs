using System.Formats.Tar;
using SharpCompress.Archives;
using SharpCompress.Common.SevenZip;
using SharpCompress.Readers;

namespace Packster.Packaging;

/// <summary>What a vendor archive entry is, as far as <c>pack --from</c> cares (spec/pack-from.md §Entries).</summary>
internal enum VendorEntryKind
{
    File,
    Directory,
    Symlink,
    HardLink,
    /// <summary>Anything a package may not hold (device, FIFO, socket, sparse file…); <see cref="VendorArchiveEntry.Unsupported"/> says which.</summary>
    Unsupported,
}

/// <summary>
/// One entry as the archive declares it: the raw name, the Unix permission bits (0 when the archive has none),
/// the declared size, and the link target (symlinks and hard links). Nothing here has been judged yet.
/// </summary>
internal sealed record VendorArchiveEntry(string Name, VendorEntryKind Kind, int Mode, long Size, string? LinkTarget, string? Unsupported = null);

/// <summary>
/// Reads the archives vendors ship: tar (plain, gzip, xz, zstd, bzip2), zip and 7z, recognised by their first bytes,
/// never by the file name. Every pass reads the same open file handle from its start, so the listing that was judged
/// and the data that is written come from the same bytes. Readers' failures become PST4019 VendorArchiveUnreadable.
/// </summary>
/// <remarks>
/// The tar layer is System.Formats.Tar: SharpCompress's <c>TarEntry</c> exposes no type flag, so a FIFO reads as an
/// empty file and a hard link as a symlink. SharpCompress supplies the xz, zstd and bzip2 decompressors, and reads
/// zip (external attributes with the Unix st_mode) and 7z (st_mode in the high half of its attributes).
/// </remarks>
internal abstract class VendorArchive : IDisposable
{
    private static readonly byte[] SevenZipMagic = [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C];
    private static readonly byte[] XzMagic = [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00];
    private static readonly byte[] ZstdMagic = [0x28, 0xB5, 0x2F, 0xFD];

    protected VendorArchive(FileStream file, string format)
    {
        File = file;
        Format = format;
    }

    protected FileStream File { get; }

    /// <summary>The archive's file name, as messages show it.</summary>
    public string Name { get; private set; } = "";

    /// <summary>Size of the archive in bytes (the denominator of the ratio cap).</summary>
    public long Length => File.Length;

    /// <summary>
    /// PST1001 for an archive that is a FIFO, a socket or a device once links are followed (spec/pack-from.md): it is
    /// refused by its type, never read, since a FIFO's open waits for a writer and a device's bytes never end.
    /// </summary>
    public static PacksterException NotRegular(string path, FileKind kind) =>
        new(ErrorCode.InvalidArgument, $"archive '{path}' is {kind.Describe()}, not a regular file",
            "--from takes an archive file as its vendor released it (.tar.gz, .tar.xz, .tar.zst, .tar.bz2, .tar, .zip or .7z)");

    /// <summary>What the first bytes said: <c>tar.gz</c>, <c>tar.xz</c>, <c>tar.zst</c>, <c>tar.bz2</c>, <c>tar</c>, <c>zip</c> or <c>7z</c>.</summary>
    public string Format { get; }

    /// <summary>
    /// The archive at <paramref name="path"/>, opened so that the open cannot wait (<see cref="RegularFile"/>): a FIFO,
    /// socket or device put there after the caller's type check is refused unread, as that check refuses it.
    /// </summary>
    public static VendorArchive Open(string path)
    {
        // A stream made from a handle does not know its path.
        var archive = OpenFormat(path);
        archive.Name = System.IO.Path.GetFileName(path);
        return archive;
    }

    private static VendorArchive OpenFormat(string path)
    {
        var file = FileSystemErrors.AtFile(path, "cannot read archive", () =>
        {
            var handle = RegularFile.Open(path, kind => NotRegular(path, kind));
            // Opened by handle, so FileOptions.SequentialScan cannot apply: the read-ahead hint is given by hand.
            Locations.PosixFiles.AdviseSequential(handle);
            return new FileStream(handle, FileAccess.Read, 1 << 16);
        });
        try
        {
            Span<byte> head = stackalloc byte[512];
            var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..read];
            file.Position = 0;
            if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return new TarArchive(file, "tar.gz", "gzip", (s, name) => new GzipMemberStream(s.SafeFileHandle, s.Length, name));
            if (head.StartsWith(XzMagic)) return new TarArchive(file, "tar.xz", "xz", (s, _) => new SharpCompress.Compressors.Xz.XZStream(s));
            if (head.StartsWith(ZstdMagic)) return new TarArchive(file, "tar.zst", "zstd", (s, _) => new SharpCompress.Compressors.ZStandard.DecompressionStream(s, 1 << 17, checkEndOfStream: true, leaveOpen: true));
            if (head.StartsWith("BZh"u8)) return new TarArchive(file, "tar.bz2", "bzip2", (s, _) => SharpCompress.Compressors.BZip2.BZip2Stream.Create(s, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: true, tolerateTruncatedStream: false));
            if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8)) return new SharpArchive(file, "zip");
            if (head.StartsWith(SevenZipMagic)) return new SharpArchive(file, "7z");
            if (head.Length >= 262 && head[257..262].SequenceEqual("ustar"u8)) return new TarArchive(file, "tar", null, null);
            throw Unreadable(System.IO.Path.GetFileName(path), "it is not a tar (plain, .gz, .xz, .zst, .bz2), zip or 7z archive");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Visits every entry in archive order. <paramref name="visit"/> gets the entry's data stream for files when
    /// <paramref name="withData"/> is set (else null); link targets are always resolved into the entry.
    /// </summary>
    public void ForEach(bool withData, Action<VendorArchiveEntry, Stream?> visit, CancellationToken ct)
    {
        File.Position = 0;
        try
        {
            Read(withData, visit, ct);
        }
        catch (SharpCompress.Common.CryptographicException)
        {
            // A 7z whose header is encrypted too (7z -mhe=on): not even its names can be read without the password.
            throw new PacksterException(ErrorCode.ArchiveEncryptedEntry,
                $"'{Name}' is encrypted, its list of entries too; packster cannot repack an encrypted archive", ArchiveErrors.VendorEncryptedHint);
        }
        catch (Exception e) when (IsReaderFailure(e))
        {
            // The reader's own text is .NET's or SharpCompress's ("Specified argument was out of the range…"), not ours;
            // a compressor's failure was said as such where it was read (DecoderWordsStream).
            throw Unreadable(Name, $"its {(Format.StartsWith("tar", StringComparison.Ordinal) ? "tar" : Format)} data is damaged or cut short");
        }
    }

    protected abstract void Read(bool withData, Action<VendorArchiveEntry, Stream?> visit, CancellationToken ct);

    /// <summary>What a reader throws on damaged data; our own refusals and the writer's I/O errors pass through unchanged.</summary>
    internal static bool IsReaderFailure(Exception e) =>
        e is InvalidDataException or EndOfStreamException or FormatException or NotSupportedException or InvalidOperationException
            or ArgumentException or IndexOutOfRangeException or SharpCompress.Common.SharpCompressException;

    public static PacksterException Unreadable(string archive, string why) =>
        new(ErrorCode.VendorArchiveUnreadable, $"cannot read '{archive}': {why}",
            "pack --from reads .tar, .tar.gz, .tar.xz, .tar.zst, .tar.bz2, .zip and .7z; check that the download is complete");

    public void Dispose() => File.Dispose();

    /// <summary>
    /// Reads a link target stored as an entry's data (zip and 7z keep symlinks that way), to the data's end so that a
    /// <see cref="CrcCheckingStream"/> checks it; data longer than declared is PST4012, as for a file. A target longer
    /// than a path may be is read no further than that: the link rules refuse it.
    /// </summary>
    protected static string ReadLinkTarget(Stream data, long size, string archive, string entry)
    {
        var bytes = new byte[(int)Math.Min(size, EntryPathRules.MaxPathBytes + 1)];
        var read = data.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read == size && data.Read(new byte[1]) != 0) throw ArchiveErrors.SizeMismatch(archive, entry, size, "more");
        return System.Text.Encoding.UTF8.GetString(bytes, 0, read);
    }

    // compressor: its name as messages say it; decompress: its decoder over the archive file, given the archive's name
    // (both null for a plain tar).
    /// <summary>tar, plain or behind one of the stream compressors; the tar layer is System.Formats.Tar.</summary>
    private sealed class TarArchive(FileStream file, string format, string? compressor, Func<FileStream, string, Stream>? decompress) : VendorArchive(file, format)
    {
        protected override void Read(bool withData, Action<VendorArchiveEntry, Stream?> visit, CancellationToken ct)
        {
            Stream decompressed = decompress is null ? File : new DecoderWordsStream(decompress(File, Name), Name, compressor!);
            try
            {
                var window = new RecentBytesStream(decompressed);
                try
                {
                    ReadTar(window, withData, visit, ct);
                }
                catch (PacksterException e) when (!ReferenceEquals(decompressed, File) && e.Code != ErrorCode.VendorArchiveUnreadable)
                {
                    // A cut or damaged stream reaches the tar layer as an entry that ends early or a header of half a
                    // name: the compressor's own error, when reading on meets it, is the one to report (PST4019).
                    ReadOnToDecoderError(decompressed, ct);
                    throw;
                }
                // The tar ends at its zero blocks, but the compressor's checksum (gzip's CRC-32 and size, xz's check,
                // bzip2's CRCs, zstd's checksum) follows the data: only reading to the end makes the decoder check it.
                if (!ReferenceEquals(decompressed, File)) DrainTrailer(Name, decompressed, ct);
            }
            finally
            {
                // A plain tar is read straight from the file, which later passes read again.
                if (!ReferenceEquals(decompressed, File)) decompressed.Dispose();
            }
        }

        /// <summary>
        /// Most tar writers pad the archive with zeros to a whole record (10 KiB by default, 1 MiB with the largest
        /// common blocking factor); more than <see cref="MaxTrailer"/> after the end blocks is not a tar's padding.
        /// </summary>
        private const long MaxTrailer = 16L << 20;

        /// <summary>
        /// Reads on, up to <see cref="MaxTrailer"/> bytes, so that the decoder throws its error (PST4019) when the data
        /// is cut or damaged there; returns when it reads on cleanly, or fails in some other way.
        /// </summary>
        private static void ReadOnToDecoderError(Stream decompressed, CancellationToken ct)
        {
            try
            {
                ReadOn(decompressed, ct);
            }
            catch (Exception e) when (e is not PacksterException and not OperationCanceledException)
            {
                // Not the decoder's words: the tar layer's refusal stands.
            }
        }

        private static void DrainTrailer(string archive, Stream decompressed, CancellationToken ct)
        {
            if (ReadOn(decompressed, ct) > MaxTrailer) throw Unreadable(archive, $"more than {MaxTrailer >> 20} MiB of data follow the end of the tar");
        }

        /// <summary>Reads <paramref name="decompressed"/> to its end, or until more than <see cref="MaxTrailer"/> bytes came; returns how many came.</summary>
        private static long ReadOn(Stream decompressed, CancellationToken ct)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                long read = 0;
                int got;
                while (read <= MaxTrailer && (got = decompressed.Read(buffer, 0, 1 << 16)) > 0)
                {
                    ct.ThrowIfCancellationRequested();
                    read += got;
                }
                return read;
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private void ReadTar(RecentBytesStream decompressed, bool withData, Action<VendorArchiveEntry, Stream?> visit, CancellationToken ct)
        {
            using var reader = new TarReader(decompressed, leaveOpen: true);
            while (NextEntry(reader, decompressed) is { } entry)
            {
                ct.ThrowIfCancellationRequested();
                var mode = (int)entry.Mode;
                if (SparseName(entry) is { } sparse)
                {
                    visit(new VendorArchiveEntry(sparse, VendorEntryKind.Unsupported, mode, entry.Length, null, "a GNU sparse file"), null);
                    continue;
                }
                VendorArchiveEntry? described = entry.EntryType switch
                {
                    // Metadata for the whole archive (pax global header), not a file.
                    TarEntryType.GlobalExtendedAttributes => null,
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile =>
                        new(entry.Name, VendorEntryKind.File, mode, entry.Length, null),
                    TarEntryType.Directory => new(entry.Name, VendorEntryKind.Directory, mode, 0, null),
                    TarEntryType.SymbolicLink => new(entry.Name, VendorEntryKind.Symlink, mode, 0, entry.LinkName),
                    TarEntryType.HardLink => new(entry.Name, VendorEntryKind.HardLink, mode, 0, entry.LinkName),
                    TarEntryType.CharacterDevice => Unsupported(entry, "a character device"),
                    TarEntryType.BlockDevice => Unsupported(entry, "a block device"),
                    TarEntryType.Fifo => Unsupported(entry, "a FIFO"),
                    TarEntryType.SparseFile => Unsupported(entry, "a GNU sparse file"),
                    var other => Unsupported(entry, $"a tar entry of type '{(char)other}'"),
                };
                if (described is null) continue;
                visit(described, withData && described.Kind == VendorEntryKind.File ? entry.DataStream ?? Stream.Null : null);
            }
        }

        /// <summary>
        /// The file name a GNU sparse file in pax form stands for (sparse versions 0.1 and 1.0 read as regular files named
        /// <c>GNUSparseFile.&lt;pid&gt;/name</c> whose data starts with the sparse map), or null for any other entry.
        /// </summary>
        private static string? SparseName(TarEntry entry)
        {
            if (entry is not PaxTarEntry pax) return null;
            if (!pax.ExtendedAttributes.Keys.Any(k => k.StartsWith("GNU.sparse.", StringComparison.Ordinal))) return null;
            return pax.ExtendedAttributes.TryGetValue("GNU.sparse.name", out var name) ? name : entry.Name;
        }

        /// <summary>
        /// The next entry. System.Formats.Tar reads no GNU sparse file in the old GNU form (type 'S': "not supported") or in
        /// pax version 0.0 (its repeated GNU.sparse.offset keys: "duplicate extended attribute"); the header it stopped at
        /// tells a sparse file (PST4005) from damaged data (PST4019).
        /// </summary>
        private TarEntry? NextEntry(TarReader reader, RecentBytesStream read)
        {
            try
            {
                return reader.GetNextEntry(copyData: false);
            }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException or FormatException or ArgumentException)
            {
                if (read.SparseHeaderName() is { } sparse) throw ArchiveErrors.UnsupportedEntry(Name, sparse, "a GNU sparse file");
                throw;
            }
        }

        private static VendorArchiveEntry Unsupported(TarEntry entry, string what) =>
            new(entry.Name, VendorEntryKind.Unsupported, (int)entry.Mode, entry.Length, null, what);
    }

    /// <summary>zip and 7z through SharpCompress: the central directory (or 7z header) gives modes, data gives link targets.</summary>
    private sealed class SharpArchive(FileStream file, string format) : VendorArchive(file, format)
    {
        private const int UnixExtension = 0x8000;   // 7z: the high 16 bits of the attributes hold st_mode
        private const int WindowsDirectory = 0x10;

        protected override void Read(bool withData, Action<VendorArchiveEntry, Stream?> visit, CancellationToken ct)
        {
            using var archive = ArchiveFactory.OpenArchive(File, new ReaderOptions { LeaveStreamOpen = true });
            if (Format == "7z")
            {
                // 7z is solid: reading entries one by one would inflate the block again for each; read it once, in order.
                using var reader = archive.ExtractAllEntries();
                while (reader.MoveToNextEntry())
                {
                    ct.ThrowIfCancellationRequested();
                    var entry = reader.Entry;
                    var sevenZip = entry as SevenZipEntry;
                    var attributes = sevenZip?.ExtendedAttrib ?? entry.Attrib ?? 0;
                    var mode = (attributes & UnixExtension) != 0 ? (attributes >>> 16) & 0xFFFF : 0;
                    VisitOne(entry, mode, attributes, () => reader.OpenEntryStream(), null, withData, visit);
                }
                return;
            }
            // SharpCompress takes names from the central directory and data from where the local headers say; each entry
            // must be one file to both (spec/pack-from.md §Formats "One name per entry").
            var headers = VendorZipHeaders.Open(File, Name);
            foreach (var entry in archive.Entries)
            {
                ct.ThrowIfCancellationRequested();
                headers.Next(entry.Key ?? "");
                var attributes = entry.Attrib ?? 0;
                VisitOne(entry, (attributes >>> 16) & 0xFFFF, attributes, entry.OpenEntryStream, headers, withData, visit);
            }
            headers.End();
        }

        /// <summary>
        /// An entry's data, checked against its CRC-32 once read to its end: zip and 7z carry one for each file and link
        /// target, and SharpCompress checks neither, so damaged data would be packed as it came. A 7z entry whose CRC is
        /// not defined reads as 0 (the CRC of no bytes): not checked.
        /// </summary>
        private Stream Checked(SharpCompress.Common.IEntry entry, string name, Func<Stream> open) =>
            Format == "zip" || (Format == "7z" && entry.Crc != 0) ? new CrcCheckingStream(open(), (uint)entry.Crc, Name, name) : open();

        // zip: the archive's local headers, read up to this entry's (null for 7z).
        private void VisitOne(SharpCompress.Common.IEntry entry, int mode, int attributes, Func<Stream> open, VendorZipHeaders? zip,
            bool withData, Action<VendorArchiveEntry, Stream?> visit)
        {
            var name = entry.Key ?? "";
            if (entry.IsEncrypted) throw ArchiveErrors.VendorEncrypted(Name, name);
            var type = mode & ZipFormat.TypeMask;
            var isDirectory = entry.IsDirectory || type == ZipFormat.TypeDirectory || (mode == 0 && (attributes & WindowsDirectory) != 0);
            var permissions = mode & 0xFFF;
            if (isDirectory)
            {
                // package-format.md §5: a directory entry holds no data (PST4005); what it would hold is not extracted by anyone.
                if (zip is not null && (entry.Size > 0 || zip.DirectoryHoldsData(entry.CompressedSize)))
                {
                    visit(new VendorArchiveEntry(name, VendorEntryKind.Unsupported, permissions, entry.Size, null, "a directory with data"), null);
                    return;
                }
                visit(new VendorArchiveEntry(name, VendorEntryKind.Directory, permissions, 0, null), null);
                return;
            }
            switch (type)
            {
                case 0 or ZipFormat.TypeRegular:
                    if (withData)
                    {
                        using var data = Checked(entry, name, open);
                        visit(new VendorArchiveEntry(name, VendorEntryKind.File, permissions, entry.Size, null), data);
                    }
                    else
                    {
                        visit(new VendorArchiveEntry(name, VendorEntryKind.File, permissions, entry.Size, null), null);
                    }
                    return;
                case ZipFormat.TypeSymlink:
                    string target;
                    using (var data = Checked(entry, name, open)) target = ReadLinkTarget(data, entry.Size, Name, name);
                    visit(new VendorArchiveEntry(name, VendorEntryKind.Symlink, permissions, 0, target), null);
                    return;
                default:
                    var what = type switch
                    {
                        ZipFormat.TypeFifo => "a FIFO",
                        ZipFormat.TypeCharDevice => "a character device",
                        ZipFormat.TypeBlockDevice => "a block device",
                        ZipFormat.TypeSocket => "a socket",
                        _ => $"of unknown type {Convert.ToString(type >> 12, 8)}",
                    };
                    visit(new VendorArchiveEntry(name, VendorEntryKind.Unsupported, permissions, entry.Size, null, what), null);
                    return;
            }
        }
    }
}
