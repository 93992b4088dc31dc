namespace Packster.Packaging;

/// <summary>One entry that will be written: where (the path after normalising and stripping) and as what.</summary>
internal sealed record PlannedEntry(string Path, VendorEntryKind Kind, int Mode, long Size, string? LinkTarget, string RawName);

/// <summary>
/// The whole listing of a vendor archive, judged before anything is written (spec/pack-from.md §Rules): the same path,
/// tree, link and limit rules as the package extraction filter, applied to the paths the entries will have after
/// <c>--strip-components</c>, plus the rules only vendor archives need (hard links, the stripped prefix).
/// </summary>
internal sealed class VendorArchivePlan
{
    private VendorArchivePlan(PlannedEntry?[] entries, long totalSize)
    {
        Entries = entries;
        TotalSize = totalSize;
    }

    /// <summary>One slot per archive entry, in archive order: null for an entry that is dropped (the '.' root, a stripped folder).</summary>
    public PlannedEntry?[] Entries { get; }

    public long TotalSize { get; }

    public static VendorArchivePlan Judge(VendorArchive archive, int stripComponents, ExtractionLimits limits, CancellationToken ct)
    {
        var name = archive.Name;
        var planned = new List<PlannedEntry?>();
        var byPath = new Dictionary<string, PlannedEntry>(StringComparer.Ordinal);
        long total = 0;
        archive.ForEach(withData: false, (entry, _) =>
        {
            limits.CheckEntryCount(name, planned.Count + 1);
            if (entry.Kind == VendorEntryKind.Unsupported) throw ArchiveErrors.UnsupportedEntry(name, entry.Name, entry.Unsupported!);
            var path = Place(name, entry.Name, stripComponents);
            if (path is null)
            {
                planned.Add(null);
                return;
            }
            var size = entry.Size;
            var target = entry.LinkTarget;
            if (entry.Kind == VendorEntryKind.HardLink)
            {
                var linked = HardLinkTarget(name, entry, stripComponents, byPath);
                size = linked.Size;
                target = linked.Path;
            }
            if (entry.Kind == VendorEntryKind.Symlink && string.IsNullOrEmpty(target))
            {
                throw ArchiveErrors.UnsafeLink(name, entry.Name, "", "the target is empty");
            }
            if (entry.Kind == VendorEntryKind.Symlink && NotUtf8(target!) is { } notUtf8)
            {
                throw ArchiveErrors.UnsafeLink(name, entry.Name, target!, "the target " + notUtf8["it ".Length..]);
            }
            if (size < 0 || size > limits.MaxTotalSize - total)
            {
                throw ArchiveErrors.TooLarge(name, entry.Name, size < 0 || size > long.MaxValue - total ? long.MaxValue : total + size, limits.MaxTotalSize);
            }
            total += size;
            var kept = new PlannedEntry(path, entry.Kind, entry.Mode, size, target, entry.Name);
            if (byPath.TryGetValue(path, out var earlier) && stripComponents > 0 && Normalise(earlier.RawName) != Normalise(entry.Name))
            {
                throw StripCollision(name, earlier.RawName, entry.Name, path, stripComponents);
            }
            byPath.TryAdd(path, kept);
            planned.Add(kept);
        }, ct);

        var kept = planned.Where(e => e is not null).Select(e => e!).ToList();
        if (kept.Count == 0) throw LeavesNothing(name, stripComponents, planned.Count);
        limits.CheckRatio(name, total, archive.Length);
        EntryTreeRules.Check(name, kept.Select(e => (e.Path, e.Kind switch
        {
            VendorEntryKind.Directory => PackageEntryKind.Directory,
            VendorEntryKind.Symlink => PackageEntryKind.Symlink,
            _ => PackageEntryKind.File,
        })));
        foreach (var entry in kept)
        {
            var reserved = EntryPathRules.ReservedReason(entry.Path);
            if (reserved is not null) throw ArchiveErrors.Reserved(name, entry.RawName, reserved);
        }
        var links = kept.Where(e => e.Kind == VendorEntryKind.Symlink).ToDictionary(e => e.Path, e => e.LinkTarget!, StringComparer.Ordinal);
        var resolver = new LinkResolver(links);
        foreach (var (path, target) in links)
        {
            var why = resolver.UnsafeReason(path, target);
            if (why is not null) throw ArchiveErrors.UnsafeLink(name, path, target, why);
        }
        return new VendorArchivePlan(planned.ToArray(), total);
    }

    /// <summary>
    /// The path an entry lands on, or null when it is dropped: the name is normalised (leading './' and the trailing '/'
    /// removed), must pass the path rules whole — a hostile component is refused even where stripping would remove it —
    /// and loses its first <paramref name="strip"/> components; an entry with no more components than that is dropped.
    /// </summary>
    private static string? Place(string archive, string rawName, int strip)
    {
        var normalised = Normalise(rawName);
        // Only '.' and './' are the archive's root; an empty name or '/' stays what it is, and the path rules refuse it.
        if (normalised.Length == 0 && rawName.Length > 0) return null;
        var why = NotUtf8(normalised) ?? EntryPathRules.UnsafeReason(normalised);
        if (why is not null) throw ArchiveErrors.UnsafePath(archive, rawName, why);
        if (strip == 0) return normalised;
        var components = normalised.Split('/');
        return components.Length <= strip ? null : string.Join('/', components[strip..]);
    }

    /// <summary>
    /// The readers decode names and link targets as UTF-8 and put U+FFFD for bytes that are not (tar's latin-1 names, a
    /// zip name without the UTF-8 flag in another code page); the bytes are gone by then, so a U+FFFD is taken for them
    /// (spec/pack-from.md §Names: refused, never repaired).
    /// </summary>
    private static string? NotUtf8(string text) =>
        text.Contains('\uFFFD', StringComparison.Ordinal) ? "it is not valid UTF-8 (or holds U+FFFD, which stands for bytes that are not)" : null;

    /// <summary>
    /// Drops leading './' (tar's 'tar -C dir .') and one trailing '/' (directory entries); nothing else is rewritten: the
    /// name '/' stays absolute (not the empty name the root becomes), as an empty name stays empty.
    /// </summary>
    private static string Normalise(string rawName)
    {
        var name = rawName;
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        if (name == ".") return "";
        if (name.Length > 1 && name.EndsWith('/')) name = name[..^1];
        return name;
    }

    /// <summary>A hard link must name a regular file that came earlier and is kept: it becomes a copy of that file.</summary>
    private static PlannedEntry HardLinkTarget(string archive, VendorArchiveEntry entry, int strip, Dictionary<string, PlannedEntry> byPath)
    {
        var raw = entry.LinkTarget ?? "";
        var normalised = Normalise(raw);
        string? why = normalised.Length == 0 ? "its target is empty" : (NotUtf8(normalised) ?? EntryPathRules.UnsafeReason(normalised)) is { } unsafeWhy ? $"its target is unsafe: {unsafeWhy}" : null;
        string? path = null;
        if (why is null)
        {
            var components = normalised.Split('/');
            if (components.Length <= strip) why = $"its target is removed by --strip-components {strip}";
            else path = string.Join('/', components[strip..]);
        }
        if (why is null && !byPath.TryGetValue(path!, out var earlier)) why = "its target is not an earlier entry of the archive";
        else if (why is null && byPath[path!].Kind is not (VendorEntryKind.File or VendorEntryKind.HardLink)) why = "its target is not a regular file";
        if (why is not null)
        {
            throw new PacksterException(ErrorCode.VendorArchiveHardLink,
                $"hard link '{ArchiveErrors.Printable(entry.Name)}' -> '{ArchiveErrors.Printable(raw)}' in '{archive}' cannot be kept: {why}",
                "a hard link becomes a copy of a regular file stored earlier in the same archive (spec/pack-from.md §Hard links)");
        }
        var target = byPath[path!];
        // A link to a link is a link to the first file: the chain was judged when its first link was.
        return target.Kind == VendorEntryKind.HardLink ? byPath[target.LinkTarget!] : target;
    }

    private static PacksterException StripCollision(string archive, string first, string second, string path, int strip) =>
        new(ErrorCode.StripComponentsCollision,
            $"'{ArchiveErrors.Printable(first)}' and '{ArchiveErrors.Printable(second)}' in '{archive}' both become '{ArchiveErrors.Printable(path)}' with --strip-components {strip}",
            "strip fewer components, or repack the archive with one top-level folder");

    private static PacksterException LeavesNothing(string archive, int strip, int entries) =>
        new(ErrorCode.StripComponentsLeaveNothing,
            strip == 0
                ? $"'{archive}' holds nothing to pack ({(entries == 1 ? "1 entry, not" : $"{entries} entries, none of them")} a file, folder or link below the root)"
                : $"--strip-components {strip} leaves nothing of '{archive}': all {entries} entries have {strip} or fewer path components",
            strip == 0 ? "check the archive" : "use a smaller --strip-components (list the archive with 'tar -tf' or 'unzip -l')");
}
