using Packster.Locations;
using Packster.Testing;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// FileStamp reads the runtime's portable stat buffer by offset: these pin each field it takes against what .NET and
/// the file system say by other means, so a runtime that moved a field fails here, not in a quick verify that trusts it.
/// </summary>
public sealed class FileStampTests
{
    [Fact]
    public void Size_mtime_and_mode_are_what_dotnet_reports()
    {
        using var temp = new TempDirectory("packster-stamp");
        var file = temp["a.txt"];
        File.WriteAllText(file, "twelve bytes");
        File.SetLastWriteTimeUtc(file, new DateTime(2025, 6, 1, 12, 30, 15, DateTimeKind.Utc).AddTicks(1234567));

        var stamp = FileStamp.Of(file);
        Assert.Equal(FileStampKind.File, stamp.Kind);
        Assert.Equal(12, stamp.Size);
        Assert.Equal(new FileInfo(file).LastWriteTimeUtc.Ticks, stamp.ModifiedTicks);
        if (!OperatingSystem.IsWindows()) Assert.Equal(File.GetUnixFileMode(file), stamp.Mode);
    }

    [Fact]
    public void The_status_change_time_moves_with_a_chmod_and_the_inode_stays_with_the_file()
    {
        if (OperatingSystem.IsWindows()) return; // no status-change time or inode from .NET there: both are 0
        using var temp = new TempDirectory("packster-stamp");
        var file = temp["a.txt"];
        File.WriteAllText(file, "x");
        File.WriteAllText(temp["b.txt"], "y");
        File.SetLastWriteTimeUtc(file, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var before = FileStamp.Of(file);
        Assert.InRange(new DateTime(before.ChangedTicks, DateTimeKind.Utc), DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(5));
        Assert.NotEqual(0UL, before.Inode);
        Assert.NotEqual(before.Inode, FileStamp.Of(temp["b.txt"]).Inode);

        Thread.Sleep(20); // past the file system's timestamp granularity
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Move(file, temp["c.txt"]);
        var after = FileStamp.Of(temp["c.txt"]);
        Assert.Equal(before.ModifiedTicks, after.ModifiedTicks);
        Assert.True(after.ChangedTicks > before.ChangedTicks);
        Assert.Equal(before.Inode, after.Inode);
    }

    [Fact]
    public void Links_and_directories_are_told_apart_without_following()
    {
        if (OperatingSystem.IsWindows()) return; // creating symlinks needs developer mode there
        using var temp = new TempDirectory("packster-stamp");
        Directory.CreateDirectory(temp["dir"]);
        Directory.CreateSymbolicLink(temp["to-dir"], "dir");
        File.CreateSymbolicLink(temp["dangling"], "nowhere");

        Assert.Equal(FileStampKind.Directory, FileStamp.Of(temp["dir"], directory: true).Kind);
        Assert.Equal(FileStampKind.Link, FileStamp.Of(temp["to-dir"], directory: true).Kind);
        Assert.Equal(FileStampKind.Link, FileStamp.Of(temp["dangling"]).Kind);
    }
}
