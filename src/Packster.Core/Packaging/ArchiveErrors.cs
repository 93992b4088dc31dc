namespace Packster.Packaging;

/// <summary>Named factories for every archive failure; each message names the archive and the entry.</summary>
internal static class ArchiveErrors
{
    public const string HostileHint = "the package is damaged or hostile; rebuild it with 'packster pack' or ask its publisher";

    public static PacksterException Corrupt(string archive, string what) =>
        new(ErrorCode.ArchiveCorrupt, $"'{archive}' is not a valid package: {what}", HostileHint);

    public static PacksterException Truncated(string archive, string what) =>
        new(ErrorCode.ArchiveTruncated, $"'{archive}' is truncated: {what}", "download or copy the package again");

    public static PacksterException UnsafePath(string archive, string entry, string why) =>
        new(ErrorCode.ArchiveUnsafePath, $"entry '{Printable(entry)}' in '{archive}' has an unsafe path: {why}", HostileHint);

    public static PacksterException UnsafeLink(string archive, string entry, string target, string why) =>
        new(ErrorCode.ArchiveUnsafeLink, $"symlink '{Printable(entry)}' -> '{Printable(target)}' in '{archive}' is unsafe: {why}", HostileHint);

    public static PacksterException BeneathLink(string archive, string entry, string link) =>
        new(ErrorCode.ArchiveUnsafeLink,
            $"entry '{Printable(entry)}' in '{archive}' lies beneath symlink '{Printable(link)}'; writing it would go through the link", HostileHint);

    public static PacksterException UnsupportedEntry(string archive, string entry, string what) =>
        new(ErrorCode.ArchiveUnsupportedEntry, $"entry '{Printable(entry)}' in '{archive}' is {what}, which packages may not hold", HostileHint);

    public static PacksterException Duplicate(string archive, string entry, string why) =>
        new(ErrorCode.ArchiveDuplicateEntry, $"entry '{Printable(entry)}' in '{archive}' {why}", HostileHint);

    public static PacksterException Collision(string archive, string entry, string other) =>
        new(ErrorCode.ArchiveNameCollision,
            $"entry '{Printable(entry)}' in '{archive}' collides with '{Printable(other)}' on case-insensitive or Unicode-normalising file systems",
            HostileHint);

    public static PacksterException Reserved(string archive, string entry, string why) =>
        new(ErrorCode.ArchiveReservedName, $"entry '{Printable(entry)}' in '{archive}' uses a reserved name: {why}", HostileHint);

    // pack refuses what install refuses (spec/package-format.md §6), so a package over a limit was not made by 'packster pack'.
    internal const string LimitHint = "packages have the same limits when packed and when installed (spec/package-format.md §6); ask the package's publisher";

    public static PacksterException TooLarge(string archive, string entry, long total, long cap) =>
        new(ErrorCode.ArchiveTooLarge, $"'{archive}' unpacks to more than {cap} bytes (at least {total}, reached at entry '{Printable(entry)}')", LimitHint);

    public static PacksterException TooManyEntries(string archive, long count, long cap) =>
        new(ErrorCode.ArchiveTooManyEntries, $"'{archive}' has {count} entries, more than the limit of {cap}", LimitHint);

    public static PacksterException Ratio(string archive, long total, long archiveLength, int cap) =>
        new(ErrorCode.ArchiveCompressionRatio,
            $"'{archive}' unpacks {archiveLength} bytes to {total} bytes, more than {cap}:1 over the whole archive", LimitHint);

    public static PacksterException ManifestMissing(string archive, string found, PackageEntryKind kind = PackageEntryKind.File) =>
        new(ErrorCode.ArchiveManifestMissing,
            found == Packer.ManifestFileName && kind != PackageEntryKind.File
                ? $"'{archive}' starts with '{Packer.ManifestFileName}', but as {(kind == PackageEntryKind.Symlink ? "a symlink" : "a folder")}, not a regular file"
                : $"'{archive}' does not start with '{Packer.ManifestFileName}' (first entry: '{Printable(found)}')",
            "packages are made by 'packster pack', which writes the manifest first");

    public static PacksterException Crc(string archive, string entry, uint expected, uint actual) =>
        new(ErrorCode.ArchiveCrcMismatch,
            $"entry '{Printable(entry)}' in '{archive}' fails its CRC-32 check: declared {expected:x8}, data has {actual:x8}", HostileHint);

    public static PacksterException SizeMismatch(string archive, string entry, long declared, string found) =>
        new(ErrorCode.ArchiveSizeMismatch,
            $"entry '{Printable(entry)}' in '{archive}' declares {declared} bytes but its data holds {found}", HostileHint);

    public static PacksterException Encrypted(string archive, string entry) =>
        new(ErrorCode.ArchiveEncryptedEntry, $"entry '{Printable(entry)}' in '{archive}' is encrypted; packages are never encrypted", HostileHint);

    /// <summary>What to do about an encrypted vendor archive (<c>pack --from</c>): packster holds no password to open it with.</summary>
    internal const string VendorEncryptedHint =
        "the archive cannot be packed as it is: decrypt it first, extracting it with its password (unzip, 7z x), then 'packster pack' the folder";

    /// <summary>
    /// An encrypted entry of a vendor archive given to <c>pack --from</c> (spec/pack-from.md §Formats): not a damaged
    /// package, but an archive packster cannot open to repack.
    /// </summary>
    public static PacksterException VendorEncrypted(string archive, string entry) =>
        new(ErrorCode.ArchiveEncryptedEntry, $"entry '{Printable(entry)}' in '{archive}' is encrypted; packster cannot repack an encrypted archive", VendorEncryptedHint);

    /// <summary>A vendor archive's entry that is encrypted by another sign than its flags, said in <paramref name="how"/>.</summary>
    public static PacksterException VendorEncrypted(string archive, string entry, string how) =>
        new(ErrorCode.ArchiveEncryptedEntry, $"entry '{Printable(entry)}' in '{archive}' is encrypted: {how}", VendorEncryptedHint);

    public static PacksterException UnsupportedCompression(string archive, string entry, int method) =>
        new(ErrorCode.ArchiveUnsupportedCompression,
            $"entry '{Printable(entry)}' in '{archive}' uses compression method {method}; packster reads 0 (stored), 8 (deflate), 93 (zstd) and its solid runs' 0x5A01 and 0x5A02", HostileHint);

    /// <summary>Names may hold control characters; show them escaped so the message stays one line.</summary>
    public static string Printable(string name)
    {
        // char.IsControl: U+0000–U+001F and U+007F–U+009F.
        if (name.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') < 0 && name.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') < 0) return name;
        var builder = new System.Text.StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }
        return builder.ToString();
    }
}
