namespace Packster.Packaging;

/// <summary>
/// The package limits (spec/package-format.md §6), one set for <c>pack</c> and install alike: what one refuses, the
/// other refuses too, so every package <c>pack</c> writes installs. The extraction filter enforces them from the
/// central directory before anything is written.
/// </summary>
public sealed record ExtractionLimits
{
    public static ExtractionLimits Default { get; } = new();

    /// <summary>Sum of all declared uncompressed sizes (default 8 GiB).</summary>
    public long MaxTotalSize { get; init; } = 8L << 30;

    /// <summary>Number of central-directory entries (default 100,000).</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>
    /// Largest ratio of the declared uncompressed total to the archive's size in bytes (default 200), judged over the
    /// whole archive: what a download may turn into on disk, per byte downloaded.
    /// </summary>
    public int MaxCompressionRatio { get; init; } = 200;

    /// <summary>
    /// Packages that unpack to at most this many bytes may have any ratio (default 64 MiB): honest files such as
    /// zero-filled images deflate about 1000:1, and writing 64 MiB harms nobody.
    /// </summary>
    public long RatioFloor { get; init; } = 64L << 20;

    /// <summary>Refuses a total over <see cref="MaxTotalSize"/>; <paramref name="entry"/> is where the sum crossed it.</summary>
    internal void CheckTotal(string archive, string entry, long total)
    {
        if (total > MaxTotalSize) throw ArchiveErrors.TooLarge(archive, entry, total, MaxTotalSize);
    }

    internal void CheckEntryCount(string archive, long count)
    {
        if (count > MaxEntries) throw ArchiveErrors.TooManyEntries(archive, count, MaxEntries);
    }

    /// <summary>Refuses an archive of <paramref name="archiveLength"/> bytes that unpacks to more than the floor and more than the ratio allows.</summary>
    internal void CheckRatio(string archive, long total, long archiveLength)
    {
        if (total > RatioFloor && total > (double)Math.Max(1, archiveLength) * MaxCompressionRatio)
        {
            throw ArchiveErrors.Ratio(archive, total, archiveLength, MaxCompressionRatio);
        }
    }
}
