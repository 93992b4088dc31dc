using Packster.Core.Tests.Handlers;
using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Readers: a listed deployment's manifest "answers as <c>File.Exists</c> does (links followed, a
/// dangling link is there; a directory there is not a manifest)", looked up by one statx under <c>deployments/</c> on Linux. Each case is held to
/// <see cref="File.Exists"/> of the whole path.
/// </summary>
public sealed class FileExistsAtTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("packster-exists-at-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [LinuxOnlyFact("statx is Linux's; elsewhere the listing asks File.Exists, and FileExistsAt answers null")]
    public void Answers_as_File_Exists_for_files_links_directories_and_nothing()
    {
        var hash = Path.Combine(_root, "abc");
        Directory.CreateDirectory(hash);
        File.WriteAllText(Path.Combine(hash, "file"), "x");
        Directory.CreateDirectory(Path.Combine(hash, "dir"));
        File.CreateSymbolicLink(Path.Combine(hash, "link-to-file"), "file");
        File.CreateSymbolicLink(Path.Combine(hash, "link-to-dir"), "dir");
        File.CreateSymbolicLink(Path.Combine(hash, "dangling"), "nowhere");
        File.WriteAllText(Path.Combine(_root, "plain"), "x");

        var directory = PosixFiles.OpenDirectory(_root);
        try
        {
            Assert.True(directory >= 0);
            var cases = new (string First, string Second, bool Expected)[]
            {
                ("abc", "file", true), ("abc", "link-to-file", true), ("abc", "dir", false), ("abc", "link-to-dir", false),
                ("abc", "dangling", true), ("abc", "missing", false), ("missing", "file", false), ("plain", "file", false),
                ("abc", "é", false),
            };
            foreach (var (first, second, expected) in cases)
            {
                Assert.Equal(expected, File.Exists(Path.Combine(_root, first, second)));
                Assert.Equal(expected, PosixFiles.FileExistsAt(directory, first, second));
            }
        }
        finally
        {
            PosixFiles.Close(directory);
        }
    }

    [Fact]
    public void Without_an_open_directory_there_is_no_answer() =>
        Assert.Null(PosixFiles.FileExistsAt(-1, "abc", "file"));
}
