using Packster.Activation;
using Packster.Testing;

namespace Packster.Core.Tests.Activation;

/// <summary>spec/activation.md §2: the shims folder is regenerated atomically and holds exactly the given set.</summary>
public class ShimWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new("packster-shimwriter");

    public void Dispose() => _dir.Dispose();

    private string Shims => _dir["loc/shims"];

    // POSIX: the "shims" symlink and the one generation it points at; Windows: the "shims" folder alone.
    private static int ExpectedEntries => OperatingSystem.IsWindows() ? 1 : 2;

    private static string[] Names(string dir) => Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void The_folder_holds_exactly_the_given_set_after_each_write()
    {
        ShimWriter.WriteAll(Shims, [new("a", "/bin/a"), new("b", "/bin/b")], ShimPlatform.Posix);
        Assert.Equal(["a", "b"], Names(Shims));
        ShimWriter.WriteAll(Shims, [new("b", "/bin/b2"), new("c", "/bin/c")], ShimPlatform.Posix);
        Assert.Equal(["b", "c"], Names(Shims));
        Assert.Contains("'/bin/b2'", File.ReadAllText(Path.Combine(Shims, "b")), StringComparison.Ordinal);
        ShimWriter.WriteAll(Shims, [], ShimPlatform.Posix);
        Assert.Empty(Names(Shims));
    }

    [Fact]
    public void Old_generations_and_temp_links_do_not_accumulate()
    {
        for (var i = 0; i < 3; i++) ShimWriter.WriteAll(Shims, [new("a", "/bin/a")], ShimPlatform.Posix);
        var siblings = Names(_dir["loc"]);
        Assert.Equal(ExpectedEntries, siblings.Length);
        Assert.Contains("shims", siblings);
    }

    [Fact]
    public void On_posix_shims_is_a_symlink_swapped_by_rename_and_shims_are_0755()
    {
        if (OperatingSystem.IsWindows()) return;
        ShimWriter.WriteAll(Shims, [new("a", "/bin/a")], ShimPlatform.Posix);
        var first = new DirectoryInfo(Shims).LinkTarget;
        Assert.NotNull(first);
        Assert.False(Path.IsPathRooted(first)); // relative: the location can move
        ShimWriter.WriteAll(Shims, [new("a", "/bin/a")], ShimPlatform.Posix);
        var second = new DirectoryInfo(Shims).LinkTarget;
        Assert.NotEqual(first, second);
        Assert.False(Directory.Exists(Path.Combine(_dir["loc"], first!)));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(Shims, "a")));
        Assert.Equal(ShimWriter.CurrentGeneration(Shims), Path.Combine(_dir["loc"], second!));
    }

    [Fact]
    public void A_plain_shims_folder_from_before_is_replaced()
    {
        _dir.Write("loc/shims/stale", "old");
        ShimWriter.WriteAll(Shims, [new("fresh", "/bin/fresh")], ShimPlatform.Posix);
        Assert.Equal(["fresh"], Names(Shims));
        Assert.Equal(ExpectedEntries, Names(_dir["loc"]).Length);
    }

    [Fact]
    public void Leftovers_of_an_interrupted_write_are_removed()
    {
        _dir.Write("loc/.shims-gen-shims-deadbeef/x", "half written");
        ShimWriter.WriteAll(Shims, [new("a", "/bin/a")], ShimPlatform.Posix);
        Assert.DoesNotContain(".shims-gen-shims-deadbeef", Names(_dir["loc"]));
    }

    [Fact]
    public void Windows_platform_files_are_written_as_a_set()
    {
        ShimWriter.WriteAll(Shims, [new("a", "/bin/a"), new("b", "/bin/b")], ShimPlatform.Windows);
        Assert.Equal(["a.cmd", "a.ps1", "b.cmd", "b.ps1"], Names(Shims));
    }

    [Fact]
    public void A_failing_set_leaves_the_previous_shims_in_place()
    {
        ShimWriter.WriteAll(Shims, [new("a", "/bin/a")], ShimPlatform.Posix);
        // A newline in an argument cannot be written to .cmd: the write fails before the swap.
        Assert.Throws<PacksterException>(() => ShimWriter.WriteAll(Shims, [new("b", "/bin/b", ["x\ny"])], ShimPlatform.Windows));
        Assert.Equal(["a"], Names(Shims));
        Assert.Equal(ExpectedEntries, Names(_dir["loc"]).Length);
    }

    // spec/lockfile.md § Multi-deployment transactions: the shims written ahead of a commit change in place after the
    // first write, only where they differ: added, renamed over, removed; the folder stays the generation first made.
    [Fact]
    public void Shims_written_ahead_change_in_place_only_where_they_differ()
    {
        if (OperatingSystem.IsWindows()) return;
        var targets = _dir["loc/deployments"];
        Directory.CreateDirectory(targets);
        var ahead = new ShimWriter.Ahead();
        ahead.Write(Shims, [(new("a", Path.Combine(targets, "a")), ShimKind.Symlink)], ShimPlatform.Posix);
        var generation = ShimWriter.CurrentGeneration(Shims);
        var a = Path.Combine(Shims, "a");

        ahead.Write(Shims, [(new("a", Path.Combine(targets, "a")), ShimKind.Symlink), (new("b", "/bin/b", ["--x"]), ShimKind.Script)], ShimPlatform.Posix);
        Assert.Equal(generation, ShimWriter.CurrentGeneration(Shims));
        Assert.Equal(["a", "b"], Names(Shims));
        Assert.Equal(Path.Combine("..", "deployments", "a"), new FileInfo(a).LinkTarget);
        Assert.Contains("'--x'", File.ReadAllText(Path.Combine(Shims, "b")), StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(Shims, "b")));

        // a now runs another target: renamed over; b gone.
        ahead.Write(Shims, [(new("a", Path.Combine(targets, "a2")), ShimKind.Symlink)], ShimPlatform.Posix);
        Assert.Equal(generation, ShimWriter.CurrentGeneration(Shims));
        Assert.Equal(["a"], Names(Shims));
        Assert.Equal(Path.Combine("..", "deployments", "a2"), new FileInfo(a).LinkTarget);
        Assert.Equal(ExpectedEntries, Names(_dir["loc"]).Length - 1); // and deployments/

        // Once another write has swapped the folder, the next one makes a generation of its own again.
        ShimWriter.WriteAll(Shims, [new("c", "/bin/c")], ShimPlatform.Posix);
        ahead.Write(Shims, [(new("d", "/bin/d", ["-d"]), ShimKind.Script)], ShimPlatform.Posix);
        Assert.NotEqual(generation, ShimWriter.CurrentGeneration(Shims));
        Assert.Equal(["d"], Names(Shims));
    }

    [Fact]
    public void Names_differing_only_in_case_cannot_share_a_folder()
    {
        var ex = Assert.Throws<PacksterException>(() => ShimWriter.WriteAll(Shims, [new("Tool", "/bin/a"), new("tool", "/bin/b")], ShimPlatform.Posix));
        Assert.Equal(ErrorCode.ResourceConflict, ex.Code);
    }
}
