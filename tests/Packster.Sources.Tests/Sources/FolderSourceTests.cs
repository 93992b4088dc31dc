using Packster.Model;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Sources;

/// <summary>Folder sources (spec/sources.md §2): a directory of .packster files; junk ignored; publish verifies.</summary>
public sealed class FolderSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-folder");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Lists_only_well_named_packages_in_any_subfolder()
    {
        TestPackages.Create(_temp["repo"], "acme", "1.0.0");
        TestPackages.Create(_temp["repo/nested"], "acme", "2.0.0-rc.1");
        _temp.Write("repo/notes.txt", "x");
        _temp.Write("repo/acme-1.0.0.packster", "no hash");
        _temp.Write("repo/ACME-1.0.0-" + new string('a', 64) + ".packster", "upper case id");
        var source = new FolderSource("local", _temp["repo"]);
        var versions = await source.ListVersionsAsync(PackageId.Parse("acme"));
        Assert.Equal(["1.0.0", "2.0.0-rc.1"], versions.Select(v => v.Version.ToString()).Order());
        Assert.Empty(await source.SearchAsync("nothing-like-it"));
        Assert.Equal(2, (await source.SearchAsync("ACM")).Count);
    }

    // spec/sources.md §2: packages "in any subfolder"; a package file that is a link counts, a linked folder is not walked into.
    [Fact]
    public async Task Linked_folders_are_not_walked_into_and_linked_package_files_count()
    {
        if (OperatingSystem.IsWindows()) return; // symbolic links need privileges there
        TestPackages.Create(_temp["repo/nested"], "acme", "1.0.0");
        var elsewhere = TestPackages.Create(_temp["elsewhere"], "acme", "2.0.0");
        File.CreateSymbolicLink(Path.Combine(_temp["repo"], Path.GetFileName(elsewhere)), elsewhere);
        // A link back up the tree (walked into, the listing meets each package again at every depth until the path is
        // too deep) and a link to a folder of other packages.
        Directory.CreateSymbolicLink(Path.Combine(_temp["repo/nested"], "up"), "..");
        TestPackages.Create(_temp["outside"], "acme", "3.0.0");
        Directory.CreateSymbolicLink(Path.Combine(_temp["repo"], "linked"), _temp["outside"]);

        var source = new FolderSource("local", _temp["repo"]);
        var versions = await source.ListVersionsAsync(PackageId.Parse("acme"));
        Assert.Equal(["1.0.0", "2.0.0"], versions.Select(v => v.Version.ToString()).Order());
    }

    [Fact]
    public async Task Publish_copies_verified_files_and_treats_versions_as_immutable()
    {
        var source = new FolderSource("local", _temp["repo"]);
        var path = TestPackages.Create(_temp["dist"], "acme", "1.0.0", "one");
        var published = await source.PublishAsync(path);
        Assert.Equal(PublishStatus.Published, published.Status);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(published.Location));
        Assert.Equal(PublishStatus.Unchanged, (await source.PublishAsync(path)).Status);

        var clash = TestPackages.Create(_temp["other"], "acme", "1.0.0", "two");
        Assert.Equal(ErrorCode.PublishConflict, (await Assert.ThrowsAsync<PacksterException>(() => source.PublishAsync(clash))).Code);

        var corrupt = TestPackages.Create(_temp["corrupt"], "acme", "1.1.0");
        File.AppendAllText(corrupt, "!");
        var e = await Assert.ThrowsAsync<PacksterException>(() => source.PublishAsync(corrupt));
        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
        Assert.Single(Directory.GetFiles(_temp["repo"]));
    }
}
