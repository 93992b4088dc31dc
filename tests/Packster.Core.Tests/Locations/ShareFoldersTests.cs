using Packster.Core.Tests.Handlers;
using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § System locations: a member's deployment gets the shared folder mode on every folder it holds, and
/// the walk never goes through a link — not to a folder outside (whose mode is not the deployment's to change), and not
/// around a link back up the tree (two such links made the walk grow as two to the power of its depth; one is enough
/// here, the link outside failing the test at once where links are walked through).
/// </summary>
public sealed class ShareFoldersTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("packster-share-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [LinuxOnlyFact("the shared modes are POSIX modes")]
    public void Every_folder_gets_the_shared_mode_and_no_link_is_walked_through()
    {
        if (OperatingSystem.IsWindows()) return;
        var deployment = Path.Combine(_root, "deployment");
        Directory.CreateDirectory(Path.Combine(deployment, "share", "deep"));
        var outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(Path.Combine(outside, "below"));
        File.SetUnixFileMode(outside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Path.Combine(outside, "below"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateSymbolicLink(Path.Combine(deployment, "share", "out"), outside);
        Directory.CreateSymbolicLink(Path.Combine(deployment, "share", "deep", "up"), "..");

        SystemLocations.ShareFolders(deployment);

        const UnixFileMode Shared = (UnixFileMode)0x5FD;  // 02775
        foreach (var folder in new[] { deployment, Path.Combine(deployment, "share"), Path.Combine(deployment, "share", "deep") })
        {
            Assert.Equal(Shared, File.GetUnixFileMode(folder));
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(outside));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(outside, "below")));
    }
}
