namespace Packster.Packaging;

/// <summary>
/// Tuning for <see cref="Packer"/>. The defaults are what the format's benchmarks chose; changing them changes the
/// bytes (and so the name) of the package, never its meaning.
/// </summary>
public sealed record PackOptions
{
    public static PackOptions Default { get; } = new();

    /// <summary>
    /// zlib level 1–9 for deflated entries. 5 because on the .NET SDK tree it packs within 1.09× of
    /// <c>tar -czf</c>'s size at 12% less CPU than 6 (level 4: 1.10×, too close to the 1.1× target).
    /// </summary>
    public int CompressionLevel { get; init; } = 5;

    /// <summary>How entries are compressed (spec/package-format.md §2): zstd unless asked otherwise.</summary>
    public PackCompression Compression { get; init; } = PackCompression.Zstd;

    /// <summary>zstd level for zstd entries; 3 is zstd's own default.</summary>
    public int ZstdLevel { get; init; } = 3;

    /// <summary>How many files are compressed at once (default: one per processor).</summary>
    public int DegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Source bytes allowed in flight between the compressors and the writer.</summary>
    public long InFlightBytes { get; init; } = 64L << 20;
}

/// <summary>The compression method of a package's entries.</summary>
public enum PackCompression
{
    /// <summary>ZIP method 8: every unzip reads it.</summary>
    Deflate,

    /// <summary>ZIP method 93: faster to pack and to install; read by 7-Zip and libarchive, not by unzip 6.0.</summary>
    Zstd,
}
