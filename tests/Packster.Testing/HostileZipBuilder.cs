using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Packster.Packaging;

namespace Packster.Testing;

/// <summary>
/// Builds raw ZIP archives byte by byte, including ones no honest zipper would write: arbitrary names and modes,
/// lying sizes, wrong CRCs, encryption flags, unknown methods, duplicates, overlaps and truncation. By default it
/// starts with a valid <c>packster-manifest.toml</c> so tests reach the rule they aim at.
/// </summary>
public sealed class HostileZipBuilder
{
    public const int RegularFile = 0x8000 | 0x1A4;   // -rw-r--r--
    public const int Executable = 0x8000 | 0x1ED;    // -rwxr-xr-x
    public const int Directory = 0x4000 | 0x1ED;     // drwxr-xr-x
    public const int Symlink = 0xA000 | 0x1FF;       // lrwxrwxrwx

    private readonly List<HostileEntry> _entries = [];

    public HostileZipBuilder(bool withManifest = true)
    {
        if (withManifest) File("packster-manifest.toml", "id = \"hostile\"\nversion = \"1.0.0\"\n");
    }

    public IList<HostileEntry> Entries => _entries;

    /// <summary>When set, a ZIP64 end record declares this many entries (the classic record says 0xFFFF).</summary>
    public long? DeclaredEntryCount { get; set; }

    /// <summary>Cut this many bytes off the end of the finished archive.</summary>
    public int TruncateBy { get; set; }

    /// <summary>Adds a stored (or deflated) file with the given st_mode.</summary>
    public HostileZipBuilder File(string name, string content, int mode = RegularFile, bool deflate = false) =>
        Add(new HostileEntry { Name = name, Data = Encoding.UTF8.GetBytes(content), UnixMode = mode, Method = deflate ? (ushort)8 : (ushort)0 });

    public HostileZipBuilder File(string name, byte[] content, int mode = RegularFile, bool deflate = false) =>
        Add(new HostileEntry { Name = name, Data = content, UnixMode = mode, Method = deflate ? (ushort)8 : (ushort)0 });

    public HostileZipBuilder Dir(string name) => Add(new HostileEntry { Name = name.EndsWith('/') ? name : name + "/", Data = [], UnixMode = Directory });

    public HostileZipBuilder Link(string name, string target) =>
        Add(new HostileEntry { Name = name, Data = Encoding.UTF8.GetBytes(target), UnixMode = Symlink });

    public HostileZipBuilder Add(HostileEntry entry)
    {
        _entries.Add(entry);
        return this;
    }

    public byte[] Build()
    {
        using var output = new MemoryStream();
        var offsets = new List<long>();
        var payloads = new List<byte[]>();
        foreach (var e in _entries)
        {
            var payload = PayloadOf(e);
            payloads.Add(payload);
            offsets.Add(output.Position);
            output.Write(LocalRecord(e));
        }
        var cdOffset = output.Position;
        for (var i = 0; i < _entries.Count; i++)
        {
            var e = _entries[i];
            if (e.LocalOnly) continue;
            var name = e.RawName ?? Encoding.UTF8.GetBytes(e.Name);
            var header = new byte[46];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), (ushort)((e.HostOs << 8) | 20));
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), e.Flags);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), e.Method);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(14), 0x21);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), e.Crc ?? Crc32.HashToUInt32(e.Data));
            var zip64 = Zip64Extra(e);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), e.Zip64CompressedSize is null ? (uint)(e.DeclaredCompressedSize ?? payloads[i].Length) : 0xFFFFFFFF);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), e.Zip64Size is null ? (uint)(e.DeclaredSize ?? e.Data.Length) : 0xFFFFFFFF);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(28), (ushort)name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(30), (ushort)zip64.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(38), (uint)e.UnixMode << 16);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(42), (uint)(e.LocalHeaderOffsetOverride ?? offsets[i]));
            output.Write(header);
            output.Write(name);
            output.Write(zip64);
        }
        var cdSize = output.Position - cdOffset;
        if (DeclaredEntryCount is { } declared)
        {
            // A ZIP64 end-of-central-directory record and locator carrying the (possibly lying) entry count.
            var zip64EndOffset = output.Position;
            var record = new byte[56];
            BinaryPrimitives.WriteUInt32LittleEndian(record, 0x06064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(4), 44);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(12), 45);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(14), 45);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(24), (ulong)declared);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(32), (ulong)declared);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(40), (ulong)cdSize);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(48), (ulong)cdOffset);
            output.Write(record);
            var locator = new byte[20];
            BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(locator.AsSpan(8), (ulong)zip64EndOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(locator.AsSpan(16), 1);
            output.Write(locator);
        }
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        var count16 = DeclaredEntryCount is null ? (ushort)_entries.Count(e => !e.LocalOnly) : (ushort)0xFFFF;
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), count16);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), count16);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)cdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), (uint)cdOffset);
        output.Write(end);
        var bytes = output.ToArray();
        return TruncateBy > 0 ? bytes[..^TruncateBy] : bytes;
    }

    /// <summary>
    /// One entry's local header, name, local extra field and data, exactly as <see cref="Build"/> writes it (for tests
    /// that hide a second copy of a record somewhere the central directory should not let it be).
    /// </summary>
    public static byte[] LocalRecord(HostileEntry e)
    {
        var payload = PayloadOf(e);
        var name = e.LocalName is { } localName ? Encoding.UTF8.GetBytes(localName) : e.RawName ?? Encoding.UTF8.GetBytes(e.Name);
        var extra = e.LocalExtra ?? [];
        var header = new byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 20);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), e.Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), e.LocalMethod ?? e.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(12), 0x21);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(14), e.Crc ?? Crc32.HashToUInt32(e.Data));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(18), (uint)(e.DeclaredCompressedSize ?? payload.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(22), (uint)(e.DeclaredSize ?? e.Data.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(26), (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(28), (ushort)extra.Length);
        return [.. header, .. name, .. extra, .. payload];
    }

    /// <summary>Where entry <paramref name="index"/>'s local header starts in the built archive.</summary>
    public long LocalOffsetOf(int index) => _entries.Take(index).Sum(e => (long)LocalRecord(e).Length);

    private static byte[] PayloadOf(HostileEntry e) => e.RawPayload ?? e.Method switch
    {
        8 => Deflate(e.Data),
        93 => Zstd(e.Data),
        _ => e.Data,
    };

    /// <summary>One zstd frame of <paramref name="data"/>, as method 93 stores it.</summary>
    public static byte[] Zstd(byte[] data, int windowLog = 0)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        if (windowLog > 0)
        {
            compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, windowLog);
            // Leave the size out of the frame so the decoder must trust the declared window.
            compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_contentSizeFlag, 0);
        }
        return compressor.Wrap(data).ToArray();
    }

    /// <summary>
    /// The members' data of one solid run of <paramref name="files"/> (spec/package-format.md § Solid runs): one zstd
    /// frame, flushed after each file, cut where each flush ended.
    /// </summary>
    public static byte[][] SolidRun(params byte[][] files)
    {
        using var sink = new MemoryStream();
        var ends = new long[files.Length];
        using (var zstd = new ZstdSharp.CompressionStream(sink, 3, leaveOpen: true))
        {
            for (var k = 0; k < files.Length; k++)
            {
                zstd.Write(files[k]);
                if (k < files.Length - 1) zstd.Flush();
                ends[k] = sink.Length;
            }
        }
        ends[^1] = sink.Length;
        var bytes = sink.ToArray();
        return [.. ends.Select((end, k) => bytes[(int)(k == 0 ? 0 : ends[k - 1])..(int)end])];
    }

    /// <summary>The ZIP64 extended-information field of the central directory, in APPNOTE order (size, then compressed size).</summary>
    private static byte[] Zip64Extra(HostileEntry e)
    {
        if (e.Zip64Size is null && e.Zip64CompressedSize is null) return [];
        var values = new List<long>();
        if (e.Zip64Size is { } size) values.Add(size);
        if (e.Zip64CompressedSize is { } compressed) values.Add(compressed);
        var field = new byte[4 + 8 * values.Count];
        BinaryPrimitives.WriteUInt16LittleEndian(field, 0x0001);
        BinaryPrimitives.WriteUInt16LittleEndian(field.AsSpan(2), (ushort)(8 * values.Count));
        for (var i = 0; i < values.Count; i++) BinaryPrimitives.WriteInt64LittleEndian(field.AsSpan(4 + 8 * i), values[i]);
        return field;
    }

    /// <summary>Writes the archive to <paramref name="path"/> and returns the path.</summary>
    public string WriteTo(string path)
    {
        System.IO.File.WriteAllBytes(path, Build());
        return path;
    }

    private static byte[] Deflate(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(data);
        return buffer.ToArray();
    }
}

/// <summary>One entry of a <see cref="HostileZipBuilder"/> archive; every field a hostile archive might lie about.</summary>
public sealed class HostileEntry
{
    public string Name { get; set; } = "";
    /// <summary>Raw name bytes, overriding <see cref="Name"/> (for invalid UTF-8).</summary>
    public byte[]? RawName { get; set; }
    public byte[] Data { get; set; } = [];
    /// <summary>The bytes stored as the entry's data, as-is, instead of <see cref="Data"/> (deflated or not).</summary>
    public byte[]? RawPayload { get; set; }
    public ushort Method { get; set; }
    public ushort Flags { get; set; } = 0x0800;
    public int UnixMode { get; set; } = HostileZipBuilder.RegularFile;
    public byte HostOs { get; set; } = 3;
    public long? DeclaredSize { get; set; }
    public long? DeclaredCompressedSize { get; set; }
    public uint? Crc { get; set; }
    public long? LocalHeaderOffsetOverride { get; set; }
    /// <summary>The name the local header gives, when it is to differ from the central directory's <see cref="Name"/>.</summary>
    public string? LocalName { get; set; }
    /// <summary>The method the local header declares, when it is to differ from the central directory's <see cref="Method"/>.</summary>
    public ushort? LocalMethod { get; set; }
    /// <summary>Bytes of the local header's extra field (the central directory's copy stays empty).</summary>
    public byte[]? LocalExtra { get; set; }
    /// <summary>Uncompressed size declared through the central directory's ZIP64 field (0xFFFFFFFF in the header).</summary>
    public long? Zip64Size { get; set; }
    /// <summary>Compressed size declared through the central directory's ZIP64 field (0xFFFFFFFF in the header).</summary>
    public long? Zip64CompressedSize { get; set; }
    /// <summary>Written as a local record in its place, but left out of the central directory (an entry only a reader of local headers sees).</summary>
    public bool LocalOnly { get; set; }
}
