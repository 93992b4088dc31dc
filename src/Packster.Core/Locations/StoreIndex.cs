using System.Globalization;
using System.Text;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Locations;

/// <summary>
/// What a store index says of one package entry: its content, the read-only mode it is stored with, its size, and the
/// object's modification time, status-change time (UTC ticks) and inode as the store last saw them right after a link
/// of its own. <paramref name="Changed"/> and <paramref name="Inode"/> are 0 when the index (of version 1 or 2) does not
/// say them: such an object is hashed before it is linked.
/// </summary>
public sealed record StoredEntry(Sha256Digest Sha256, int Mode, long Size, long Modified, long Changed = 0, ulong Inode = 0);

/// <summary>One entry of a complete store index, in the package's order: a folder, a stored file, or a link and its target.</summary>
public sealed record IndexedEntry(string Path, PackageEntryKind Kind, StoredEntry? File, string? LinkTarget);

/// <summary>
/// A package's store index, <c>store/packages/&lt;package sha256&gt;</c> (spec/lockfile.md § Extracted-file store).
/// Version 1 lists the stored files; version 2 lists every entry in the package's order and, when every file was
/// stored, the SHA-256 of the package's manifest: only such a <em>complete</em> index can deploy the package alone.
/// Version 3 is version 2 with each object's status-change time and inode, so that an object written in place (which
/// moves its status-change time, whatever times are put back) is hashed before it is linked again.
/// </summary>
public sealed class StoreIndex
{
    internal const string Header1 = "packster-store-index 1";
    internal const string Header2 = "packster-store-index 2";
    internal const string Header3 = "packster-store-index 3";
    internal const string ReadOnlyFileModeText = "444";
    internal const string ReadOnlyExecutableModeText = "555";

    private StoreIndex(Dictionary<string, StoredEntry> files, List<IndexedEntry>? entries, Sha256Digest? manifest)
    {
        Files = files;
        Entries = entries;
        Manifest = manifest;
    }

    /// <summary>Entry path → stored content, for every file the index lists.</summary>
    public IReadOnlyDictionary<string, StoredEntry> Files { get; }

    /// <summary>Every entry of the package in its order, when the index is complete; else null.</summary>
    public IReadOnlyList<IndexedEntry>? Entries { get; }

    /// <summary>The SHA-256 of the package's manifest bytes, when the index is complete; else null.</summary>
    public Sha256Digest? Manifest { get; }

    /// <summary>Reads an index's lines; null when they are not an index this version understands.</summary>
    public static StoreIndex? Parse(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0) return null;
        var files = new Dictionary<string, StoredEntry>(StringComparer.Ordinal);
        if (lines[0] == Header1)
        {
            for (var i = 1; i < lines.Count; i++)
            {
                if (ParseFile(lines[i]) is not { } file) return null;
                files[file.Path] = file.Entry;
            }
            return new StoreIndex(files, null, null);
        }
        var stamped = lines[0] == Header3;
        if (!stamped && lines[0] != Header2) return null;
        var first = 1;
        Sha256Digest? manifest = null;
        if (lines.Count > 1 && lines[1].StartsWith("manifest ", StringComparison.Ordinal))
        {
            if (!Sha256Digest.TryParse(lines[1]["manifest ".Length..], out var m)) return null;
            manifest = m;
            first = 2;
        }
        var entries = new List<IndexedEntry>(lines.Count - first);
        for (var i = first; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length < 3 || line[1] != ' ') return null;
            switch (line[0])
            {
                case 'd':
                    entries.Add(new IndexedEntry(line[2..], PackageEntryKind.Directory, null, null));
                    break;
                case 'l':
                    // l <target as hex of its UTF-8> <path>: the path last, so it may hold spaces.
                    var space = line.IndexOf(' ', 2);
                    if (space < 0 || !TryFromHex(line.AsSpan(2, space - 2), out var target)) return null;
                    entries.Add(new IndexedEntry(line[(space + 1)..], PackageEntryKind.Symlink, null, target));
                    break;
                case 'f':
                    if (ParseFile(line.AsSpan(2), stamped) is not { } file) return null;
                    files[file.Path] = file.Entry;
                    entries.Add(new IndexedEntry(file.Path, PackageEntryKind.File, file.Entry, null));
                    break;
                default:
                    return null;
            }
        }
        return new StoreIndex(files, manifest is null ? null : entries, manifest);
    }

    // <sha256> <444|555> <size> <mtime ticks> [<ctime ticks> <inode>] <path>: the path last, so it may hold spaces. Read
    // as spans: an index holds a line per file, and only the path needs a string of its own.
    private static (string Path, StoredEntry Entry)? ParseFile(ReadOnlySpan<char> line, bool stamped = false)
    {
        if (line.Length < 64 + 1 + 3 + 1 || line[64] != ' ' || line[68] != ' ' || !Sha256Digest.TryParse(line[..64].ToString(), out var sha)) return null;
        var modeText = line.Slice(65, 3);
        int mode;
        if (modeText.SequenceEqual(ReadOnlyFileModeText)) mode = ExtractedFileStore.ReadOnlyFileMode;
        else if (modeText.SequenceEqual(ReadOnlyExecutableModeText)) mode = ExtractedFileStore.ReadOnlyExecutableMode;
        else return null;
        var rest = line[69..];
        var space = rest.IndexOf(' ');
        if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var size)) return null;
        rest = rest[(space + 1)..];
        space = rest.IndexOf(' ');
        if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var modified)) return null;
        long changed = 0;
        ulong inode = 0;
        if (stamped)
        {
            rest = rest[(space + 1)..];
            space = rest.IndexOf(' ');
            if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out changed)) return null;
            rest = rest[(space + 1)..];
            space = rest.IndexOf(' ');
            if (space < 0 || !ulong.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out inode)) return null;
        }
        var path = rest[(space + 1)..];
        if (path.IsEmpty) return null;
        return (path.ToString(), new StoredEntry(sha, mode, size, modified, changed, inode));
    }

    private static bool TryFromHex(ReadOnlySpan<char> hex, out string text)
    {
        text = "";
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromHexString(hex));
            return true;
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return false;
        }
    }
}

/// <summary>Builds a version 3 store index from a deployment's entries, in their order.</summary>
internal sealed class StoreIndexWriter
{
    private readonly StringBuilder _body = new();
    private bool _complete = true;

    /// <summary>Adds <paramref name="entry"/>; for a regular file, <paramref name="stored"/> is its object's stamp, or null when it could not be stored.</summary>
    public void Add(ExtractedFile entry, FileStamp? stored)
    {
        switch (entry.Kind)
        {
            case PackageEntryKind.Directory:
                _body.Append("d ").Append(entry.Path).Append('\n');
                break;
            case PackageEntryKind.Symlink:
                _body.Append("l ").Append(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(entry.LinkTarget ?? ""))).Append(' ').Append(entry.Path).Append('\n');
                break;
            default:
                if (stored is not { } stamp || entry.Sha256 is not { } sha)
                {
                    _complete = false;
                    break;
                }
                AddFile(entry.Path, sha, entry.Mode, entry.Size, stamp.ModifiedTicks, stamp.ChangedTicks, stamp.Inode);
                break;
        }
    }

    /// <summary>Adds <paramref name="entry"/> of a complete index; a file with its object's stamp now <paramref name="stored"/> when given, else as the index had it.</summary>
    public void Add(IndexedEntry entry, FileStamp? stored)
    {
        if (entry is not { Kind: PackageEntryKind.File, File: { } file })
        {
            Add(new ExtractedFile(entry.Path, entry.Kind, null, 0, 0, entry.LinkTarget), null);
            return;
        }
        if (stored is { } stamp) AddFile(entry.Path, file.Sha256, file.Mode, file.Size, stamp.ModifiedTicks, stamp.ChangedTicks, stamp.Inode);
        else AddFile(entry.Path, file.Sha256, file.Mode, file.Size, file.Modified, file.Changed, file.Inode);
    }

    private void AddFile(string path, Sha256Digest sha, int mode, long size, long modified, long changed, ulong inode) =>
        _body.Append("f ").Append(sha.Hex).Append(' ')
            .Append(mode == ExtractedFileStore.ReadOnlyFileMode ? StoreIndex.ReadOnlyFileModeText : StoreIndex.ReadOnlyExecutableModeText).Append(' ')
            .Append(size.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(modified.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(changed.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(inode.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(path).Append('\n');

    /// <summary>The index text; it names <paramref name="manifest"/> only when every file was stored.</summary>
    public string ToText(Sha256Digest manifest)
    {
        var head = StoreIndex.Header3 + "\n" + (_complete ? "manifest " + manifest.Hex + "\n" : "");
        return head + _body;
    }
}
