namespace Packster.Locations;

/// <summary>
/// Durability on POSIX. <see cref="Flush"/> fsyncs a directory so a rename in it is on disk (.NET cannot open a
/// directory as a file). <see cref="FlushTree"/> puts a whole tree's data on disk before it is published or
/// recorded: one <c>syncfs</c> on Linux, else one fsync per file and directory. No-op on Windows, where
/// MoveFileEx is already durable enough for our purpose.
/// </summary>
internal static class DirectorySync
{
    /// <summary>Best effort: the rename itself is already atomic; only its durability across power loss is at stake.</summary>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            _ = PosixFiles.TrySync(directory, out _);
        }
        catch (DllNotFoundException)
        {
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    /// <summary>
    /// Makes every file and directory under <paramref name="root"/> durable (spec/lockfile.md § Durability): after a
    /// power cut the tree holds its whole content, never zero-length or zero-filled files. A write-back error (EIO,
    /// ENOSPC, EDQUOT) is an IOException naming the file; a file that cannot be opened for reading is skipped.
    /// </summary>
    public static void FlushTree(string root) => FlushTrees([root]);

    /// <summary>As <see cref="FlushTree"/> for trees on one file system: one <c>syncfs</c> on Linux for all of them.</summary>
    public static void FlushTrees(IReadOnlyCollection<string> roots)
    {
        if (OperatingSystem.IsWindows() || roots.Count == 0) return;
        try
        {
            if (PosixFiles.TrySyncFileSystem(roots.First())) return;
            foreach (var root in roots) FlushEach(root);
        }
        catch (DllNotFoundException)
        {
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    // Depth first, links never followed: a file's data, then the directories that name it.
    private static void FlushEach(string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null) continue;
            if (entry is DirectoryInfo sub) FlushEach(sub.FullName);
            else SyncOrThrow(entry.FullName);
        }
        SyncOrThrow(directory);
    }

    private static void SyncOrThrow(string path)
    {
        if (PosixFiles.TrySync(path, out var errno) || !IsWriteBackError(errno)) return;
        throw new IOException($"cannot write '{path}' to disk: {PosixFiles.Describe(errno)}", errno);
    }

    // EIO, ENOSPC, EDQUOT (Linux 122, macOS 69): the data did not reach the disk.
    private static bool IsWriteBackError(int errno) => errno is 5 or 28 || errno == (OperatingSystem.IsLinux() ? 122 : 69);
}
