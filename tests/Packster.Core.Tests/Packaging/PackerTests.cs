using System.IO.Compression;
using System.Text;
using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>spec/package-format.md §1–§3: what <see cref="Packer"/> writes.</summary>
public sealed class PackerTests : IDisposable
{
    private static readonly PackageId Id = PackageId.Parse("demo");
    private static readonly PackageVersion Version = PackageVersion.Parse("1.2.0");

    private readonly TempDirectory _temp = new("packster-pack");

    public void Dispose() => _temp.Dispose();

    private string Source(string name = "src")
    {
        var dir = _temp[name];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, Packer.ManifestFileName), "id = \"demo\"\nversion = \"1.2.0\"\n");
        return dir;
    }

    private PackResult Pack(string source, string output = "out") =>
        Packer.Pack(source, _temp[output], Id, Version, null, CancellationToken.None);

    private PackResult PackDeflate(string source, string output = "out") =>
        Packer.Pack(source, _temp[output], Id, Version, PackOptions.Default with { Compression = PackCompression.Deflate }, null, CancellationToken.None);

    private static void Write(string root, string relative, string content)
    {
        var full = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    // §1: the name is {id}-{version}-{sha256 of the bytes}.packster, and the file is complete under that name.
    [Fact]
    public void Name_embeds_the_sha256_of_the_bytes()
    {
        var source = Source();
        Write(source, "bin/tool", "#!/bin/sh\necho hi\n");
        var result = Pack(source);
        Assert.Equal(Sha256Digest.ComputeFile(result.Path), result.FileName.Sha256);
        Assert.Equal(result.FileName, PackageFileName.Parse(Path.GetFileName(result.Path)));
        Assert.Equal(new FileInfo(result.Path).Length, result.Size);
        Assert.Equal([Path.GetFileName(result.Path)], Directory.GetFiles(_temp["out"]).Select(Path.GetFileName));
    }

    // §2: manifest first, then ordinal (UTF-8 byte) order of paths.
    [Fact]
    public void Manifest_comes_first_then_ordinal_path_order()
    {
        var source = Source();
        foreach (var name in new[] { "b.txt", "B.md", "a/z.txt", "a-b.txt", "a/b/c.txt", "_x", "zz/\u00e9.txt", "~" })
        {
            Write(source, name, name);
        }
        using var archive = PackageArchive.Open(Pack(source).Path);
        var paths = archive.Entries.Select(e => e.Path).ToList();
        Assert.Equal(Packer.ManifestFileName, paths[0]);
        var rest = paths.Skip(1).ToList();
        Assert.Equal(rest.OrderBy(p => Encoding.UTF8.GetBytes(p), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))), rest);
        Assert.Equal(["B.md", "_x", "a-b.txt", "a/b/c.txt", "a/z.txt", "b.txt", "zz/\u00e9.txt", "~"], rest);
    }

    // §2: the same folder always packs to the same bytes, whatever times, creation order or permissions beyond x.
    [Fact]
    public void Same_folder_packs_to_the_same_bytes_whatever_times_and_creation_order()
    {
        var names = Enumerable.Range(0, 40).Select(i => $"d{i % 5}/f{i}.txt").ToArray();
        var first = Source("one");
        foreach (var n in names) Write(first, n, "content of " + n + new string('x', names.Length * 10));
        Directory.CreateDirectory(Path.Combine(first, "empty"));
        var a = Pack(first, "out1");

        var second = Source("two");
        Directory.CreateDirectory(Path.Combine(second, "empty"));
        foreach (var n in names.Reverse()) Write(second, n, "content of " + n + new string('x', names.Length * 10));
        foreach (var file in Directory.EnumerateFiles(second, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        }
        if (!OperatingSystem.IsWindows())
        {
            // Group/other read and write bits are normalised away; only "any x" matters.
            File.SetUnixFileMode(Path.Combine(second, "d1/f1.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);
        }
        var b = Pack(second, "out2");

        Assert.Equal(a.FileName, b.FileName);
        Assert.Equal(File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path));
    }

    // §2: fixed timestamps, version-made-by Unix, UTF-8 flag, no extra fields.
    [Fact]
    public void Entries_have_fixed_timestamps_and_unix_attributes()
    {
        var source = Source();
        Write(source, "a.txt", "a");
        var result = Pack(source);
        using var zip = ZipFile.OpenRead(result.Path);
        foreach (var entry in zip.Entries)
        {
            Assert.Equal(new DateTime(1980, 1, 1, 0, 0, 0), entry.LastWriteTime.DateTime);
            Assert.Equal(0x8000u | 0x1A4u, unchecked((uint)entry.ExternalAttributes) >> 16);
        }
    }

    // §3: modes normalised to 0644/0755; any x bit in the source gives 0755.
    [Fact]
    public void Modes_are_normalised_and_round_trip()
    {
        if (OperatingSystem.IsWindows()) return; // Windows has no x bit to carry.
        var source = Source();
        Write(source, "plain", "p");
        Write(source, "user-x", "u");
        Write(source, "other-x", "o");
        Write(source, "setuid", "s");
        File.SetUnixFileMode(Path.Combine(source, "plain"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        File.SetUnixFileMode(Path.Combine(source, "user-x"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Path.Combine(source, "other-x"), UnixFileMode.UserRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(Path.Combine(source, "setuid"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.SetUser | UnixFileMode.GroupWrite);
        var result = Pack(source);

        using (var archive = PackageArchive.Open(result.Path))
        {
            var modes = archive.Entries.ToDictionary(e => e.Path, e => e.Mode);
            Assert.Equal(0x1A4, modes["plain"]);
            Assert.Equal(0x1ED, modes["user-x"]);
            Assert.Equal(0x1ED, modes["other-x"]);
            Assert.Equal(0x1ED, modes["setuid"]);
        }
        var staging = Directory.CreateDirectory(_temp["staging"]).FullName;
        SafeExtractor.Extract(result.Path, staging, ExtractionLimits.Default, null, CancellationToken.None);
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(Path.Combine(staging, "plain")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(staging, "user-x")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(staging, "setuid")));
    }

    // §3: what a folder holds at every depth is packed the same, whether its level is walked on every core (the top
    // two) or on one: files with their x bit, links never followed, a folder with nothing packed in it as an empty
    // folder, ignored entries left out (§4), and nothing twice.
    [Fact]
    public void A_deep_folder_packs_every_entry_once_at_every_depth()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs developer mode there.
        var source = Source();
        var expected = new List<(string Path, PackageEntryKind Kind, int Mode)> { (Packer.ManifestFileName, PackageEntryKind.File, 0x1A4) };
        Write(source, PackageIgnore.FileName, "*.log\nskipped/\n");
        var folder = "";
        for (var depth = 0; depth < 5; depth++)
        {
            Write(source, folder + "data.txt", "data at " + depth);
            Write(source, folder + "tool", "#!/bin/sh\n");
            File.SetUnixFileMode(Path.Combine(source, folder + "tool"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupExecute);
            File.CreateSymbolicLink(Path.Combine(source, folder + "link"), "data.txt");
            Write(source, folder + "noise.log", "ignored");
            Write(source, folder + "skipped/inside.txt", "ignored with its folder");
            Write(source, folder + "only-ignored/x.log", "ignored, so its folder is packed empty");
            Directory.CreateDirectory(Path.Combine(source, folder + "empty/emptier"));
            expected.Add((folder + "data.txt", PackageEntryKind.File, 0x1A4));
            expected.Add((folder + "tool", PackageEntryKind.File, 0x1ED));
            expected.Add((folder + "link", PackageEntryKind.Symlink, 0x1FF));
            expected.Add((folder + "only-ignored", PackageEntryKind.Directory, 0x1ED));
            expected.Add((folder + "empty/emptier", PackageEntryKind.Directory, 0x1ED));
            folder += $"level{depth + 1}/";
        }
        using var archive = PackageArchive.Open(Pack(source).Path);
        var packed = archive.Entries.Select(e => (e.Path, e.Kind, e.Mode)).ToList();
        Assert.Equal(expected.OrderBy(e => e.Path, StringComparer.Ordinal), packed.OrderBy(e => e.Path, StringComparer.Ordinal));
    }

    // §3: of several things a folder cannot hold, the one named is the same on every run: the walk on every core
    // reports the first, in the order its folders are listed, as a walk on one core would.
    [Fact]
    public void Of_two_special_files_the_same_one_is_named_every_time()
    {
        if (!OperatingSystem.IsLinux()) return; // mkfifo
        var source = Source();
        var folders = Enumerable.Range(0, 8).Select(i => $"part{i}").ToArray();
        foreach (var name in folders) Write(source, $"{name}/sub/file.txt", new string('x', 1000));
        foreach (var name in folders) MakeFifo(Path.Combine(source, name, "sub", "pipe"));
        var first = Directory.EnumerateDirectories(source).Select(Path.GetFileName).First(folders.Contains);
        for (var run = 0; run < 5; run++)
        {
            var e = Assert.Throws<PacksterException>(() => Pack(source));
            Assert.Equal(ErrorCode.ArchiveUnsupportedEntry, e.Code);
            Assert.Contains($"'{first}/sub/pipe'", e.Message);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp["out"]));
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    // §3: symlinks are stored (never followed) with their relative target, and recreated on extraction.
    [Fact]
    public void Symlinks_round_trip_and_are_not_followed()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs developer mode there.
        var source = Source();
        Write(source, "lib/real.so.1", "library");
        Write(source, "outside-dir/file", "x");
        File.CreateSymbolicLink(Path.Combine(source, "lib/real.so"), "real.so.1");
        File.CreateSymbolicLink(Path.Combine(source, "current"), "lib");
        var result = Pack(source);

        using (var archive = PackageArchive.Open(result.Path))
        {
            var link = archive.Entries.Single(e => e.Path == "current");
            Assert.Equal(PackageEntryKind.Symlink, link.Kind);
            Assert.DoesNotContain(archive.Entries, e => e.Path.StartsWith("current/", StringComparison.Ordinal));
        }
        var staging = Directory.CreateDirectory(_temp["staging"]).FullName;
        var extracted = SafeExtractor.Extract(result.Path, staging, ExtractionLimits.Default, null, CancellationToken.None);
        Assert.Equal("real.so.1", new FileInfo(Path.Combine(staging, "lib/real.so")).LinkTarget);
        Assert.Equal("lib", new DirectoryInfo(Path.Combine(staging, "current")).LinkTarget);
        Assert.Equal("library", File.ReadAllText(Path.Combine(staging, "current/real.so")));
        Assert.Equal(2, extracted.SymlinkCount);
    }

    // §3: a link that is absolute or leaves the package is an error naming the link; nothing is written.
    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../outside")]
    public void Escaping_symlink_in_source_is_refused(string target)
    {
        if (OperatingSystem.IsWindows()) return;
        var source = Source();
        File.CreateSymbolicLink(Path.Combine(source, "bad-link"), target);
        var e = Assert.Throws<PacksterException>(() => Pack(source));
        Assert.Equal(ErrorCode.ArchiveUnsafeLink, e.Code);
        Assert.Contains("bad-link", e.Message);
        Assert.Equal(Packer.FolderHint, e.Hint);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp["out"]));
    }

    // §3: directory entries only for empty directories.
    [Fact]
    public void Only_empty_directories_get_entries()
    {
        var source = Source();
        Write(source, "full/a.txt", "a");
        Directory.CreateDirectory(Path.Combine(source, "empty/nested"));
        using var archive = PackageArchive.Open(Pack(source).Path);
        var dirs = archive.Entries.Where(e => e.Kind == PackageEntryKind.Directory).Select(e => e.Path).ToList();
        Assert.Equal(["empty/nested"], dirs);
    }

    // §2 "Compression": zstd (method 93) by default, deflate (8) when asked; either only when it saves ≥ 3%,
    // stored otherwise and for known compressed formats. (Files outside solid runs: § Solid runs judges a run whole.)
    [Theory]
    [InlineData(PackCompression.Zstd, 93)]
    [InlineData(PackCompression.Deflate, 8)]
    public void Incompressible_files_are_stored_and_text_is_compressed(PackCompression compression, ushort method)
    {
        var source = Source();
        var random = new byte[100_000];
        new Random(42).NextBytes(random);
        File.WriteAllBytes(Path.Combine(source, "random.bin"), random);
        Write(source, "text.txt", string.Concat(Enumerable.Repeat("hello packster ", 5000)));
        Write(source, "already.zip", string.Concat(Enumerable.Repeat("compressible but named .zip ", 500)));
        Write(source, "empty.txt", "");
        var options = compression == PackCompression.Zstd ? PackOptions.Default with { Solid = false } : PackOptions.Default with { Compression = compression };
        var packed = Packer.Pack(source, _temp["out"], Id, Version, options, null, CancellationToken.None);
        using var archive = PackageArchive.Open(packed.Path);
        var methods = archive.Entries.ToDictionary(e => e.Path, e => e.Method);
        Assert.Equal(0, methods["random.bin"]);
        Assert.Equal(method, methods["text.txt"]);
        Assert.Equal(0, methods["already.zip"]);
        Assert.Equal(0, methods["empty.txt"]);
    }

    // §2 "version needed": 63 (APPNOTE 6.3, the version that lists method 93) for zstd entries, in both headers.
    // § Shared data: identical files of a zstd package are written once; the later ones point at the first one's local
    // header (each with its own name and mode), and the package extracts both. Same size, other bytes: not shared.
    [Fact]
    public void Identical_files_of_a_zstd_package_share_one_copy_of_their_data()
    {
        var src = Source();
        var text = string.Concat(Enumerable.Repeat("the same bytes in two places\n", 500));
        Write(src, "a/one.txt", text);
        Write(src, "b/two.txt", text);
        Write(src, "c/other.txt", text.Replace('t', 'T'));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(src, "b/two.txt"), (UnixFileMode)0x1ED);
        var shared = Pack(src);
        var copies = PackDeflate(src, "deflate");

        using (var archive = PackageArchive.Open(shared.Path))
        {
            var byName = archive.Entries.ToDictionary(e => e.Path);
            Assert.Equal(byName["a/one.txt"].LocalHeaderOffset, byName["b/two.txt"].LocalHeaderOffset);
            Assert.NotEqual(byName["a/one.txt"].LocalHeaderOffset, byName["c/other.txt"].LocalHeaderOffset);
            if (!OperatingSystem.IsWindows()) Assert.Equal(0x1ED, byName["b/two.txt"].Mode);
            Assert.Equal(0x1A4, byName["a/one.txt"].Mode);
            var staging = Directory.CreateDirectory(_temp["x"]).FullName;
            SafeExtractor.Extract(archive, staging, ExtractionLimits.Default, null, CancellationToken.None);
            Assert.Equal(text, File.ReadAllText(Path.Combine(staging, "b", "two.txt")));
            Assert.Equal(text, File.ReadAllText(Path.Combine(staging, "a", "one.txt")));
        }
        // deflate packages stay readable by every unzip: nothing is shared there.
        using (var archive = PackageArchive.Open(copies.Path))
        {
            Assert.Equal(archive.Entries.Count, archive.Entries.Select(e => e.LocalHeaderOffset).Distinct().Count());
        }
        // Determinism holds with sharing.
        Assert.Equal(File.ReadAllBytes(shared.Path), File.ReadAllBytes(Pack(src, "again").Path));
    }

    // § Shared data, extraction: where the deployment's files end up read-only links anyway (the extracted-file store),
    // a twin with its first file's mode is a hardlink of that file's copy, not inflated twice; a twin with another mode,
    // or any twin of an extraction that keeps private files, is a file of its own.
    [Fact]
    public void Twins_are_linked_at_extraction_only_when_asked_and_only_with_the_same_mode()
    {
        if (OperatingSystem.IsWindows()) return;
        var src = Source();
        var text = string.Concat(Enumerable.Repeat("twin bytes\n", 400));
        Write(src, "a.txt", text);
        Write(src, "b.txt", text);
        Write(src, "c.sh", text);
        File.SetUnixFileMode(Path.Combine(src, "c.sh"), (UnixFileMode)0x1ED);
        var package = Pack(src);
        using var archive = PackageArchive.Open(package.Path);
        Assert.Single(archive.Entries.Where(e => e.Kind == PackageEntryKind.File && e.Path != Packer.ManifestFileName).Select(e => e.LocalHeaderOffset).Distinct());

        ulong Inode(string dir, string name) => Packster.Locations.FileStamp.Of(Path.Combine(dir, name)).Inode;
        var linked = Directory.CreateDirectory(_temp["linked"]).FullName;
        var result = SafeExtractor.Extract(archive, linked, ExtractionLimits.Default, null, forSharing: true, null, CancellationToken.None);
        Assert.Equal(Inode(linked, "a.txt"), Inode(linked, "b.txt"));
        Assert.NotEqual(Inode(linked, "a.txt"), Inode(linked, "c.sh"));
        Assert.Equal(text, File.ReadAllText(Path.Combine(linked, "b.txt")));
        Assert.Equal(result.Entries.Single(e => e.Path == "a.txt").Sha256, result.Entries.Single(e => e.Path == "b.txt").Sha256);
        // Written read-only at once, with the modes the record then holds.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(linked, "a.txt")));
        Assert.Equal(0x16D, result.Entries.Single(e => e.Path == "c.sh").Mode);

        var separate = Directory.CreateDirectory(_temp["separate"]).FullName;
        SafeExtractor.Extract(archive, separate, ExtractionLimits.Default, null, CancellationToken.None);
        Assert.NotEqual(Inode(separate, "a.txt"), Inode(separate, "b.txt"));
        Assert.Equal(text, File.ReadAllText(Path.Combine(separate, "b.txt")));
    }

    [Fact]
    public void Zstd_entries_say_they_need_version_63()
    {
        var source = Source();
        Write(source, "text.txt", string.Concat(Enumerable.Repeat("hello packster ", 5000)));
        var bytes = File.ReadAllBytes(Pack(source).Path);
        using var archive = PackageArchive.Open(Pack(source).Path);
        var entry = archive.Entries.Single(e => e.Path == "text.txt");
        Assert.Equal(93, entry.Method);
        var local = (int)entry.LocalHeaderOffset;
        Assert.Equal(63, BitConverter.ToUInt16(bytes, local + 4));
        var central = bytes.AsSpan().LastIndexOf("text.txt"u8) - 46;
        Assert.Equal(0x02014b50u, BitConverter.ToUInt32(bytes, central));
        Assert.Equal(63, BitConverter.ToUInt16(bytes, central + 6));
    }

    // §2: with --compression deflate what we write is a ZIP every reader takes: System.IO.Compression reads every entry back.
    [Fact]
    public void ZipArchive_reads_what_we_write_with_deflate()
    {
        var source = Source();
        var big = new byte[3_000_000];
        new Random(7).NextBytes(big.AsSpan(0, 1_000_000));
        File.WriteAllBytes(Path.Combine(source, "big.bin"), big);
        Write(source, "dir/text.txt", string.Concat(Enumerable.Repeat("line\n", 1000)));
        var result = PackDeflate(source);
        using var zip = ZipFile.OpenRead(result.Path);
        Assert.Equal(Packer.ManifestFileName, zip.Entries[0].FullName);
        foreach (var entry in zip.Entries)
        {
            using var data = entry.Open();
            using var copy = new MemoryStream();
            data.CopyTo(copy);
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, entry.FullName)), copy.ToArray());
        }
    }

    // §2: zstd and deflate packages of one folder extract to the same files (big files spill and stream through both).
    [Fact]
    public void Zstd_and_deflate_packages_extract_to_the_same_tree()
    {
        var source = Source();
        var big = new byte[CompressedEntry.SpillThreshold + 3_000_000];
        for (var i = 0; i < big.Length; i += 4096) big[i] = unchecked((byte)(i / 4096));
        File.WriteAllBytes(Path.Combine(source, "big.bin"), big);
        Write(source, "dir/text.txt", string.Concat(Enumerable.Repeat("line\n", 1000)));
        var zstd = Pack(source, "zstd");
        var deflate = PackDeflate(source, "deflate");
        Assert.NotEqual(zstd.FileName.Sha256, deflate.FileName.Sha256);
        foreach (var (package, name) in new[] { (zstd, "x-zstd"), (deflate, "x-deflate") })
        {
            Directory.CreateDirectory(_temp[name]);
            SafeExtractor.Extract(package.Path, _temp[name], ExtractionLimits.Default, null, CancellationToken.None);
            Assert.Equal(big, File.ReadAllBytes(Path.Combine(_temp[name], "big.bin")));
            Assert.Equal(File.ReadAllText(Path.Combine(source, "dir/text.txt")), File.ReadAllText(Path.Combine(_temp[name], "dir/text.txt")));
        }
    }

    // §4: .packsterignore applies; the ignore file and .git never ship; the manifest always ships.
    [Fact]
    public void Ignore_rules_apply()
    {
        var source = Source();
        Write(source, PackageIgnore.FileName, "*.log\n/build/\n!keep.log\n" + Packer.ManifestFileName + "\n");
        Write(source, "a.log", "x");
        Write(source, "keep.log", "x");
        Write(source, "build/out.dll", "x");
        Write(source, "src/build/x.txt", "x");
        Write(source, ".git/HEAD", "ref");
        using var archive = PackageArchive.Open(Pack(source).Path);
        Assert.Equal([Packer.ManifestFileName, "keep.log", "src/build/x.txt"], archive.Entries.Select(e => e.Path));
    }

    // §2: an output folder inside the source folder is not packed into itself.
    [Fact]
    public void Output_folder_inside_source_is_excluded()
    {
        var source = Source();
        Write(source, "a.txt", "a");
        var first = Packer.Pack(source, Path.Combine(source, "dist"), Id, Version, null, CancellationToken.None);
        var second = Packer.Pack(source, Path.Combine(source, "dist"), Id, Version, null, CancellationToken.None);
        Assert.Equal(first.FileName, second.FileName);
    }

    // package-format.md §6: "so every package `pack` writes installs" — install takes the manifest only from a regular
    // file first in the package, so pack refuses a manifest that is a symlink (spec/errors.md PST4005: "a
    // `packster-manifest.toml` … that is not a regular file likewise") instead of storing the link.
    [Fact]
    public void A_manifest_that_is_a_symlink_is_refused()
    {
        var dir = Directory.CreateDirectory(_temp["linked"]).FullName;
        File.WriteAllText(Path.Combine(dir, "m"), "id = \"demo\"\nversion = \"1.2.0\"\n");
        File.CreateSymbolicLink(Path.Combine(dir, Packer.ManifestFileName), "m");
        var e = Assert.Throws<PacksterException>(() => Packer.Pack(dir, _temp["out"], Id, Version, null, CancellationToken.None));
        Assert.Equal(ErrorCode.ArchiveUnsupportedEntry, e.Code);
        Assert.Contains("packster-manifest.toml in 'linked' is a symlink, not a regular file", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp["out"]) && Directory.EnumerateFileSystemEntries(_temp["out"]).Any());
    }

    // §1: the manifest must exist.
    [Fact]
    public void Missing_manifest_is_an_error()
    {
        var dir = Directory.CreateDirectory(_temp["no-manifest"]).FullName;
        var e = Assert.Throws<PacksterException>(() => Packer.Pack(dir, _temp["out"], Id, Version, null, CancellationToken.None));
        Assert.Equal(ErrorCode.ManifestMissing, e.Code);
    }

    // §7: a failed or cancelled pack leaves no temp file and no final name.
    [Fact]
    public void Cancelled_pack_leaves_nothing()
    {
        var source = Source();
        for (var i = 0; i < 50; i++) Write(source, $"f{i}", new string('x', 10_000));
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Packer.Pack(source, _temp["out"], Id, Version, null, cancel.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp["out"]));
    }

    // §1: a failure part-way through writing deletes the temp file; no final name appears.
    [Fact]
    public void Failure_while_writing_leaves_no_temp_file()
    {
        if (OperatingSystem.IsWindows()) return; // needs a Unix socket file, which cannot be opened for reading
        var source = Source();
        for (var i = 0; i < 20; i++) Write(source, $"a{i:D2}.txt", new string('x', 50_000));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(source, "z.sock")));
        Assert.ThrowsAny<Exception>(() => Pack(source));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp["out"]));
    }

    // §3: names the extractor would refuse are refused at pack time, naming the file.
    [Fact]
    public void Case_colliding_source_names_are_refused_at_pack_time()
    {
        if (!OperatingSystem.IsLinux()) return; // needs a case-sensitive file system
        var source = Source();
        Write(source, "README", "1");
        Write(source, "readme", "2");
        var e = Assert.Throws<PacksterException>(() => Pack(source));
        Assert.Equal(ErrorCode.ArchiveNameCollision, e.Code);
        // The hint is about the folder being packed: the package rules' own hint speaks of a damaged package.
        Assert.Equal(Packer.FolderHint, e.Hint);
        Assert.Contains(PackageIgnore.FileName, e.Hint);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp["out"]));
    }

    // §3: names are UTF-8. A source name that is not is refused as such (PST4003), not reported missing because .NET
    // lists it with U+FFFD in place of its bytes.
    [Fact]
    public void A_source_name_that_is_not_utf8_is_refused_as_such()
    {
        if (!OperatingSystem.IsLinux()) return; // needs a file system that stores names as bytes
        var source = Source();
        Write(source, "good.txt", "1");
        var listed = NonUtf8Names.CreateFile(source, "bad", ".txt");
        Assert.Contains(Directory.EnumerateFileSystemEntries(source), p => p.EndsWith(listed, StringComparison.Ordinal));
        var e = Assert.Throws<PacksterException>(() => Pack(source));
        Assert.Equal(ErrorCode.ArchiveUnsafePath, e.Code);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("bad\uFFFD.txt", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp["out"]));
    }

    // §6: pack refuses what install would refuse as over the limits, with a hint about the folder; nothing is left.
    [Fact]
    public void A_folder_over_the_compression_ratio_limit_is_refused_with_a_hint_about_the_folder()
    {
        var source = Source();
        // 80 MiB of zeros written a mebibyte at a time: one array of 80 MiB would leave the test process a large heap
        // already faulted in, which PopulateTests must find fresh.
        using (var zeros = File.Create(Path.Combine(source, "zeros")))
        {
            var chunk = new byte[1 << 20];
            for (var i = 0; i < 80; i++) zeros.Write(chunk);
        }
        var e = Assert.Throws<PacksterException>(() => Pack(source));
        Assert.Equal(ErrorCode.ArchiveCompressionRatio, e.Code);
        Assert.Equal(Packer.FolderLimitHint, e.Hint);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp["out"]));
    }

    // §2: big files (spilled to a temp file while compressing) come out intact and the spill file is gone.
    [Fact]
    public void Files_above_the_spill_threshold_round_trip()
    {
        var source = Source();
        var data = new byte[CompressedEntry.SpillThreshold + 12345];
        for (var i = 0; i < data.Length; i++) data[i] = (byte)(i * 31 % 251);
        File.WriteAllBytes(Path.Combine(source, "big.bin"), data);
        var result = Pack(source);
        Assert.Single(Directory.GetFiles(_temp["out"]));
        var staging = Directory.CreateDirectory(_temp["staging"]).FullName;
        var extracted = SafeExtractor.Extract(result.Path, staging, ExtractionLimits.Default, null, CancellationToken.None);
        Assert.Equal(Sha256Digest.Compute(data), extracted.Entries.Single(e => e.Path == "big.bin").Sha256);
    }
}
