using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// <c>packster pack --from</c> with real archives made here by tar, gzip, xz, zstd, bzip2, zip and 7z (spec/pack-from.md).
/// Every refusal is checked for its code, its exit code, an output folder without a package and a temp folder
/// without leftovers (the packster process gets its own TMPDIR).
/// </summary>
public sealed class PackFromTests : IDisposable
{
    private const string Manifest = "id = \"tool\"\nversion = \"1.4.2\"\n\n[shims]\n\"tool\" = \"bin/tool\"\n";

    private readonly TempDirectory _home = new("packster-from");
    private readonly PacksterProcess _packster;

    public PackFromTests()
    {
        Directory.CreateDirectory(_home["tmp"]);
        _packster = new PacksterProcess(_home).With("TMPDIR", _home["tmp"]);
    }

    public void Dispose() => _home.Dispose();

    private string Out => _home["out"];

    /// <summary>A vendor-style tree under <c>src/tool-1.4.2/</c>: an executable (setuid, to see it stripped), data, a symlink, an empty folder.</summary>
    private string VendorTree()
    {
        var root = _home["src/tool-1.4.2"];
        _home.Write("src/tool-1.4.2/bin/tool", "#!/bin/sh\necho tool\n");
        Tools.Run(_home.Path, "chmod", "4755", _home["src/tool-1.4.2/bin/tool"]);
        _home.Write("src/tool-1.4.2/lib/data.txt", string.Concat(Enumerable.Repeat("vendor data line\n", 500)));
        _home.Write("src/tool-1.4.2/README", "read me\n");
        File.CreateSymbolicLink(_home["src/tool-1.4.2/bin/tool-link"], "tool");
        Directory.CreateDirectory(_home["src/tool-1.4.2/share/empty"]);
        return root;
    }

    /// <summary>Makes <paramref name="archive"/> (in the home) of <c>src/tool-1.4.2</c> with the real tool for its format.</summary>
    private string Archive(string archive)
    {
        var path = _home[archive];
        var src = _home["src"];
        switch (Path.GetFileName(archive).Split('.', 2)[1])
        {
            case "tar.gz": Tools.Run(src, "tar", "-czf", path, "tool-1.4.2"); break;
            case "tar.xz": Tools.Run(src, "tar", "-cJf", path, "tool-1.4.2"); break;
            case "tar.zst": Tools.Run(src, "tar", "--zstd", "-cf", path, "tool-1.4.2"); break;
            case "tar.bz2": Tools.Run(src, "tar", "-cjf", path, "tool-1.4.2"); break;
            case "zip": Tools.Run(src, "zip", "-qry", path, "tool-1.4.2"); break;
            case "7z": Tools.Run(src, "7z", "a", "-snl", "-bso0", "-bsp0", path, "tool-1.4.2"); break;
            default: throw new ArgumentException(archive);
        }
        return path;
    }

    private string PackedFile(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        var path = result.Stdout.Trim();
        Assert.True(File.Exists(path), path);
        return path;
    }

    /// <summary>The refusal contract: the code, its exit code, no package in the output folder, nothing left in TMPDIR.</summary>
    private void AssertRefused(ProcessResult result, string code, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(code, result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out) && Directory.EnumerateFileSystemEntries(Out).Any(),
            $"the output folder holds {string.Join(", ", Directory.Exists(Out) ? Directory.EnumerateFileSystemEntries(Out) : [])}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_home["tmp"]));
    }

    // spec/pack-from.md: a manifest error found in the extracted folder names what the user gave — the flags, the
    // archive — not the temp folder, which is gone by then; a missing shim target without --strip-components says
    // that paths are inside the archive.
    [Fact]
    public void A_manifest_error_names_the_flags_and_the_archive_not_the_staging_folder()
    {
        VendorTree();
        var archive = Archive("tool.tar.gz");
        var result = _packster.Run("pack", "--from", archive, "--id", "tool", "--version", "1.4.2", "--shim", "tool=bin/tool", "-o", Out);
        AssertRefused(result, "PST2011", 3);
        Assert.StartsWith("error[PST2011]: the manifest made from --id, --version and --shim: shims.tool 'bin/tool': no such file in 'tool.tar.gz'",
            result.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: paths name files inside the archive; if all its entries lie in one top folder, add --strip-components 1", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("packster-from-", result.Stderr, StringComparison.Ordinal);
    }

    private static string Sha(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    // spec/pack-from.md §Equivalence: "the package is byte for byte the one `packster pack` makes of the folder that
    // extracting the archive (then stripping) gives, with the manifest added" — for every format.
    [ArchiverTheory("tar", "gzip", "xz", "zstd", "bzip2", "zip", "7z")]
    [InlineData("tool.tar.gz")]
    [InlineData("tool.tar.xz")]
    [InlineData("tool.tar.zst")]
    [InlineData("tool.tar.bz2")]
    [InlineData("tool.zip")]
    [InlineData("tool.7z")]
    public void Packing_an_archive_gives_the_bytes_pack_gives_for_its_extracted_folder(string name)
    {
        VendorTree();
        var archive = Archive(name);
        var manifest = _home.Write("manifest.toml", Manifest);

        var fromArchive = PackedFile(_packster.Run("pack", "--from", archive, "--strip-components", "1", "--manifest", manifest, "-o", Out));

        var extracted = _home["extracted"];
        Directory.CreateDirectory(extracted);
        if (name.EndsWith(".zip", StringComparison.Ordinal)) Tools.Run(extracted, "unzip", "-q", archive);
        else if (name.EndsWith(".7z", StringComparison.Ordinal)) Tools.Run(extracted, "7z", "x", "-snl", "-bso0", "-bsp0", archive);
        else Tools.Run(extracted, "tar", "-xf", archive);
        File.Copy(manifest, _home["extracted/tool-1.4.2/packster-manifest.toml"]);
        var fromFolder = PackedFile(_packster.Run("pack", _home["extracted/tool-1.4.2"], "-o", _home["out-folder"]));

        Assert.Equal(Path.GetFileName(fromFolder), Path.GetFileName(fromArchive));
        Assert.Equal(File.ReadAllBytes(fromFolder), File.ReadAllBytes(fromArchive));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_home["tmp"]));
    }

    // spec/pack-from.md §Entries: "permission bits become 0755 when any execute bit is set, else 0644; setuid, setgid and
    // sticky bits are dropped"; symlinks are kept as symlinks, from tar headers, zip external attributes and 7z attributes alike.
    [ArchiverTheory("tar", "gzip", "zip", "7z")]
    [InlineData("tool.tar.gz")]
    [InlineData("tool.zip")]
    [InlineData("tool.7z")]
    public void Modes_come_from_the_headers_with_setuid_dropped_and_symlinks_stay_links(string name)
    {
        VendorTree();
        var package = PackedFile(_packster.Run("pack", "--from", Archive(name), "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", Out));

        using var zip = ZipFile.OpenRead(package);
        int Mode(string entry) => unchecked((int)((uint)zip.GetEntry(entry)!.ExternalAttributes >> 16));
        Assert.Equal(Convert.ToInt32("100755", 8), Mode("bin/tool"));
        Assert.Equal(Convert.ToInt32("100644", 8), Mode("lib/data.txt"));
        Assert.Equal(Convert.ToInt32("120777", 8), Mode("bin/tool-link"));
        using var target = new StreamReader(zip.GetEntry("bin/tool-link")!.Open());
        Assert.Equal("tool", target.ReadToEnd());
        Assert.NotNull(zip.GetEntry("share/empty/"));
        Assert.Equal("packster-manifest.toml", zip.Entries[0].FullName);
    }

    // spec/pack-from.md §Manifest: "the generated manifest is, byte for byte: id, version, then [shims] sorted by name";
    // §Determinism: the same archive and flags always give the same bytes.
    [ArchiverFact("tar", "gzip")]
    public void Flags_generate_the_canonical_manifest_and_packing_twice_gives_the_same_bytes()
    {
        VendorTree();
        var archive = Archive("tool.tar.gz");
        var first = PackedFile(_packster.Run("pack", "--from", archive, "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "--shim", "tool=bin/tool", "-o", Out));
        var firstBytes = File.ReadAllBytes(first);
        File.Delete(first);
        var again = PackedFile(_packster.Run("pack", "--from", archive, "--strip-components", "1", "--shim", "tool=bin/tool", "--version", "1.4.2", "--id", "tool", "-o", Out));
        Assert.Equal(firstBytes, File.ReadAllBytes(again));

        var viaFile = PackedFile(_packster.Run("pack", "--from", archive, "--strip-components", "1", "--manifest", _home.Write("m.toml", Manifest), "-o", _home["out2"]));
        Assert.Equal(Sha(again), Sha(viaFile));
    }

    // spec/manifest.md § [platform]: "`pack --platform …` refuses (PST4010, nothing written) a package whose
    // `[platform]` does not allow that machine" — with --from too, whether the manifest is the archive's own or given
    // with --manifest: the package already in the output folder stays, and no output folder is created.
    [ArchiverFact("tar", "gzip")]
    public void A_platform_refusal_writes_creates_and_deletes_nothing()
    {
        var other = OperatingSystem.IsWindows() ? "linux/x64" : "windows/x64";
        var only = OperatingSystem.IsWindows() ? "windows" : "linux";
        VendorTree();
        var platformManifest = Manifest + $"\n[platform]\nos = [\"{only}\"]\n";
        _home.Write("src/tool-1.4.2/packster-manifest.toml", platformManifest);
        var archive = Archive("tool.tar.gz");
        var package = PackedFile(_packster.Run("pack", "--from", archive, "--strip-components", "1", "-o", Out));
        var bytes = File.ReadAllBytes(package);

        var refused = _packster.Run("pack", "--from", archive, "--strip-components", "1", "-o", Out, "--platform", other);
        Assert.True(refused.ExitCode == 4, refused.ToString());
        Assert.StartsWith($"error[PST4010]: tool 1.4.2 would not install on {other}: it runs on {only}", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal([package], Directory.EnumerateFileSystemEntries(Out));
        Assert.Equal(bytes, File.ReadAllBytes(package));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_home["tmp"]));

        var nowhere = _home["new/a/b"];
        var unmade = _packster.Run("pack", "--from", archive, "--strip-components", "1", "-o", nowhere, "--platform", other);
        Assert.True(unmade.ExitCode == 4 && unmade.Stderr.StartsWith("error[PST4010]: ", StringComparison.Ordinal), unmade.ToString());
        Assert.False(Directory.Exists(_home["new"]), "a refused pack created the output folder's parents");

        File.Delete(_home["src/tool-1.4.2/packster-manifest.toml"]);
        var given = _home.Write("platform.toml", platformManifest);
        var viaFile = _packster.Run("pack", "--from", Archive("bare.tar.gz"), "--strip-components", "1", "--manifest", given, "-o", nowhere, "--platform", other);
        Assert.True(viaFile.ExitCode == 4 && viaFile.Stderr.StartsWith("error[PST4010]: ", StringComparison.Ordinal), viaFile.ToString());
        Assert.False(Directory.Exists(_home["new"]), "a refused pack created the output folder's parents");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_home["tmp"]));
    }

    // spec/pack-from.md §Hard links: "a hard link becomes a regular file with its target's content and mode", which is
    // what extracting with tar and packing the folder gives.
    [ArchiverFact("tar", "gzip")]
    public void A_hard_link_becomes_a_copy_of_its_target_as_extracting_and_packing_would()
    {
        VendorTree();
        Tools.Run(_home.Path, "ln", _home["src/tool-1.4.2/bin/tool"], _home["src/tool-1.4.2/bin/tool2"]);
        var archive = Archive("tool.tar.gz");
        Assert.Contains("link to", Tools.Run(_home.Path, "tar", "-tvf", archive), StringComparison.Ordinal);
        var manifest = _home.Write("manifest.toml", Manifest);
        var fromArchive = PackedFile(_packster.Run("pack", "--from", archive, "--strip-components", "1", "--manifest", manifest, "-o", Out));

        Directory.CreateDirectory(_home["x"]);
        Tools.Run(_home["x"], "tar", "-xf", archive, "--strip-components", "1");
        File.Copy(manifest, _home["x/packster-manifest.toml"]);
        var fromFolder = PackedFile(_packster.Run("pack", _home["x"], "-o", _home["out-folder"]));
        Assert.Equal(File.ReadAllBytes(fromFolder), File.ReadAllBytes(fromArchive));
        using var zip = ZipFile.OpenRead(fromArchive);
        Assert.Equal(Convert.ToInt32("100755", 8), unchecked((int)((uint)zip.GetEntry("bin/tool2")!.ExternalAttributes >> 16)));
    }

    // spec/pack-from.md §Hard links: the target must be an earlier regular file of the archive.
    [ArchiverFact("tar")]
    public void A_hard_link_to_a_file_not_in_the_archive_is_refused()
    {
        _home.Write("w/payload", "p\n");
        Tools.Run(_home["w"], "ln", "payload", "hl");
        // The file is renamed in the archive, its link still names 'payload', which the archive does not hold.
        Tools.Run(_home["w"], "tar", "-cf", _home["hard.tar"], "--transform", "s,^payload$,zzz,H", "payload", "hl");
        AssertRefused(_packster.Run("pack", "--from", _home["hard.tar"], "--id", "t", "--version", "1.0.0", "-o", Out), "PST4020", 4);
    }

    // spec/pack-from.md §Rules: "every entry passes the extraction filter's path rules" — '..' components.
    [ArchiverFact("tar")]
    public void Traversal_with_dot_dot_is_refused_and_nothing_is_written()
    {
        _home.Write("w/payload", "p\n");
        Tools.Run(_home["w"], "tar", "-cPf", _home["trav.tar"], "--transform", "s,^,../,", "payload");
        AssertRefused(_packster.Run("pack", "--from", _home["trav.tar"], "--id", "t", "--version", "1.0.0", "-o", Out), "PST4003", 4);
        // spec/pack-from.md §Names 2: "also the part --strip-components will remove".
        AssertRefused(_packster.Run("pack", "--from", _home["trav.tar"], "--strip-components", "1", "--id", "t", "--version", "1.0.0", "-o", Out), "PST4003", 4);
    }

    // spec/pack-from.md §Names 1: "a name loses its leading './' (as in tar -C dir .)"; the '.' entry is dropped.
    [ArchiverFact("tar", "gzip")]
    public void A_tarball_of_dot_packs_like_its_folder()
    {
        var root = VendorTree();
        _home.Write("src/tool-1.4.2/packster-manifest.toml", Manifest);
        Tools.Run(_home.Path, "tar", "-czf", _home["dot.tar.gz"], "-C", root, ".");
        Assert.Contains("./bin/tool", Tools.Run(_home.Path, "tar", "-tzf", _home["dot.tar.gz"]), StringComparison.Ordinal);
        var fromArchive = PackedFile(_packster.Run("pack", "--from", _home["dot.tar.gz"], "-o", Out));
        var fromFolder = PackedFile(_packster.Run("pack", root, "-o", _home["out-folder"]));
        Assert.Equal(File.ReadAllBytes(fromFolder), File.ReadAllBytes(fromArchive));
    }

    // spec/pack-from.md §Rules: absolute paths are refused, not made relative (GNU tar strips the '/'; we refuse).
    [ArchiverFact("tar")]
    public void An_absolute_path_is_refused()
    {
        var payload = _home.Write("w/payload", "p\n");
        Tools.Run(_home.Path, "tar", "-cPf", _home["abs.tar"], payload);
        AssertRefused(_packster.Run("pack", "--from", _home["abs.tar"], "--id", "t", "--version", "1.0.0", "-o", Out), "PST4003", 4);
    }

    // spec/pack-from.md §Names 1: "The entry `.` (or `./`) is the archive's root and is dropped. Nothing else is
    // rewritten: … an absolute path … is refused"; package-format.md §5: "empty name | PST4003". A zip entry with an
    // empty name and a tar folder named '/' are neither the root nor dropped.
    [Fact]
    public void An_empty_zip_name_and_a_tar_entry_named_slash_are_refused_not_dropped()
    {
        var zip = new HostileZipBuilder(withManifest: false).File("bin/x", "x\n").File("packster-manifest.toml", "id = \"tool\"\nversion = \"1.0.0\"\n");
        zip.File("", "id = \"other\"\nversion = \"6.6.6\"\n");
        var result = _packster.Run("pack", "--from", zip.WriteTo(_home["empty-name.zip"]), "-o", Out);
        AssertRefused(result, "PST4003", 4);
        Assert.Contains("the name is empty", result.Stderr, StringComparison.Ordinal);

        using (var writer = new System.Formats.Tar.TarWriter(File.Create(_home["slash.tar"])))
        {
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, "/"));
            var file = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "bin/x") { DataStream = new MemoryStream("x\n"u8.ToArray()) };
            writer.WriteEntry(file);
        }
        result = _packster.Run("pack", "--from", _home["slash.tar"], "--id", "tool", "--version", "1.0.0", "-o", Out);
        AssertRefused(result, "PST4003", 4);
        Assert.Contains("it is absolute", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Rules: a symlink leaving the package, and a file written through it, are refused before any write.
    [ArchiverFact("tar")]
    public void A_symlink_escaping_then_a_file_through_it_is_refused_and_the_outside_is_untouched()
    {
        var outside = _home["outside"];
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(_home["w"]);
        File.CreateSymbolicLink(_home["w/evil"], outside);
        _home.Write("w/payload", "through the link\n");
        Tools.Run(_home["w"], "tar", "-cf", _home["link.tar"], "evil");
        Tools.Run(_home["w"], "tar", "-rf", _home["link.tar"], "--transform", "s,^payload$,evil/x,", "payload");
        AssertRefused(_packster.Run("pack", "--from", _home["link.tar"], "--id", "t", "--version", "1.0.0", "-o", Out), "PST4004", 4);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    // spec/pack-from.md §Limits: the ratio cap of the extraction filter (64 MiB floor, 200:1 over the archive).
    [ArchiverFact("zip")]
    public void A_zip_bomb_is_refused_by_the_ratio_cap()
    {
        using (var zeros = File.Create(_home["w/zeros.bin"].Also(p => Directory.CreateDirectory(Path.GetDirectoryName(p)!))))
        {
            zeros.SetLength(100L << 20);
        }
        Tools.Run(_home["w"], "zip", "-q", _home["bomb.zip"], "zeros.bin");
        Assert.True(new FileInfo(_home["bomb.zip"]).Length < 1 << 20);
        var result = _packster.Run("pack", "--from", _home["bomb.zip"], "--id", "t", "--version", "1.0.0", "-o", Out);
        AssertRefused(result, "PST4017", 4);
        // §Rules: "The hint says the archive cannot be packed as it is" — a vendor archive has no package publisher.
        Assert.Contains("the archive cannot be packed as it is", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("publisher", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Names 4: "If no entry is left, the archive is refused with PST4021" — in words, one entry is one.
    [ArchiverFact("tar")]
    public void An_archive_of_only_its_root_holds_nothing_to_pack()
    {
        Directory.CreateDirectory(_home["empty"]);
        Tools.Run(_home["empty"], "tar", "-cf", _home["root.tar"], ".");
        var result = _packster.Run("pack", "--from", _home["root.tar"], "--id", "t", "--version", "1.0.0", "-o", Out);
        AssertRefused(result, "PST4021", 4);
        Assert.Contains("(1 entry, not a file, folder or link below the root)", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Rules: the same path twice is refused (tar -r appends a second copy).
    [ArchiverFact("tar")]
    public void A_duplicate_entry_is_refused()
    {
        _home.Write("w/f", "one\n");
        Tools.Run(_home["w"], "tar", "-cf", _home["dup.tar"], "f");
        Tools.Run(_home["w"], "tar", "-rf", _home["dup.tar"], "f");
        AssertRefused(_packster.Run("pack", "--from", _home["dup.tar"], "--id", "t", "--version", "1.0.0", "-o", Out), "PST4006", 4);
    }

    // spec/pack-from.md §Rules: names one case-insensitive file system would merge are refused.
    [ArchiverFact("zip")]
    public void Case_colliding_names_are_refused()
    {
        _home.Write("w/README", "upper\n");
        _home.Write("w/readme", "lower\n");
        Tools.Run(_home["w"], "zip", "-q", _home["case.zip"], "README", "readme");
        AssertRefused(_packster.Run("pack", "--from", _home["case.zip"], "--id", "t", "--version", "1.0.0", "-o", Out), "PST4015", 4);
    }

    // spec/pack-from.md §Equivalence: "A message about what the staging folder holds names the archive (its file name,
    // as §Rules' refusals do), never `packster-from-<random>`: where the package rules name the folder …". Here the
    // archive passes §Rules ('up' resolves through the link 'hop'), but .packsterignore drops 'hop', so the package
    // rules refuse 'up'; with pack handlers, the absolute link they leave. Before, both said "in 'packster-from-…'".
    [ArchiverTheory("tar")]
    [InlineData(false)]
    [InlineData(true)]
    public void A_package_rule_that_names_only_the_staging_folder_names_the_archive(bool handlers)
    {
        if (OperatingSystem.IsWindows()) return;
        _home.Write("w/.packsterignore", "/hop\n");
        _home.Write("w/x/y/file", "f\n");
        File.CreateSymbolicLink(_home["w/hop"], "x/y");
        File.CreateSymbolicLink(_home["w/up"], "hop/../..");
        _home.Write("w/packster-manifest.toml", handlers ? "id = \"t\"\nversion = \"1.0.0\"\n\n[handlers]\npack = \"build.sh\"\n" : "id = \"t\"\nversion = \"1.0.0\"\n");
        _home.Write("w/build.sh", "#!/bin/sh\nln -s /etc/passwd bad\n");
        Tools.Run(_home["w"], "chmod", "755", "build.sh");
        Tools.Run(_home["w"], "tar", ["-cf", _home["rules.tar"], .. handlers ? new[] { "packster-manifest.toml", "build.sh", "x" } : ["packster-manifest.toml", ".packsterignore", "x", "hop", "up"]]);

        var result = _packster.Run("pack", "--from", _home["rules.tar"], "-o", Out);

        AssertRefused(result, "PST4004", 4);
        Assert.StartsWith(handlers
            ? "error[PST4004]: symlink 'bad' -> '/etc/passwd' in 'rules.tar' is unsafe: the target is absolute (found after the pack handlers ran, in their copy of the folder)"
            : "error[PST4004]: symlink 'up' -> 'hop/../..' in 'rules.tar' is unsafe: it points outside the package", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("packster-from-", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("packster-pack-", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Equivalence: "The hint of such a refusal by the package rules (what the archive's
    // `.packsterignore` or pack handlers made of it …) says what can be done with the archive, not the hint for a
    // folder …: `pack --from` packs the archive as it is, so it is made again with the entry renamed or removed, or
    // listed in a `.packsterignore` at its root …, or extracted, fixed and packed as a folder". The archive passes
    // §Rules; the package rules refuse what its .packsterignore (a link left unsafe) or its pack handler (a FIFO) made
    // of it. Made again with the refused entry listed in its .packsterignore, as the hint says, it packs.
    [ArchiverTheory("tar", "mkfifo")]
    [InlineData("ignore")]
    [InlineData("handler")]
    public void A_package_rule_refusing_the_staged_archive_hints_at_the_archive(string made)
    {
        if (OperatingSystem.IsWindows()) return;
        var ignore = made == "ignore";
        _home.Write("w/.packsterignore", ignore ? "/hop\n" : "");
        _home.Write("w/x/y/file", "f\n");
        File.CreateSymbolicLink(_home["w/hop"], "x/y");
        File.CreateSymbolicLink(_home["w/up"], "hop/../..");
        _home.Write("w/packster-manifest.toml", ignore ? "id = \"t\"\nversion = \"1.0.0\"\n" : "id = \"t\"\nversion = \"1.0.0\"\n\n[handlers]\npack = \"build.sh\"\n");
        _home.Write("w/build.sh", "#!/bin/sh\nmkfifo pipe\n");
        Tools.Run(_home["w"], "chmod", "755", "build.sh");
        string[] entries = ignore ? ["packster-manifest.toml", ".packsterignore", "x", "hop", "up"] : ["packster-manifest.toml", ".packsterignore", "build.sh", "x"];
        Tools.Run(_home["w"], "tar", ["-cf", _home["rules.tar"], .. entries]);

        var result = _packster.Run("pack", "--from", _home["rules.tar"], "-o", Out);

        AssertRefused(result, ignore ? "PST4004" : "PST4005", 4);
        Assert.Contains(ignore
            ? "hint: a package holds only what every system packster runs on can install (spec/package-format.md §3); pack --from packs the archive as it is: make the archive again with it renamed or removed, or listed in a .packsterignore at the archive's root (after --strip-components), or extract the archive, fix the folder and 'packster pack' that"
            : "hint: pack --from packs the archive as it is: make the archive again with it removed, or listed in a .packsterignore at the archive's root (after --strip-components), or extract the archive, fix the folder and 'packster pack' that",
            result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("list it in .packsterignore", result.Stderr, StringComparison.Ordinal);

        File.AppendAllText(_home["w/.packsterignore"], ignore ? "/up\n" : "/pipe\n");
        Tools.Run(_home["w"], "tar", ["-cf", _home["again.tar"], .. entries]);
        PackedFile(_packster.Run("pack", "--from", _home["again.tar"], "-o", Out));
    }

    // spec/pack-from.md §Equivalence: a link the copy for pack handlers refuses (PST7008, spec/handlers.md § Pack staging)
    // gets a hint for the archive: that copy holds every entry, so a .packsterignore does not spare it, and the archive
    // is made again without the link (or the folder packed). Before, the hint was the folder's ("make the link relative
    // and keep its target inside the package folder"), though 'up -> hop/../..' is relative already.
    [ArchiverFact("tar")]
    public void A_link_the_pack_handlers_copy_refuses_hints_at_the_archive()
    {
        if (OperatingSystem.IsWindows()) return;
        _home.Write("w/.packsterignore", "/up\n");
        _home.Write("w/x/y/file", "f\n");
        File.CreateSymbolicLink(_home["w/hop"], "x/y");
        File.CreateSymbolicLink(_home["w/up"], "hop/../..");
        _home.Write("w/packster-manifest.toml", "id = \"t\"\nversion = \"1.0.0\"\n\n[handlers]\npack = \"build.sh\"\n");
        _home.Write("w/build.sh", "#!/bin/sh\ntrue\n");
        Tools.Run(_home["w"], "chmod", "755", "build.sh");
        string[] entries = ["packster-manifest.toml", ".packsterignore", "build.sh", "x", "hop"];
        Tools.Run(_home["w"], "tar", ["-cf", _home["links.tar"], .. entries, "up"]);

        var result = _packster.Run("pack", "--from", _home["links.tar"], "-o", Out);

        AssertRefused(result, "PST7008", 7);
        Assert.Contains("hint: pack handlers get a copy of every entry of the archive, which a .packsterignore does not change: "
            + "make the archive again with the link relative and its target inside the archive, or without the link, or extract the archive, fix the folder and 'packster pack' that",
            result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("inside the package folder", result.Stderr, StringComparison.Ordinal);

        // Made again without the link, as the hint says, it packs.
        Tools.Run(_home["w"], "tar", ["-cf", _home["again.tar"], .. entries]);
        PackedFile(_packster.Run("pack", "--from", _home["again.tar"], "-o", Out));
    }

    // spec/pack-from.md: "An archive that is a FIFO, a socket or a device once links are followed is refused by its
    // type, never opened: PST1001" — a FIFO's open would wait for a writer that never comes.
    [ArchiverFact("mkfifo")]
    public void A_fifo_given_as_the_archive_is_refused_without_being_opened()
    {
        Tools.Run(_home.Path, "mkfifo", _home["pipe"]);
        var result = _packster.Run("pack", "--from", _home["pipe"], "--id", "t", "--version", "1.0.0", "-o", Out);
        AssertRefused(result, "PST1001", 2);
        Assert.Contains($"archive '{_home["pipe"]}' is a FIFO (named pipe), not a regular file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_given_as_the_archive_is_refused_by_its_type()
    {
        if (OperatingSystem.IsWindows()) return;
        var result = _packster.Run("pack", "--from", "/dev/null", "--id", "t", "--version", "1.0.0", "-o", Out);
        AssertRefused(result, "PST1001", 2);
        Assert.Contains("archive '/dev/null' is a character device, not a regular file", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Entries: FIFOs and devices are refused.
    [ArchiverFact("tar", "mkfifo")]
    public void A_fifo_in_a_tar_is_refused()
    {
        Directory.CreateDirectory(_home["w"]);
        Tools.Run(_home["w"], "mkfifo", "pipe");
        _home.Write("w/f", "f\n");
        Tools.Run(_home["w"], "tar", "-czf", _home["fifo.tar.gz"], "f", "pipe");
        AssertRefused(_packster.Run("pack", "--from", _home["fifo.tar.gz"], "--id", "t", "--version", "1.0.0", "-o", Out), "PST4005", 4);
    }

    [ArchiverFact("tar", "mknod")]
    public void A_device_in_a_tar_is_refused()
    {
        Directory.CreateDirectory(_home["w"]);
        if (Environment.UserName == "root")
        {
            Tools.Run(_home["w"], "mknod", "null", "c", "1", "3");
            Tools.Run(_home["w"], "tar", "-cf", _home["dev.tar"], "null");
        }
        else
        {
            // mknod needs root; the same header written by .NET's tar writer.
            using var writer = new System.Formats.Tar.TarWriter(File.Create(_home["dev.tar"]));
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3 });
        }
        var result = _packster.Run("pack", "--from", _home["dev.tar"], "--id", "t", "--version", "1.0.0", "-o", Out);
        AssertRefused(result, "PST4005", 4);
        Assert.Contains("character device", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Strip: stripping every entry away is refused.
    [ArchiverFact("tar")]
    public void Strip_components_leaving_nothing_is_refused()
    {
        _home.Write("w/a/b/f", "f\n");
        Tools.Run(_home["w"], "tar", "-cf", _home["s.tar"], "a");
        AssertRefused(_packster.Run("pack", "--from", _home["s.tar"], "--strip-components", "3", "--id", "t", "--version", "1.0.0", "-o", Out), "PST4021", 4);
    }

    // spec/pack-from.md §Strip: two entries that stripping makes one path are refused, naming both.
    [ArchiverFact("tar")]
    public void Strip_components_making_two_entries_one_is_refused()
    {
        _home.Write("w/x/f", "from x\n");
        _home.Write("w/y/f", "from y\n");
        Tools.Run(_home["w"], "tar", "-cf", _home["s.tar"], "x", "y");
        var result = _packster.Run("pack", "--from", _home["s.tar"], "--strip-components", "1", "--id", "t", "--version", "1.0.0", "-o", Out);
        AssertRefused(result, "PST4022", 4);
        Assert.Contains("'x/f'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'y/f'", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Formats: recognised by content; anything else, or damaged data, is PST4019.
    [ArchiverFact("tar", "gzip")]
    public void A_file_that_is_not_an_archive_or_is_truncated_is_refused()
    {
        AssertRefused(_packster.Run("pack", "--from", _home.Write("notes.tar.gz", "just text\n"), "--id", "t", "--version", "1.0.0", "-o", Out), "PST4019", 4);

        VendorTree();
        var archive = Archive("tool.tar.gz");
        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);
        AssertRefused(_packster.Run("pack", "--from", archive, "--id", "t", "--version", "1.0.0", "-o", Out), "PST4019", 4);
    }

    // spec/pack-from.md §Equivalence: "The output folder is judged before the archive is opened: a file … where -o would
    // create it is PST9005 … whatever the archive holds, and nothing is read or unpacked." The archive here is not one
    // (PST4019 once read), so the output's refusal shows it was never read.
    [Fact]
    public void A_file_where_the_output_folder_belongs_is_refused_before_the_archive_is_read()
    {
        var notAnArchive = _home.Write("notes.tar.gz", "just text\n");
        var file = _home.Write("out-is-a-file", "x");
        var result = _packster.Run("pack", "--from", notAnArchive, "--id", "t", "--version", "1.0.0", "-o", file);
        Assert.True(result.ExitCode == 9, result.ToString());
        Assert.StartsWith($"error[PST9005]: cannot create output folder '{file}': it is a regular file, not a folder", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: give -o a folder", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("PST4019", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(file));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_home["tmp"]));
    }

    // spec/pack-from.md §Manifest: no manifest anywhere, two manifests, malformed flags.
    [ArchiverFact("tar", "gzip")]
    public void The_manifest_must_come_from_exactly_one_place()
    {
        VendorTree();
        var archive = Archive("tool.tar.gz");
        AssertRefused(_packster.Run("pack", "--from", archive, "--strip-components", "1", "-o", Out), "PST2017", 3);

        _home.Write("src/tool-1.4.2/packster-manifest.toml", Manifest);
        archive = Archive("own.tar.gz");
        AssertRefused(_packster.Run("pack", "--from", archive, "--strip-components", "1", "--id", "t", "--version", "1.0.0", "-o", Out), "PST2018", 3);
        AssertRefused(_packster.Run("pack", "--from", archive, "--manifest", _home.Write("m.toml", Manifest), "--id", "t", "-o", Out), "PST2018", 3);
        // The archive's own manifest is used when no other is given.
        PackedFile(_packster.Run("pack", "--from", archive, "--strip-components", "1", "-o", _home["own-out"]));

        AssertRefused(_packster.Run("pack", "--from", archive, "--id", "t", "--version", "1.0.0", "--shim", "no-equals-sign", "-o", Out), "PST2019", 3);
        AssertRefused(_packster.Run("pack", "--from", archive, "--id", "t", "-o", Out), "PST2019", 3);
        AssertRefused(_packster.Run("pack", "--from", archive, "--strip-components", "-1", "--id", "t", "--version", "1.0.0", "-o", Out), "PST2019", 3);
        AssertRefused(_packster.Run("pack", _home["src/tool-1.4.2"], "--strip-components", "1", "-o", Out), "PST2019", 3);
    }

    /// <summary>Flips one byte of the compressor's checksum, which follows the tar's end blocks in the stream.</summary>
    private static void DamageChecksum(string archive)
    {
        var bytes = File.ReadAllBytes(archive);
        int at;
        if (archive.EndsWith(".tar.gz", StringComparison.Ordinal)) at = bytes.Length - 8;        // gzip trailer: CRC-32, then ISIZE
        else if (archive.EndsWith(".tar.zst", StringComparison.Ordinal)) at = bytes.Length - 1;  // zstd: the frame ends with its checksum
        else if (archive.EndsWith(".tar.bz2", StringComparison.Ordinal)) at = bytes.Length - 2;  // bzip2: the stream CRC, then 0-7 pad bits
        else
        {
            // xz: the stream footer's backward size gives the index's size; the block's check lies just before the index.
            var indexSize = (BitConverter.ToUInt32(bytes, bytes.Length - 8) + 1) * 4;
            at = bytes.Length - 12 - (int)indexSize - 1;
        }
        bytes[at] ^= 0x5A;
        File.WriteAllBytes(archive, bytes);
    }

    // spec/pack-from.md §Formats: "any damaged or truncated data found while reading is PST4019" — the compressor's
    // checksum comes after the tar's end blocks, so it is only checked when the stream is read to its end.
    [ArchiverTheory("tar", "gzip", "xz", "zstd", "bzip2")]
    [InlineData("tool.tar.gz")]
    [InlineData("tool.tar.xz")]
    [InlineData("tool.tar.zst")]
    [InlineData("tool.tar.bz2")]
    public void A_tarball_whose_compressor_checksum_is_wrong_is_refused(string name)
    {
        VendorTree();
        var archive = Archive(name);
        DamageChecksum(archive);
        AssertRefused(_packster.Run("pack", "--from", archive, "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", Out), "PST4019", 4);
    }

    // spec/pack-from.md §Formats: "A compressed tar is read to the end of its compressed stream … so that the compressor
    // checks its own trailer: gzip's CRC-32 and length … a mismatch is PST4019". A .tar.gz cut anywhere in or before
    // its 8-byte trailer ends early, as gzip -t and tar -xzf say; .NET's GZipStream read such input as whole.
    [ArchiverTheory("tar", "gzip")]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(20)]
    public void A_tarball_cut_in_or_before_its_gzip_trailer_is_refused(int cut)
    {
        VendorTree();
        var archive = Archive("tool.tar.gz");
        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..^cut]);
        var result = _packster.Run("pack", "--from", archive, "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4019", 4);
        Assert.StartsWith("error[PST4019]: cannot read 'tool.tar.gz': its gzip data ", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Formats: a gzip file may hold several members (RFC 1952; `cat a.gz b.gz`), each with its own
    // trailer, and end in zeros, as gzip allows; what else follows the last member is not gzip data: PST4019.
    [ArchiverFact("tar", "gzip")]
    public void A_tarball_of_several_gzip_members_packs_like_one_and_trailing_garbage_is_refused()
    {
        VendorTree();
        var one = PackedFile(_packster.Run("pack", "--from", Archive("tool.tar.gz"), "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", _home["one"]));
        Tools.Run(_home["src"], "tar", "-cf", _home["tool.tar"], "tool-1.4.2");
        var tar = File.ReadAllBytes(_home["tool.tar"]);
        static byte[] Member(byte[] data)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
            return buffer.ToArray();
        }
        // zlib's empty member: its deflate data ends in a zero byte, as its trailer (CRC-32 0, length 0) is.
        byte[] empty = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        byte[] members = [.. Member(tar[..5000]), .. empty, .. Member(tar[5000..]), .. new byte[700]];
        File.WriteAllBytes(_home["members.tar.gz"], members);
        Tools.Run(_home.Path, "gzip", "-t", _home["members.tar.gz"]);
        var several = PackedFile(_packster.Run("pack", "--from", _home["members.tar.gz"], "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", _home["several"]));
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(several));

        File.WriteAllBytes(_home["garbage.tar.gz"], [.. members, .. "garbage\n"u8]);
        var result = _packster.Run("pack", "--from", _home["garbage.tar.gz"], "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4019", 4);
        Assert.StartsWith("error[PST4019]: cannot read 'garbage.tar.gz': 708 bytes that are not gzip data follow its compressed data\n", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Formats: "A member header that carries a header CRC (FHCRC) must match it, as `gzip -t` checks
    // it … a mismatch is PST4019". The header is rewritten with FNAME and FHCRC; gzip -t judges each file first.
    [ArchiverFact("tar", "gzip")]
    public void A_gzip_header_crc_is_checked()
    {
        VendorTree();
        var one = PackedFile(_packster.Run("pack", "--from", Archive("tool.tar.gz"), "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", _home["one"]));
        var plain = File.ReadAllBytes(Archive("tool.tar.gz"));
        byte[] head = [.. plain[..10], .. "tool.tar\0"u8];
        head[3] = 0x02 | 0x08;
        var crc = System.IO.Hashing.Crc32.HashToUInt32(head) & 0xFFFF;
        byte[] good = [.. head, (byte)(crc & 0xFF), (byte)(crc >> 8), .. plain[10..]];
        File.WriteAllBytes(_home["hcrc.tar.gz"], good);
        Tools.Run(_home.Path, "gzip", "-t", _home["hcrc.tar.gz"]);
        var checkedCopy = PackedFile(_packster.Run("pack", "--from", _home["hcrc.tar.gz"], "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", _home["hcrc"]));
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(checkedCopy));

        byte[] bad = [.. good];
        bad[head.Length] ^= 0x01;
        File.WriteAllBytes(_home["bad-hcrc.tar.gz"], bad);
        Assert.NotEqual(0, Tools.TryRun(_home.Path, "gzip", "-t", _home["bad-hcrc.tar.gz"]));
        var result = _packster.Run("pack", "--from", _home["bad-hcrc.tar.gz"], "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4019", 4);
        Assert.StartsWith("error[PST4019]: cannot read 'bad-hcrc.tar.gz': its gzip data is damaged: a member's header does not match its header CRC\n", result.Stderr, StringComparison.Ordinal);
    }

    // spec/errors.md: a message is in words, never a raw .NET or library text. spec/pack-from.md §Formats: damaged or
    // truncated data is PST4019, which says which data could not be read — also where the cut reaches the tar layer
    // first, as an entry that ends early or a header of half a name (the tar's own times make where it falls vary).
    [ArchiverTheory("tar", "gzip", "xz")]
    [InlineData("tool.tar.gz", "crc", "its gzip data is damaged or cut short: the CRC-32 and length that end a member are missing or do not match its data")]
    [InlineData("tool.tar.gz", "half", "its gzip data ends early, in the middle of a member's compressed data")]
    [InlineData("tool.tar.xz", "12", "its xz data is damaged or cut short")]
    [InlineData("tool.tar.xz", "half", "its xz data is damaged or cut short")]
    public void A_damaged_tarball_is_said_in_words_not_the_readers_text(string name, string damage, string words)
    {
        VendorTree();
        var archive = Archive(name);
        var bytes = File.ReadAllBytes(archive);
        switch (damage)
        {
            case "crc": bytes[^6] ^= 0xFF; break;
            case "12": bytes = bytes[..^12]; break;
            default: bytes = bytes[..(bytes.Length / 2)]; break;
        }
        File.WriteAllBytes(archive, bytes);
        var result = _packster.Run("pack", "--from", archive, "--strip-components", "1", "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4019", 4);
        Assert.StartsWith($"error[PST4019]: cannot read '{name}': {words}\n", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Rules: entries are "judged exactly as a package's central directory is": a zip entry whose data
    // does not match its declared CRC-32 is PST4011, as in a package.
    [Fact]
    public void A_zip_entry_whose_CRC_is_wrong_is_refused()
    {
        var zip = new HostileZipBuilder(withManifest: false);
        zip.Add(new HostileEntry { Name = "data.txt", Data = "the real data\n"u8.ToArray(), Crc = 0x12345678 });
        var archive = zip.WriteTo(_home["bad-crc.zip"]);
        var result = _packster.Run("pack", "--from", archive, "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4011", 4);
        Assert.Contains("'data.txt'", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Formats "One name per entry": "a zip entry whose local header gives another name than its
    // central directory entry … is refused with PST4002 ArchiveCorrupt, naming both". unzip lists 'bin/tool'; a reader
    // that streams the local headers would unpack 'evil.sh' from the same bytes.
    [Fact]
    public void A_zip_entry_whose_local_header_names_another_path_is_refused()
    {
        var zip = new HostileZipBuilder(withManifest: false).File("ok.txt", "ok\n");
        zip.Add(new HostileEntry { Name = "bin/tool", LocalName = "evil.sh", Data = "#!/bin/sh\necho evil\n"u8.ToArray() });
        var result = _packster.Run("pack", "--from", zip.WriteTo(_home["smuggled.zip"]), "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4002", 4);
        Assert.StartsWith("error[PST4002]: entry 'bin/tool' in 'smuggled.zip' is named 'evil.sh' in its local header", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("it cannot be packed as it is", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Formats "One name per entry": the local header must also declare the central directory's method.
    [Fact]
    public void A_zip_entry_whose_local_header_declares_another_method_is_refused()
    {
        AssertZipRefused(new HostileEntry { Name = "data.txt", Data = "data\n"u8.ToArray(), LocalMethod = 8 }, "PST4002",
            "entry 'data.txt' in 'hostile-PST4002.zip' has compression method 8 in its local header but 0 in the central directory");
    }

    // spec/pack-from.md §Formats: "a zip entry of compression method 99 (WinZip AES) is encrypted whatever its flags
    // say, and is PST4013 too", said in packster's words, not the zip reader's.
    [Fact]
    public void A_zip_entry_of_method_99_without_the_encryption_flag_is_refused_as_encrypted()
    {
        var zip = new HostileZipBuilder(withManifest: false).File("ok.txt", "ok\n");
        zip.Add(new HostileEntry { Name = "secret.bin", Method = 99, Data = "0123456789abcdef"u8.ToArray() });
        var result = _packster.Run("pack", "--from", zip.WriteTo(_home["aes.zip"]), "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4013", 4);
        Assert.StartsWith("error[PST4013]: entry 'secret.bin' in 'aes.zip' is encrypted: its compression method in its central directory is 99, "
            + "WinZip AES encryption, though its encryption flag is not set\n", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Winzip", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Formats: "Encrypted zip or 7z entries are PST4013, said as `entry 'x' in 'a.zip' is encrypted;
    // packster cannot repack an encrypted archive` (not as a damaged package …), with the hint to decrypt it first".
    [ArchiverTheory("zip", "7z")]
    [InlineData("zip")]
    [InlineData("7z")]
    public void An_encrypted_vendor_archive_is_PST4013_with_what_to_do_about_it(string format)
    {
        _home.Write("enc/data.txt", "secret data\n");
        if (format == "zip") Tools.Run(_home["enc"], "zip", "-q", "-P", "pw", _home["enc.zip"], "data.txt");
        else Tools.Run(_home["enc"], "7z", "a", "-bso0", "-bsp0", "-ppw", _home["enc.7z"], "data.txt");

        var result = _packster.Run("pack", "--from", _home[$"enc.{format}"], "--id", "tool", "--version", "1.4.2", "-o", Out);

        AssertRefused(result, "PST4013", 4);
        Assert.StartsWith($"error[PST4013]: entry 'data.txt' in 'enc.{format}' is encrypted; packster cannot repack an encrypted archive\n"
            + "hint: the archive cannot be packed as it is: decrypt it first", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("packages are never encrypted", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("publisher", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Formats: "a 7z whose list of entries is encrypted too (`7z -mhe=on`) is PST4013", in packster's
    // words, not the reader's ("Encrypted 7Zip archive has no password specified").
    [ArchiverFact("7z")]
    public void A_7z_with_encrypted_names_is_PST4013_too()
    {
        _home.Write("enc/data.txt", "secret data\n");
        Tools.Run(_home["enc"], "7z", "a", "-bso0", "-bsp0", "-ppw", "-mhe=on", _home["names.7z"], "data.txt");

        var result = _packster.Run("pack", "--from", _home["names.7z"], "--id", "tool", "--version", "1.4.2", "-o", Out);

        AssertRefused(result, "PST4013", 4);
        Assert.StartsWith("error[PST4013]: 'names.7z' is encrypted, its list of entries too; packster cannot repack an encrypted archive\n",
            result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("7Zip", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Formats: "A zip or 7z file's data is checked against the CRC-32 the archive declares for it
    // while it is written: PST4011". Stored (-m0=copy), so one changed byte of the file's data changes nothing else.
    [ArchiverFact("7z")]
    public void A_7z_file_whose_data_does_not_match_its_CRC_is_refused()
    {
        Directory.CreateDirectory(_home["seven/tool"]);
        File.WriteAllText(_home["seven/tool/data.txt"], string.Concat(Enumerable.Repeat("the real data, line after line\n", 400)));
        Tools.Run(_home["seven"], "7z", "a", "-bso0", "-bsp0", "-m0=copy", _home["stored.7z"], "tool");
        var bytes = File.ReadAllBytes(_home["stored.7z"]);
        var at = bytes.AsSpan().IndexOf("line after line"u8) + 2;
        Assert.True(at > 2, "the stored data is in the archive as written");
        bytes[at] ^= 0x20;
        File.WriteAllBytes(_home["damaged.7z"], bytes);

        Assert.Equal(0, _packster.Run("pack", "--from", _home["stored.7z"], "--id", "tool", "--version", "1.4.2", "-o", _home["good-out"]).ExitCode);
        var result = _packster.Run("pack", "--from", _home["damaged.7z"], "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4011", 4);
        Assert.Contains("data.txt", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Rules: entries are "judged exactly as a package's central directory is"; a directory entry
    // with data is PST4005 in a package (spec/errors.md: "or a directory with data"), so in a vendor zip too.
    [Fact]
    public void A_zip_directory_entry_with_data_is_refused()
    {
        AssertZipRefused(new HostileEntry { Name = "d/", Data = "hidden\n"u8.ToArray(), UnixMode = HostileZipBuilder.Directory }, "PST4005", "is a directory with data");
    }

    // package-format.md §5: "directory entry with data | PST4005" — data is what the entry decodes to. Python's zipfile
    // in ZIP_DEFLATED mode stores a folder as an empty deflate stream (2 compressed bytes, declared size 0): no data, so
    // the zip packs; a folder declaring size 0 whose deflated data decodes to bytes still holds data.
    [Fact]
    public void A_zip_folder_stored_as_an_empty_deflate_stream_holds_no_data()
    {
        var zip = new HostileZipBuilder(withManifest: false).File("packster-manifest.toml", "id = \"t\"\nversion = \"1.0.0\"\n", deflate: true);
        // zlib's empty deflate stream: one final fixed-Huffman block holding only its end code.
        zip.Add(new HostileEntry { Name = "tool/", Data = [], RawPayload = [0x03, 0x00], UnixMode = HostileZipBuilder.Directory, Method = 8 });
        zip.File("tool/run.sh", "echo hi\n", deflate: true);
        var package = PackedFile(_packster.Run("pack", "--from", zip.WriteTo(_home["py.zip"]), "-o", _home["py-out"]));
        using (var packed = ZipFile.OpenRead(package)) Assert.NotNull(packed.GetEntry("tool/run.sh"));

        AssertZipRefused(new HostileEntry { Name = "d/", Data = "hidden\n"u8.ToArray(), DeclaredSize = 0, UnixMode = HostileZipBuilder.Directory, Method = 8 },
            "PST4005", "is a directory with data");
    }

    // spec/pack-from.md §Formats: "A zip or 7z file's data is checked against the CRC-32 the archive declares for it" —
    // a symlink's target is its data: one that does not match its CRC-32 (unzip -t: bad CRC) is PST4011, not packed
    // as a link to whatever the damaged bytes name.
    [Fact]
    public void A_zip_symlink_whose_target_does_not_match_its_CRC_is_refused()
    {
        AssertZipRefused(new HostileEntry { Name = "link", Data = "ok.txt"u8.ToArray(), Crc = System.IO.Hashing.Crc32.HashToUInt32("ok.tx2"u8), UnixMode = HostileZipBuilder.Symlink },
            "PST4011", "entry 'link' in 'hostile-PST4011.zip' fails its CRC-32 check");
    }

    /// <summary>A vendor zip of one good file and <paramref name="entry"/>: pack --from refuses it with the code and words given.</summary>
    private void AssertZipRefused(HostileEntry entry, string code, string words)
    {
        var zip = new HostileZipBuilder(withManifest: false).File("ok.txt", "ok\n");
        zip.Add(entry);
        var result = _packster.Run("pack", "--from", zip.WriteTo(_home[$"hostile-{code}.zip"]), "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, code, 4);
        Assert.Contains(words, result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Names 2: "The whole normalised name must pass the package path rules (PST4003)" — a name that
    // is not UTF-8 (a zip name without the UTF-8 flag in another code page, a latin-1 tar name) is refused, not repaired
    // to U+FFFD; a link target that is not UTF-8 is PST4004.
    [Fact]
    public void A_zip_name_that_is_not_UTF8_is_refused()
    {
        AssertZipRefused(new HostileEntry { Name = "x", RawName = [(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'.', (byte)'t'], Data = "x"u8.ToArray(), Flags = 0 },
            "PST4003", "not valid UTF-8");
    }

    [Fact]
    public void A_zip_symlink_target_that_is_not_UTF8_is_refused()
    {
        AssertZipRefused(new HostileEntry { Name = "link", Data = [(byte)'o', (byte)'k', 0xFF], UnixMode = HostileZipBuilder.Symlink }, "PST4004", "not valid UTF-8");
    }

    [ArchiverFact("tar")]
    public void A_tar_name_that_is_not_UTF8_is_refused()
    {
        Directory.CreateDirectory(_home["latin"]);
        NonUtf8Names.CreateFile(_home["latin"], "caf");
        Tools.Run(_home["latin"], "tar", "-cf", _home["latin.tar"], ".");
        var result = _packster.Run("pack", "--from", _home["latin.tar"], "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4003", 4);
        Assert.Contains("not valid UTF-8", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Entries: "GNU sparse file … refused: PST4005", in every form GNU tar writes: the old GNU
    // type 'S' and the pax forms 0.0, 0.1 and 1.0 (which other readers show as 'GNUSparseFile.<pid>/name').
    [ArchiverTheory("tar", "truncate")]
    [InlineData("--format=gnu")]
    [InlineData("--sparse-version=0.0")]
    [InlineData("--sparse-version=0.1")]
    [InlineData("--sparse-version=1.0")]
    public void A_GNU_sparse_file_is_refused_in_every_form(string form)
    {
        _home.Write("sparse/tool/holes.bin", "data");
        Tools.Run(_home.Path, "truncate", "-s", "2M", _home["sparse/tool/holes.bin"]);
        var archive = _home["sparse.tar"];
        if (form == "--format=gnu") Tools.Run(_home["sparse"], "tar", "--sparse", "--format=gnu", "-cf", archive, "tool");
        else Tools.Run(_home["sparse"], "tar", "--sparse", "--format=pax", form, "-cf", archive, "tool");
        var result = _packster.Run("pack", "--from", archive, "--id", "tool", "--version", "1.4.2", "-o", Out);
        AssertRefused(result, "PST4005", 4);
        Assert.Contains("holes.bin' in 'sparse.tar' is a GNU sparse file", result.Stderr, StringComparison.Ordinal);
    }

    // package-format.md §6: "so every package `pack` writes installs"; install takes the manifest only from a regular
    // file, so an archive whose packster-manifest.toml is a symlink is refused (PST4005), not packed into a package
    // install would refuse.
    [ArchiverFact("tar")]
    public void An_archive_whose_manifest_is_a_symlink_is_refused()
    {
        _home.Write("linked/m", Manifest);
        File.CreateSymbolicLink(_home["linked/packster-manifest.toml"], "m");
        var archive = _home["linked.tar"];
        Tools.Run(_home["linked"], "tar", "-cf", archive, "m", "packster-manifest.toml");
        var result = _packster.Run("pack", "--from", archive, "-o", Out);
        AssertRefused(result, "PST4005", 4);
        Assert.Contains("holds packster-manifest.toml as a symlink", result.Stderr, StringComparison.Ordinal);
    }

    // spec/pack-from.md §Manifest: "No manifest from any of them is PST2017" — a folder named packster-manifest.toml is
    // no manifest; with flags it holds the place their manifest would take (PST2018).
    [ArchiverFact("tar")]
    public void A_folder_named_like_the_manifest_is_not_a_manifest()
    {
        _home.Write("folder/packster-manifest.toml/inside.txt", "x");
        var archive = _home["folder.tar"];
        Tools.Run(_home["folder"], "tar", "-cf", archive, "packster-manifest.toml");
        var result = _packster.Run("pack", "--from", archive, "-o", Out);
        AssertRefused(result, "PST2017", 3);
        Assert.Contains("is a folder", result.Stderr, StringComparison.Ordinal);
        AssertRefused(_packster.Run("pack", "--from", archive, "--id", "tool", "--version", "1.4.2", "-o", Out), "PST2018", 3);
    }

    [Fact]
    public void Help_describes_every_pack_from_option()
    {
        var help = _packster.Ok("pack", "--help");
        foreach (var option in new[] { "--from", "--strip-components", "--id", "--version", "--shim", "--manifest" })
        {
            Assert.Contains(option, help, StringComparison.Ordinal);
        }
    }
}

/// <summary>Runs the archivers the tests build their archives with.</summary>
internal static class Tools
{
    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, tool)));

    public static string Run(string workingDirectory, string tool, params string[] args)
    {
        var (code, stdout, stderr) = Exec(workingDirectory, tool, args);
        Assert.True(code == 0, $"{tool} {string.Join(' ', args)} failed ({code}): {stderr}");
        return stdout;
    }

    /// <summary>The exit code of <paramref name="tool"/>, for a test that expects it to fail.</summary>
    public static int TryRun(string workingDirectory, string tool, params string[] args) => Exec(workingDirectory, tool, args).Code;

    private static (int Code, string Stdout, string Stderr) Exec(string workingDirectory, string tool, string[] args)
    {
        var psi = new ProcessStartInfo(tool) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fact that needs archivers on PATH (installed by .ci/install-archivers.sh); skipped, saying which, when one is missing.</summary>
public sealed class ArchiverFactAttribute : FactAttribute
{
    public ArchiverFactAttribute(params string[] tools)
    {
        if (!OperatingSystem.IsLinux()) Skip = "the archives are made with the GNU tools";
        else if (tools.FirstOrDefault(t => !Tools.OnPath(t)) is { } missing) Skip = $"{missing} is not installed (.ci/install-archivers.sh installs it)";
    }
}

/// <summary>As <see cref="ArchiverFactAttribute"/>, for theories.</summary>
public sealed class ArchiverTheoryAttribute : TheoryAttribute
{
    public ArchiverTheoryAttribute(params string[] tools)
    {
        if (!OperatingSystem.IsLinux()) Skip = "the archives are made with the GNU tools";
        else if (tools.FirstOrDefault(t => !Tools.OnPath(t)) is { } missing) Skip = $"{missing} is not installed (.ci/install-archivers.sh installs it)";
    }
}
