using Packster.Model;

namespace Packster.Sources;

/// <summary>
/// Which versions a requirement accepts. A seam so resolution does not depend on the range syntax:
/// adapt <c>Packster.Model.VersionRange</c> (or anything else) with <see cref="VersionFilter.From"/>.
/// </summary>
public interface IVersionFilter
{
    bool Satisfies(PackageVersion version);

    /// <summary>How the requirement was written, for messages (e.g. <c>^1.2</c>).</summary>
    string Text { get; }
}

/// <summary>Ready-made filters.</summary>
public static class VersionFilter
{
    /// <summary>Wraps any predicate, e.g. <c>VersionFilter.From("^1.2", range.Satisfies)</c>.</summary>
    public static IVersionFilter From(string text, Func<PackageVersion, bool> satisfies) => new Predicate(text, satisfies);

    /// <summary>A <see cref="VersionRange"/> (range syntax of spec/manifest.md) as a filter.</summary>
    public static IVersionFilter From(VersionRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return new Predicate(range.ToString(), range.Satisfies);
    }

    /// <summary>Exactly one version.</summary>
    public static IVersionFilter Exactly(PackageVersion version) => new Predicate(version.ToString(), v => v == version);

    private sealed record Predicate(string Text, Func<PackageVersion, bool> Test) : IVersionFilter
    {
        public bool Satisfies(PackageVersion version) => Test(version);
    }
}
