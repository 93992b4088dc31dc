using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>What <see cref="FileKinds"/> says a path is, links followed or not.</summary>
public sealed class FileKindsTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-filekinds");

    public void Dispose() => _temp.Dispose();

    // A link that leads nowhere is no folder: followed it names nothing (stat: ENOENT), which is what OfTarget says;
    // Of still sees the link itself, so a caller can tell it from no entry at all.
    [Fact]
    public void A_dangling_link_is_missing_when_followed_and_a_link_when_not()
    {
        var link = _temp["dangling"];
        File.CreateSymbolicLink(link, _temp["nothing-here"]);

        Assert.Equal(FileKind.Missing, FileKinds.OfTarget(link));
        Assert.Equal(FileKind.Symlink, FileKinds.Of(link));
    }

    [Fact]
    public void A_link_loop_is_missing_when_followed_and_a_link_when_not()
    {
        var one = _temp["loop1"];
        var two = _temp["loop2"];
        File.CreateSymbolicLink(one, two);
        File.CreateSymbolicLink(two, one);

        Assert.Equal(FileKind.Missing, FileKinds.OfTarget(one));
        Assert.Equal(FileKind.Symlink, FileKinds.Of(one));
    }

    [Fact]
    public void Links_to_a_file_and_to_a_folder_are_what_they_lead_to()
    {
        var file = _temp.Write("file", "x");
        var folder = _temp["folder"];
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(_temp["to-file"], file);
        Directory.CreateSymbolicLink(_temp["to-folder"], folder);

        Assert.Equal(FileKind.Regular, FileKinds.OfTarget(_temp["to-file"]));
        Assert.Equal(FileKind.Directory, FileKinds.OfTarget(_temp["to-folder"]));
        Assert.Equal(FileKind.Missing, FileKinds.OfTarget(_temp["no-entry"]));
        Assert.Equal(FileKind.Missing, FileKinds.Of(_temp["no-entry"]));
    }
}
