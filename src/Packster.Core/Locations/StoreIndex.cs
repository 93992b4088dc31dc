using System.Globalization;
using System.Text;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Locations;

/// <summary>What a store index says of one package entry: its content, the read-only mode it is stored with, its size, and the object's modification time (UTC ticks) when stored.</summary>
public sealed record StoredEntry(Sha256Digest Sha256, int Mode, long Size, long Modified);

/// <summary>One entry of a complete store index, in the package's order: a folder, a stored file, or a link and its target.</summary>
public sealed record IndexedEntry(string Path, PackageEntryKind Kind, StoredEntry? File, string? LinkTarget);

/// <summary>
/// A package's store index, <c>store/packages/&lt;package sha256&gt;</c> (spec/lockfile.md § Extracted-file store).
/// Version 1 lists the stored files; version 2 lists every entry in the package's order and, when every file was
/// stored, the SHA-256 of the package's manifest: only such a <em>complete</em> index can deploy the package alone.
/// </summary>
public sealed class StoreIndex
{
    internal const string Header1 = "packster-store-index 1";
    internal const string Header2 = "packster-store-index 2";
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
        if (lines[0] != Header2) return null;
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
                    if (ParseFile(line.AsSpan(2)) is not { } file) return null;
                    files[file.Path] = file.Entry;
                    entries.Add(new IndexedEntry(file.Path, PackageEntryKind.File, file.Entry, null));
                    break;
                default:
                    return null;
            }
        }
        return new StoreIndex(files, manifest is null ? null : entries, manifest);
    }

    // <sha256> <444|555> <size> <mtime ticks> <path>: the path last, so it may hold spaces. Read as spans: an index
    // holds a line per file, and only the path needs a string of its own.
    private static (string Path, StoredEntry Entry)? ParseFile(ReadOnlySpan<char> line)
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
        var path = rest[(space + 1)..];
        if (path.IsEmpty) return null;
        return (path.ToString(), new StoredEntry(sha, mode, size, modified));
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

/// <summary>Builds a version 2 store index from a deployment's entries, in their order.</summary>
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
                _body.Append("f ").Append(sha.Hex).Append(' ')
                    .Append(entry.Mode == ExtractedFileStore.ReadOnlyFileMode ? StoreIndex.ReadOnlyFileModeText : StoreIndex.ReadOnlyExecutableModeText).Append(' ')
                    .Append(entry.Size.ToString(CultureInfo.InvariantCulture)).Append(' ')
                    .Append(stamp.ModifiedTicks.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(entry.Path).Append('\n');
                break;
        }
    }

    /// <summary>The index text; it names <paramref name="manifest"/> only when every file was stored.</summary>
    public string ToText(Sha256Digest manifest)
    {
        var head = StoreIndex.Header2 + "\n" + (_complete ? "manifest " + manifest.Hex + "\n" : "");
        return head + _body;
    }
}
