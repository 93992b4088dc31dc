using Packster.Core.Tests.Handlers;
using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Extracted-file store, "Deploying from the store alone": an object is looked up by its one name
/// under <c>objects/</c> opened once, and proven by the stamp the index has (size, modification time, owner); the link
/// is made by its path in the deployment. <see cref="PosixFiles.TryStampAt"/> must say what <see cref="FileStamp.Of(string, out uint?)"/>
/// says of the whole path, and <see cref="PosixFiles.LinkAt"/> what link(2) does.
/// </summary>
public sealed class StampAtTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("packster-stamp-at-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [LinuxOnlyFact("statx and linkat are asked for on Linux; elsewhere the store links by whole paths")]
    public void A_stamp_by_name_is_the_stamp_by_path_for_files_links_and_directories()
    {
        File.WriteAllText(Path.Combine(_root, "file"), "some bytes");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(_root, "file"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherExecute);
        File.SetLastWriteTimeUtc(Path.Combine(_root, "file"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(1234567));
        Directory.CreateDirectory(Path.Combine(_root, "dir"));
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "file");
        File.CreateSymbolicLink(Path.Combine(_root, "dangling"), "nowhere");

        var directory = PosixFiles.OpenDirectory(_root);
        try
        {
            Assert.True(directory >= 0);
            foreach (var name in new[] { "file", "dir", "link", "dangling" })
            {
                var byPath = FileStamp.Of(Path.Combine(_root, name), out var owner);
                Assert.True(PosixFiles.TryStampAt(directory, name, out var byName, out var ownerByName));
                Assert.Equal(byPath, byName);
                Assert.Equal(owner, ownerByName);
            }
            Assert.Equal(FileStampKind.Link, FileStamp.Of(Path.Combine(_root, "link"), out _).Kind);
            Assert.False(PosixFiles.TryStampAt(directory, "missing", out _, out _));
            Assert.False(PosixFiles.TryStampAt(directory, "file/below", out _, out _));
        }
        finally
        {
            PosixFiles.Close(directory);
        }
    }

    [LinuxOnlyFact("linkat is asked for on Linux only")]
    public void A_link_by_names_is_one_inode_and_never_replaces_or_follows()
    {
        File.WriteAllText(Path.Combine(_root, "object"), "bytes");
        Directory.CreateDirectory(Path.Combine(_root, "deployment", "sub"));
        File.WriteAllText(Path.Combine(_root, "taken"), "other");
        File.CreateSymbolicLink(Path.Combine(_root, "symlink"), "object");

        var objects = PosixFiles.OpenDirectory(_root);
        var deployment = PosixFiles.OpenDirectory(Path.Combine(_root, "deployment"));
        try
        {
            Assert.Equal(0, PosixFiles.LinkAt(objects, "object", deployment, "sub/linked"));
            Assert.Equal(FileStamp.Of(Path.Combine(_root, "object")).Inode, FileStamp.Of(Path.Combine(_root, "deployment", "sub", "linked")).Inode);
            // EEXIST: a name already there is kept as it is.
            Assert.Equal(17, PosixFiles.LinkAt(objects, "taken", deployment, "sub/linked"));
            Assert.Equal("bytes", File.ReadAllText(Path.Combine(_root, "deployment", "sub", "linked")));
            // ENOENT: no object, nothing made.
            Assert.Equal(2, PosixFiles.LinkAt(objects, "missing", deployment, "sub/other"));
            Assert.False(File.Exists(Path.Combine(_root, "deployment", "sub", "other")));
            // A symbolic link is linked as itself, never what it leads to (as link(2) on Linux).
            Assert.Equal(0, PosixFiles.LinkAt(objects, "symlink", deployment, "as-link"));
            Assert.Equal(FileStampKind.Link, FileStamp.Of(Path.Combine(_root, "deployment", "as-link")).Kind);
        }
        finally
        {
            PosixFiles.Close(deployment);
            PosixFiles.Close(objects);
        }
    }

    [LinuxOnlyFact("mkdirat is asked for on Linux only")]
    public void A_folder_made_by_its_path_below_an_open_folder_fails_on_anything_there()
    {
        Directory.CreateDirectory(Path.Combine(_root, "deployment"));
        File.WriteAllText(Path.Combine(_root, "deployment", "file"), "x");
        File.CreateSymbolicLink(Path.Combine(_root, "deployment", "link"), "..");
        var deployment = PosixFiles.OpenDirectory(Path.Combine(_root, "deployment"));
        try
        {
            Assert.Equal(0, PosixFiles.MakeDirectoryAt(deployment, "lib", "unused", 0x1ED));
            Assert.Equal(0, PosixFiles.MakeDirectoryAt(deployment, "lib/python", "unused", 0x1ED));
            Assert.True(Directory.Exists(Path.Combine(_root, "deployment", "lib", "python")));
            // EEXIST for a folder, a file and a link there (never followed); ENOENT without the parent.
            Assert.Equal(17, PosixFiles.MakeDirectoryAt(deployment, "lib", "unused", 0x1ED));
            Assert.Equal(17, PosixFiles.MakeDirectoryAt(deployment, "file", "unused", 0x1ED));
            Assert.Equal(17, PosixFiles.MakeDirectoryAt(deployment, "link", "unused", 0x1ED));
            Assert.Equal(2, PosixFiles.MakeDirectoryAt(deployment, "none/below", "unused", 0x1ED));
        }
        finally
        {
            PosixFiles.Close(deployment);
        }
        // Without an open folder, by the whole path.
        Assert.Equal(0, PosixFiles.MakeDirectoryAt(-1, "unused", Path.Combine(_root, "whole"), 0x1ED));
        Assert.True(Directory.Exists(Path.Combine(_root, "whole")));
    }

    [Fact]
    public void Without_an_open_directory_there_is_no_answer() =>
        Assert.Null(PosixFiles.TryStampAt(-1, "file", out _, out _));
}
