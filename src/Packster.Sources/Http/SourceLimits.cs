namespace Packster.Sources.Http;

/// <summary>
/// How much Packster reads from a server before it stops (spec/sources.md §7 "Bounded reads"): a hostile or broken
/// server cannot make it buffer an endless error or JSON body, or fill the cache's temp folder with a download longer
/// than announced. Injectable so tests can use small caps.
/// </summary>
public sealed record SourceLimits
{
    public static SourceLimits Default { get; } = new();

    /// <summary>Bytes of an error answer's body read for its message (default 64 KiB); the rest is never read.</summary>
    public int MaxErrorBytes { get; init; } = 64 << 10;

    /// <summary>Largest JSON answer parsed: index.json, AQL results, storage API (default 64 MiB, about 250,000 index entries).</summary>
    public long MaxJsonBytes { get; init; } = 64L << 20;

    /// <summary>Largest download when the source announced no size (default 8 GiB, the largest package the extractor accepts).</summary>
    public long MaxDownloadBytes { get; init; } = 8L << 30;

    /// <summary>"64 KiB", "64 MiB", "1048576 bytes": how a cap is named in errors.</summary>
    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} bytes",
    };
}
