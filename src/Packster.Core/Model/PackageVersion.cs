using System.Diagnostics.CodeAnalysis;
using NuGet.Versioning;

namespace Packster.Model;

/// <summary>
/// A package version: strict SemVer 2.0 (via NuGet.Versioning) or <c>latest</c>, which sorts above every
/// SemVer version. Ordering follows SemVer precedence; build metadata does not affect ordering.
/// </summary>
public sealed class PackageVersion : IComparable<PackageVersion>, IEquatable<PackageVersion>
{
    public const string LatestText = "latest";

    /// <summary>
    /// The longest version text (80 characters): with the longest id (100) the package file name
    /// <c>{id}-{version}-{sha256}.packster</c> is then exactly 255 bytes, the longest file name file systems allow
    /// (spec/package-format.md § Limits). A longer version could be packed by nothing and installed by nothing.
    /// </summary>
    public const int MaxLength = 80;

    public static readonly PackageVersion Latest = new(null);

    /// <summary>The text, made once when first asked for: a lockfile of a thousand deployments writes each version twice per commit.</summary>
    private string? _text;

    private PackageVersion(NuGetVersion? semVer) => SemVer = semVer;

    /// <summary>The SemVer value, or null for <c>latest</c>.</summary>
    public NuGetVersion? SemVer { get; }

    public bool IsLatest => SemVer is null;

    public static PackageVersion Parse(string text) =>
        TryParse(text, out var v) ? v : throw new PacksterException(ErrorCode.InvalidVersion,
            text is not null && text.Length > MaxLength
                ? $"invalid version '{text[..20]}…': it is {text.Length} characters long, more than {MaxLength}"
                : $"invalid version '{text}': expected strict SemVer 2.0 (e.g. 1.2.0, 2.0.0-rc.1) or \"latest\"");

    public static bool TryParse(string? text, [NotNullWhen(true)] out PackageVersion? version)
    {
        version = null;
        if (text is null || text.Length > MaxLength) return false;
        if (text == LatestText)
        {
            version = Latest;
            return true;
        }
        if (!NuGetVersion.TryParseStrict(text, out var semVer)) return false;
        version = new PackageVersion(semVer);
        return true;
    }

    public static PackageVersion From(NuGetVersion semVer) => new(semVer);

    public int CompareTo(PackageVersion? other)
    {
        if (other is null) return 1;
        // Deployments of one package read from a lockfile share their version: sorting 1,000 of them compared each with itself.
        if (ReferenceEquals(this, other)) return 0;
        if (IsLatest || other.IsLatest) return IsLatest.CompareTo(other.IsLatest);
        return VersionComparer.VersionRelease.Compare(SemVer, other.SemVer);
    }

    public bool Equals(PackageVersion? other) =>
        ReferenceEquals(this, other) || (other is not null && (IsLatest ? other.IsLatest : !other.IsLatest && VersionComparer.Default.Equals(SemVer, other.SemVer)));

    public override bool Equals(object? obj) => Equals(obj as PackageVersion);
    public override int GetHashCode() => IsLatest ? 0 : VersionComparer.Default.GetHashCode(SemVer!);

    /// <summary>The normalized full text (with build metadata), as used in package file names.</summary>
    public override string ToString() => _text ??= SemVer?.ToFullString() ?? LatestText;

    public static bool operator ==(PackageVersion? a, PackageVersion? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(PackageVersion? a, PackageVersion? b) => !(a == b);
    public static bool operator <(PackageVersion a, PackageVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(PackageVersion a, PackageVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(PackageVersion a, PackageVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(PackageVersion a, PackageVersion b) => a.CompareTo(b) >= 0;
}
