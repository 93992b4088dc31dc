namespace Packster.Packaging;

/// <summary>
/// Caps the extraction filter enforces from the central directory, before anything is written
/// (spec/package-format.md §Limits). Entries at or under <see cref="RatioThreshold"/> bytes are exempt from the ratio cap.
/// </summary>
public sealed record ExtractionLimits
{
    public static ExtractionLimits Default { get; } = new();

    /// <summary>Sum of all declared uncompressed sizes (default 8 GiB).</summary>
    public long MaxTotalSize { get; init; } = 8L << 30;

    /// <summary>Number of central-directory entries (default 100,000).</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>Largest uncompressed:compressed ratio for one entry above <see cref="RatioThreshold"/> (default 200).</summary>
    public int MaxCompressionRatio { get; init; } = 200;

    /// <summary>Entries up to this many uncompressed bytes may have any ratio (default 1 MiB).</summary>
    public long RatioThreshold { get; init; } = 1L << 20;
}
