using System.Text;
using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// spec/package-format.md § Solid runs: a zstd package compresses runs of its small files as one zstd frame, each
/// member's data the frame's bytes since the previous member's; extraction reads a run front to back and judges it
/// like any entry.
/// </summary>
public sealed class SolidRunTests : IDisposable
{
    private const ushort First = 0x5A01;
    private const ushort Next = 0x5A02;
    private static readonly PackageId Id = PackageId.Parse("solid");
    private static readonly PackageVersion Version = PackageVersion.Parse("1.0.0");

    private readonly TempDirectory _temp = new("packster-solid");

    public void Dispose() => _temp.Dispose();

    /// <summary>A source tree like a library's: many small modules that share most of their text.</summary>
    private string SourceTree(int modules = 60)
    {
        var dir = _temp["src"];
        Write(dir, Packer.ManifestFileName, "id = \"solid\"\nversion = \"1.0.0\"\n");
        for (var i = 0; i < modules; i++)
        {
            Write(dir, $"lib/pkg{i % 4}/module{i}.py", Module(i));
        }
        return dir;
    }

    private static string Module(int i) =>
        $"\"\"\"Module {i}.\"\"\"\nimport os\nimport sys\n\n" + string.Concat(Enumerable.Range(0, 40).Select(j =>
            $"def function_{j}(value, *, strict=False):\n    \"\"\"Return value {j} of module {i}.\"\"\"\n    if strict and value is None:\n        raise ValueError(\"value\")\n    return (value, {i * j})\n\n"));

    private static void Write(string root, string relative, string content)
    {
        var full = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    private PackResult Pack(string source, string output, PackOptions options) =>
        Packer.Pack(source, _temp[output], Id, Version, options, null, CancellationToken.None);

    private string Extract(string package, string name)
    {
        var staging = Directory.CreateDirectory(_temp[name]).FullName;
        SafeExtractor.Extract(package, staging, ExtractionLimits.Default, null, CancellationToken.None);
        return staging;
    }

    private static void AssertSameFiles(string expected, string actual)
    {
        var files = Directory.GetFiles(expected, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(expected, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, Directory.GetFiles(actual, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(actual, f)).Order(StringComparer.Ordinal));
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(expected, f)), File.ReadAllBytes(Path.Combine(actual, f))));
    }

    // "consecutive in entry order … a run of one file is no run": one run (the tree is far below 4 MiB), its first
    // member 0x5A01, every later one 0x5A02; the manifest stays a zstd entry of its own. The package is smaller than
    // the same tree packed one frame per file, the same bytes packed twice, and extracts to the tree.
    [Fact]
    public void Small_files_are_packed_in_one_run_smaller_than_alone_and_extract_to_the_same_files()
    {
        var source = SourceTree();
        var solid = Pack(source, "solid", PackOptions.Default);
        var again = Pack(source, "again", PackOptions.Default);
        var alone = Pack(source, "alone", PackOptions.Default with { Solid = false });

        using (var archive = PackageArchive.Open(solid.Path))
        {
            Assert.NotEqual(First, archive.Entries[0].Method);
            Assert.Equal([First, .. Enumerable.Repeat(Next, 59)], archive.Entries.Skip(1).Select(e => e.Method));
            Assert.All(archive.Entries.Skip(1), e => Assert.Equal(1, e.RunStart));
        }
        using (var archive = PackageArchive.Open(alone.Path))
        {
            Assert.DoesNotContain(archive.Entries, e => e.Method is First or Next);
        }
        Assert.Equal(solid.FileName, again.FileName);
        Assert.True(solid.Size * 5 < alone.Size * 4, $"solid {solid.Size} B, one frame per file {alone.Size} B");
        var extracted = Extract(solid.Path, "x");
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "lib/pkg3/module59.py")), File.ReadAllBytes(Path.Combine(extracted, "lib/pkg3/module59.py")));
        AssertSameFiles(source, extracted);
    }

    // "one zstd frame … a window of 2^23 bytes … without content size or checksum": the frame header the first member
    // starts with (RFC 8878 §3.1.1), within what extraction accepts (§5 "zstd window").
    [Fact]
    public void A_run_is_one_frame_with_an_8_MiB_window_and_no_checksum()
    {
        using var archive = PackageArchive.Open(Pack(SourceTree(), "out", PackOptions.Default).Path);
        var first = archive.Entries.First(e => e.Method == First);
        using var file = File.OpenHandle(archive.FilePath);
        var header = new byte[6];
        RandomAccess.Read(file, header, archive.DataOffset(first));
        Assert.Equal([0x28, 0xB5, 0x2F, 0xFD], header[..4]);
        var descriptor = header[4];
        Assert.Equal(0, descriptor & 0x04);   // no checksum
        Assert.Equal(0, descriptor >> 6);     // no content size (and not single-segment, so a window descriptor follows)
        Assert.Equal(0, descriptor & 0x20);
        Assert.Equal(23, 10 + (header[5] >> 3));
    }

    // "a run closes once it holds 4 MiB" (here the option's smaller size): several runs, each member continuing the
    // nearest first member before it, each run at least that size but its last.
    [Fact]
    public void A_run_closes_once_it_holds_its_size()
    {
        var source = SourceTree();
        var moduleSize = Encoding.UTF8.GetByteCount(Module(10));
        var runSize = 10L * moduleSize;
        var packed = Pack(source, "out", PackOptions.Default with { SolidRunSize = runSize });
        using var archive = PackageArchive.Open(packed.Path);
        var runs = archive.Entries.Where(e => e.RunStart >= 0).GroupBy(e => e.RunStart).ToList();
        Assert.True(runs.Count >= 5, $"{runs.Count} runs");
        Assert.All(runs, r => Assert.Equal(First, archive.Entries[r.Key].Method));
        // Closed by the member that reached the size: without it, the run held less.
        Assert.All(runs.SkipLast(1), r => Assert.InRange(r.Sum(e => e.Size), runSize, runSize + r.Last().Size - 1));
        AssertSameFiles(source, Extract(packed.Path, "x"));
    }

    // "regular files of 1 byte to 1 MiB − 1 that are not already compressed, not the manifest, and neither share
    // another file's data nor have theirs shared"; deflate packages have no runs.
    [Fact]
    public void Only_small_compressible_files_of_their_own_join_a_run()
    {
        var source = SourceTree(4);
        Write(source, "empty.txt", "");
        Write(source, "big.txt", string.Concat(Enumerable.Range(0, 150_000).Select(i => $"row {i}\n")));
        Write(source, "logo.png", Module(1) + "png");
        Write(source, "twin/a.txt", Module(2) + "twin");
        Write(source, "twin/b.txt", Module(2) + "twin");
        File.CreateSymbolicLink(Path.Combine(source, "link"), "lib");
        var packed = Pack(source, "out", PackOptions.Default);
        using (var archive = PackageArchive.Open(packed.Path))
        {
            var members = archive.Entries.Where(e => e.RunStart >= 0).Select(e => e.Path).ToList();
            Assert.Equal(Enumerable.Range(0, 4).Select(i => $"lib/pkg{i}/module{i}.py"), members);
        }
        AssertSameFiles(source, Extract(packed.Path, "x"));
        using var deflated = PackageArchive.Open(Pack(source, "deflate", PackOptions.Default with { Compression = PackCompression.Deflate }).Path);
        Assert.DoesNotContain(deflated.Entries, e => e.RunStart >= 0);
    }

    // "Random access to a member decodes its run up to it": OpenEntry gives each member's own bytes.
    [Fact]
    public void Any_member_opens_alone()
    {
        var source = SourceTree(8);
        using var archive = PackageArchive.Open(Pack(source, "out", PackOptions.Default).Path);
        foreach (var entry in archive.Entries.Where(e => e.RunStart >= 0).Reverse())
        {
            using var data = archive.OpenEntry(entry);
            using var copy = new MemoryStream();
            data.CopyTo(copy);
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, entry.Path)), copy.ToArray());
        }
    }

    // "A run whose every member the extracted-file store already holds is not read at all; otherwise it is decoded up
    // to the last member the store lacks, the members before it checked on the way." A byte of the middle member's
    // data is changed: reused whole, the run extracts; asked for its last member, the damage is found.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Members_the_store_holds_are_not_decoded_unless_a_later_one_is_needed(bool reuseAll)
    {
        var source = SourceTree(6);
        var package = Pack(source, "out", PackOptions.Default).Path;
        PackageEntry[] members;
        using (var archive = PackageArchive.Open(package))
        {
            members = [.. archive.Entries.Where(e => e.RunStart >= 0)];
            var middle = members[2];
            var offset = archive.DataOffset(middle) + middle.CompressedSize / 2;
            using var file = File.OpenHandle(package, FileMode.Open, FileAccess.ReadWrite);
            var b = new byte[1];
            RandomAccess.Read(file, b, offset);
            b[0] ^= 0x5A;
            RandomAccess.Write(file, b, offset);
        }
        var last = members[^1].Path;
        ExtractedFile? Reuse(PackageEntry entry, string path)
        {
            if (entry.RunStart < 0 || (!reuseAll && entry.Path == last)) return null;
            File.Copy(Path.Combine(source, entry.Path), path);
            return new ExtractedFile(entry.Path, entry.Kind, Sha256Digest.Compute(File.ReadAllBytes(path)), entry.Size, entry.Mode, null);
        }
        var staging = Directory.CreateDirectory(_temp["x"]).FullName;
        using var opened = PackageArchive.Open(package);
        if (reuseAll)
        {
            SafeExtractor.Extract(opened, staging, ExtractionLimits.Default, Reuse, null, CancellationToken.None);
            AssertSameFiles(source, staging);
        }
        else
        {
            var e = Assert.Throws<PacksterException>(() => SafeExtractor.Extract(opened, staging, ExtractionLimits.Default, Reuse, null, CancellationToken.None));
            Assert.Contains(e.Code, new[] { ErrorCode.ArchiveCorrupt, ErrorCode.ArchiveCrcMismatch });
            Assert.Contains(ArchiveErrors.Printable(members[2].Path), e.Message, StringComparison.Ordinal);
        }
    }

    // ForEachFile (what an SBOM of a planned change reads): every file once, in central-directory order, runs read
    // through one reader while other entries lie between their members.
    [Fact]
    public void Every_file_is_read_once_in_order_with_runs_read_through()
    {
        var source = SourceTree(8);
        Write(source, "lib/pkg1/aaa.png", Module(99));
        Write(source, "lib/pkg2/big.txt", string.Concat(Enumerable.Range(0, 150_000).Select(i => $"row {i}\n")));
        using var archive = PackageArchive.Open(Pack(source, "out", PackOptions.Default).Path);
        var files = archive.Entries.Where(e => e.Kind == PackageEntryKind.File).ToList();
        Assert.Contains(files, e => e.RunStart < 0 && e.Index > files.First(f => f.RunStart >= 0).Index && e.Index < files.Last(f => f.RunStart >= 0).Index);
        var seen = new List<string>();
        archive.ForEachFile((entry, data) =>
        {
            using var copy = new MemoryStream();
            data.CopyTo(copy);
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, entry.Path)), copy.ToArray());
            seen.Add(entry.Path);
        }, CancellationToken.None);
        Assert.Equal(files.Select(e => e.Path), seen);
    }

    /// <summary>
    /// <paramref name="count"/> module texts, each <paramref name="repeat"/> times over: with 60, three of them decode to
    /// more than 1 MiB together, so their run is read by libzstd where it loads (spec/package-format.md § Decoders), the
    /// smaller ones by the managed decoder.
    /// </summary>
    private static byte[][] Texts(int count, int repeat = 1)
    {
        var texts = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Module(i), repeat)))).ToArray();
        Assert.Equal(repeat >= 60 && count >= 3, EntryDataStream.DecodesAtLeast(texts.Select(t => (long)t.Length), EntryDataStream.NativeZstdFrom));
        return texts;
    }

    private static HostileZipBuilder Run(byte[][] files, byte[][] payloads, Action<int, HostileEntry>? change = null)
    {
        var zip = new HostileZipBuilder();
        for (var k = 0; k < files.Length; k++)
        {
            var entry = new HostileEntry { Name = $"m{k}.py", Data = files[k], RawPayload = payloads[k], Method = k == 0 ? First : Next };
            change?.Invoke(k, entry);
            zip.Add(entry);
        }
        return zip;
    }

    /// <summary>Extraction fails with one of <paramref name="expected"/> and leaves the staging folder empty.</summary>
    private PacksterException Refused(HostileZipBuilder zip, params ErrorCode[] expected)
    {
        var archive = zip.WriteTo(_temp["hostile.packster"]);
        var staging = Directory.CreateDirectory(_temp["staging"]).FullName;
        var e = Assert.Throws<PacksterException>(() => SafeExtractor.Extract(archive, staging, ExtractionLimits.Default, null, CancellationToken.None));
        Assert.Contains(e.Code, expected);
        Assert.Empty(Directory.EnumerateFileSystemEntries(staging));
        return e;
    }

    // The builder's own run extracts: the hostile cases below differ from it in one thing each.
    [Theory]
    [InlineData(1)]
    [InlineData(60)]
    public void A_run_written_by_hand_extracts(int repeat)
    {
        var files = Texts(3, repeat);
        var path = Run(files, HostileZipBuilder.SolidRun(files)).WriteTo(_temp["ok.packster"]);
        var staging = Directory.CreateDirectory(_temp["ok"]).FullName;
        SafeExtractor.Extract(path, staging, ExtractionLimits.Default, null, CancellationToken.None);
        Assert.All(Enumerable.Range(0, 3), k => Assert.Equal(files[k], File.ReadAllBytes(Path.Combine(staging, $"m{k}.py"))));
    }

    // "A 0x5A02 entry with no 0x5A01 entry before it … is refused."
    [Fact]
    public void A_member_of_no_run_is_refused()
    {
        var files = Texts(2);
        var e = Refused(Run(files, HostileZipBuilder.SolidRun(files), (k, entry) => entry.Method = Next), ErrorCode.ArchiveCorrupt);
        Assert.Contains("no entry before it starts", e.Message, StringComparison.Ordinal);
    }

    // "… a member whose data lies before the previous member's …": the run's stream is read front to back, so the
    // central directory's order of a run must be its data's.
    [Fact]
    public void A_member_whose_data_lies_before_the_previous_one_is_refused()
    {
        var files = Texts(2);
        var payloads = HostileZipBuilder.SolidRun(files);
        // The central directory lists the first member, then the next; their local records lie the other way round
        // (each entry points at the other's record and declares its size), so every data range is sound.
        var zip = Run(files, [payloads[1], payloads[0]]);
        var (record1, record2) = (zip.LocalOffsetOf(1), zip.LocalOffsetOf(2));
        zip.Entries[1].LocalHeaderOffsetOverride = record2;
        zip.Entries[1].DeclaredCompressedSize = payloads[0].Length;
        zip.Entries[2].LocalHeaderOffsetOverride = record1;
        zip.Entries[2].DeclaredCompressedSize = payloads[1].Length;
        var e = Refused(zip, ErrorCode.ArchiveCorrupt);
        Assert.Contains("before the run's previous member", e.Message, StringComparison.Ordinal);
    }

    // "A member must be a regular file."
    [Fact]
    public void A_symlink_in_a_run_is_refused()
    {
        var files = Texts(2);
        var e = Refused(Run(files, HostileZipBuilder.SolidRun(files), (k, entry) => entry.UnixMode = k == 1 ? HostileZipBuilder.Symlink : entry.UnixMode), ErrorCode.ArchiveCorrupt);
        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
    }

    // § Shared data: "a member of a solid run is never shared".
    [Fact]
    public void A_sharer_of_a_member_is_refused()
    {
        var files = Texts(2);
        var zip = Run(files, HostileZipBuilder.SolidRun(files));
        zip.Add(new HostileEntry { Name = "copy.py", Data = files[1], RawPayload = [], Method = Next, DeclaredCompressedSize = 0 });
        var payloads = HostileZipBuilder.SolidRun(files);
        zip.Entries[3].DeclaredCompressedSize = payloads[1].Length;
        zip.Entries[3].LocalHeaderOffsetOverride = zip.LocalOffsetOf(2);
        Assert.Contains("without being the same file's data", Refused(zip, ErrorCode.ArchiveCorrupt).Message, StringComparison.Ordinal);
    }

    // "each member is the next Size bytes the frame decodes to, checked against its CRC-32": two members' data swapped
    // (each in the other's place) decode to the wrong bytes; a byte changed in the middle member fails it.
    [Theory]
    [InlineData(1)]
    [InlineData(60)]
    public void Members_whose_data_was_swapped_or_changed_are_refused(int repeat)
    {
        var files = Texts(3, repeat);
        var payloads = HostileZipBuilder.SolidRun(files);
        // Decoded out of order, the data is either no zstd at all or the wrong bytes.
        Refused(Run(files, [payloads[0], payloads[2], payloads[1]]), ErrorCode.ArchiveCorrupt, ErrorCode.ArchiveCrcMismatch);
        var changed = payloads.Select(p => p.ToArray()).ToArray();
        changed[1][changed[1].Length / 2] ^= 0x20;
        Refused(Run(files, changed), ErrorCode.ArchiveCorrupt, ErrorCode.ArchiveCrcMismatch);
    }

    // "the frame must end with the last member": a last member declared shorter than what the frame still holds is
    // refused at its declared size + 1, like any entry; a middle member declared longer takes the next one's bytes and
    // fails its CRC-32.
    [Theory]
    [InlineData(1)]
    [InlineData(60)]
    public void Members_with_lying_sizes_are_refused(int repeat)
    {
        var files = Texts(3, repeat);
        var payloads = HostileZipBuilder.SolidRun(files);
        Refused(Run(files, payloads, (k, entry) => entry.DeclaredSize = k == 2 ? files[2].Length - 10 : null), ErrorCode.ArchiveSizeMismatch);
        Refused(Run(files, payloads, (k, entry) => entry.DeclaredSize = k == 1 ? files[1].Length + 10 : null), ErrorCode.ArchiveCrcMismatch);
    }
}
