using System.Text.Json;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Install;

/// <summary>
/// spec/lockfile.md § Extracted-file store, through the real executable on a real file system: deployments of one
/// package share read-only hardlinks of the store's objects, packages with handlers do not, an in-place write is
/// reported and never passed on, and gc removes what no deployment holds.
/// </summary>
public sealed class ExtractedFileStoreTests : IDisposable
{
    private const string Words = "the same bytes in two places\n";

    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Store => Path.Combine(_f.LocationPath, ".packster", "store");

    /// <summary>A package with a parameter, an executable, a data file and the data file's twin.</summary>
    private string PackTool(string extraManifest = "", params (string Path, string Content)[] extraFiles) => PackTool(null, extraManifest, extraFiles);

    private string PackTool(Action<string>? prepare, string extraManifest = "", params (string Path, string Content)[] extraFiles)
    {
        var dir = _f.Temp[$"src-{Guid.NewGuid():N}"];
        _f.Temp.Write(Path.Combine(Path.GetFileName(dir), "packster-manifest.toml"),
            $"id = \"tool\"\nversion = \"1.0.0\"\n[parameters.flavour]\ntype = \"string\"\ndefault = \"plain\"\n{extraManifest}\n");
        _f.Temp.Write(Path.Combine(Path.GetFileName(dir), "bin", "tool"), "#!/bin/sh\necho tool\n");
        Tools.Run(dir, "chmod", "755", Path.Combine(dir, "bin", "tool"));
        _f.Temp.Write(Path.Combine(Path.GetFileName(dir), "share", "words.txt"), string.Concat(Enumerable.Repeat(Words, 200)));
        _f.Temp.Write(Path.Combine(Path.GetFileName(dir), "share", "twin.txt"), string.Concat(Enumerable.Repeat(Words, 200)));
        foreach (var (path, content) in extraFiles)
        {
            _f.Temp.Write(Path.Combine(Path.GetFileName(dir), path), content);
            if (path.EndsWith(".sh", StringComparison.Ordinal)) Tools.Run(dir, "chmod", "755", Path.Combine(dir, path));
        }
        prepare?.Invoke(dir);
        return _f.Pack(dir);
    }

    private string Install(string package, string flavour) =>
        _f.InstallJson(package, "-p", $"flavour={flavour}", "--inactive").GetProperty("path").GetString()!;

    /// <summary>inode, link count and permission bits, as stat(1) reports them.</summary>
    private static (string Inode, int Links, string Mode) Stat(string path)
    {
        var parts = Tools.Run("/", "stat", "-c", "%i %h %a", path).Trim().Split(' ');
        return (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]);
    }

    [LinuxFact]
    public void Deployments_of_one_package_share_read_only_links_of_the_store_objects()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        var second = Install(package, "spicy");
        Assert.NotEqual(first, second);

        var words1 = Stat(Path.Combine(first, "share", "words.txt"));
        var words2 = Stat(Path.Combine(second, "share", "words.txt"));
        var twin = Stat(Path.Combine(second, "share", "twin.txt"));
        // One inode: the store's object, both deployments, and the twin with the same bytes.
        Assert.Equal(words1.Inode, words2.Inode);
        Assert.Equal(words1.Inode, twin.Inode);
        Assert.Equal(5, words2.Links);
        Assert.Equal("444", words2.Mode);
        var tool = Stat(Path.Combine(second, "bin", "tool"));
        Assert.Equal("555", tool.Mode);
        Assert.Equal(Stat(Path.Combine(first, "bin", "tool")).Inode, tool.Inode);
        Assert.Single(Directory.GetFiles(Path.Combine(Store, "packages")));
        // bin/tool, words.txt (= twin.txt) and the manifest; spec § Extracted-file store: "objects/<sha256>.r|.x", in
        // the one folder.
        Assert.Equal(3, Directory.GetFiles(Path.Combine(Store, "objects"), "*", SearchOption.AllDirectories).Length);
        Assert.Empty(Directory.GetDirectories(Path.Combine(Store, "objects")));
        Assert.All(Directory.GetFiles(Path.Combine(Store, "objects")), o => Assert.Matches("^[0-9a-f]{64}\\.[rx]$", Path.GetFileName(o)));
        Assert.Equal(tool.Inode, Stat(Path.Combine(Store, "objects", Sha256Hex(Path.Combine(second, "bin", "tool")) + ".x")).Inode);

        // The record holds the read-only modes, so verify proves them; the files still run and read.
        _f.Packster.Ok("verify", "--location", "dev");
        using var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(second, "packster-deployment.json")));
        var modes = record.RootElement.GetProperty("files").EnumerateArray()
            .Where(f => f.GetProperty("path").GetString() != "packster-manifest.toml")
            .ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("mode").GetString());
        Assert.Equal("0555", modes["bin/tool"]);
        Assert.Equal("0444", modes["share/words.txt"]);
        Assert.Equal("tool\n", Tools.Run("/", Path.Combine(second, "bin", "tool")));
    }

    [LinuxFact]
    public void A_package_with_an_install_handler_keeps_its_own_writable_files()
    {
        var package = PackTool("[handlers]\ninstall = \"setup.sh\"", ("setup.sh", "#!/bin/sh\necho configured >> share/words.txt\n"));
        var first = Install(package, "plain");
        var second = Install(package, "spicy");
        var words1 = Stat(Path.Combine(first, "share", "words.txt"));
        var words2 = Stat(Path.Combine(second, "share", "words.txt"));
        Assert.NotEqual(words1.Inode, words2.Inode);
        Assert.Equal(1, words2.Links);
        Assert.Equal("644", words2.Mode);
        Assert.EndsWith("configured\n", File.ReadAllText(Path.Combine(second, "share", "words.txt")), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Store, "packages")) && Directory.EnumerateFiles(Path.Combine(Store, "packages")).Any());
        _f.Packster.Ok("verify", "--location", "dev");
    }

    [LinuxFact]
    public void An_in_place_write_through_one_deployment_is_reported_and_never_passed_to_the_next()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        var second = Install(package, "spicy");
        var original = File.ReadAllText(Path.Combine(first, "share", "words.txt"));

        // The owner defeats the read-only mode and writes in place: every holder of the inode changes.
        var path = Path.Combine(first, "share", "words.txt");
        Tools.Run("/", "chmod", "u+w", path);
        File.AppendAllText(path, "tampered\n");
        var verify = _f.Packster.Run("verify", "--location", "dev");
        Assert.Equal(5, verify.ExitCode);
        Assert.Contains("share/words.txt", verify.Stdout + verify.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(first)[..12], verify.Stdout + verify.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(second)[..12], verify.Stdout + verify.Stderr, StringComparison.Ordinal);

        // The store does not hand the changed bytes on: the next deployment gets the package's own.
        var third = Install(package, "sour");
        Assert.Equal(original, File.ReadAllText(Path.Combine(third, "share", "words.txt")));
        Assert.NotEqual(Stat(path).Inode, Stat(Path.Combine(third, "share", "words.txt")).Inode);
        Assert.Equal("444", Stat(Path.Combine(third, "share", "words.txt")).Mode);
        _f.Packster.Ok("uninstall", Path.GetFileName(first), "--location", "dev");
        _f.Packster.Ok("uninstall", Path.GetFileName(second), "--location", "dev");
        _f.Packster.Ok("verify", "--location", "dev");
    }

    private static string Sha256Hex(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    // § Extracted-file store: "A store of the earlier layout (objects/<2 hex>/<sha256>.r|.x) is not linked from: its
    // deployments keep their files, the next install of its packages extracts and stores them in the one folder, and gc
    // deletes the earlier objects and their emptied folders."
    [LinuxFact]
    public void A_store_of_the_earlier_layout_is_not_linked_from_and_gc_deletes_it()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        var objects = Path.Combine(Store, "objects");
        // The earlier layout: each object in a folder named by its first two hex digits (a rename keeps inode and mtime).
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in Directory.GetFiles(objects))
        {
            var fanned = Path.Combine(objects, Path.GetFileName(o)[..2]);
            folders.Add(fanned);
            Directory.CreateDirectory(fanned);
            File.Move(o, Path.Combine(fanned, Path.GetFileName(o)));
        }
        var earlier = Stat(Path.Combine(first, "share", "words.txt"));

        // Active, so gc keeps it (and not the first).
        var second = _f.InstallJson(package, "-p", "flavour=spicy").GetProperty("path").GetString()!;
        var words = Stat(Path.Combine(second, "share", "words.txt"));
        Assert.NotEqual(earlier.Inode, words.Inode);
        Assert.Equal(words.Inode, Stat(Path.Combine(objects, Sha256Hex(Path.Combine(second, "share", "words.txt")) + ".r")).Inode);
        Assert.Equal(3, Directory.GetFiles(objects).Length);
        Assert.Equal(folders.Order(StringComparer.Ordinal), Directory.GetDirectories(objects).Order(StringComparer.Ordinal));

        using var gc = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--json"));
        Assert.Equal(3, gc.RootElement.GetProperty("storeObjectsRemoved").GetInt32());
        Assert.Empty(Directory.GetDirectories(objects));
        Assert.Equal(3, Directory.GetFiles(objects).Length);
        Assert.Equal(3, Stat(Path.Combine(second, "share", "words.txt")).Links);
        _f.Packster.Ok("verify", "--location", "dev");
    }

    // § Extracted-file store, "gc": "a link in objects/ (which no fill makes) is removed as itself, never followed".
    [LinuxFact]
    public void Gc_removes_links_in_the_store_as_links_and_never_deletes_what_they_lead_to()
    {
        var package = PackTool();
        var kept = _f.InstallJson(package, "-p", "flavour=plain").GetProperty("path").GetString()!;
        var objects = Path.Combine(Store, "objects");
        var outside = _f.Temp["outside"];
        Directory.CreateDirectory(Path.Combine(outside, "folder"));
        File.WriteAllText(Path.Combine(outside, "folder", "victim.txt"), "mine\n");
        File.WriteAllText(Path.Combine(outside, "file.txt"), "mine too\n");
        // A link to a folder where an earlier layout's folder would be, and a link named like an object.
        Directory.CreateSymbolicLink(Path.Combine(objects, "ab"), Path.Combine(outside, "folder"));
        File.CreateSymbolicLink(Path.Combine(objects, new string('c', 64) + ".r"), Path.Combine(outside, "file.txt"));
        // And an earlier layout's folder holding a link to a folder.
        Directory.CreateDirectory(Path.Combine(objects, "cd"));
        Directory.CreateSymbolicLink(Path.Combine(objects, "cd", new string('d', 64) + ".r"), Path.Combine(outside, "folder"));

        using var gc = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--json"));
        Assert.Equal(0, gc.RootElement.GetProperty("storeObjectsRemoved").GetInt32());
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(outside, "folder", "victim.txt")));
        Assert.Equal("mine too\n", File.ReadAllText(Path.Combine(outside, "file.txt")));
        // The links are gone; the three objects of the standing deployment stay, and it verifies.
        Assert.Equal(3, Directory.GetFileSystemEntries(objects).Length);
        Assert.All(Directory.GetFileSystemEntries(objects), o => Assert.Null(new FileInfo(o).LinkTarget));
        Assert.Equal(3, Stat(Path.Combine(kept, "share", "words.txt")).Links);
        _f.Packster.Ok("verify", "--location", "dev");
    }

    [LinuxFact]
    public void Uninstall_keeps_the_objects_for_a_reinstall_and_gc_removes_what_no_deployment_holds()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        var objects = Directory.GetFiles(Path.Combine(Store, "objects"), "*", SearchOption.AllDirectories);
        _f.Packster.Ok("uninstall", Path.GetFileName(first), "--location", "dev");
        Assert.All(objects, o => Assert.Equal(1, Stat(o).Links));

        // Active this time, so gc keeps it.
        var again = _f.InstallJson(package, "-p", "flavour=plain").GetProperty("path").GetString()!;
        Assert.Equal(3, Stat(Path.Combine(again, "share", "words.txt")).Links);
        using (var nothing = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--json")))
        {
            Assert.Equal(0, nothing.RootElement.GetProperty("storeObjectsRemoved").GetInt32());
        }

        _f.Packster.Ok("uninstall", Path.GetFileName(again), "--location", "dev");
        // § Garbage collection: a dry run reports what the real run removes, and removes nothing. Before, it said 0.
        var store = StoreListing();
        using (var dry = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--json", "--dry-run")))
        {
            Assert.Equal(3, dry.RootElement.GetProperty("storeObjectsRemoved").GetInt32());
            Assert.True(dry.RootElement.GetProperty("storeBytesFreed").GetInt64() > Words.Length * 200);
        }
        Assert.StartsWith("would remove 3 files no deployment holds from the store (", _f.Packster.Ok("gc", "--location", "dev", "--dry-run"), StringComparison.Ordinal);
        Assert.Equal(store, StoreListing());
        using var gc = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--json"));
        Assert.Equal(3, gc.RootElement.GetProperty("storeObjectsRemoved").GetInt32());
        Assert.True(gc.RootElement.GetProperty("storeBytesFreed").GetInt64() > Words.Length * 200);
        Assert.Empty(Directory.GetFiles(Path.Combine(Store, "objects"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.Combine(Store, "packages")));
    }

    /// <summary>Every entry of the store: its path, kind, inode and link count, as find(1) lists them.</summary>
    private string StoreListing() =>
        string.Join("\n", Tools.Run("/", "find", Store, "-printf", "%P %y %i %n\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

    // § Extracted-file store, "Install": a single install fills the store while its tree is synced, before its commit;
    // a failure from there to the commit takes back every object and folder it added, so the store is as it was.
    [LinuxTheory]
    [InlineData("install.published")]
    [InlineData("commit.journal-written")]
    public void An_install_failing_after_filling_the_store_and_before_its_commit_leaves_the_store_as_it_was(string point)
    {
        Install(PackTool(), "plain");
        var before = StoreListing();
        var deployments = _f.List().GetArrayLength();
        // The same files (their objects exist: the staged copies become links of them) and two the store has never seen.
        var other = PackTool("", ("share/new.txt", $"bytes no object holds yet {Guid.NewGuid()}\n"), ("lib/also-new.sh", $"#!/bin/sh\necho {Guid.NewGuid()}\n"));

        var failed = _f.Packster.Run(["install-file", other, "--location", "dev", "-p", "flavour=x", "--inactive"],
            new Dictionary<string, string> { [CrashPoint.FailVariable] = point });

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains($"injected failure at '{point}'", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, StoreListing());
        Assert.Equal(deployments, _f.List().GetArrayLength());
        // Without the injected failure the same install stores the new files.
        Install(other, "x");
        Assert.NotEqual(before, StoreListing());
        _f.Packster.Ok("verify", "--location", "dev");
    }

    // § Extracted-file store, "Install": the store cannot be filled (something that is not a folder holds its place):
    // a warning, the install stands, nothing is stored.
    [LinuxFact]
    public void A_store_that_cannot_be_filled_is_a_warning_and_the_install_stands()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Store)!);
        File.WriteAllText(Store, "not a folder");

        var result = _f.Packster.Run("install-file", PackTool(), "--location", "dev", "-p", "flavour=plain");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("could not be added to the location's store", result.Stderr, StringComparison.Ordinal);
        // spec/errors.md: the reason in the project's words (FileSystemErrors), never .NET's ("Could not find a part of
        // the path '…'.", "No space left on device : '…'").
        Assert.Contains("store/objects': a folder on its path does not exist, or is a file)", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("not a folder", File.ReadAllText(Store));
        Assert.Equal(1, _f.List().GetArrayLength());
        _f.Packster.Ok("verify", "--location", "dev");
    }

    private string IndexPath => Directory.GetFiles(Path.Combine(Store, "packages")).Single();

    /// <summary>A copy of <paramref name="package"/> under its own name whose last payload byte (before the central directory) is flipped.</summary>
    private string DamagedCopy(string package)
    {
        var bytes = File.ReadAllBytes(package);
        var endOfCentralDirectory = bytes.Length - 22;
        Assert.Equal(0x06054b50u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(endOfCentralDirectory)));
        var centralDirectory = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(endOfCentralDirectory + 16));
        bytes[centralDirectory - 1] ^= 0xFF;
        var copy = Path.Combine(Directory.CreateDirectory(_f.Temp[$"damaged-{Guid.NewGuid():N}"]).FullName, Path.GetFileName(package));
        File.WriteAllBytes(copy, bytes);
        return copy;
    }

    // § Extracted-file store, "Deploying from the store alone": a complete index deploys the package by itself, and
    // nothing of the package file but its manifest is read — not before the lock (no whole-file hash), not under it.
    [LinuxFact]
    public void A_complete_index_deploys_the_package_alone_reading_only_the_manifest_of_its_file()
    {
        var package = PackTool(dir =>
        {
            Directory.CreateDirectory(Path.Combine(dir, "empty", "deeper"));
            File.CreateSymbolicLink(Path.Combine(dir, "share", "link.txt"), "words.txt");
        });
        var first = Install(package, "plain");
        var index = File.ReadAllLines(IndexPath);
        Assert.Equal("packster-store-index 3", index[0]);
        Assert.StartsWith("manifest ", index[1], StringComparison.Ordinal);
        Assert.Contains(index, l => l.StartsWith("l ", StringComparison.Ordinal) && l.EndsWith(" share/link.txt", StringComparison.Ordinal));

        // The payload of this copy is damaged: hashed whole, it is refused; deployed from the store, it is never read.
        var damaged = DamagedCopy(package);
        var refused = _f.Packster.Run(["install-file", damaged, "--location", "dev", "-p", "flavour=spicy", "--inactive"],
            new Dictionary<string, string> { ["PACKSTER_NO_STORE"] = "1" });
        Assert.Contains("PST4001", refused.Stderr, StringComparison.Ordinal);
        var second = Install(damaged, "spicy");

        // Every entry as the package holds it: files as links of the objects, the folders, the symbolic link.
        Assert.Equal(Stat(Path.Combine(first, "share", "words.txt")).Inode, Stat(Path.Combine(second, "share", "words.txt")).Inode);
        Assert.Equal(Stat(Path.Combine(first, "bin", "tool")).Inode, Stat(Path.Combine(second, "bin", "tool")).Inode);
        Assert.True(Directory.Exists(Path.Combine(second, "empty", "deeper")));
        Assert.Equal("words.txt", new FileInfo(Path.Combine(second, "share", "link.txt")).LinkTarget);
        // The record lists the same files, hashes and modes as the extracted deployment's.
        Assert.Equal(RecordedFiles(first), RecordedFiles(second));
        _f.Packster.Ok("verify", "--location", "dev");
        Assert.Equal("tool\n", Tools.Run("/", Path.Combine(second, "bin", "tool")));
    }

    // § Deploying from the store alone: an index that another manifest (or none) would need is not taken, and the package
    // file is then hashed whole, so its damaged payload is refused.
    [LinuxFact]
    public void An_index_recording_another_manifest_does_not_spare_the_whole_file_check()
    {
        var package = PackTool();
        Install(package, "plain");
        var lines = File.ReadAllLines(IndexPath);
        lines[1] = "manifest " + new string('0', 64);
        File.WriteAllLines(IndexPath, lines);
        var refused = _f.Packster.Run("install-file", DamagedCopy(package), "--location", "dev", "-p", "flavour=spicy", "--inactive");
        Assert.Equal(4, refused.ExitCode);
        Assert.Contains("PST4001", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(Directory.GetDirectories(Path.Combine(_f.LocationPath, "deployments")));
    }

    // § Deploying from the store alone: the index is judged by the extraction's path rules; one naming a path outside
    // the deployment is not used, and the package is extracted from its verified copy instead.
    [LinuxFact]
    public void An_index_naming_a_path_outside_the_deployment_is_not_followed()
    {
        var package = PackTool();
        Install(package, "plain");
        var lines = File.ReadAllLines(IndexPath).ToList();
        lines.Insert(2, "d ../../../escaped");
        lines.Add("l " + Convert.ToHexStringLower("/etc"u8) + " share/etc");
        File.WriteAllLines(IndexPath, lines);

        var second = Install(package, "spicy");
        Assert.False(Directory.Exists(Path.Combine(_f.Temp.Path, "escaped")));
        Assert.False(Directory.Exists(Path.Combine(_f.LocationPath, "escaped")));
        Assert.False(File.Exists(Path.Combine(second, "share", "etc")) || Directory.Exists(Path.Combine(second, "share", "etc")));
        _f.Packster.Ok("verify", "--location", "dev");
        // After the commit the store wrote the package's own index again.
        Assert.DoesNotContain(File.ReadAllLines(IndexPath), l => l.Contains("escaped", StringComparison.Ordinal) || l.Contains("share/etc", StringComparison.Ordinal));
    }

    /// <summary>The index's file lines without the status-change time and inode: <c>&lt;sha256&gt; &lt;mode&gt; &lt;size&gt; &lt;mtime&gt; &lt;path&gt;</c>.</summary>
    private IEnumerable<string> UnstampedFileLines() =>
        File.ReadAllLines(IndexPath).Where(l => l.StartsWith("f ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', 8)).Select(f => string.Join(' ', f[1], f[2], f[3], f[4], f[7]));

    // § Extracted-file store: an index of version 1 (stored files only) still lends its files; the next deployment that
    // fills the store writes version 3.
    [LinuxFact]
    public void A_version_1_index_still_lends_its_files_and_is_rewritten_as_version_3()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        File.WriteAllLines(IndexPath, ["packster-store-index 1", .. UnstampedFileLines()]);

        var second = Install(package, "spicy");
        Assert.Equal(Stat(Path.Combine(first, "share", "words.txt")).Inode, Stat(Path.Combine(second, "share", "words.txt")).Inode);
        Assert.Equal("packster-store-index 3", File.ReadLines(IndexPath).First());
        _f.Packster.Ok("verify", "--location", "dev");
    }

    // § Extracted-file store: "An index of version 2 (no status-change time or inode) is still read: its objects are
    // hashed before they are linked, and the deployment made from it writes version 3."
    [LinuxFact]
    public void A_version_2_index_still_deploys_the_package_and_is_rewritten_as_version_3()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        var manifest = File.ReadAllLines(IndexPath)[1];
        File.WriteAllLines(IndexPath, ["packster-store-index 2", manifest, .. UnstampedFileLines().Select(l => "f " + l)]);

        var second = Install(package, "spicy");
        Assert.Equal(Stat(Path.Combine(first, "share", "words.txt")).Inode, Stat(Path.Combine(second, "share", "words.txt")).Inode);
        Assert.Equal("packster-store-index 3", File.ReadLines(IndexPath).First());
        _f.Packster.Ok("verify", "--location", "dev");
    }

    /// <summary>The status-change time of <paramref name="path"/> as UTC ticks and its inode, as stat(1) reports them.</summary>
    private static (long Changed, string Inode) Changed(string path)
    {
        var parts = Tools.Run("/", "stat", "-c", "%Z %i", path).Trim().Split(' ');
        var nanos = Tools.Run("/", "stat", "-c", "%z", path).Trim().Split(' ')[1].Split('.')[1];
        var seconds = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        return (DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (long.Parse(nanos, System.Globalization.CultureInfo.InvariantCulture) / 100), parts[1]);
    }

    // § Extracted-file store, "Objects proven by their status change": "A deployment made from the location's own store
    // alone writes the package's index again with each object's stamp taken right after its link, so the next
    // re-deploy links it unread."
    [LinuxFact]
    public void A_deployment_from_the_store_records_each_objects_status_change_after_its_link()
    {
        var package = PackTool();
        Install(package, "plain");
        var second = Install(package, "spicy");
        var (changed, inode) = Changed(Path.Combine(second, "share", "words.txt"));
        var line = File.ReadAllLines(IndexPath).Single(l => l.EndsWith(" share/words.txt", StringComparison.Ordinal)).Split(' ');
        Assert.Equal(changed.ToString(System.Globalization.CultureInfo.InvariantCulture), line[5]);
        Assert.Equal(inode, line[6]);
    }

    // § Extracted-file store, the invariant: "an object whose bytes were written in place is never linked, even with
    // its size and modification time put back: the write moved its status-change time"; and --force repairs.
    [LinuxFact]
    public void A_write_in_place_with_size_and_times_put_back_is_never_passed_on()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        var path = Path.Combine(first, "share", "words.txt");
        var original = File.ReadAllText(path);
        var reference = Path.Combine(Directory.CreateDirectory(_f.Temp["ref"]).FullName, "ref");
        Tools.Run("/", "touch", "-r", path, reference);
        Tools.Run("/", "chmod", "u+w", path);
        File.WriteAllText(path, original.Replace("same", "SAME", StringComparison.Ordinal));
        Tools.Run("/", "chmod", "a-w", path);
        Tools.Run("/", "touch", "-r", reference, path);

        var second = Install(package, "spicy");
        Assert.Equal(original, File.ReadAllText(Path.Combine(second, "share", "words.txt")));
        Assert.NotEqual(Stat(path).Inode, Stat(Path.Combine(second, "share", "words.txt")).Inode);

        // A second location of the same user borrows nothing changed either.
        _f.Packster.Ok("location", "create", _f.Temp["loc2"], "--id", "second");
        var third = Json(_f.Packster.Ok("install-file", package, "--location", "second", "--json")).GetProperty("path").GetString()!;
        Assert.Equal(original, File.ReadAllText(Path.Combine(third, "share", "words.txt")));

        // verify's hint, reinstall with --force, repairs the changed deployment.
        Assert.Equal(5, _f.Packster.Run("verify", "--location", "dev").ExitCode);
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "flavour=plain", "--inactive", "--force");
        Assert.Equal(original, File.ReadAllText(path));
        _f.Packster.Ok("verify", "--location", "dev");
        _f.Packster.Ok("verify", "--location", "second");
    }

    // § Extracted-file store, "Install": "an object whose mode is not the one its name says (0444 for .r, 0555 for .x)
    // is never linked".
    [LinuxFact]
    public void An_object_whose_mode_was_changed_is_not_linked()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        Tools.Run("/", "chmod", "0777", Path.Combine(first, "share", "words.txt"));

        var second = Install(package, "spicy");
        var words = Stat(Path.Combine(second, "share", "words.txt"));
        Assert.Equal("444", words.Mode);
        Assert.NotEqual(Stat(Path.Combine(first, "share", "words.txt")).Inode, words.Inode);
        // The fill after the commit replaced the object by the new deployment's file.
        Assert.Equal("444", Stat(Path.Combine(Store, "objects", Sha256Hex(Path.Combine(second, "share", "words.txt")) + ".r")).Mode);
    }

    // § Extracted-file store, "Which packages share": "packages with no handler but pack and no service": an any or
    // uninstall handler, or a service, runs where the deployment's files are.
    [LinuxTheory]
    [InlineData("[handlers]\nany = \"any.sh\"")]
    [InlineData("[handlers]\nuninstall = \"any.sh\"")]
    [InlineData("[[service]]\nname = \"web\"\nexec = \"any.sh\"")]
    public void A_package_whose_code_runs_in_its_deployment_keeps_its_own_files(string manifest)
    {
        var package = PackTool(manifest, ("any.sh", "#!/bin/sh\nexit 0\n"));
        var first = Install(package, "plain");
        var second = Install(package, "spicy");
        Assert.NotEqual(Stat(Path.Combine(first, "share", "words.txt")).Inode, Stat(Path.Combine(second, "share", "words.txt")).Inode);
        Assert.Equal(1, Stat(Path.Combine(second, "share", "words.txt")).Links);
        Assert.False(Directory.Exists(Path.Combine(Store, "packages")) && Directory.EnumerateFiles(Path.Combine(Store, "packages")).Any());
    }

    // § Which store: a second location of the same user on the same file system borrows the first one's objects; a
    // deployment made from them alone adds nothing to its own store, which fills at its next extraction.
    [LinuxFact]
    public void A_second_location_links_the_first_locations_objects_until_it_has_its_own()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        _f.Packster.Ok("location", "create", _f.Temp["loc2"], "--id", "second");
        var second = Json(_f.Packster.Ok("install-file", package, "--location", "second", "--json")).GetProperty("path").GetString()!;
        var words = Stat(Path.Combine(second, "share", "words.txt"));
        Assert.Equal(Stat(Path.Combine(first, "share", "words.txt")).Inode, words.Inode);
        // The first location's object and its two files, and the second deployment's two: no object of its own.
        Assert.Equal(5, words.Links);
        var ownPackages = Path.Combine(_f.Temp["loc2"], ".packster", "store", "packages");
        Assert.False(Directory.Exists(ownPackages) && Directory.EnumerateFiles(ownPackages).Any());
        _f.Packster.Ok("verify", "--location", "second");

        // Removing the first location's deployment and store objects leaves the second intact.
        _f.Packster.Ok("uninstall", Path.GetFileName(first), "--location", "dev");
        _f.Packster.Ok("gc", "--location", "dev");
        _f.Packster.Ok("verify", "--location", "second");
        Assert.Equal("tool\n", Tools.Run("/", Path.Combine(second, "bin", "tool")));

        // With nothing left to borrow, the next deployment extracts and fills the second location's own store.
        var third = Json(_f.Packster.Ok("install-file", package, "--location", "second", "-p", "flavour=spicy", "--inactive", "--json")).GetProperty("path").GetString()!;
        Assert.NotEqual(words.Inode, Stat(Path.Combine(third, "share", "words.txt")).Inode);
        Assert.Single(Directory.GetFiles(ownPackages));
        _f.Packster.Ok("verify", "--location", "second");
    }

    // § Which store: objects another user owns are never borrowed.
    [LinuxFact]
    public void A_store_owned_by_another_user_is_not_borrowed()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        Tools.Run("/", "chown", "-R", "65534", Store);
        _f.Packster.Ok("location", "create", _f.Temp["loc2"], "--id", "second");
        var second = Json(_f.Packster.Ok("install-file", package, "--location", "second", "--json")).GetProperty("path").GetString()!;
        Assert.NotEqual(Stat(Path.Combine(first, "share", "words.txt")).Inode, Stat(Path.Combine(second, "share", "words.txt")).Inode);
        _f.Packster.Ok("verify", "--location", "second");
    }

    private static string RecordedFiles(string deployment)
    {
        using var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(deployment, "packster-deployment.json")));
        return record.RootElement.GetProperty("files").GetRawText();
    }

    private static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    // "a user (other than the owner and root) cannot write it": nobody reads the shared file but cannot change it.
    [NonRootUserFact]
    public void Another_user_cannot_write_a_shared_file()
    {
        var package = PackTool();
        var first = Install(package, "plain");
        Install(package, "spicy");
        Tools.Run("/", "chmod", "755", _f.Temp.Path);
        var file = Path.Combine(first, "share", "words.txt");
        Assert.True(SystemErrorTests.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", file), "nobody cannot even read the file");
        Assert.False(SystemErrorTests.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", $"echo changed >> '{file}'"));
        _f.Packster.Ok("verify", "--location", "dev");
    }
}

/// <summary>A fact about Linux file systems (hardlinks, st_nlink and modes through stat(1)).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "checks inodes and link counts with Linux's stat(1)";
    }
}

/// <summary>A theory about Linux file systems, as <see cref="LinuxFactAttribute"/>.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "checks inodes and link counts with find(1)";
    }
}
