using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>spec/lockfile.md § Quick verify.</summary>
public sealed class QuickVerifyTests
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["bin/hello"] = "#!/bin/sh\necho hi\n",
        ["share/doc.txt"] = "documentation",
        ["share/big.bin"] = new string('x', 300_000),
    };

    private static long TotalBytes => Files.Values.Sum(v => (long)v.Length);

    // "4. No usable entry (first run …) → SHA-256 and XXH128 in one read"; "2. … size and mtime equal … → intact, not read".
    [Fact]
    public void The_first_quick_run_reads_everything_and_the_second_reads_nothing()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);

        var first = Assert.Single(DeploymentVerifier.Verify(location, quick: true));
        Assert.True(first.IsIntact);
        Assert.Equal(new QuickVerifyStatistics(0, 0, Files.Count, TotalBytes, true), first.Quick);
        Assert.True(File.Exists(location.VerifyIndexPath(d.Hash)));

        var second = Assert.Single(DeploymentVerifier.Verify(location, quick: true));
        Assert.True(second.IsIntact);
        Assert.Equal(new QuickVerifyStatistics(Files.Count, 0, 0, 0, true), second.Quick);
        Assert.Null(Assert.Single(DeploymentVerifier.Verify(location)).Quick);
    }

    // "one line per file found intact, sorted by path (ordinal)": the index is read alongside the record, in that order,
    // so names beyond ASCII (and a tab, the one separator a path may hold) must meet their record entries again.
    [Fact]
    public void Paths_beyond_ascii_and_with_tabs_are_found_in_the_index_again()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var files = new Dictionary<string, string>(Files)
        {
            ["share/naïve ✓.txt"] = "accents",
            ["share/\U0001F600.txt"] = "astral", // UTF-16 orders it before U+E000, UTF-8 after
            ["share/\uE000.txt"] = "private use",
        };
        if (!OperatingSystem.IsWindows()) files["share/tab\there.txt"] = "tab";
        LocationTestBed.Install(location, "hello", "1.0.0", files);
        DeploymentVerifier.Verify(location, quick: true);

        var second = Assert.Single(DeploymentVerifier.Verify(location, quick: true));
        Assert.True(second.IsIntact);
        Assert.Equal(new QuickVerifyStatistics(files.Count, 0, 0, 0, true), second.Quick);
    }

    // "3. … the mtime moved → the file is read once for XXH128: equal → intact (the entry takes the new mtime)".
    [Fact]
    public void A_touched_file_is_reread_by_xxhash_once_and_then_trusted_again()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        DeploymentVerifier.Verify(location, quick: true);
        var big = Path.Combine(location.DeploymentDirectory(d.Hash), "share/big.bin");
        File.SetLastWriteTimeUtc(big, File.GetLastWriteTimeUtc(big).AddMinutes(5));

        var touched = Assert.Single(DeploymentVerifier.Verify(location, quick: true));
        Assert.True(touched.IsIntact);
        Assert.Equal(new QuickVerifyStatistics(Files.Count - 1, 1, 0, 300_000, true), touched.Quick);
        Assert.Equal(new QuickVerifyStatistics(Files.Count, 0, 0, 0, true), Assert.Single(DeploymentVerifier.Verify(location, quick: true)).Quick);
    }

    // "3. … different → Modified"; "1. … its size differs … → Modified without reading it".
    [Fact]
    public void Changed_content_is_modified_whether_or_not_the_size_moved()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        DeploymentVerifier.Verify(location, quick: true);
        var dir = location.DeploymentDirectory(d.Hash);
        File.WriteAllText(Path.Combine(dir, "share/doc.txt"), "DOCUMENTATION"); // same size, new mtime
        File.AppendAllText(Path.Combine(dir, "bin/hello"), "# more\n");

        var result = Assert.Single(DeploymentVerifier.Verify(location, quick: true));
        Assert.Equal(["bin/hello", "share/doc.txt"], result.Problems.Where(p => p.Kind == VerificationProblemKind.Modified).Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.Contains("not read: the size differs", result.Problems.Single(p => p.Path == "bin/hello").Detail, StringComparison.Ordinal);
        Assert.Contains(LocationTestBed.Hash("DOCUMENTATION").Hex, result.Problems.Single(p => p.Path == "share/doc.txt").Detail, StringComparison.Ordinal);
        // A broken file is never remembered as proven: the next quick run still reports it.
        Assert.Equal(2, Assert.Single(DeploymentVerifier.Verify(location, quick: true)).Problems.Count);
    }

    // "1. … its size, mtime, ctime and inode equal the entry's → intact, not read": putting the mtime back (cp -p, touch -d)
    // moves the status-change time, which no user call can set, so the file is read again and found changed.
    [Fact]
    public void Content_changed_behind_a_restored_mtime_is_caught_by_its_status_change_time()
    {
        if (OperatingSystem.IsWindows()) return; // .NET reads no status-change time there: quick trusts size and mtime (spec).
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        DeploymentVerifier.Verify(location, quick: true);
        var doc = Path.Combine(location.DeploymentDirectory(d.Hash), "share/doc.txt");
        var mtime = File.GetLastWriteTimeUtc(doc);
        File.WriteAllText(doc, "DOCUMENTATION"); // same size, same inode
        File.SetLastWriteTimeUtc(doc, mtime);

        var problem = Assert.Single(Assert.Single(DeploymentVerifier.Verify(location, quick: true)).Problems);
        Assert.Equal((VerificationProblemKind.Modified, "share/doc.txt"), (problem.Kind, problem.Path));
        Assert.Equal(problem, Assert.Single(Assert.Single(DeploymentVerifier.Verify(location)).Problems));
    }

    // The same, for a file replaced by another (rsync, tar, an editor's save-by-rename): a new inode, whatever its times say.
    [Fact]
    public void A_file_replaced_by_another_with_the_same_size_and_mtime_is_caught()
    {
        if (OperatingSystem.IsWindows()) return;
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        DeploymentVerifier.Verify(location, quick: true);
        var doc = Path.Combine(location.DeploymentDirectory(d.Hash), "share/doc.txt");
        var replacement = doc + ".new";
        File.WriteAllText(replacement, "DOCUMENTATION");
        File.SetLastWriteTimeUtc(replacement, File.GetLastWriteTimeUtc(doc));
        File.Move(replacement, doc, overwrite: true);

        var result = Assert.Single(DeploymentVerifier.Verify(location, quick: true));
        var problem = Assert.Single(result.Problems);
        Assert.Equal((VerificationProblemKind.Modified, "share/doc.txt"), (problem.Kind, problem.Path));
        Assert.Contains(LocationTestBed.Hash("DOCUMENTATION").Hex, problem.Detail, StringComparison.Ordinal);
    }

    // The inode counts on its own: an entry whose size and both times match but whose inode is another file's is not trusted.
    [Fact]
    public void An_entry_for_another_inode_is_not_trusted_even_when_both_times_match()
    {
        if (OperatingSystem.IsWindows()) return;
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        DeploymentVerifier.Verify(location, quick: true);
        var index = location.VerifyIndexPath(d.Hash);
        var doc = Path.Combine(location.DeploymentDirectory(d.Hash), "share/doc.txt");
        var inode = FileStamp.Of(doc).Inode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllLines(index, File.ReadAllLines(index).Select(line =>
        {
            if (!line.EndsWith("\tshare/doc.txt", StringComparison.Ordinal)) return line;
            var fields = line.Split('\t');
            Assert.Equal(inode, fields[5]);
            fields[5] = (ulong.Parse(inode, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return string.Join('\t', fields);
        }));

        var result = Assert.Single(DeploymentVerifier.Verify(location, quick: true));
        Assert.True(result.IsIntact);
        Assert.Equal(new QuickVerifyStatistics(Files.Count - 1, 1, 0, "documentation".Length, true), result.Quick);
    }

    // "What it cannot see": content changed behind metadata put back whole; only the full verify, which reads everything, sees it.
    [Fact]
    public void Content_changed_behind_metadata_the_index_still_matches_is_seen_by_the_full_verify_only()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        var doc = Path.Combine(location.DeploymentDirectory(d.Hash), "share/doc.txt");
        File.WriteAllText(doc, "DOCUMENTATION");
        // An index that vouches for the file as it is now, with the recorded content's hashes: what a clock put back would leave.
        var entry = QuickVerifyIndex.Entry.Of("share/doc.txt", LocationTestBed.Hash("documentation"), FileStamp.Of(doc),
            System.IO.Hashing.XxHash128.HashToUInt128("documentation"u8));
        Assert.True(QuickVerifyIndex.TryWrite(location.VerifyIndexPath(d.Hash), [entry]));

        Assert.DoesNotContain(Assert.Single(DeploymentVerifier.Verify(location, quick: true)).Problems, p => p.Path == "share/doc.txt");
        Assert.Contains(Assert.Single(DeploymentVerifier.Verify(location)).Problems, p => p is { Kind: VerificationProblemKind.Modified, Path: "share/doc.txt" });
    }

    // "An index of an earlier format … is no index".
    [Fact]
    public void An_index_of_the_first_format_means_reading_everything_once()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        var index = location.VerifyIndexPath(d.Hash);
        Directory.CreateDirectory(Path.GetDirectoryName(index)!);
        File.WriteAllText(index, $"packster-verify-index 1\n{LocationTestBed.Hash("documentation").Hex}\t{new string('0', 32)}\t13\t0\tshare/doc.txt\n");

        Assert.Equal(new QuickVerifyStatistics(0, 0, Files.Count, TotalBytes, true), Assert.Single(DeploymentVerifier.Verify(location, quick: true)).Quick);
        Assert.Equal(new QuickVerifyStatistics(Files.Count, 0, 0, 0, true), Assert.Single(DeploymentVerifier.Verify(location, quick: true)).Quick);
    }

    // "an entry counts only for the SHA-256 it names".
    [Fact]
    public void An_index_entry_for_other_content_is_not_trusted()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        DeploymentVerifier.Verify(location, quick: true);
        var index = location.VerifyIndexPath(d.Hash);
        // The index now claims another content for doc.txt, with the file's true size and time.
        File.WriteAllText(index, File.ReadAllText(index).Replace(LocationTestBed.Hash("documentation").Hex, LocationTestBed.Hash("other").Hex, StringComparison.Ordinal));

        var result = Assert.Single(DeploymentVerifier.Verify(location, quick: true));
        Assert.True(result.IsIntact);
        Assert.Equal(new QuickVerifyStatistics(Files.Count - 1, 0, 1, "documentation".Length, true), result.Quick);
    }

    // "an index that does not parse" is no index.
    [Fact]
    public void A_garbled_index_means_reading_everything()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        DeploymentVerifier.Verify(location, quick: true);
        File.WriteAllText(location.VerifyIndexPath(d.Hash), "packster-verify-index 1\nnot\ta\tline\n");

        var result = Assert.Single(DeploymentVerifier.Verify(location, quick: true));
        Assert.True(result.IsIntact);
        Assert.Equal(Files.Count, result.Quick!.BySha256);
    }
}
