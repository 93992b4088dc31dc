using System.Buffers.Binary;
using System.IO.Compression;
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
            var payload = e.RawPayload ?? (e.Method == 8 ? Deflate(e.Data) : e.Data);
            payloads.Add(payload);
            offsets.Add(output.Position);
            var name = e.RawName ?? Encoding.UTF8.GetBytes(e.Name);
            var header = new byte[30];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), e.Flags);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), e.Method);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(12), 0x21);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(14), e.Crc ?? Crc32.Compute(e.Data));
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(18), (uint)(e.DeclaredCompressedSize ?? payload.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(22), (uint)(e.DeclaredSize ?? e.Data.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(26), (ushort)name.Length);
            output.Write(header);
            output.Write(name);
            output.Write(payload);
        }
        var cdOffset = output.Position;
        for (var i = 0; i < _entries.Count; i++)
        {
            var e = _entries[i];
            var name = e.RawName ?? Encoding.UTF8.GetBytes(e.Name);
            var header = new byte[46];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), (ushort)((e.HostOs << 8) | 20));
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), e.Flags);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), e.Method);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(14), 0x21);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), e.Crc ?? Crc32.Compute(e.Data));
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)(e.DeclaredCompressedSize ?? payloads[i].Length));
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)(e.DeclaredSize ?? e.Data.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(28), (ushort)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(38), (uint)e.UnixMode << 16);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(42), (uint)(e.LocalHeaderOffsetOverride ?? offsets[i]));
            output.Write(header);
            output.Write(name);
        }
        var cdSize = output.Position - cdOffset;
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)cdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), (uint)cdOffset);
        output.Write(end);
        var bytes = output.ToArray();
        return TruncateBy > 0 ? bytes[..^TruncateBy] : bytes;
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
}
