using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>spec/package-format.md §2 "Container" and §8 "Test vectors": CRC-32, ZIP64, reading the manifest.</summary>
public sealed class ArchiveFormatTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-format");

    public void Dispose() => _temp.Dispose();

    // §8: the CRC-32 check value of "123456789" is 0xCBF43926 (ISO-HDLC), the polynomial ZIP uses.
    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.HashToUInt32("123456789"u8));
        Assert.Equal(0u, Crc32.HashToUInt32([]));
    }

    // §2: the CRC we write agrees with System.IO.Compression's (it verifies on read since .NET 9).
    [Fact]
    public void Crc32_agrees_with_gzip()
    {
        var data = new byte[70_001];
        new Random(3).NextBytes(data);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(data);
        var bytes = buffer.ToArray();
        Assert.Equal(BitConverter.ToUInt32(bytes, bytes.Length - 8), Crc32.HashToUInt32(data));
    }

    // §2 "ZIP64": more than 65,535 entries switch to ZIP64 end records, which both readers understand.
    [Fact]
    public void More_than_65535_entries_use_zip64_end_records()
    {
        var path = _temp["many.packster"];
        const int count = 70_000;
        using (var file = File.Create(path))
        {
            var writer = new PackageWriter(file);
            var manifest = "id = \"x\""u8.ToArray();
            writer.BeginEntry(Encoding.UTF8.GetBytes(Packer.ManifestFileName), PackageEntryKind.File, 0x1A4, 0, Crc32.HashToUInt32(manifest), manifest.Length, manifest.Length);
            writer.WriteData(manifest);
            for (var i = 1; i < count; i++)
            {
                writer.BeginEntry(Encoding.UTF8.GetBytes($"f/{i:D6}"), PackageEntryKind.File, 0x1A4, 0, 0, 0, 0);
            }
            writer.Finish();
        }
        using (var archive = PackageArchive.Open(path))
        {
            Assert.Equal(count, archive.Entries.Count);
            Assert.Equal("f/069999", archive.Entries[^1].Path);
            Assert.Equal("id = \"x\"", Encoding.UTF8.GetString(archive.ReadManifestBytes()));
        }
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(count, zip.Entries.Count);
    }

    // §2: ReadManifestBytes reads the first entry only, and refuses an archive that does not start with it.
    [Fact]
    public void Manifest_is_read_from_the_first_entry()
    {
        var path = new HostileZipBuilder().File("payload.bin", new byte[1000], deflate: true).WriteTo(_temp["a.packster"]);
        using var archive = PackageArchive.Open(path);
        Assert.StartsWith("id = \"hostile\"", Encoding.UTF8.GetString(archive.ReadManifestBytes()), StringComparison.Ordinal);

        var bad = new HostileZipBuilder(withManifest: false).File("x", "y").File(Packer.ManifestFileName, "id").WriteTo(_temp["b.packster"]);
        using var badArchive = PackageArchive.Open(bad);
        Assert.Equal(ErrorCode.ArchiveManifestMissing, Assert.Throws<PacksterException>(() => badArchive.ReadManifestBytes()).Code);
    }

    // §2: a manifest whose bytes fail their CRC is not returned.
    [Fact]
    public void Manifest_with_bad_crc_is_refused()
    {
        var zip = new HostileZipBuilder();
        zip.Entries[0].Crc = 1;
        var path = zip.WriteTo(_temp["c.packster"]);
        using var archive = PackageArchive.Open(path);
        Assert.Equal(ErrorCode.ArchiveCrcMismatch, Assert.Throws<PacksterException>(() => archive.ReadManifestBytes()).Code);
    }

    // §3: the reader reports kinds, normalised modes and sizes.
    [Fact]
    public void Entries_report_kind_mode_and_sizes()
    {
        var path = new HostileZipBuilder()
            .File("bin/tool", "#!/bin/sh", HostileZipBuilder.Executable | 0xC00) // setuid+setgid stripped
            .File("doc.txt", new string('d', 5000), 0x8000 | 0x1FF, deflate: true)
            .Dir("empty")
            .Link("link", "doc.txt")
            .WriteTo(_temp["d.packster"]);
        using var archive = PackageArchive.Open(path);
        var e = archive.Entries.ToDictionary(x => x.Path);
        Assert.Equal((PackageEntryKind.File, 0x1ED), (e["bin/tool"].Kind, e["bin/tool"].Mode));
        Assert.Equal((PackageEntryKind.File, 0x1ED), (e["doc.txt"].Kind, e["doc.txt"].Mode));
        Assert.Equal(5000, e["doc.txt"].Size);
        Assert.True(e["doc.txt"].CompressedSize < 5000);
        Assert.Equal(PackageEntryKind.Directory, e["empty"].Kind);
        Assert.Equal(PackageEntryKind.Symlink, e["link"].Kind);
    }

    // §5: files come out 0644/0755 with setuid/setgid/sticky and group/world write stripped; hashes are of the bytes.
    [Fact]
    public void Extraction_strips_special_and_write_bits_and_hashes_files()
    {
        var path = new HostileZipBuilder()
            .File("tool", "run", 0x8000 | 0xFFF)
            .File("data", "d", 0x8000 | 0x1B6)
            .WriteTo(_temp["e.packster"]);
        var staging = Directory.CreateDirectory(_temp["staging"]).FullName;
        var result = SafeExtractor.Extract(path, staging, ExtractionLimits.Default, null, CancellationToken.None);
        var byPath = result.Entries.ToDictionary(x => x.Path);
        Assert.Equal(0x1ED, byPath["tool"].Mode);
        Assert.Equal(0x1A4, byPath["data"].Mode);
        Assert.Equal(Sha256Digest.Compute("run"u8), byPath["tool"].Sha256);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(staging, "tool")));
            Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(Path.Combine(staging, "data")));
        }
    }
}
