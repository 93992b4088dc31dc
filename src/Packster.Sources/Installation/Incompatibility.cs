using Packster.Manifest;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// A statement about one package: it is selected at a version in <see cref="Set"/> (positive), or it is not selected
/// at any version in <see cref="Set"/> (negative: not selecting it at all satisfies it too).
/// </summary>
internal sealed record Term(int Package, bool Positive, VersionSet Set)
{
    public Term Negate() => new(Package, !Positive, Set);

    /// <summary>Both at once; positive ∩ negative keeps the positive side's versions the negative one leaves.</summary>
    public Term Intersect(Term other) => (Positive, other.Positive) switch
    {
        (true, true) => new(Package, true, Set.Intersect(other.Set)),
        (true, false) => new(Package, true, Set.Except(other.Set)),
        (false, true) => new(Package, true, other.Set.Except(Set)),
        _ => new(Package, false, Set.Union(other.Set)),
    };

    /// <summary>This term minus <paramref name="other"/>; null when nothing is left.</summary>
    public Term? Difference(Term other)
    {
        var difference = Intersect(other.Negate());
        return difference.Positive && difference.Set.IsEmpty ? null : difference;
    }

    /// <summary>Whether every way of satisfying this term satisfies <paramref name="other"/>.</summary>
    public bool Implies(Term other) => (Positive, other.Positive) switch
    {
        (true, true) => Set.IsSubsetOf(other.Set),
        (true, false) => Set.IsDisjointFrom(other.Set),
        (false, true) => false,
        _ => other.Set.IsSubsetOf(Set),
    };

    /// <summary>Whether no selection satisfies both.</summary>
    public bool ExcludedBy(Term other) => (Positive, other.Positive) switch
    {
        (true, true) => Set.IsDisjointFrom(other.Set),
        (true, false) => Set.IsSubsetOf(other.Set),
        (false, true) => other.Set.IsSubsetOf(Set),
        _ => false,
    };
}

/// <summary>Why an incompatibility holds: a fact about the packages, or derived from two others.</summary>
internal enum IncompatibilityKind
{
    /// <summary>The root package is being installed: {not root}.</summary>
    Root,

    /// <summary>{depender at its version, not the dependency's range}.</summary>
    Dependency,

    /// <summary>{depender at its version}: nothing that may be installed satisfies one of its requirements.</summary>
    Unavailable,

    /// <summary>Resolved from <see cref="Incompatibility.Left"/> and <see cref="Incompatibility.Right"/> during a conflict.</summary>
    Derived,
}

/// <summary>
/// A set of terms that must not all be true at once. The resolver's knowledge is a growing list of them: facts from
/// manifests and sources, and what conflicts taught it (each derived one remembers the two it came from, which is
/// what the explanation of a failure walks).
/// </summary>
internal sealed class Incompatibility
{
    public Incompatibility(IEnumerable<Term> terms, IncompatibilityKind kind)
    {
        var merged = new List<Term>();
        foreach (var term in terms)
        {
            var at = merged.FindIndex(t => t.Package == term.Package);
            if (at >= 0) merged[at] = merged[at].Intersect(term);
            else merged.Add(term);
        }
        // "not in no version" holds always; it constrains nothing and would only clutter explanations.
        Terms = [.. merged.Where(t => t.Positive || !t.Set.IsEmpty)];
        Kind = kind;
    }

    public Term[] Terms { get; }

    public IncompatibilityKind Kind { get; }

    /// <summary>For <see cref="IncompatibilityKind.Dependency"/> and <see cref="IncompatibilityKind.Unavailable"/>: the depender's version and the requirement.</summary>
    public PackageVersion? DependerVersion { get; init; }

    public PackageRequirement? Requirement { get; init; }

    /// <summary>For <see cref="IncompatibilityKind.Unavailable"/>: why nothing satisfies the requirement, with the code the failure takes.</summary>
    public string? Reason { get; init; }

    public ErrorCode ReasonCode { get; init; }

    public string? ReasonHint { get; init; }

    public Incompatibility? Left { get; init; }

    public Incompatibility? Right { get; init; }

    public bool IsDerived => Kind == IncompatibilityKind.Derived;
}

/// <summary>One package's known versions, ascending (the bits of its <see cref="VersionSet"/>s), and what was left out.</summary>
internal sealed class PackageDomain(PackageId id, PackageVersion[] versions)
{
    public PackageId Id { get; } = id;

    /// <summary>The versions that may be chosen, ascending: listed, and not denied.</summary>
    public PackageVersion[] Versions { get; } = versions;

    public int Size => Versions.Length;

    /// <summary>Listed versions a deny rule removed, with the rule.</summary>
    public List<(PackageVersion Version, Deny.DenyRule Rule)> Denied { get; } = [];

    /// <summary>Every version listed, denied ones included (for "available: …" in messages).</summary>
    public IEnumerable<PackageVersion> Listed => Versions.Concat(Denied.Select(d => d.Version));

    /// <summary>Why the package has no versions at all (nothing offers it), when that is so.</summary>
    public PacksterException? Unavailable { get; init; }

    /// <summary>Indices to try first, in order (versions deployed in the location).</summary>
    public List<int> Preferred { get; } = [];

    /// <summary>Range texts of requirements on this package, by the set they allow: explanations say "lib ^1.0", not a list.</summary>
    public Dictionary<VersionSet, string> Labels { get; } = [];

    public VersionSet Full() => VersionSet.Full(Size);

    public VersionSet Matching(VersionRange range) => VersionSet.Of(Size, i => range.Satisfies(Versions[i]));

    public int IndexOf(PackageVersion version) => Array.BinarySearch(Versions, version);
}
