namespace Packster.Packaging;

/// <summary>
/// Tuning for <see cref="Packer"/>. The defaults are what the format's benchmarks chose; changing them changes the
/// bytes (and so the name) of the package, never its meaning.
/// </summary>
public sealed record PackOptions
{
    public static PackOptions Default { get; } = new();

    /// <summary>zlib level 1–9 for deflated entries.</summary>
    public int CompressionLevel { get; init; } = 6;

    /// <summary>How many files are compressed at once (default: one per processor).</summary>
    public int DegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Source bytes allowed in flight between the compressors and the writer.</summary>
    public long InFlightBytes { get; init; } = 64L << 20;
}
