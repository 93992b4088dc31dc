using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Locations;

/// <summary>
/// What <c>verify --quick</c> remembers of one deployment (spec/lockfile.md § Quick verify): per file, the size,
/// modification time, status-change time and inode it had when it was last proven equal to its record, the XXH128 of
/// those bytes, and the SHA-256 the record held then. It is a cache, never an authority: an entry counts only while
/// the record still names the same SHA-256, a file whose metadata moved is read again, and a missing or unreadable
/// index (or one of an earlier format) means "read everything", exactly as <c>verify</c> does.
/// </summary>
internal static class QuickVerifyIndex
{
    /// <summary>
    /// One remembered file; <see cref="ModifiedTicks"/> and <see cref="ChangedTicks"/> are the UTC last-write and
    /// status-change times in 100 ns ticks (<see cref="FileStamp"/>: 0 where the OS does not say, with the inode).
    /// </summary>
    public sealed record Entry(string Path, Sha256Digest Sha256, long Size, long ModifiedTicks, long ChangedTicks, ulong Inode, UInt128 XxHash128)
    {
        public static Entry Of(string path, Sha256Digest sha256, FileStamp stamp, UInt128 xxHash128) =>
            new(path, sha256, stamp.Size, stamp.ModifiedTicks, stamp.ChangedTicks, stamp.Inode, xxHash128);

        /// <summary>Whether the file still has the metadata it had when these bytes were proven.</summary>
        public bool Matches(FileStamp stamp) =>
            Size == stamp.Size && ModifiedTicks == stamp.ModifiedTicks && ChangedTicks == stamp.ChangedTicks && Inode == stamp.Inode;

        /// <summary>This entry for the same bytes found again under new metadata.</summary>
        public Entry StampedWith(FileStamp stamp) => this with { ModifiedTicks = stamp.ModifiedTicks, ChangedTicks = stamp.ChangedTicks, Inode = stamp.Inode };
    }

    /// <summary>
    /// A folder of the deployment as a complete listing found it: its '/'-separated path ("." for the deployment
    /// itself) and the times and inode of one <c>lstat</c> taken before it was listed. While all of a deployment's folders
    /// keep theirs, no entry was added to, removed from or renamed in any of them (each of those moves the folder's
    /// ctime), so the deployment holds exactly the recorded paths and a quick run need not list them again.
    /// </summary>
    public sealed record Folder(string Path, long ModifiedTicks, long ChangedTicks, ulong Inode)
    {
        public static Folder Of(string path, FileStamp stamp) => new(path, stamp.ModifiedTicks, stamp.ChangedTicks, stamp.Inode);

        public bool Matches(FileStamp stamp) =>
            stamp.Kind == FileStampKind.Directory && ModifiedTicks == stamp.ModifiedTicks && ChangedTicks == stamp.ChangedTicks && Inode == stamp.Inode;
    }

    /// <summary>
    /// The deployment's record as a run that found every recorded file intact saw it: its size, times and inode from one
    /// <c>lstat</c> taken before it was read, and how many files it lists (the index's file lines, then). While the
    /// record keeps them, it lists exactly those files with those hashes, and a run whose folders and files are all
    /// unchanged as well needs nothing of it but its header (spec/lockfile.md § Quick verify, "Record").
    /// </summary>
    public sealed record RecordStamp(int Files, long Size, long ModifiedTicks, long ChangedTicks, ulong Inode)
    {
        public static RecordStamp Of(int files, FileStamp stamp) => new(files, stamp.Size, stamp.ModifiedTicks, stamp.ChangedTicks, stamp.Inode);

        public bool Matches(FileStamp stamp) =>
            stamp.Kind == FileStampKind.File && stamp.Inode != 0 && Size == stamp.Size && ModifiedTicks == stamp.ModifiedTicks
            && ChangedTicks == stamp.ChangedTicks && Inode == stamp.Inode;
    }

    /// <summary>
    /// The bytes of <paramref name="indexFile"/>; null when it cannot be read (no index: read everything). Anything but
    /// a regular file there (a FIFO, a device, a folder) is no index, and is never opened: a FIFO's open would wait for a
    /// writer. One put there after that look is opened without waiting (<see cref="RegularFile"/>) and left unread.
    /// </summary>
    public static byte[]? Load(string indexFile)
    {
        try
        {
            return FileKinds.OfTarget(indexFile) == FileKind.Regular ? RegularFile.TryReadAllBytes(indexFile, out _) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The folder lines of an index (format 3 writes them first, and only after a complete listing), or null when it has
    /// none or does not parse: then the deployment is listed.
    /// </summary>
    public static List<Folder>? Folders(byte[]? bytes)
    {
        ReadOnlySpan<byte> rest = bytes;
        if (rest.StartsWith(HeaderLine)) rest = rest[HeaderLine.Length..];
        else if (rest.StartsWith(HeaderLine3)) rest = rest[HeaderLine3.Length..];
        else return null;
        if (rest.StartsWith(RecordPrefix)) NextLine(ref rest);
        var folders = new List<Folder>();
        while (rest.StartsWith(FolderPrefix))
        {
            var line = NextLine(ref rest)[FolderPrefix.Length..];
            if (!Field(ref line, out var modified) || !long.TryParse(modified, NumberStyles.None, CultureInfo.InvariantCulture, out var modifiedValue)
                || !Field(ref line, out var changed) || !long.TryParse(changed, NumberStyles.None, CultureInfo.InvariantCulture, out var changedValue)
                || !Field(ref line, out var inode) || !ulong.TryParse(inode, NumberStyles.None, CultureInfo.InvariantCulture, out var inodeValue)
                || line.IsEmpty)
            {
                return null;
            }
            folders.Add(new Folder(Encoding.UTF8.GetString(line), modifiedValue, changedValue, inodeValue));
        }
        return folders.Count == 0 ? null : folders;
    }

    /// <summary>The record line of an index (format 4 writes it first, and only after a run that found everything intact); else null.</summary>
    public static RecordStamp? Record(byte[]? bytes)
    {
        ReadOnlySpan<byte> rest = bytes;
        if (!rest.StartsWith(HeaderLine)) return null;
        rest = rest[HeaderLine.Length..];
        if (!rest.StartsWith(RecordPrefix)) return null;
        var line = NextLine(ref rest)[RecordPrefix.Length..];
        return Field(ref line, out var files) && int.TryParse(files, NumberStyles.None, CultureInfo.InvariantCulture, out var filesValue)
            && Field(ref line, out var size) && long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var sizeValue)
            && Field(ref line, out var modified) && long.TryParse(modified, NumberStyles.None, CultureInfo.InvariantCulture, out var modifiedValue)
            && Field(ref line, out var changed) && long.TryParse(changed, NumberStyles.None, CultureInfo.InvariantCulture, out var changedValue)
            && ulong.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var inodeValue)
            ? new RecordStamp(filesValue, sizeValue, modifiedValue, changedValue, inodeValue)
            : null;
    }

    /// <summary>
    /// Whether the index holds exactly <paramref name="count"/> file lines and every one of those files under
    /// <paramref name="root"/> is a regular file with the size, times and inode its line remembers: one <c>lstat</c> each,
    /// on every core, and no string made of a path. False at the first line that does not parse or file that moved.
    /// </summary>
    public static bool FilesUnchanged(byte[] bytes, string root, int count)
    {
        var lines = new List<(int Start, int Length)>(count);
        ReadOnlySpan<byte> all = bytes;
        var rest = all;
        if (rest.StartsWith(HeaderLine)) rest = rest[HeaderLine.Length..];
        else return false;
        if (rest.StartsWith(RecordPrefix)) NextLine(ref rest);
        while (rest.StartsWith(FolderPrefix)) NextLine(ref rest);
        while (!rest.IsEmpty)
        {
            var start = all.Length - rest.Length;
            lines.Add((start, NextLine(ref rest).Length));
        }
        if (lines.Count != count) return false;
        var moved = 0;
        Parallelism.Strided(lines.Count, 256, i =>
        {
            if (Volatile.Read(ref moved) != 0) return;
            var (start, length) = lines[i];
            if (!Unchanged(bytes.AsSpan(start, length), root)) Interlocked.Exchange(ref moved, 1);
        });
        return moved == 0;
    }

    [ThreadStatic]
    private static char[]? t_path;

    private static bool Unchanged(ReadOnlySpan<byte> line, string root)
    {
        if (!TryParse(line, out var fields)) return false;
        var path = t_path is { } buffer && buffer.Length >= fields.Path.Length ? buffer : t_path = new char[Math.Max(256, fields.Path.Length)];
        var name = path.AsSpan(0, Encoding.UTF8.GetChars(fields.Path, path));
        var stamp = FileStamp.Of(root, name, isDirectory: false);
        return stamp.Kind == FileStampKind.File && stamp.Inode != 0 && stamp.Size == fields.Size && stamp.ModifiedTicks == fields.Modified
            && stamp.ChangedTicks == fields.Changed && stamp.Inode == fields.Inode;
    }

    /// <summary>
    /// The entries of the index <paramref name="bytes"/> (<see cref="Load"/>) for <paramref name="files"/> (a record's,
    /// in its path order), by position: null where the index has none for that path <em>and</em> SHA-256; and how many
    /// file lines it holds. All null and 0 when there is no index or it does not parse.
    /// </summary>
    /// <remarks>
    /// Both lists are in ordinal path order, so they are walked together, field by field from the bytes: an entry takes
    /// the record's own path and digest, and nothing else is made of a line. A quick run is mostly this, the record and a
    /// directory walk, and every string made here had cost more than the file system calls it saves. A record out of
    /// order (written by hand) only makes entries be missed, and their files read.
    /// </remarks>
    public static (Entry?[] Entries, int Count) Read(byte[]? bytes, IReadOnlyList<DeploymentFile> files)
    {
        var entries = new Entry?[files.Count];
        ReadOnlySpan<byte> rest = bytes;
        if (rest.StartsWith(HeaderLine)) rest = rest[HeaderLine.Length..];
        else if (rest.StartsWith(HeaderLine3)) rest = rest[HeaderLine3.Length..];
        else if (rest.StartsWith(HeaderLine2)) rest = rest[HeaderLine2.Length..];
        else return (entries, 0);
        if (rest.StartsWith(RecordPrefix)) NextLine(ref rest);
        while (rest.StartsWith(FolderPrefix)) NextLine(ref rest);
        var path = new char[256];
        int count = 0, next = 0;
        while (!rest.IsEmpty)
        {
            if (!TryParse(NextLine(ref rest), out var fields)) return (new Entry?[files.Count], 0);
            count++;
            if (path.Length < fields.Path.Length) path = new char[fields.Path.Length];
            var name = path.AsSpan(0, Encoding.UTF8.GetChars(fields.Path, path));
            while (next < files.Count && files[next].Path.AsSpan().SequenceCompareTo(name) < 0) next++;
            if (next < files.Count && files[next] is var file && file.Path.AsSpan().SequenceEqual(name) && System.Text.Ascii.Equals(fields.Sha256, file.Sha256.Hex))
            {
                entries[next] = new Entry(file.Path, file.Sha256, fields.Size, fields.Modified, fields.Changed, fields.Inode, fields.XxHash128);
            }
        }
        return (entries, count);
    }

    private static ReadOnlySpan<byte> HeaderLine => "packster-verify-index 4\n"u8;

    /// <summary>Format 3: no record line (read for its folder and file lines, never written).</summary>
    private static ReadOnlySpan<byte> HeaderLine3 => "packster-verify-index 3\n"u8;

    /// <summary>Format 2: the same file lines, no folder lines (read, never written).</summary>
    private static ReadOnlySpan<byte> HeaderLine2 => "packster-verify-index 2\n"u8;

    private static ReadOnlySpan<byte> FolderPrefix => "dir\t"u8;

    private static ReadOnlySpan<byte> RecordPrefix => "record\t"u8;

    private ref struct Fields
    {
        public ReadOnlySpan<byte> Sha256;
        public UInt128 XxHash128;
        public long Size;
        public long Modified;
        public long Changed;
        public ulong Inode;
        public ReadOnlySpan<byte> Path;
    }

    // sha256 \t xxh128 \t size \t mtime \t ctime \t inode \t path (the path last: the only field that may hold a tab)
    private static bool TryParse(ReadOnlySpan<byte> line, out Fields fields)
    {
        fields = default;
        if (!Field(ref line, out var sha) || sha.Length != Sha256Digest.HexLength || sha.IndexOfAnyExcept(LowerHex) >= 0
            || !Field(ref line, out var xxHex) || xxHex.Length != 32
            || !UInt128.TryParse(xxHex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var xx)
            || !Field(ref line, out var size) || !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var sizeValue)
            || !Field(ref line, out var modified) || !long.TryParse(modified, NumberStyles.None, CultureInfo.InvariantCulture, out var modifiedValue)
            || !Field(ref line, out var changed) || !long.TryParse(changed, NumberStyles.None, CultureInfo.InvariantCulture, out var changedValue)
            || !Field(ref line, out var inode) || !ulong.TryParse(inode, NumberStyles.None, CultureInfo.InvariantCulture, out var inodeValue)
            || line.IsEmpty)
        {
            return false;
        }
        fields = new Fields
        {
            Sha256 = sha, XxHash128 = xx, Size = sizeValue, Modified = modifiedValue, Changed = changedValue, Inode = inodeValue, Path = line,
        };
        return true;
    }

    /// <summary>Takes the next line (without its '\n') off <paramref name="rest"/>.</summary>
    private static ReadOnlySpan<byte> NextLine(scoped ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf((byte)'\n');
        var line = end < 0 ? rest : rest[..end];
        rest = end < 0 ? default : rest[(end + 1)..];
        return line;
    }

    /// <summary>Takes the text up to the next tab off <paramref name="line"/>; false when there is no tab.</summary>
    private static bool Field(scoped ref ReadOnlySpan<byte> line, out ReadOnlySpan<byte> field)
    {
        var tab = line.IndexOf((byte)'\t');
        field = tab < 0 ? default : line[..tab];
        line = tab < 0 ? default : line[(tab + 1)..];
        return tab >= 0;
    }

    private static readonly System.Buffers.SearchValues<byte> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef"u8);

    /// <summary>
    /// Replaces the index atomically; false when it cannot be written (the next quick run then reads more).
    /// <paramref name="folders"/>, when given, are written first: every folder of a listing that found exactly the
    /// recorded paths.
    /// </summary>
    public static bool TryWrite(string indexFile, IEnumerable<Entry> entries, IReadOnlyList<Folder>? folders = null, RecordStamp? record = null)
    {
        var text = new StringBuilder(Encoding.ASCII.GetString(HeaderLine));
        if (record is not null)
        {
            text.Append("record\t")
                .Append(record.Files.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(record.Size.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(record.ModifiedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(record.ChangedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(record.Inode.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        foreach (var f in (folders ?? []).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            if (f.Path.Contains('\n', StringComparison.Ordinal)) return TryWrite(indexFile, entries);
            text.Append("dir\t")
                .Append(f.ModifiedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(f.ChangedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(f.Inode.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(f.Path).Append('\n');
        }
        foreach (var e in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            if (e.Path.Contains('\n', StringComparison.Ordinal)) continue;
            text.Append(e.Sha256.Hex).Append('\t')
                .Append(e.XxHash128.ToString("x32", CultureInfo.InvariantCulture)).Append('\t')
                .Append(e.Size.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(e.ModifiedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(e.ChangedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(e.Inode.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(e.Path).Append('\n');
        }
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(indexFile)!);
            Location.RefuseLink(System.IO.Path.GetDirectoryName(indexFile)!);
            AtomicFile.WriteAllText(indexFile, text.ToString());
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PacksterException)
        {
            return false;
        }
    }

    /// <summary>XXH128 of the whole file.</summary>
    public static UInt128 XxHash(string path)
    {
        var hash = new XxHash128();
        Read(path, chunk => hash.Append(chunk));
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>SHA-256 and XXH128 of the whole file in one read.</summary>
    public static (Sha256Digest Sha256, UInt128 XxHash128) BothHashes(string path)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var xx = new XxHash128();
        Read(path, chunk =>
        {
            sha.AppendData(chunk);
            xx.Append(chunk);
        });
        return (Sha256Digest.FromBytes(sha.GetHashAndReset()), xx.GetCurrentHashAsUInt128());
    }

    private delegate void ChunkAction(ReadOnlySpan<byte> chunk);

    private static void Read(string path, ChunkAction each)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) each(buffer.AsSpan(0, read));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
