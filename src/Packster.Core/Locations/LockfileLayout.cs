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

    /// <summary>
    /// A layout made by writing: complete by construction. <paramref name="copiedFrom"/>: the bytes every entry not in
    /// <paramref name="fresh"/> was copied from unchanged, when there were any.
    /// </summary>
    public static LockfileLayout Written(byte[] bytes, Range bundle, Dictionary<Sha256Digest, Range> entries, byte[]? copiedFrom, HashSet<Sha256Digest> fresh) =>
        new(bytes) { Entries = entries, Bundle = bundle, Complete = true, CopiedFrom = copiedFrom, Fresh = fresh };

    /// <summary>Each entry's object, from its <c>{</c> to its <c>}</c>.</summary>
    public Dictionary<Sha256Digest, Range> Entries { get; internal set; } = [];

    /// <summary>
    /// Of a layout made by writing: the lockfile bytes each entry not in <see cref="Fresh"/> was copied from, unchanged
    /// (their entries are the same bytes there); null when none was copied, or for a layout made by reading.
    /// </summary>
    public byte[]? CopiedFrom { get; private init; }

    /// <summary>Of a layout made by writing with <see cref="CopiedFrom"/>: the entries written anew rather than copied.</summary>
    public HashSet<Sha256Digest>? Fresh { get; private init; }

    /// <summary>The <c>bundle</c> object.</summary>
    public Range Bundle { get; set; }

    /// <summary>Whether the whole file was read into it (a reading that gave up part-way leaves it incomplete).</summary>
    public bool Complete { get; set; }

    /// <summary>What comes before each entry's <c>{</c> in a lockfile packster wrote (after the <c>[</c> or the <c>,</c>).</summary>
    public static ReadOnlySpan<byte> EntryIndent => "\n    "u8;
}
