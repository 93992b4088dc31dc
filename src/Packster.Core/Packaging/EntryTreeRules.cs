namespace Packster.Packaging;

/// <summary>
/// The whole-tree half of the extraction filter: no path twice, no two paths that one case-insensitive or
/// Unicode-normalising file system would merge, nothing beneath a file or a symlink. The packer applies it too.
/// </summary>
internal static class EntryTreeRules
{
    public static void Check(string archive, IEnumerable<(string Path, PackageEntryKind Kind)> entries)
    {
        var list = entries as IReadOnlyCollection<(string Path, PackageEntryKind Kind)> ?? entries.ToList();
        var exact = new Dictionary<string, PackageEntryKind>(list.Count, StringComparer.Ordinal);
        foreach (var (path, kind) in list)
        {
            if (!exact.TryAdd(path, kind)) throw ArchiveErrors.Duplicate(archive, path, "appears more than once");
        }

        var folded = new Dictionary<string, string>(list.Count * 2, StringComparer.Ordinal);
        var seenPrefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, _) in list)
        {
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            while (slash >= 0)
            {
                var prefix = path[..slash];
                if (exact.TryGetValue(prefix, out var parentKind))
                {
                    if (parentKind == PackageEntryKind.Symlink) throw ArchiveErrors.BeneathLink(archive, path, prefix);
                    if (parentKind == PackageEntryKind.File) throw ArchiveErrors.Duplicate(archive, path, $"lies beneath '{ArchiveErrors.Printable(prefix)}', which is a file");
                }
                if (seenPrefixes.Add(prefix)) AddFolded(folded, prefix, archive);
                slash = path.IndexOf('/', slash + 1);
            }
            if (seenPrefixes.Add(path)) AddFolded(folded, path, archive);
        }
    }

    private static void AddFolded(Dictionary<string, string> folded, string path, string archive)
    {
        var key = EntryPathRules.CollisionKey(path);
        if (folded.TryGetValue(key, out var other))
        {
            if (other != path) throw ArchiveErrors.Collision(archive, path, other);
            return;
        }
        folded[key] = path;
    }
}
