using Packster.Model;

namespace Packster.Sources;

/// <summary>One package file a source offers: its validated name (which carries the sha256), size when known, and the source's name.</summary>
public sealed record PackageEntry(PackageFileName File, long? Size, string Source)
{
    public PackageId Id => File.Id;
    public PackageVersion Version => File.Version;
    public Sha256Digest Sha256 => File.Sha256;
}

/// <summary>What a publish did with one file.</summary>
public enum PublishStatus
{
    /// <summary>The source did not hold the file before.</summary>
    Published,

    /// <summary>The source already held identical bytes under that name; nothing changed (success).</summary>
    Unchanged,
}

/// <summary>The outcome of publishing one file: where it now lives.</summary>
public sealed record PublishResult(PackageFileName File, PublishStatus Status, string Location)
{
    /// <summary>Whether the package's detached signature was published with it (or was already there, identical).</summary>
    public bool Signed { get; init; }
}
