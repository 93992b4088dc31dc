using System.Numerics;

namespace Packster.Sources.Installation;

/// <summary>
/// A set of versions of one package, as bits over that package's known versions in ascending order (its
/// <see cref="PackageDomain"/>). The domain is finite and known before any set over it is made, so union, intersection
/// and complement are exact and cheap; a version no source lists can never be chosen, so it needs no bit.
/// </summary>
internal readonly struct VersionSet : IEquatable<VersionSet>
{
    private readonly ulong[] _bits;

    private VersionSet(ulong[] bits) => _bits = bits;

    public static VersionSet Empty(int size) => new(new ulong[Words(size)]);

    public static VersionSet Full(int size)
    {
        var bits = new ulong[Words(size)];
        for (var i = 0; i < size; i++) bits[i >> 6] |= 1UL << (i & 63);
        return new VersionSet(bits);
    }

    public static VersionSet Of(int size, Func<int, bool> contains)
    {
        var bits = new ulong[Words(size)];
        for (var i = 0; i < size; i++)
        {
            if (contains(i)) bits[i >> 6] |= 1UL << (i & 63);
        }
        return new VersionSet(bits);
    }

    private static int Words(int size) => Math.Max(1, (size + 63) >> 6);

    public bool Contains(int index) => (_bits[index >> 6] & (1UL << (index & 63))) != 0;

    public bool IsEmpty
    {
        get
        {
            foreach (var word in _bits)
            {
                if (word != 0) return false;
            }
            return true;
        }
    }

    public int Count
    {
        get
        {
            var count = 0;
            foreach (var word in _bits) count += BitOperations.PopCount(word);
            return count;
        }
    }

    /// <summary>The highest index in the set, or -1 when it is empty.</summary>
    public int Highest
    {
        get
        {
            for (var w = _bits.Length - 1; w >= 0; w--)
            {
                if (_bits[w] != 0) return (w << 6) + 63 - BitOperations.LeadingZeroCount(_bits[w]);
            }
            return -1;
        }
    }

    public IEnumerable<int> Indices()
    {
        for (var w = 0; w < _bits.Length; w++)
        {
            var word = _bits[w];
            while (word != 0)
            {
                var bit = BitOperations.TrailingZeroCount(word);
                yield return (w << 6) + bit;
                word &= word - 1;
            }
        }
    }

    public VersionSet Intersect(VersionSet other) => Combine(other, static (a, b) => a & b);

    public VersionSet Union(VersionSet other) => Combine(other, static (a, b) => a | b);

    public VersionSet Except(VersionSet other) => Combine(other, static (a, b) => a & ~b);

    public bool IsSubsetOf(VersionSet other)
    {
        for (var i = 0; i < _bits.Length; i++)
        {
            if ((_bits[i] & ~other._bits[i]) != 0) return false;
        }
        return true;
    }

    public bool IsDisjointFrom(VersionSet other)
    {
        for (var i = 0; i < _bits.Length; i++)
        {
            if ((_bits[i] & other._bits[i]) != 0) return false;
        }
        return true;
    }

    private VersionSet Combine(VersionSet other, Func<ulong, ulong, ulong> op)
    {
        var bits = new ulong[_bits.Length];
        for (var i = 0; i < bits.Length; i++) bits[i] = op(_bits[i], other._bits[i]);
        return new VersionSet(bits);
    }

    public bool Equals(VersionSet other) => _bits.AsSpan().SequenceEqual(other._bits);

    public override bool Equals(object? obj) => obj is VersionSet other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var word in _bits) hash.Add(word);
        return hash.ToHashCode();
    }
}
