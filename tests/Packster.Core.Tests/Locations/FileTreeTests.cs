using Packster.Locations;
using Packster.Testing;

namespace Packster.Core.Tests.Locations;

/// <summary>spec/lockfile.md § What a location may contain: "nothing is ever recursively deleted through a link".</summary>
public sealed class FileTreeTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-filetree");

    public void Dispose() => _temp.Dispose();

    [PosixFact]
    public void Deleting_a_link_to_a_folder_removes_the_link_and_keeps_the_folder()
    {
        var outside = Outside();
        var link = _temp["link"];
        Directory.CreateSymbolicLink(link, outside);
        FileTree.Delete(link);
        Assert.False(new FileInfo(link).Exists || Directory.Exists(link));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(outside, "marker.txt")));
        Assert.True(File.Exists(Path.Combine(outside, "sub", "keep.txt")));
    }

    [PosixFact]
    public void Emptying_a_folder_unlinks_its_links_without_following_them()
    {
        var outside = Outside();
        var trash = _temp["trash"];
        Directory.CreateDirectory(Path.Combine(trash, "entry"));
        Directory.CreateSymbolicLink(Path.Combine(trash, "entry", "nested-link"), outside);
        Directory.CreateSymbolicLink(Path.Combine(trash, "top-link"), outside);
        var removed = FileTree.DeleteChildren(trash);
        Assert.Equal(2, removed.Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(trash));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(outside, "marker.txt")));
        Assert.True(File.Exists(Path.Combine(outside, "sub", "keep.txt")));
    }

    private string Outside()
    {
        var outside = _temp["outside"];
        Directory.CreateDirectory(Path.Combine(outside, "sub"));
        File.WriteAllText(Path.Combine(outside, "marker.txt"), "mine");
        File.WriteAllText(Path.Combine(outside, "sub", "keep.txt"), "keep");
        return outside;
    }
}
