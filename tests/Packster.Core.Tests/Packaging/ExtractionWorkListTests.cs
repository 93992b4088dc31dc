using Packster.Packaging;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// spec/package-format.md §9, "Writing folder by folder": "the extraction gives the small files (under 1 MiB) of one
/// folder to one worker, which writes them one after the other, and each large file to whichever worker is free".
/// </summary>
public sealed class ExtractionWorkListTests
{
    private static readonly PackageEntry[] Files =
    [
        File(1, "a/one", 10), File(2, "a/two", 20), File(3, "a/big", SafeExtractor.LargeFileSize),
        File(4, "a/b/three", 30), File(5, "top", 5), File(6, "a/three", 1), File(7, "c/huge", 3 * SafeExtractor.LargeFileSize),
        File(8, "a/b/four", 40), File(9, "second-top", 7),
    ];

    private static PackageEntry File(int index, string path, long size) =>
        new(path, PackageEntryKind.File, 420, size, size, 0, 93) { Index = index };

    private static long[] Offsets(Func<int, long> offset) => Enumerable.Range(0, Files.Length + 1).Select(i => offset(i)).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Each_folder_s_small_files_are_one_list_and_each_large_file_its_own(bool inOrder)
    {
        var lists = SafeExtractor.WorkLists(Files, Offsets(i => i * 100L), inOrder);

        Assert.Equal(Files.Select(f => f.Index).Order(), lists.SelectMany(l => l).Select(f => f.Index).Order());
        Assert.All(lists.Where(l => l.Any(f => f.Size >= SafeExtractor.LargeFileSize)), l => Assert.Single(l));
        var small = lists.Where(l => l.All(f => f.Size < SafeExtractor.LargeFileSize)).ToList();
        Assert.All(small, l => Assert.Single(l.Select(f => Path.GetDirectoryName(f.Path)).Distinct()));
        // "", "a" and "a/b" ("c" holds only a large file); "a/big" and "c/huge" alone.
        Assert.Equal(["", "a", "a/b"], small.Select(l => Path.GetDirectoryName(l[0].Path)!).Order(StringComparer.Ordinal));
        Assert.Equal(2, lists.Count - small.Count);
    }

    [Fact]
    public void Data_that_arrives_in_order_is_taken_in_file_order()
    {
        // Offsets against the index order: the last entry's data comes first.
        var offsets = Offsets(i => (Files.Length - i) * 100L);
        var lists = SafeExtractor.WorkLists(Files, offsets, inOrder: true);

        var firsts = lists.Select(l => offsets[l[0].Index]).ToList();
        Assert.Equal(firsts.Order(), firsts);
        Assert.All(lists, l => Assert.Equal(l.Select(f => offsets[f.Index]).Order(), l.Select(f => offsets[f.Index])));
    }

    [Fact]
    public void Otherwise_the_largest_work_comes_first()
    {
        var lists = SafeExtractor.WorkLists(Files, Offsets(i => i * 100L), inOrder: false);

        Assert.Equal("c/huge", lists[0][0].Path);
        var sizes = lists.Select(l => l.Sum(f => f.Size)).ToList();
        Assert.Equal(sizes.OrderDescending(), sizes);
        Assert.All(lists, l => Assert.Equal(l.Select(f => f.Size).OrderDescending(), l.Select(f => f.Size)));
    }

    // spec/package-format.md § Solid runs: "extraction decodes a run on one worker, front to back": a run's members are
    // one list in the run's order, whatever their folders and sizes; the files outside it keep their lists.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_members_of_a_solid_run_are_one_list_in_their_order(bool inOrder)
    {
        int[] run = [2, 4, 5, 8];
        var files = Files.Select(f => run.Contains(f.Index) ? f with { RunStart = 2 } : f).ToArray();
        var lists = SafeExtractor.WorkLists(files, Offsets(i => i * 100L), inOrder);

        Assert.Single(lists, l => l.Any(f => f.RunStart >= 0));
        Assert.Equal(run, lists.Single(l => l[0].RunStart >= 0).Select(f => f.Index));
        Assert.Equal(files.Select(f => f.Index).Order(), lists.SelectMany(l => l).Select(f => f.Index).Order());
        Assert.All(lists.Where(l => l[0].RunStart < 0), l => Assert.DoesNotContain(l, f => f.RunStart >= 0));
    }
}
