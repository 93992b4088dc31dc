namespace Packster.Packaging;

/// <summary>
/// One entry of a package as its central directory declares it, already normalised: <see cref="Path"/> is the
/// '/'-separated relative path without a trailing '/', <see cref="Mode"/> is 0644, 0755 (files, directories) or
/// 0777 (symlinks). Nothing here has been checked against the data yet; <see cref="SafeExtractor"/> does that.
/// </summary>
public sealed record PackageEntry(
    string Path,
    PackageEntryKind Kind,
    int Mode,
    long CompressedSize,
    long Size,
    uint Crc32,
    ushort Method)
{
    /// <summary>Index of the entry in the central directory (0 is the manifest).</summary>
    public int Index { get; init; }

    /// <summary>
    /// For a member of a solid run (spec/package-format.md § Solid runs), the index of the run's first member; -1 for
    /// an entry whose data stands alone.
    /// </summary>
    internal int RunStart { get; init; } = -1;

    /// <summary>Offset of the entry's local header in the archive.</summary>
    internal long LocalHeaderOffset { get; init; }

    /// <summary>General purpose flags as the central directory declares them.</summary>
    internal ushort Flags { get; init; }

    /// <summary>The raw st_mode from the external attributes (0 when the entry was not made on Unix).</summary>
    internal int RawUnixMode { get; init; }

    /// <summary>The name exactly as stored (UTF-8 decoded), before normalisation.</summary>
    internal string RawName { get; init; } = "";

    /// <summary>The raw UTF-8 bytes of the name were not valid UTF-8.</summary>
    internal bool NameIsInvalidUtf8 { get; init; }
}
