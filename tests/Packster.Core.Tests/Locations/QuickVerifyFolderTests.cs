using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Quick verify, "Folders": a quick run whose index remembers every folder of the deployment with
/// the stamp it still has does not list them; any entry added, removed or renamed moves a folder's stamp, so the next
/// run lists again and finds it. Runs with no settling time (folders fresh from the test are remembered at once),
/// except where the settling rule itself is tested.
/// </summary>
public sealed class QuickVerifyFolderTests
{
    internal static readonly Dictionary<string, string> Files = new()
    {
        ["bin/hello"] = "#!/bin/sh\necho hi\n",
        ["share/doc.txt"] = "documentation",
        ["share/deep/er/data.bin"] = new string('x', 5_000),
    };

    internal static DeploymentVerification Quick(Location location, TimeSpan? settling = null) =>
        Assert.Single(DeploymentVerifier.Verify(location, quick: true, folderSettling: settling ?? TimeSpan.Zero));

    internal static (Location Location, string Home, string Index) Installed(LocationTestBed bed)
    {
        var location = bed.CreateLocation();
        var d = LocationTestBed.Install(location, "hello", "1.0.0", Files);
        return (location, location.DeploymentDirectory(d.Hash), location.VerifyIndexPath(d.Hash));
    }

    // "after a listing that found exactly the recorded paths … every folder, '.' for the deployment itself".
    [UnixFolderFact]
    public void After_a_complete_listing_a_repeat_lists_nothing_and_still_stats_every_file()
    {
        using var bed = new LocationTestBed();
        var (location, _, index) = Installed(bed);

        var first = Quick(location);
        Assert.True(first.Quick!.FoldersListed);
        var lines = File.ReadAllLines(index);
        Assert.Equal("packster-verify-index 4", lines[0]);
        Assert.Equal([".", "bin", "share", "share/deep", "share/deep/er"], lines.Where(l => l.StartsWith("dir\t", StringComparison.Ordinal)).Select(l => l.Split('\t')[4]));

        var second = Quick(location);
        Assert.True(second.IsIntact);
        Assert.False(second.Quick!.FoldersListed);
        Assert.Equal(Files.Count, second.Quick.ByStat);
        Assert.True(second.Quick.IndexCurrent);
    }

    // "each of those moves the folder's ctime": an extra file deep down is found by the next run.
    [UnixFolderTheory]
    [InlineData("share/deep/er/extra.txt")]
    [InlineData("extra-at-the-top")]
    public void A_file_added_after_the_folders_were_remembered_is_found(string extra)
    {
        using var bed = new LocationTestBed();
        var (location, home, _) = Installed(bed);
        Quick(location);
        Assert.False(Quick(location).Quick!.FoldersListed);

        File.WriteAllText(Path.Combine(home, extra), "not installed");
        var result = Quick(location);
        Assert.True(result.Quick!.FoldersListed);
        Assert.Equal((VerificationProblemKind.Extra, extra), Assert.Single(result.Problems.Select(p => (p.Kind, p.Path))));

        // Found again on every run while it is there: an incomplete listing leaves no folder lines to trust.
        var again = Quick(location);
        Assert.True(again.Quick!.FoldersListed);
        Assert.Equal((VerificationProblemKind.Extra, extra), Assert.Single(again.Problems.Select(p => (p.Kind, p.Path))));
    }

    [UnixFolderFact]
    public void A_file_renamed_or_removed_after_the_folders_were_remembered_is_found()
    {
        using var bed = new LocationTestBed();
        var (location, home, _) = Installed(bed);
        Quick(location);
        File.Move(Path.Combine(home, "share/doc.txt"), Path.Combine(home, "share/doc.old"));
        File.Delete(Path.Combine(home, "bin/hello"));

        var result = Quick(location);
        Assert.True(result.Quick!.FoldersListed);
        Assert.Equal(
            [(VerificationProblemKind.Missing, "bin/hello"), (VerificationProblemKind.Missing, "share/doc.txt"), (VerificationProblemKind.Extra, "share/doc.old")],
            result.Problems.Select(p => (p.Kind, p.Path)).Order());
    }

    // A folder's status change without a new entry (chmod) costs one listing, after which its new stamp is remembered.
    [UnixFolderFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_folder_whose_stamp_moved_is_listed_once_and_remembered_again()
    {
        using var bed = new LocationTestBed();
        var (location, home, _) = Installed(bed);
        Quick(location);
        var share = Path.Combine(home, "share");
        File.SetUnixFileMode(share, File.GetUnixFileMode(share) & ~UnixFileMode.OtherRead);

        var moved = Quick(location);
        Assert.True(moved.IsIntact);
        Assert.True(moved.Quick!.FoldersListed);
        Assert.True(moved.Quick.IndexCurrent);
        Assert.False(Quick(location).Quick!.FoldersListed);
    }

    // "only when their times are settled": folders changed within the settling time before the run are not remembered.
    [UnixFolderFact]
    public void Folders_changed_just_before_the_run_are_not_remembered()
    {
        using var bed = new LocationTestBed();
        var (location, _, index) = Installed(bed);

        Assert.Single(DeploymentVerifier.Verify(location, quick: true, folderSettling: TimeSpan.FromHours(1)));
        Assert.DoesNotContain(File.ReadAllLines(index), l => l.StartsWith("dir\t", StringComparison.Ordinal));
        Assert.True(Assert.Single(DeploymentVerifier.Verify(location, quick: true, folderSettling: TimeSpan.FromHours(1))).Quick!.FoldersListed);
    }

    // "Format 2 … is still read for its file lines".
    [Fact]
    public void An_index_of_format_2_still_vouches_for_files()
    {
        using var bed = new LocationTestBed();
        var (location, _, index) = Installed(bed);
        Quick(location);
        var fileLines = File.ReadAllLines(index).Skip(1).Where(l => !l.StartsWith("dir\t", StringComparison.Ordinal));
        File.WriteAllText(index, "packster-verify-index 2\n" + string.Concat(fileLines.Select(l => l + "\n")));

        var result = Quick(location);
        Assert.True(result.IsIntact);
        Assert.True(result.Quick!.FoldersListed);
        Assert.Equal(Files.Count, result.Quick.ByStat);
    }

    // A folder line that does not parse: the folders are listed, the file lines still count.
    [Fact]
    public void A_garbled_folder_line_means_listing()
    {
        using var bed = new LocationTestBed();
        var (location, _, index) = Installed(bed);
        Quick(location);
        var lines = File.ReadAllLines(index).ToList();
        lines.Insert(lines.FindIndex(l => l.StartsWith("dir\t", StringComparison.Ordinal)), "dir\tnot-a-time\t0\t0\tbin");
        File.WriteAllText(index, string.Concat(lines.Select(l => l + "\n")));

        var result = Quick(location);
        Assert.True(result.IsIntact);
        Assert.True(result.Quick!.FoldersListed);
        Assert.Equal(Files.Count, result.Quick.ByStat);
    }
}

/// <summary>A fact about remembered folders, which only Linux and macOS have (their lstat gives a folder's ctime and inode).</summary>
public sealed class UnixFolderFactAttribute : FactAttribute
{
    public UnixFolderFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "folders are remembered only where lstat gives their ctime and inode";
    }
}

/// <summary>As <see cref="UnixFolderFactAttribute"/>, for theories.</summary>
public sealed class UnixFolderTheoryAttribute : TheoryAttribute
{
    public UnixFolderTheoryAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "folders are remembered only where lstat gives their ctime and inode";
    }
}
