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
}
