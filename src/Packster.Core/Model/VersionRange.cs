using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NuGet.Versioning;

namespace Packster.Model;

/// <summary>
/// A set of acceptable package versions, parsed once from one of the range syntaxes in spec/manifest.md §Ranges
/// (exact, caret, tilde, comparators, wildcards, NuGet intervals, <c>latest</c>). Every form reduces to an
/// intersection of lower/upper bounds; prereleases match only when the range text names a prerelease.
/// </summary>
public sealed class VersionRange : IEquatable<VersionRange>
{
    private enum Kind
    {
        Bounds,
        Any,
        Latest,
    }

    private readonly Kind _kind;
    private readonly string _text;

    private VersionRange(Kind kind, string text, NuGetVersion? min, bool minInclusive, NuGetVersion? max, bool maxInclusive, bool prerelease)
    {
        _kind = kind;
        _text = text;
        MinVersion = min;
        IsMinInclusive = minInclusive;
        MaxVersion = max;
        IsMaxInclusive = maxInclusive;
        AllowsPrerelease = prerelease;
    }

    /// <summary>The range that accepts every version, including <c>latest</c> (but no prereleases).</summary>
    public static VersionRange Any { get; } = new(Kind.Any, "*", null, false, null, false, false);

    /// <summary>The range that accepts only the version <c>latest</c>.</summary>
    public static VersionRange Latest { get; } = new(Kind.Latest, PackageVersion.LatestText, null, false, null, false, false);

    /// <summary>The lower bound, or null when unbounded below.</summary>
    public NuGetVersion? MinVersion { get; }
    public bool IsMinInclusive { get; }

    /// <summary>The upper bound, or null when unbounded above.</summary>
    public NuGetVersion? MaxVersion { get; }
    public bool IsMaxInclusive { get; }

    /// <summary>True when the text names a prerelease, so prerelease versions inside the bounds match.</summary>
    public bool AllowsPrerelease { get; }

    public bool IsLatest => _kind == Kind.Latest;
    public bool IsAny => _kind == Kind.Any;

    /// <summary>An exact range for one version (<c>latest</c> gives <see cref="Latest"/>).</summary>
    public static VersionRange Exactly(PackageVersion version) =>
        version.IsLatest ? Latest : Parse(version.SemVer!.ToNormalizedString());

    public static VersionRange Parse(string text) =>
        TryParse(text, out var range, out var why) ? range
            : throw new PacksterException(ErrorCode.InvalidVersionRange, $"invalid version range '{text}': {why}",
                "ranges look like 1.2.3, ^1.2, ~1.2.3, >=1.0 <2.0, 1.*, [1.0,2.0) or latest");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out VersionRange? range) =>
        TryParse(text, out range, out _);

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out VersionRange? range, [NotNullWhen(false)] out string? why)
    {
        range = null;
        if (text is null)
        {
            why = "it is missing";
            return false;
        }
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            why = "it is empty";
            return false;
        }
        if (trimmed == "*")
        {
            range = Any;
            why = null;
            return true;
        }
        if (trimmed == PackageVersion.LatestText)
        {
            range = Latest;
            why = null;
            return true;
        }
        if (trimmed[0] is '[' or '(')
        {
            return TryParseInterval(trimmed, out range, out why);
        }
        return TryParseComparators(trimmed, out range, out why);
    }

    /// <summary>NuGet interval notation, delegated to NuGet.Versioning so both agree on every edge.</summary>
    private static bool TryParseInterval(string text, out VersionRange? range, out string? why)
    {
        range = null;
        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        if (compact[^1] is not (']' or ')'))
        {
            why = "an interval must end with ']' or ')'";
            return false;
        }
        if (!NuGet.Versioning.VersionRange.TryParse(compact, allowFloating: false, out var nuget))
        {
            why = AdmitsNothing(compact) ? "its bounds admit no version (lower bound above or equal to an exclusive upper bound)"
                : "it is not a valid interval such as [1.0,2.0), (,2.0] or [1.0]";
            return false;
        }
        var prerelease = (nuget.MinVersion?.IsPrerelease ?? false) || (nuget.MaxVersion?.IsPrerelease ?? false);
        range = new VersionRange(Kind.Bounds, compact, nuget.MinVersion, nuget.HasLowerBound && nuget.IsMinInclusive,
            nuget.MaxVersion, nuget.HasUpperBound && nuget.IsMaxInclusive, prerelease);
        why = null;
        return true;
    }

    /// <summary>True for a well-formed interval NuGet refuses only because it is empty, so the message can say so.</summary>
    private static bool AdmitsNothing(string interval)
    {
        var bounds = interval[1..^1].Split(',');
        if (bounds.Length != 2 || !NuGetVersion.TryParse(bounds[0], out var min) || !NuGetVersion.TryParse(bounds[1], out var max)) return false;
        return min > max || (min == max && !(interval[0] == '[' && interval[^1] == ']'));
    }

    /// <summary>Space-separated comparators (all must hold); each may be a caret, tilde, wildcard or partial version.</summary>
    private static bool TryParseComparators(string text, out VersionRange? range, out string? why)
    {
        range = null;
        var parts = SplitComparators(text, out why);
        if (parts is null) return false;

        NuGetVersion? min = null, max = null;
        bool minInclusive = false, maxInclusive = false, prerelease = false;
        foreach (var part in parts)
        {
            if (!TryParseComparator(part, out var lower, out var upper, out why))
            {
                why = $"'{part}': {why}";
                return false;
            }
            prerelease |= lower.Version?.IsPrerelease == true || (upper.Version?.IsPrerelease == true && !upper.Made);
            if (lower.Version is not null && (min is null || lower.Version > min || (lower.Version == min && !lower.Inclusive)))
            {
                min = lower.Version;
                minInclusive = lower.Inclusive;
            }
            if (upper.Version is not null && (max is null || upper.Version < max || (upper.Version == max && !upper.Inclusive)))
            {
                max = upper.Version;
                maxInclusive = upper.Inclusive;
            }
        }
        range = new VersionRange(Kind.Bounds, string.Join(' ', parts), min, minInclusive, max, maxInclusive, prerelease);
        why = null;
        return true;
    }

    /// <summary>Splits on whitespace, gluing an operator written apart from its version (<c>&gt;= 1.0</c>).</summary>
    private static List<string>? SplitComparators(string text, out string? why)
    {
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var parts = new List<string>();
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token is ">=" or "<=" or ">" or "<" or "=" or "^" or "~")
            {
                if (i + 1 >= tokens.Length)
                {
                    why = $"operator '{token}' has no version after it";
                    return null;
                }
                token += tokens[++i];
            }
            parts.Add(token);
        }
        if (parts.Count > 1 && parts.Any(p => p is "*" or PackageVersion.LatestText))
        {
            why = "'*' and 'latest' cannot be combined with other comparators";
            return null;
        }
        why = null;
        return parts;
    }

    /// <param name="Made">An upper bound made below a version's prereleases (<see cref="Ceiling"/>), not named by the text.</param>
    private readonly record struct Bound(NuGetVersion? Version, bool Inclusive, bool Made = false);

    private static bool TryParseComparator(string part, out Bound lower, out Bound upper, out string? why)
    {
        lower = default;
        upper = default;
        string op;
        if (part.StartsWith(">=", StringComparison.Ordinal) || part.StartsWith("<=", StringComparison.Ordinal)) op = part[..2];
        else if (part[0] is '>' or '<' or '=' or '^' or '~') op = part[..1];
        else op = "";
        var versionText = part[op.Length..];

        if (!PartialVersion.TryParse(versionText, out var v, out why)) return false;
        if (v.Wildcard && op is not ("" or "="))
        {
            why = $"a wildcard cannot follow '{op}'";
            return false;
        }
        var floor = v.Floor();
        switch (op)
        {
            case "" or "=":
                // A full version is exact; a partial or wildcard one is the X-range it names (npm: 1.2 = 1.2.x).
                if (v.Parts == 3)
                {
                    lower = upper = new Bound(floor, true);
                }
                else if (v.Parts == 0)
                {
                    why = "a bare '*' cannot be combined here";
                    return false;
                }
                else
                {
                    lower = new Bound(floor, true);
                    upper = Ceiling(v.NextAfterGiven());
                }
                return true;
            case "^":
                lower = new Bound(floor, true);
                upper = Ceiling(v.CaretCeiling());
                return true;
            case "~":
                lower = new Bound(floor, true);
                upper = Ceiling(v.Parts == 1 ? PartialVersion.After(v.Major, 0, 0, 1) : PartialVersion.After(v.Major, v.Minor, 0, 2));
                return true;
            case ">=":
                lower = new Bound(floor, true);
                return true;
            case ">":
                if (v.Parts == 3)
                {
                    lower = new Bound(floor, false);
                }
                else if (v.NextAfterGiven() is { } next)
                {
                    lower = new Bound(next, true);
                }
                else
                {
                    why = $"'{part}' admits no version: none is above {versionText}";
                    return false;
                }
                return true;
            case "<":
                upper = new Bound(floor, false);
                return true;
            default: // "<="
                upper = v.Parts == 3 ? new Bound(floor, true) : Ceiling(v.NextAfterGiven());
                return true;
        }
    }

    /// <summary>
    /// The exclusive upper bound a caret, tilde, partial or wildcard range makes: below every prerelease of
    /// <paramref name="next"/> too (<c>2.0.0-0</c>, the lowest there is), so <c>^1.2.0-0</c> never reaches 2.0.0-beta.1.
    /// </summary>
    /// A <paramref name="next"/> of null (nothing past 2147483647.2147483647.2147483647) leaves the range unbounded above.
    private static Bound Ceiling(NuGetVersion? next) =>
        next is null ? default : new(new NuGetVersion(next.Major, next.Minor, next.Patch, "0"), false, Made: true);

    /// <summary>True when <paramref name="version"/> is in the range (see the prerelease rule on the type).</summary>
    public bool Satisfies(PackageVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return _kind switch
        {
            Kind.Latest => version.IsLatest,
            Kind.Any => version.IsLatest || !version.SemVer!.IsPrerelease,
            _ => !version.IsLatest && SatisfiesBounds(version.SemVer!),
        };
    }

    private bool SatisfiesBounds(NuGetVersion v)
    {
        if (v.IsPrerelease && !AllowsPrerelease) return false;
        var comparer = VersionComparer.VersionRelease;
        if (MinVersion is not null)
        {
            var c = comparer.Compare(v, MinVersion);
            if (c < 0 || (c == 0 && !IsMinInclusive)) return false;
        }
        if (MaxVersion is not null)
        {
            var c = comparer.Compare(v, MaxVersion);
            if (c > 0 || (c == 0 && !IsMaxInclusive)) return false;
        }
        return true;
    }

    /// <summary>The highest version in <paramref name="versions"/> that satisfies the range, or null.</summary>
    public PackageVersion? FindBest(IEnumerable<PackageVersion> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        PackageVersion? best = null;
        foreach (var v in versions)
        {
            if (Satisfies(v) && (best is null || v > best)) best = v;
        }
        return best;
    }

    /// <summary>The range as written, normalised: trimmed, comparators separated by one space, intervals without spaces.</summary>
    public override string ToString() => _text;

    public bool Equals(VersionRange? other) => other is not null && other._text == _text;
    public override bool Equals(object? obj) => Equals(obj as VersionRange);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>A version as written inside a range: 1, 1.2, 1.2.3[-pre][+build], or with a trailing wildcard (1.*, 1.2.*).</summary>
    private readonly record struct PartialVersion(int Parts, int Major, int Minor, int Patch, string? Release, string? Metadata, bool Wildcard)
    {
        public NuGetVersion Floor() => new(Major, Minor, Patch, Release, Metadata);

        /// <summary>The first version past the given components (1.2 → 1.3.0, 1 → 2.0.0); null when there is none.</summary>
        public NuGetVersion? NextAfterGiven() => After(Major, Minor, Patch, Parts);

        /// <summary>Cargo/npm caret: the left-most non-zero given component may not change.</summary>
        public NuGetVersion? CaretCeiling()
        {
            if (Major > 0 || Parts == 1) return After(Major, 0, 0, 1);
            if (Minor > 0 || Parts == 2) return After(0, Minor, 0, 2);
            return After(0, 0, Patch, 3);
        }

        /// <summary>
        /// The first version past <c>major.minor.patch</c> with component <paramref name="part"/> (1–3) raised by one and
        /// those after it zero. A component at 2147483647, the largest a version holds (pack accepts it), carries into the
        /// one before: past 1.2147483647 comes 2.0.0; past 2147483647 nothing does (null).
        /// </summary>
        public static NuGetVersion? After(int major, int minor, int patch, int part)
        {
            if (part >= 3 && patch < int.MaxValue) return new NuGetVersion(major, minor, patch + 1);
            if (part >= 2 && minor < int.MaxValue) return new NuGetVersion(major, minor + 1, 0);
            return major < int.MaxValue ? new NuGetVersion(major + 1, 0, 0) : null;
        }

        public static bool TryParse(string text, out PartialVersion version, [NotNullWhen(false)] out string? why)
        {
            version = default;
            if (text.Length == 0)
            {
                why = "a version is missing";
                return false;
            }
            string? metadata = null, release = null;
            var core = text;
            var plus = core.IndexOf('+', StringComparison.Ordinal);
            if (plus >= 0)
            {
                metadata = core[(plus + 1)..];
                core = core[..plus];
            }
            var dash = core.IndexOf('-', StringComparison.Ordinal);
            if (dash >= 0)
            {
                release = core[(dash + 1)..];
                core = core[..dash];
            }
            var fields = core.Split('.');
            var wildcard = fields[^1] == "*";
            var numeric = wildcard ? fields[..^1] : fields;
            if (numeric.Length > 3 || (wildcard && numeric.Length > 2) || (wildcard && numeric.Length == 0 && fields.Length > 1))
            {
                why = $"'{text}' has too many components";
                return false;
            }
            var values = new int[3];
            for (var i = 0; i < numeric.Length; i++)
            {
                var f = numeric[i];
                if (f.Length == 0 || !f.All(char.IsAsciiDigit) || (f.Length > 1 && f[0] == '0')
                    || !int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                {
                    why = $"'{f}' in '{text}' is not a version number (digits, no leading zeros)";
                    return false;
                }
            }
            if ((release is not null || metadata is not null) && (numeric.Length != 3 || wildcard))
            {
                why = $"'{text}': a prerelease or build suffix needs all three of major.minor.patch";
                return false;
            }
            if (release is not null || metadata is not null)
            {
                if (!NuGetVersion.TryParseStrict(text, out _))
                {
                    why = $"'{text}' is not a SemVer 2.0 version";
                    return false;
                }
            }
            if (numeric.Length == 0)
            {
                why = $"'{text}' is not a version";
                return false;
            }
            version = new PartialVersion(numeric.Length, values[0], values[1], values[2], release, metadata, wildcard);
            why = null;
            return true;
        }
    }
}
