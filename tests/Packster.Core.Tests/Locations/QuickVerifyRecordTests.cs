using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Quick verify, "Record": after a run that found every recorded file intact, the index remembers the
/// record's own stamp; a later run whose record, folders and files all keep theirs reads only the record's header. Anything
/// that moved, or an index that does not say so, means the record is read whole and the deployment verified as before.
/// </summary>
public sealed class QuickVerifyRecordTests
{
    private static readonly Dictionary<string, string> Files = QuickVerifyFolderTests.Files;

    private static DeploymentVerification Quick(Location location, TimeSpan? settling = null) => QuickVerifyFolderTests.Quick(location, settling);

    private static (Location Location, string Home, string Index) Installed(LocationTestBed bed) => QuickVerifyFolderTests.Installed(bed);

    private static string? RecordLine(string index) => File.ReadAllLines(index).Skip(1).FirstOrDefault(l => l.StartsWith("record\t", StringComparison.Ordinal));

    // "record\t<files>\t<size>\t<mtime>\t<ctime>\t<inode>", right after the header.
    [UnixFolderFact]
    public void An_unchanged_deployment_is_proven_without_reading_the_records_files()
    {
        using var bed = new LocationTestBed();
        var (location, home, index) = Installed(bed);

        var first = Quick(location);
        Assert.True(first.Quick!.RecordRead);
        var lines = File.ReadAllLines(index);
        Assert.Equal("packster-verify-index 4", lines[0]);
        var record = lines[1].Split('\t');
        Assert.Equal("record", record[0]);
        Assert.Equal(Files.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), record[1]);
        Assert.Equal(new FileInfo(Path.Combine(home, DeploymentRecord.FileName)).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), record[2]);

        var second = Quick(location);
        Assert.True(second.IsIntact);
        Assert.False(second.Quick!.RecordRead);
        Assert.False(second.Quick.FoldersListed);
        Assert.Equal(Files.Count, second.Quick.ByStat);
        Assert.Equal("hello", second.Record!.Id.Value);
        Assert.Empty(second.Record.Files);
        Assert.Equal(lines, File.ReadAllLines(index));
    }

    // "What quick trusts": content rewritten in place with its size and mtime put back still moves the ctime.
    [UnixFolderFact]
    public void A_file_rewritten_in_place_with_its_time_put_back_is_found()
    {
        using var bed = new LocationTestBed();
        var (location, home, _) = Installed(bed);
        Quick(location);
        Assert.False(Quick(location).Quick!.RecordRead);

        var file = Path.Combine(home, "share/doc.txt");
        var written = File.GetLastWriteTimeUtc(file);
        File.WriteAllText(file, "DOCUMENTATION");
        File.SetLastWriteTimeUtc(file, written);

        var result = Quick(location);
        Assert.True(result.Quick!.RecordRead);
        Assert.Equal((VerificationProblemKind.Modified, "share/doc.txt"), Assert.Single(result.Problems.Select(p => (p.Kind, p.Path))));
        // Not remembered while anything is wrong: the next run reads the record again and finds the same.
        var again = Quick(location);
        Assert.True(again.Quick!.RecordRead);
        Assert.Equal((VerificationProblemKind.Modified, "share/doc.txt"), Assert.Single(again.Problems.Select(p => (p.Kind, p.Path))));
    }

    [UnixFolderFact]
    public void A_changed_mode_is_found()
    {
        using var bed = new LocationTestBed();
        var (location, home, _) = Installed(bed);
        Quick(location);
        Assert.False(Quick(location).Quick!.RecordRead);

        var file = Path.Combine(home, "bin/hello");
        if (OperatingSystem.IsWindows()) return; // the attribute skips it there; the guard is for the analyzer
        File.SetUnixFileMode(file, File.GetUnixFileMode(file) ^ UnixFileMode.OtherExecute);

        var result = Quick(location);
        Assert.True(result.Quick!.RecordRead);
        Assert.Equal((VerificationProblemKind.ModeChanged, "bin/hello"), Assert.Single(result.Problems.Select(p => (p.Kind, p.Path))));
    }

    // The record's stamp is part of the proof: a record touched is read whole, and remembered again with its new stamp.
    [UnixFolderFact]
    public void A_record_whose_stamp_moved_is_read_whole_and_remembered_anew()
    {
        using var bed = new LocationTestBed();
        var (location, home, index) = Installed(bed);
        Quick(location);
        var before = RecordLine(index);
        var recordFile = Path.Combine(home, DeploymentRecord.FileName);
        File.SetLastWriteTimeUtc(recordFile, File.GetLastWriteTimeUtc(recordFile).AddSeconds(-10));

        var touched = Quick(location);
        Assert.True(touched.IsIntact);
        Assert.True(touched.Quick!.RecordRead);
        Assert.NotEqual(before, RecordLine(index));
        Assert.False(Quick(location).Quick!.RecordRead);
    }

    // "Format 3 … is still read for its folder and file lines": nothing is hashed again, and the record is remembered.
    [UnixFolderFact]
    public void A_format_3_index_is_used_and_rewritten_with_the_record()
    {
        using var bed = new LocationTestBed();
        var (location, _, index) = Installed(bed);
        Quick(location);
        var lines = File.ReadAllLines(index).Where(l => !l.StartsWith("record\t", StringComparison.Ordinal)).Skip(1);
        File.WriteAllText(index, "packster-verify-index 3\n" + string.Concat(lines.Select(l => l + "\n")));

        var upgraded = Quick(location);
        Assert.True(upgraded.IsIntact);
        Assert.True(upgraded.Quick!.RecordRead);
        Assert.False(upgraded.Quick.FoldersListed);
        Assert.Equal(Files.Count, upgraded.Quick.ByStat);
        Assert.NotNull(RecordLine(index));
        Assert.False(Quick(location).Quick!.RecordRead);
    }

    // "written only when … at least 2 s older than the start of the run", as for folders.
    [UnixFolderFact]
    public void A_record_changed_moments_ago_is_not_remembered()
    {
        using var bed = new LocationTestBed();
        var (location, _, index) = Installed(bed);

        Quick(location, TimeSpan.FromHours(1));
        Assert.Null(RecordLine(index));
        Assert.True(Quick(location, TimeSpan.FromHours(1)).Quick!.RecordRead);
    }

    // The index must hold as many file lines as the record line says: a file it lost is hashed again from the record.
    [UnixFolderFact]
    public void An_index_missing_a_file_line_means_reading_the_record()
    {
        using var bed = new LocationTestBed();
        var (location, _, index) = Installed(bed);
        Quick(location);
        var lines = File.ReadAllLines(index).Where(l => !l.EndsWith("\tshare/doc.txt", StringComparison.Ordinal));
        File.WriteAllText(index, string.Concat(lines.Select(l => l + "\n")));

        var result = Quick(location);
        Assert.True(result.IsIntact);
        Assert.True(result.Quick!.RecordRead);
        Assert.Equal(1, result.Quick.BySha256);
        Assert.Equal(Files.Count - 1, result.Quick.ByStat);
    }
}
