using Packster.Locations;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Extracted-file store: the index of version 3 records each object's status-change time and inode
/// ("f &lt;sha256&gt; &lt;444|555&gt; &lt;size&gt; &lt;object mtime&gt; &lt;object ctime&gt; &lt;object inode&gt; &lt;path&gt;"); "an index of
/// version 2 (the same, without &lt;object ctime&gt; and &lt;object inode&gt;) is still read, its objects unproven".
/// </summary>
public sealed class StoreIndexTests
{
    private static readonly Sha256Digest Content = Sha256Digest.Compute("bytes"u8);
    private static readonly Sha256Digest Manifest = Sha256Digest.Compute("manifest"u8);

    [Fact]
    public void A_version_3_index_gives_each_objects_status_change_time_and_inode_and_keeps_paths_with_spaces()
    {
        var index = StoreIndex.Parse(["packster-store-index 3", "manifest " + Manifest.Hex,
            $"f {Content.Hex} 555 5 639319804355087156 639319804355187160 1441802 bin/my tool", "d empty"])!;

        Assert.Equal(new StoredEntry(Content, ExtractedFileStore.ReadOnlyExecutableMode, 5, 639319804355087156, 639319804355187160, 1441802),
            index.Files["bin/my tool"]);
        Assert.Equal(Manifest, index.Manifest);
        Assert.Equal(2, index.Entries!.Count);
    }

    [Fact]
    public void A_version_2_index_is_read_with_its_objects_unproven()
    {
        var index = StoreIndex.Parse(["packster-store-index 2", "manifest " + Manifest.Hex, $"f {Content.Hex} 444 5 639319804355087156 share/a b.txt"])!;

        var file = index.Files["share/a b.txt"];
        Assert.Equal((0L, 0UL), (file.Changed, file.Inode));
        Assert.Equal(639319804355087156, file.Modified);
    }

    [Fact]
    public void A_version_3_line_without_its_stamp_does_not_parse()
    {
        Assert.Null(StoreIndex.Parse(["packster-store-index 3", $"f {Content.Hex} 444 5 639319804355087156"]));
        Assert.Null(StoreIndex.Parse(["packster-store-index 3", $"f {Content.Hex} 444 5 639319804355087156 x 7 path"]));
    }

    [Fact]
    public void The_writer_writes_version_3_with_the_objects_stamp_and_reads_back()
    {
        var writer = new StoreIndexWriter();
        writer.Add(new ExtractedFile("share/a b.txt", PackageEntryKind.File, Content, 5, ExtractedFileStore.ReadOnlyFileMode, null),
            new FileStamp(FileStampKind.File, 5, 11, 22, 33, null));
        writer.Add(new ExtractedFile("empty", PackageEntryKind.Directory, null, 0, 0, null), null);

        var text = writer.ToText(Manifest);

        Assert.StartsWith("packster-store-index 3\nmanifest " + Manifest.Hex + "\n", text, StringComparison.Ordinal);
        Assert.Contains($"f {Content.Hex} 444 5 11 22 33 share/a b.txt\n", text, StringComparison.Ordinal);
        var index = StoreIndex.Parse(text.TrimEnd('\n').Split('\n'))!;
        Assert.Equal(new StoredEntry(Content, ExtractedFileStore.ReadOnlyFileMode, 5, 11, 22, 33), index.Files["share/a b.txt"]);
    }
}
