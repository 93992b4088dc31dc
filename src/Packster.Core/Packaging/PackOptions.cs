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

    /// <summary>
    /// zstd level for zstd entries. 2 because on the .NET SDK tree it packs in 0.85× the time of
    /// <c>tar -cf - | zstd -T0 -3</c> at 0.90× its size; level 3 (zstd's own default) took 1.04× the time at 0.87×, and
    /// level 1 is no faster than 2 (reading and hashing dominate) at 0.93× (spec/package-format.md §9).
    /// </summary>
    public int ZstdLevel { get; init; } = 2;

    /// <summary>
    /// Whether a zstd package compresses its small files in solid runs (spec/package-format.md § Solid runs): smaller on
    /// trees of many small, similar files (a source tree), and readable by Packster alone. Off, every entry is a zstd
    /// frame of its own, as 7-Zip and libarchive read.
    /// </summary>
    public bool Solid { get; init; } = true;

    /// <summary>
    /// zstd level for solid runs, whose frame also gets a larger hash table and window (<see cref="CompressedEntry"/>).
    /// 2, with the table one step up: on three untuned trees (spec/package-format.md § Solid runs) that packed to
    /// 1.033–1.044 × the size of <c>tar -cf - | zstd -T0 -3</c> in 0.92–1.15 × its time, where level 3 gave 1.008–1.041 ×
    /// in 1.00–1.29 × and level 2 as it is 1.044–1.078 × in 0.86–1.09 ×.
    /// </summary>
    public int SolidZstdLevel { get; init; } = 2;

    /// <summary>
    /// A solid run is closed once its members hold this many bytes: 4 MiB, measured against 1 and 16 MiB on a Python
    /// tree (spec/package-format.md § Solid runs). Extraction decodes a run on one worker, so runs also bound how much
    /// of the package one worker must decode in order.
    /// </summary>
    public long SolidRunSize { get; init; } = 4L << 20;

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

    /// <summary>ZIP method 93, small files in solid runs unless <see cref="PackOptions.Solid"/> is off: faster to pack and to install, smaller; with runs off, read by 7-Zip and libarchive, never by unzip 6.0.</summary>
    Zstd,
}
