using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// Where, in the bytes of a lockfile in the shape packster writes it, each deployment entry (by its hash) and the
/// <c>bundle</c> value lie: made by the reading that parsed those bytes, or by the writing that made them, so that a
/// commit compares two lockfiles (spec/history.md § Commit lines) without reading either again.
/// </summary>
internal sealed class LockfileLayout(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    /// <summary>A layout made by writing: complete by construction.</summary>
    public static LockfileLayout Written(byte[] bytes, Range bundle, Dictionary<Sha256Digest, Range> entries) => new(bytes, entries) { Bundle = bundle, Complete = true };

    private LockfileLayout(byte[] bytes, Dictionary<Sha256Digest, Range> entries)
        : this(bytes) => Entries = entries;

    /// <summary>Each entry's object, from its <c>{</c> to its <c>}</c>.</summary>
    public Dictionary<Sha256Digest, Range> Entries { get; } = [];

    /// <summary>The <c>bundle</c> object.</summary>
    public Range Bundle { get; set; }

    /// <summary>Whether the whole file was read into it (a reading that gave up part-way leaves it incomplete).</summary>
    public bool Complete { get; set; }

    /// <summary>What comes before each entry's <c>{</c> in a lockfile packster wrote (after the <c>[</c> or the <c>,</c>).</summary>
    public static ReadOnlySpan<byte> EntryIndent => "\n    "u8;
}
