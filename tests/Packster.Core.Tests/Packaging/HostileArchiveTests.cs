using System.Text;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// spec/package-format.md §5 "Extraction filter": one test per hostile case. Each asserts the stable error code and
/// that nothing was written: the staging directory is empty and nothing appeared beside it.
/// </summary>
public sealed class HostileArchiveTests : IDisposable
{
    private readonly TempDirectory _root = new("packster-hostile");

    public void Dispose() => _root.Dispose();

    private PacksterException Refused(HostileZipBuilder zip, ErrorCode expected, ExtractionLimits? limits = null)
    {
        var archive = zip.WriteTo(_root["hostile.packster"]);
        var staging = Directory.CreateDirectory(_root["staging"]).FullName;
        var e = Assert.Throws<PacksterException>(() => SafeExtractor.Extract(archive, staging, limits ?? ExtractionLimits.Default, null, CancellationToken.None));
        Assert.Equal(expected, e.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(staging));
        Assert.Equal(["hostile.packster", "staging"], Directory.EnumerateFileSystemEntries(_root.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        return e;
    }

    private static HostileZipBuilder WithFile(string name) => new HostileZipBuilder().File("ok.txt", "fine").File(name, "evil");

    // §5 rule "absolute": a leading '/' would write anywhere on the disk.
    [Fact]
    public void Absolute_path_is_refused() => Assert.Contains("/etc/evil", Refused(WithFile("/etc/evil"), ErrorCode.ArchiveUnsafePath).Message);

    // §5 rule "drive letter".
    [Fact]
    public void Drive_letter_is_refused() => Refused(WithFile("C:/Windows/evil.dll"), ErrorCode.ArchiveUnsafePath);

    // §5 rule "UNC".
    [Theory]
    [InlineData("//server/share/evil")]
    [InlineData(@"\\server\share\evil")]
    public void Unc_path_is_refused(string name) => Refused(WithFile(name), ErrorCode.ArchiveUnsafePath);

    // §5 rule "..": the classic zip-slip.
    [Theory]
    [InlineData("../evil")]
    [InlineData("a/../../evil")]
    [InlineData("a/..")]
    public void Dot_dot_component_is_refused(string name) => Assert.Contains("'..'", Refused(WithFile(name), ErrorCode.ArchiveUnsafePath).Message);

    // §5 rule "backslash": a separator on Windows, a character elsewhere.
    [Fact]
    public void Backslash_is_refused() => Refused(WithFile(@"a\..\evil"), ErrorCode.ArchiveUnsafePath);

    // §5 rule "empty or '.' component".
    [Theory]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("a/./b")]
    [InlineData("a/")]
    public void Empty_or_dot_component_is_refused(string name) => Refused(WithFile(name), ErrorCode.ArchiveUnsafePath);

    // §5 rule "control characters".
    [Theory]
    [InlineData("a\u0001b")]
    [InlineData("line\nbreak")]
    [InlineData("nul\0byte")]
    [InlineData("del\u007f")]
    [InlineData("next\u0085line")]
    public void Control_character_is_refused(string name)
    {
        var e = Refused(WithFile(name), ErrorCode.ArchiveUnsafePath);
        Assert.DoesNotContain('\n', e.Message);
    }

    // §5 rule "reserved Windows names", with extensions too.
    [Theory]
    [InlineData("CON")]
    [InlineData("prn.txt")]
    [InlineData("dir/aux.log")]
    [InlineData("nul")]
    [InlineData("COM1.tar.gz")]
    [InlineData("lpt9")]
    [InlineData("dir/CON .txt")]
    [InlineData("COM\u00B9.log")]
    public void Windows_device_name_is_refused(string name) => Refused(WithFile(name), ErrorCode.ArchiveReservedName);

    // Only the stem before the first dot names a device: names that merely start with one are files like any other.
    [Theory]
    [InlineData("console.txt")]
    [InlineData("dir/auxiliary/file")]
    [InlineData("CONX")]
    [InlineData("a.con")]
    [InlineData("nul_device.md")]
    public void A_name_that_only_starts_like_a_device_is_extracted(string name)
    {
        var archive = WithFile(name).WriteTo(_root["fine.packster"]);
        var staging = Directory.CreateDirectory(_root["staging"]).FullName;
        SafeExtractor.Extract(archive, staging, ExtractionLimits.Default, null, CancellationToken.None);
        Assert.Equal("evil", File.ReadAllText(Path.Combine(staging, name)));
    }

    // §5 rule "trailing dot or space".
    [Theory]
    [InlineData("evil.")]
    [InlineData("evil ")]
    [InlineData("dir./file")]
    public void Trailing_dot_or_space_is_refused(string name) => Refused(WithFile(name), ErrorCode.ArchiveUnsafePath);

    // §5 rule "length": component > 255 bytes, path > 1024 bytes.
    [Fact]
    public void Over_long_component_is_refused() => Refused(WithFile(new string('a', 256)), ErrorCode.ArchiveUnsafePath);

    [Fact]
    public void Over_long_path_is_refused() =>
        Refused(WithFile(string.Join('/', Enumerable.Repeat(new string('d', 200), 6))), ErrorCode.ArchiveUnsafePath);

    // §5 rule "UTF-8 names".
    [Fact]
    public void Invalid_utf8_name_is_refused() =>
        Refused(new HostileZipBuilder().Add(new HostileEntry { RawName = [0x61, 0xFF, 0xFE], Data = [1] }), ErrorCode.ArchiveUnsafePath);

    // §5 rule "duplicates".
    [Fact]
    public void Duplicate_entry_is_refused() =>
        Refused(new HostileZipBuilder().File("a.txt", "one").File("a.txt", "two"), ErrorCode.ArchiveDuplicateEntry);

    [Fact]
    public void File_and_directory_with_one_name_are_refused() =>
        Refused(new HostileZipBuilder().File("a", "file").File("a/b", "inside a file"), ErrorCode.ArchiveDuplicateEntry);

    // §5 rule "collisions": case.
    [Theory]
    [InlineData("README.md", "readme.md")]
    [InlineData("Dir/a.txt", "dir/b.txt")]
    [InlineData("\u212Aelvin", "kelvin")]
    public void Case_colliding_names_are_refused(string first, string second) =>
        Refused(new HostileZipBuilder().File(first, "1").File(second, "2"), ErrorCode.ArchiveNameCollision);

    // §5 rule "collisions": Unicode normalisation (NFC vs NFD).
    [Fact]
    public void Normalisation_colliding_names_are_refused() =>
        Refused(new HostileZipBuilder().File("caf\u00e9", "nfc").File("cafe\u0301", "nfd"), ErrorCode.ArchiveNameCollision);

    // §5 rule "links": absolute target.
    [Fact]
    public void Absolute_symlink_is_refused() =>
        Assert.Contains("passwd", Refused(new HostileZipBuilder().Link("bin/pw", "/etc/passwd"), ErrorCode.ArchiveUnsafeLink).Message);

    // §5 rule "links": relative target that climbs out.
    [Theory]
    [InlineData("up", "..")]
    [InlineData("a/b/up", "../../../etc")]
    [InlineData("a/x", "b/../../../y")]
    [InlineData("a/drive", "C:/x")]
    [InlineData("a/slash", @"..\..\x")]
    public void Escaping_symlink_is_refused(string link, string target) =>
        Refused(new HostileZipBuilder().Link(link, target), ErrorCode.ArchiveUnsafeLink);

    // §5 rule "links": a chain of links, each harmless alone, that escapes together.
    [Fact]
    public void Symlink_escaping_through_another_link_is_refused() =>
        Refused(new HostileZipBuilder().Dir("d/e").Link("d/up", "..").Link("d/e/x", "../up/.."), ErrorCode.ArchiveUnsafeLink);

    // §5 rule "links" on case-insensitive file systems: 'd/UP' is the link 'd/up' there, so this target leaves the
    // root although its letters, compared exactly, stay inside.
    [Fact]
    public void Symlink_escaping_through_a_differently_cased_link_is_refused() =>
        Refused(new HostileZipBuilder().Dir("d").Link("d/up", "..").Link("d/x", "UP/d/../../UP/d/../../etc"), ErrorCode.ArchiveUnsafeLink);

    [Fact]
    public void Symlink_loop_is_refused() =>
        Refused(new HostileZipBuilder().Link("a", "b").Link("b", "a/x"), ErrorCode.ArchiveUnsafeLink);

    // §5 rule "links": an entry beneath a link would be written through it.
    [Fact]
    public void Entry_beneath_symlink_is_refused() =>
        Refused(new HostileZipBuilder().Link("escape", "sub").Dir("sub").File("escape/file", "x"), ErrorCode.ArchiveUnsafeLink);

    // §5 rule "entry types": devices, FIFOs, sockets (ZIP has no hard links; see §3).
    [Theory]
    [InlineData(0x1000 | 0x1A4)]
    [InlineData(0x2000 | 0x1A4)]
    [InlineData(0x6000 | 0x1A4)]
    [InlineData(0xC000 | 0x1A4)]
    [InlineData(0xE000 | 0x1A4)]
    public void Device_fifo_and_socket_entries_are_refused(int mode) =>
        Refused(new HostileZipBuilder().File("dev/thing", "", mode), ErrorCode.ArchiveUnsupportedEntry);

    // §5 rule "lying sizes": more data than declared stops at declared + 1.
    [Fact]
    public void Data_longer_than_declared_size_is_refused() =>
        Refused(new HostileZipBuilder().File("ok.txt", "fine")
            .Add(new HostileEntry { Name = "bomb", Data = new byte[1 << 20], Method = 8, DeclaredSize = 1000 }), ErrorCode.ArchiveSizeMismatch);

    [Fact]
    public void Stored_data_longer_than_declared_size_is_refused() =>
        Refused(new HostileZipBuilder().Add(new HostileEntry { Name = "long", Data = new byte[5000], DeclaredSize = 10 }), ErrorCode.ArchiveSizeMismatch);

    // §5: garbage inside an entry's deflate data.
    [Fact]
    public void Invalid_deflate_data_is_refused() =>
        Refused(new HostileZipBuilder().File("ok.txt", "fine", deflate: true)
            .Add(new HostileEntry { Name = "junk", Data = new byte[100], RawPayload = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], Method = 8 }), ErrorCode.ArchiveCorrupt);

    // §5: garbage inside an entry's zstd data, and a zstd frame cut short.
    [Fact]
    public void Invalid_zstd_data_is_refused() =>
        Refused(new HostileZipBuilder().File("ok.txt", "fine")
            .Add(new HostileEntry { Name = "junk", Data = new byte[100], RawPayload = [0x28, 0xB5, 0x2F, 0xFD, 0xFF, 0xFF, 0xFF, 0xFF], Method = 93 }), ErrorCode.ArchiveCorrupt);

    [Fact]
    public void Truncated_zstd_frame_is_refused()
    {
        var data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n")));
        var frame = HostileZipBuilder.Zstd(data);
        Refused(new HostileZipBuilder().Add(new HostileEntry { Name = "cut", Data = data, RawPayload = frame[..(frame.Length / 2)], Method = 93 }),
            ErrorCode.ArchiveCorrupt);
    }

    // §5 rule "lying sizes" holds for zstd too: inflation stops at declared + 1.
    [Fact]
    public void Zstd_data_longer_than_declared_size_is_refused() =>
        Refused(new HostileZipBuilder().Add(new HostileEntry { Name = "bomb", Data = new byte[1 << 20], Method = 93, DeclaredSize = 1000 }),
            ErrorCode.ArchiveSizeMismatch);

    // §5 rule "zstd window": a frame asking for more than 32 MiB of window is refused, not allocated. The frame is
    // written by hand (RFC 8878 §3.1.1): magic, descriptor 0 (no content size), window descriptor, one raw last block "abc".
    [Theory]
    [InlineData(27, false)]
    [InlineData(26, false)]
    [InlineData(25, true)]
    [InlineData(20, true)]
    public void Zstd_frame_with_a_huge_window_is_refused(int windowLog, bool accepted)
    {
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x00, (byte)((windowLog - 10) << 3), 0x19, 0x00, 0x00, (byte)'a', (byte)'b', (byte)'c'];
        var zip = new HostileZipBuilder().Add(new HostileEntry { Name = "wide", Data = "abc"u8.ToArray(), RawPayload = frame, Method = 93 });
        if (accepted)
        {
            var path = zip.WriteTo(_root["wide.zip"]);
            var staging = _root["ok"];
            Directory.CreateDirectory(staging);
            SafeExtractor.Extract(path, staging, ExtractionLimits.Default, null, CancellationToken.None);
            Assert.Equal("abc", File.ReadAllText(Path.Combine(staging, "wide")));
        }
        else
        {
            Assert.Contains("zstd", Refused(zip, ErrorCode.ArchiveCorrupt).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Data_shorter_than_declared_size_is_refused() =>
        Refused(new HostileZipBuilder().Add(new HostileEntry { Name = "short", Data = Encoding.UTF8.GetBytes("abc"), Method = 8, DeclaredSize = 10 }),
            ErrorCode.ArchiveSizeMismatch);

    // §5 rule "CRC-32", detected after good files were already written: they are removed again.
    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(93)]
    public void Crc_mismatch_is_refused_and_written_files_removed(ushort method)
    {
        var zip = new HostileZipBuilder();
        for (var i = 0; i < 20; i++) zip.File($"good/{i}.txt", new string('x', 100_000), deflate: true);
        zip.Add(new HostileEntry { Name = "z/bad.txt", Data = Encoding.UTF8.GetBytes("tampered tampered"), Crc = 0xDEADBEEF, Method = method });
        Assert.Contains("z/bad.txt", Refused(zip, ErrorCode.ArchiveCrcMismatch).Message);
    }

    // §5 rule "truncation".
    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    [InlineData(200)]
    public void Truncated_archive_is_refused(int cut)
    {
        var zip = new HostileZipBuilder().File("a.txt", new string('a', 300));
        zip.TruncateBy = cut;
        Refused(zip, ErrorCode.ArchiveTruncated);
    }

    // §5 rule "overlap": two entries sharing one data range (the non-recursive zip bomb) — here b.txt points at the
    // manifest's local header while declaring its own size and CRC-32, which § Shared data does not allow.
    [Fact]
    public void Overlapping_entries_are_refused()
    {
        var zip = new HostileZipBuilder().File("a.txt", "aaaa").File("b.txt", "aaaa");
        zip.Entries[2].LocalHeaderOffsetOverride = 0;
        Refused(zip, ErrorCode.ArchiveCorrupt);
    }

    // §5 refusal rules: the manifest's local header must be at offset 0. Here a first local header holds one manifest
    // that the central directory does not list, and the manifest it lists comes second: the reader of the first local
    // header (§1) and the central directory would see two packages.
    [Fact]
    public void A_manifest_not_at_the_start_of_the_file_is_refused()
    {
        var zip = new HostileZipBuilder(withManifest: false)
            .Add(new HostileEntry { Name = "packster-manifest.toml", Data = "id = \"hostile\"\nversion = \"1.0.0\"\n"u8.ToArray(), LocalOnly = true })
            .File("packster-manifest.toml", "id = \"hostile\"\nversion = \"1.0.0\"\n[handlers]\ninstall = \"i.sh\"\n")
            .File("i.sh", "#!/bin/sh\n", HostileZipBuilder.Executable);
        using var archive = PackageArchive.Open(zip.WriteTo(_root["two-manifests.packster"]));
        var e = Assert.Throws<PacksterException>(() => archive.ReadManifestBytes());
        Assert.Equal(ErrorCode.ArchiveCorrupt, e.Code);
        Assert.Contains($"at offset {zip.LocalOffsetOf(1)}, not at the start of the file", e.Message, StringComparison.Ordinal);
    }

    // § Shared data: a regular file at exactly another regular file's offset, declaring its method, flags, CRC-32 and
    // sizes, reads that file's local header and data — what `pack` writes for identical files.
    [Fact]
    public void A_file_sharing_another_files_whole_data_is_extracted_from_it()
    {
        var zip = new HostileZipBuilder().File("a.txt", "same bytes").File("dir/b.txt", "same bytes", HostileZipBuilder.Executable);
        zip.Entries[2].LocalHeaderOffsetOverride = zip.LocalOffsetOf(1);
        var archive = zip.WriteTo(_root["shared.packster"]);
        var staging = Directory.CreateDirectory(_root["staging"]).FullName;
        var result = SafeExtractor.Extract(archive, staging, ExtractionLimits.Default, null, CancellationToken.None);
        Assert.Equal("same bytes", File.ReadAllText(Path.Combine(staging, "a.txt")));
        Assert.Equal("same bytes", File.ReadAllText(Path.Combine(staging, "dir", "b.txt")));
        // Each entry keeps its own mode: only the bytes are shared.
        Assert.Equal(0x1ED, result.Entries.Single(e => e.Path == "dir/b.txt").Mode);
        Assert.Equal(0x1A4, result.Entries.Single(e => e.Path == "a.txt").Mode);
    }

    // § Shared data: a sharer must declare exactly the data it shares; one that claims another CRC-32 or size is a
    // partial overlap in disguise.
    [Theory]
    [InlineData("crc")]
    [InlineData("size")]
    public void A_sharer_declaring_other_data_is_refused(string lie)
    {
        var zip = new HostileZipBuilder().File("a.txt", "same bytes").File("b.txt", "same bytes");
        zip.Entries[2].LocalHeaderOffsetOverride = zip.LocalOffsetOf(1);
        if (lie == "crc") zip.Entries[2].Crc = 12345;
        else zip.Entries[2].DeclaredSize = 9;
        Assert.Contains("without being the same file's data", Refused(zip, ErrorCode.ArchiveCorrupt).Message);
    }

    // § Shared data: only regular files share; a link pointing at a file's data would take it as its target.
    [Fact]
    public void A_link_sharing_a_files_data_is_refused()
    {
        var zip = new HostileZipBuilder().File("a.txt", "target").Link("b", "target");
        zip.Entries[2].LocalHeaderOffsetOverride = zip.LocalOffsetOf(1);
        Assert.Contains("without being the same file's data", Refused(zip, ErrorCode.ArchiveCorrupt).Message);
    }

    // §5 rule "overlap" counts the local header's extra field: data starts after it, so a second entry's header
    // hidden inside the first entry's (up to 64 KiB) extra field shares bytes with it.
    [Fact]
    public void Entry_hidden_in_another_entrys_local_extra_field_is_refused()
    {
        var hidden = new HostileEntry { Name = "b.txt", Data = Encoding.UTF8.GetBytes("hidden") };
        var zip = new HostileZipBuilder()
            .Add(new HostileEntry { Name = "a.txt", Data = [], LocalExtra = [.. HostileZipBuilder.LocalRecord(hidden), .. new byte[64]] })
            .Add(hidden);
        var a = zip.LocalOffsetOf(1);
        hidden.LocalHeaderOffsetOverride = a + 30 + "a.txt".Length;
        Assert.Contains("overlaps", Refused(zip, ErrorCode.ArchiveCorrupt).Message);
    }

    // §5 rule "entry data runs past the central directory", with a ZIP64 compressed size near 2^63: the end of its
    // data is beyond any file, however the sum is computed.
    [Fact]
    public void Zip64_compressed_size_near_the_largest_long_is_refused() =>
        Refused(new HostileZipBuilder().Add(new HostileEntry { Name = "huge", Data = [1, 2, 3], Zip64CompressedSize = long.MaxValue - 40 }),
            ErrorCode.ArchiveTruncated);

    // §6 MaxTotalSize holds for a ZIP64 size that would overflow the running total.
    [Fact]
    public void Zip64_size_that_overflows_the_running_total_is_refused() =>
        Refused(new HostileZipBuilder().File("a", "x").Add(new HostileEntry { Name = "huge", Data = [1, 2, 3], Zip64Size = long.MaxValue }),
            ErrorCode.ArchiveTooLarge);

    // §6 MaxEntries is checked from the end record, before the directory is read or its entries allocated.
    [Fact]
    public void Zip64_entry_count_near_the_largest_long_is_refused()
    {
        var zip = new HostileZipBuilder().File("a", "x");
        zip.DeclaredEntryCount = long.MaxValue / 2;
        Refused(zip, ErrorCode.ArchiveTooManyEntries);
    }

    // §6 "every open": even opening a package to read its manifest applies MaxEntries.
    [Theory]
    [InlineData(100_001L)]
    [InlineData(long.MaxValue / 2)]
    public void Opening_an_archive_applies_the_entry_cap(long declared)
    {
        var zip = new HostileZipBuilder().File("a", "x");
        zip.DeclaredEntryCount = declared;
        var path = zip.WriteTo(_root["declared.packster"]);
        Assert.Equal(ErrorCode.ArchiveTooManyEntries, Assert.Throws<PacksterException>(() => PackageArchive.Open(path)).Code);
    }

    // §5 rule "encryption".
    [Fact]
    public void Encrypted_entry_is_refused() =>
        Refused(new HostileZipBuilder().Add(new HostileEntry { Name = "secret", Data = [1, 2, 3], Flags = 0x0801 }), ErrorCode.ArchiveEncryptedEntry);

    // §5 rule "compression methods": only stored, deflate, zstd and the solid runs' two; the message names them.
    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    [InlineData(95)]
    [InlineData(0x5A03)]
    public void Unsupported_compression_method_is_refused(ushort method) =>
        Assert.Contains($"uses compression method {method}; packster reads 0 (stored), 8 (deflate), 93 (zstd)",
            Refused(new HostileZipBuilder().Add(new HostileEntry { Name = "odd", Data = [1, 2, 3], Method = method }), ErrorCode.ArchiveUnsupportedCompression).Message,
            StringComparison.Ordinal);

    // §5 rule "Packster's own files".
    [Theory]
    [InlineData("packster-deployment.json")]
    [InlineData("PACKSTER-DEPLOYMENT.JSON")]
    [InlineData(".packster-tmp-1234")]
    [InlineData("sub/.packster-staging")]
    public void Packster_own_names_are_refused(string name) => Refused(WithFile(name), ErrorCode.ArchiveReservedName);

    // §6 limits: total size, entry count, ratio.
    [Fact]
    public void Total_size_over_cap_is_refused() =>
        Refused(new HostileZipBuilder().File("a", new byte[600]).File("b", new byte[600]), ErrorCode.ArchiveTooLarge,
            ExtractionLimits.Default with { MaxTotalSize = 1000 });

    [Fact]
    public void Entry_count_over_cap_is_refused()
    {
        var zip = new HostileZipBuilder();
        for (var i = 0; i < 10; i++) zip.File($"f{i}", "x");
        Refused(zip, ErrorCode.ArchiveTooManyEntries, ExtractionLimits.Default with { MaxEntries = 5 });
    }

    // §6: "the ratio is judged over the whole archive … above RatioFloor": over the floor, 4 MiB of zeros in ~4 KiB is refused.
    [Fact]
    public void Compression_ratio_over_cap_is_refused_above_the_floor() =>
        Refused(new HostileZipBuilder().File("zeros", new byte[4 << 20], deflate: true), ErrorCode.ArchiveCompressionRatio,
            ExtractionLimits.Default with { RatioFloor = 1 << 20 });

    // §6: a bomb — 1 KiB of deflate declaring 1 GiB — is refused at the default limits before a byte is written.
    [Fact]
    public void A_bomb_is_refused_at_the_default_limits() =>
        Refused(new HostileZipBuilder().Add(new HostileEntry { Name = "bomb", Data = new byte[1 << 20], Method = 8, DeclaredSize = 1L << 30 }),
            ErrorCode.ArchiveCompressionRatio);

    // §6: "packages that unpack to at most RatioFloor bytes may have any ratio": 2 MiB of zeros (about 1000:1) is honest.
    [Fact]
    public void Two_MiB_of_zeros_is_under_the_floor_and_extracts()
    {
        var archive = new HostileZipBuilder().File("zeros", new byte[2 << 20], deflate: true).WriteTo(_root["ok.packster"]);
        var staging = Directory.CreateDirectory(_root["staging"]).FullName;
        var result = SafeExtractor.Extract(archive, staging, ExtractionLimits.Default, null, CancellationToken.None);
        Assert.Equal(2 << 20, new FileInfo(Path.Combine(staging, "zeros")).Length);
        Assert.Equal(2, result.FileCount);
    }

    // §5 rule "manifest first".
    [Fact]
    public void Archive_without_leading_manifest_is_refused() =>
        Refused(new HostileZipBuilder(withManifest: false).File("a.txt", "x").File("packster-manifest.toml", "id = \"x\""), ErrorCode.ArchiveManifestMissing);

    // §5 rule "manifest first": the first entry must be packster-manifest.toml as a regular file; when it has the
    // name but is a link, the message says so instead of "does not start with 'packster-manifest.toml'".
    [Fact]
    public void A_manifest_that_is_a_symlink_is_refused_as_not_a_regular_file()
    {
        var e = Refused(new HostileZipBuilder(withManifest: false).Link("packster-manifest.toml", "m").File("m", "id = \"x\"\nversion = \"1.0.0\"\n"),
            ErrorCode.ArchiveManifestMissing);
        Assert.Contains("starts with 'packster-manifest.toml', but as a symlink, not a regular file", e.Message, StringComparison.Ordinal);
    }

    // §7: cancellation mid-way also leaves nothing.
    [Fact]
    public void Cancelled_extraction_leaves_nothing()
    {
        var archive = new HostileZipBuilder().File("a.txt", "x").WriteTo(_root["ok.packster"]);
        var staging = Directory.CreateDirectory(_root["staging"]).FullName;
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SafeExtractor.Extract(archive, staging, ExtractionLimits.Default, null, cancel.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(staging));
    }
}
