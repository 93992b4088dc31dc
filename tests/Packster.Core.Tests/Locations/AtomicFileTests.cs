using System.Text;
using Packster.Testing;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Derived state: activation scripts are replaced by temp file + rename, and one that holds its
/// text already is left as it is (<see cref="AtomicFile.WriteIfChanged"/>).
/// </summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-atomic");

    public void Dispose() => _temp.Dispose();

    // spec/errors.md PST9005: a write into a folder that is not there names the file asked for (not the temp file it
    // writes first) and says why in words, not .NET's "could not find a part of the path".
    [Fact]
    public void A_write_into_a_missing_folder_names_the_file_and_says_why()
    {
        var path = _temp["no/such/dir/env.toml"];
        var e = Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, "x"u8));
        var classified = FileSystemErrors.Classify(e)!;
        Assert.Equal(ErrorCode.FileSystemError, classified.Code);
        Assert.Equal($"'{path}': a folder on its path does not exist, or is a file", classified.Message);

        var file = _temp.Write("a-file", "x");
        var exists = Assert.ThrowsAny<IOException>(() => Directory.CreateDirectory(file));
        Assert.EndsWith(": it already exists", FileSystemErrors.Classify(exists, file, "cannot create output folder")!.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// § Transactions (a commit stages its lockfile): a staged file is written beside its target under a temp name of
    /// the shape recovery removes, and the target is untouched until it is placed; a staged file discarded leaves nothing.
    /// </summary>
    [Fact]
    public void A_staged_file_replaces_its_target_only_when_placed()
    {
        var path = _temp.Write("packster-location.json", "old\n");
        var staged = AtomicFile.Stage(path, "new\n"u8);

        Assert.Equal("old\n", File.ReadAllText(path));
        var temp = Assert.Single(Directory.GetFiles(_temp.Path, AtomicFile.TempPattern("packster-location.json")));
        Assert.True(AtomicFile.IsTempName(Path.GetFileName(temp)));
        Assert.Equal("new\n", File.ReadAllText(temp));

        staged.Place();

        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_temp.Path));

        AtomicFile.Stage(path, "never\n"u8).Discard();
        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_temp.Path));
    }

    /// <summary>spec/errors.md PST9005: a staged file that cannot be placed (a folder took its target's name) names the target, and leaves no temp file.</summary>
    [Fact]
    public void A_staged_file_that_cannot_be_placed_names_its_target_and_leaves_nothing()
    {
        var path = _temp["packster-location.json"];
        var staged = AtomicFile.Stage(path, "new\n"u8);
        Directory.CreateDirectory(path);

        var e = Assert.ThrowsAny<IOException>(() => staged.Place());

        Assert.DoesNotContain(".tmp", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path));
        Assert.True(Directory.Exists(path));
    }

    [Fact]
    public void A_file_holding_the_content_already_is_left_as_it_is()
    {
        var path = _temp["activate.sh"];
        Assert.True(AtomicFile.WriteIfChanged(path, "export A=1\n"u8));
        // A second name for the file as written: a rewrite replaces the name "activate.sh", never this inode.
        var witness = _temp["witness"];
        Assert.Equal(0, Packster.Locations.PosixFiles.Link(path, witness));

        Assert.False(AtomicFile.WriteIfChanged(path, "export A=1\n"u8));
        File.AppendAllText(witness, "# marked\n");
        Assert.Equal("export A=1\n# marked\n", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("export A=2\n")]
    [InlineData("export A=1\nexport B=2\n")]
    [InlineData("export A=")]
    [InlineData("")]
    public void A_file_with_other_content_is_replaced(string content)
    {
        var path = _temp["activate.sh"];
        AtomicFile.Write(path, "export A=1\n"u8);
        var witness = _temp["witness"];
        Assert.Equal(0, Packster.Locations.PosixFiles.Link(path, witness));

        Assert.True(AtomicFile.WriteIfChanged(path, Encoding.UTF8.GetBytes(content)));

        Assert.Equal(content, File.ReadAllText(path));
        // Replaced by a rename: the old file, still under its other name, is untouched.
        Assert.Equal("export A=1\n", File.ReadAllText(witness));
    }

    [Fact]
    public void A_missing_file_is_written()
    {
        var path = _temp["new/profile.sh"];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        Assert.True(AtomicFile.WriteIfChanged(path, "x"u8));

        Assert.Equal("x", File.ReadAllText(path));
    }

    // A batch (the activation scripts of one commit): only the files whose content differs are written, each replacing
    // its name, never the inode a reader may hold.
    [Fact]
    public void A_batch_writes_only_the_files_that_differ()
    {
        var same = _temp["activate.sh"];
        var other = _temp["activate.fish"];
        AtomicFile.Write(same, "export A=1\n"u8);
        AtomicFile.Write(other, "set -gx A 1\n"u8);
        Assert.Equal(0, Packster.Locations.PosixFiles.Link(same, _temp["same-witness"]));
        Assert.Equal(0, Packster.Locations.PosixFiles.Link(other, _temp["other-witness"]));

        var written = AtomicFile.WriteIfChanged([(same, "export A=1\n"u8.ToArray()), (other, "set -gx A 2\n"u8.ToArray()), (_temp["activate.ps1"], "$env:A = 2\n"u8.ToArray())]);

        Assert.Equal(2, written);
        File.AppendAllText(_temp["same-witness"], "# marked\n");
        Assert.Equal("export A=1\n# marked\n", File.ReadAllText(same));
        Assert.Equal("set -gx A 2\n", File.ReadAllText(other));
        Assert.Equal("set -gx A 1\n", File.ReadAllText(_temp["other-witness"]));
        Assert.Equal("$env:A = 2\n", File.ReadAllText(_temp["activate.ps1"]));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*" + AtomicFile.TempSuffix));
    }

    // A file of the batch that cannot be written fails it before any file is replaced: every temp file goes, and every
    // target keeps its old bytes.
    [Fact]
    public void A_batch_that_fails_replaces_nothing_and_leaves_no_temp_file()
    {
        var first = _temp["activate.sh"];
        AtomicFile.Write(first, "export A=1\n"u8);
        var unwritable = Path.Combine(_temp.Path, "no-such-folder", "activate.fish");

        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteIfChanged([(first, "export A=2\n"u8.ToArray()), (unwritable, "set -gx A 2\n"u8.ToArray())]));

        Assert.Equal("export A=1\n", File.ReadAllText(first));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*" + AtomicFile.TempSuffix, SearchOption.AllDirectories));
    }
}
