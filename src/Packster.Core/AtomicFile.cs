using System.Text;
using Packster.Locations;

namespace Packster;

/// <summary>
/// Replaces a file so that a crash at any moment leaves either the old or the new content, never a mix: write a temp
/// file in the same directory, flush it to disk, then rename it over the target (rename is atomic within a volume).
/// </summary>
public static class AtomicFile
{
    /// <summary>Temp files are named <c>{file name}.{random}.tmp</c>; recovery removes leftovers of that shape.</summary>
    public const string TempSuffix = ".tmp";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a BOM; <paramref name="mode"/> (POSIX) is set before the rename.</summary>
    public static void WriteAllText(string path, string text, UnixFileMode? mode = null) => Write(path, Utf8.GetBytes(text), mode);

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null) => Write(path, content, [], mode);

    /// <summary>Writes <paramref name="first"/>, then each of <paramref name="rest"/>, as one file: no buffer is made to join them.</summary>
    public static void Write(string path, ReadOnlySpan<byte> first, IReadOnlyList<ReadOnlyMemory<byte>> rest, UnixFileMode? mode = null) =>
        Write(path, first, rest, mode, durable: true);

    /// <summary>
    /// As <see cref="Write(string, ReadOnlySpan{byte}, UnixFileMode?)"/> (a temp file renamed over the target, so a link
    /// there is replaced, never written through), without flushing the file or its folder: for a file inside a tree that
    /// is made durable as a whole before anything records it (a staged deployment, spec/lockfile.md § Durability).
    /// </summary>
    public static void WriteInDurableTree(string path, ReadOnlySpan<byte> content) => Write(path, content, [], null, durable: false);

    private static void Write(string path, ReadOnlySpan<byte> first, IReadOnlyList<ReadOnlyMemory<byte>> rest, UnixFileMode? mode, bool durable) =>
        Stage(path, first, rest, mode, durable).Place(durable);

    /// <summary>
    /// The first half of <see cref="Write(string, ReadOnlySpan{byte}, UnixFileMode?)"/>: <paramref name="content"/> written
    /// and flushed to disk under a temp name beside <paramref name="path"/>, not yet in its place. <see cref="StagedFile.Place"/>
    /// renames it over the target and flushes the folder; <see cref="StagedFile.Discard"/> removes it. A commit stages
    /// its lockfile while it still waits for the disk, so that only the rename is left for the commit itself; a temp a
    /// crash leaves between the two has the shape recovery removes (spec/lockfile.md § Recovery).
    /// </summary>
    public static StagedFile Stage(string path, ReadOnlySpan<byte> content) => Stage(path, content, [], null, durable: true);

    private static StagedFile Stage(string path, ReadOnlySpan<byte> first, IReadOnlyList<ReadOnlyMemory<byte>> rest, UnixFileMode? mode, bool durable)
    {
        ArgumentNullException.ThrowIfNull(rest);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = TempPathFor(path);
        try
        {
            using (var stream = CreateTemp(temp, dir))
            {
                stream.Write(first);
                foreach (var part in rest) stream.Write(part.Span);
                stream.Flush(flushToDisk: durable);
            }
            if (mode is { } m && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, m);
        }
        catch (IOException e) when (e.Message.Contains(temp, StringComparison.Ordinal))
        {
            TryDelete(temp);
            throw Naming(e, temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        return new StagedFile(path, temp, dir);
    }

    /// <summary>
    /// <paramref name="e"/>, met writing or renaming <paramref name="temp"/> for <paramref name="path"/>, naming the file
    /// asked for: the temp file's name means nothing to whoever asked for it.
    /// </summary>
    internal static IOException Naming(IOException e, string temp, string path)
    {
        var message = e.Message.Replace(temp, path, StringComparison.Ordinal);
        return e switch
        {
            DirectoryNotFoundException => new DirectoryNotFoundException(message, e) { HResult = e.HResult },
            FileNotFoundException => new FileNotFoundException(message, e) { HResult = e.HResult },
            _ => new IOException(message, e) { HResult = e.HResult },
        };
    }

    /// <summary>
    /// Creates the temp file beside the target. A folder that exists but takes no new name (<c>/proc/self</c>: the
    /// file system answers "no such file") is said as such: the target itself may well exist, and "it does not exist"
    /// would send whoever reads the error looking in the wrong place.
    /// </summary>
    private static FileStream CreateTemp(string temp, string dir)
    {
        try
        {
            return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
        }
        catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException && Directory.Exists(dir))
        {
            throw new IOException($"its folder '{dir}' does not allow creating a file there (the new content is written to a temp file beside it, then renamed over it)", e)
            {
                HResult = e.HResult,
            };
        }
    }

    /// <summary>
    /// As <see cref="Write(string, ReadOnlySpan{byte}, UnixFileMode?)"/>, unless the file holds exactly
    /// <paramref name="content"/> already; returns whether it wrote. A file at its final name came there whole and synced
    /// (by a rename after <c>fsync</c>), so leaving it is as durable as writing it again — and a commit that does not
    /// change the active set no longer writes, syncs and renames every activation script (about 0.7 ms each here).
    /// </summary>
    /// <remarks>
    /// With <paramref name="durable"/> false the file and its folder are not flushed (the temp file and the rename
    /// remain): for a file whose loss or emptiness after a crash only costs work — the generation marker, which a reader
    /// finds not to match and then regenerates what it marks.
    /// </remarks>
    public static bool WriteIfChanged(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null, bool durable = true)
    {
        if (Holds(path, content)) return false;
        Write(path, content, [], mode, durable);
        return true;
    }

    /// <summary>
    /// As <see cref="WriteIfChanged(string, ReadOnlySpan{byte}, UnixFileMode?)"/> for several files, as one batch: every
    /// changed file is written as its temp file first, then the temp files are flushed, then each is renamed over its
    /// target, then each folder is flushed once. Each file still goes from whole old to whole new bytes at its rename,
    /// but the flushes follow each other with nothing written between them, so the file system commits its journal
    /// about twice for the batch instead of twice per file. Returns how many files were written.
    /// </summary>
    public static int WriteIfChanged(IReadOnlyList<(string Path, byte[] Content)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var changed = files.Where(f => !Holds(f.Path, f.Content)).ToList();
        var temps = new List<string>();
        var renamed = 0;
        try
        {
            var streams = new List<FileStream>();
            try
            {
                foreach (var (path, content) in changed)
                {
                    temps.Add(TempPathFor(path));
                    streams.Add(new FileStream(temps[^1], FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None));
                    streams[^1].Write(content);
                }
                foreach (var stream in streams) stream.Flush(flushToDisk: true);
            }
            finally
            {
                foreach (var stream in streams) stream.Dispose();
            }
            for (; renamed < temps.Count; renamed++)
            {
                CrashPoint.Hit("atomic-write.before-rename");
                File.Move(temps[renamed], changed[renamed].Path, overwrite: true);
            }
        }
        catch
        {
            foreach (var temp in temps.Skip(renamed)) TryDelete(temp);
            throw;
        }
        foreach (var dir in changed.Select(f => Path.GetDirectoryName(Path.GetFullPath(f.Path))!).Distinct(StringComparer.Ordinal)) DirectorySync.Flush(dir);
        return changed.Count;
    }

    /// <summary><c>{file name}.{random}.tmp</c> beside <paramref name="path"/>.</summary>
    private static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $"{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");

    private static bool Holds(string path, ReadOnlySpan<byte> content)
    {
        if (!File.Exists(path)) return false;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(content.Length + 1);
        try
        {
            // Not a regular file (a FIFO, whose open would wait for a writer): it holds nothing, and is replaced.
            using var handle = RegularFile.TryOpen(path, out _);
            if (handle is null || RandomAccess.GetLength(handle) != content.Length) return false;
            var read = 0;
            while (read <= content.Length)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(read, content.Length + 1 - read), read);
                if (n == 0) break;
                read += n;
            }
            return read == content.Length && buffer.AsSpan(0, read).SequenceEqual(content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>Whether <paramref name="name"/> has the shape of a temp file this class names: <c>{file name}.{32 hex}.tmp</c>.</summary>
    public static bool IsTempName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.EndsWith(TempSuffix, StringComparison.Ordinal)) return false;
        var stem = name.AsSpan(0, name.Length - TempSuffix.Length);
        var dot = stem.LastIndexOf('.');
        return dot >= 0 && stem.Length - dot - 1 == 32 && !stem[(dot + 1)..].ContainsAnyExcept(LowerHex);
    }

    /// <summary>Deletes <paramref name="path"/> (if there) and the temp files an interrupted write of it left beside it.</summary>
    public static void DeleteWithTemps(string path)
    {
        File.Delete(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory)) return;
        foreach (var temp in Directory.EnumerateFiles(directory, TempPattern(Path.GetFileName(path))))
        {
            File.Delete(temp);
        }
    }

    /// <summary>The pattern that matches leftover temp files of <paramref name="fileName"/>.</summary>
    public static string TempPattern(string fileName) => fileName + ".*" + TempSuffix;

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A file written and flushed under a temp name beside its target, not yet in place (<see cref="AtomicFile.Stage"/>).</summary>
public sealed class StagedFile
{
    private readonly string _temp;
    private readonly string _directory;

    internal StagedFile(string path, string temp, string directory)
    {
        Path = path;
        _temp = temp;
        _directory = directory;
    }

    /// <summary>The file it replaces when placed.</summary>
    public string Path { get; }

    /// <summary>Renames it over <see cref="Path"/>, then, with <paramref name="durable"/>, flushes the folder; once only.</summary>
    public void Place(bool durable = true)
    {
        try
        {
            CrashPoint.Hit("atomic-write.before-rename");
            File.Move(_temp, Path, overwrite: true);
        }
        catch (IOException e) when (e.Message.Contains(_temp, StringComparison.Ordinal))
        {
            AtomicFile.TryDelete(_temp);
            throw AtomicFile.Naming(e, _temp, Path);
        }
        catch
        {
            AtomicFile.TryDelete(_temp);
            throw;
        }
        if (durable) DirectorySync.Flush(_directory);
    }

    /// <summary>Removes it, when it was not placed (best effort: what is left has the shape recovery removes).</summary>
    public void Discard() => AtomicFile.TryDelete(_temp);
}
