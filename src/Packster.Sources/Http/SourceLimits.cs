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

    /// <summary>
    /// Connections one download uses at once when the server answers byte ranges (default 4,
    /// <c>PACKSTER_DOWNLOAD_CONNECTIONS</c>, 1–16): a server that limits each connection is read that many times faster.
    /// </summary>
    public int DownloadConnections { get; init; } = 4;

    /// <summary>
    /// Bytes per ranged request (default 8 MiB, <c>PACKSTER_DOWNLOAD_CHUNK_SIZE</c>, at least 64 KiB): the unit a
    /// download is split into, and resumed by after an interruption.
    /// </summary>
    public int DownloadChunkBytes { get; init; } = 8 << 20;

    /// <summary>
    /// How long a response body may send nothing before the read fails as a timeout, retried as a transport failure
    /// (default 60 s, <c>PACKSTER_READ_TIMEOUT</c> in whole seconds, 1 to <see cref="MaxReadTimeoutSeconds"/>): the request timeout covers only the
    /// headers, and a server that stalls mid-body would otherwise hold packster forever.
    /// </summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The slowest a response body may arrive, in bytes per second, averaged over each <see cref="ReadTimeout"/> spent
    /// waiting for it inside its reads, never the time packster spends between reads writing what it read (default 1024,
    /// <c>PACKSTER_MIN_SPEED</c>, 0 for no minimum): a server that drips a byte now and then within the
    /// read timeout would otherwise hold packster for as long as it likes. Slower fails the read as a transport
    /// failure, retried or resumed as one (spec/sources.md §7).
    /// </summary>
    public long MinBytesPerSecond { get; init; } = 1024;

    public const int MaxDownloadConnections = 16;
    public const int MinDownloadChunkBytes = 64 << 10;

    /// <summary>The longest read timeout, a day: far below what a timer can wait (about 49 days), and longer than any server stalls in earnest.</summary>
    public const int MaxReadTimeoutSeconds = 24 * 60 * 60;

    /// <summary>The defaults with the download tuning variables applied; values out of range are clamped.</summary>
    public static SourceLimits FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var limits = Default;
        if (environment.TryGetValue("PACKSTER_DOWNLOAD_CONNECTIONS", out var connections) && int.TryParse(connections, out var n))
            limits = limits with { DownloadConnections = Math.Clamp(n, 1, MaxDownloadConnections) };
        if (environment.TryGetValue("PACKSTER_DOWNLOAD_CHUNK_SIZE", out var chunk) && int.TryParse(chunk, out var bytes))
            limits = limits with { DownloadChunkBytes = Math.Max(bytes, MinDownloadChunkBytes) };
        if (environment.TryGetValue("PACKSTER_READ_TIMEOUT", out var timeout) && int.TryParse(timeout, out var seconds))
            limits = limits with { ReadTimeout = TimeSpan.FromSeconds(Math.Clamp(seconds, 1, MaxReadTimeoutSeconds)) };
        if (environment.TryGetValue("PACKSTER_MIN_SPEED", out var speed) && long.TryParse(speed, out var perSecond))
            limits = limits with { MinBytesPerSecond = Math.Max(perSecond, 0) };
        return limits;
    }

    /// <summary>"64 KiB", "64 MiB", "1048576 bytes": how a cap is named in errors.</summary>
    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} bytes",
    };
}
