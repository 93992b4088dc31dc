using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NuGet.Versioning;
using Packster.Model;
using NuGetRange = NuGet.Versioning.VersionRange;
using VersionRange = Packster.Model.VersionRange;

namespace Packster.Core.Tests.Model;

/// <summary>
/// spec/manifest.md §Version ranges: every syntax reduces to NuGet interval bounds, so for any version our
/// answer equals NuGet.Versioning's — except that prereleases match only when the range names one.
/// </summary>
public sealed class VersionRangePropertyTests
{
    private static readonly string[] Labels = ["alpha", "beta.1", "rc.2"];

    private static readonly Gen<string> Core =
        from major in Gen.Choose(0, 3)
        from minor in Gen.Choose(0, 3)
        from patch in Gen.Choose(0, 3)
        select $"{major}.{minor}.{patch}";

    private static readonly Gen<string> VersionText =
        from core in Core
        from pre in Gen.Frequency((4, Gen.Constant("")), (1, Gen.Elements(Labels).Select(l => "-" + l)))
        select core + pre;

    private static readonly Gen<PackageVersion> Versions = VersionText.Select(PackageVersion.Parse);

    /// <summary>A partial or full bound as a range may write it: 1, 1.2, 1.2.3, 1.2.3-beta.1.</summary>
    private static readonly Gen<string> BoundText =
        Gen.OneOf(
            Gen.Choose(0, 3).Select(m => $"{m}"),
            from a in Gen.Choose(0, 3) from b in Gen.Choose(0, 3) select $"{a}.{b}",
            VersionText);

    private static readonly Gen<string> Intervals =
        from lo in BoundText
        from hi in BoundText
        from shape in Gen.Choose(0, 5)
        let ordered = NuGetVersion.Parse(lo) <= NuGetVersion.Parse(hi)
        let a = ordered ? lo : hi
        let b = ordered ? hi : lo
        // NuGet refuses empty intervals; equal bounds only make sense closed on both sides.
        let s = NuGetVersion.Parse(a) == NuGetVersion.Parse(b) && shape is 1 or 2 ? 0 : shape
        select s switch
        {
            0 => $"[{a},{b}]",
            1 => $"[{a},{b})",
            2 => $"({a},{b}]",
            3 => $"(,{b}]",
            4 => $"[{a},)",
            _ => $"[{a}]",
        };

    private static bool Agrees(VersionRange ours, NuGetRange nuget, PackageVersion v)
    {
        var mentionsPrerelease = (nuget.MinVersion?.IsPrerelease ?? false) || (nuget.MaxVersion?.IsPrerelease ?? false);
        var expected = (!v.SemVer!.IsPrerelease || mentionsPrerelease) && nuget.Satisfies(v.SemVer);
        return ours.Satisfies(v) == expected;
    }

    [Property]
    public Property Intervals_agree_with_NuGet() =>
        Prop.ForAll(Intervals.ToArbitrary(), Versions.ToArbitrary(),
            (text, v) => Agrees(VersionRange.Parse(text), NuGetRange.Parse(text), v));

    [Property]
    public Property Comparator_pairs_agree_with_the_equivalent_interval() =>
        Prop.ForAll(VersionText.ToArbitrary(), VersionText.ToArbitrary(), Versions.ToArbitrary(), (x, y, v) =>
        {
            var (lo, hi) = NuGetVersion.Parse(x) <= NuGetVersion.Parse(y) ? (x, y) : (y, x);
            if (NuGetVersion.Parse(lo) == NuGetVersion.Parse(hi))
            {
                return !VersionRange.Parse($">={lo} <{hi}").Satisfies(v) && !VersionRange.Parse($">{lo} <={hi}").Satisfies(v);
            }
            return Agrees(VersionRange.Parse($">={lo} <{hi}"), NuGetRange.Parse($"[{lo},{hi})"), v)
                && Agrees(VersionRange.Parse($">{lo} <={hi}"), NuGetRange.Parse($"({lo},{hi}]"), v)
                && Agrees(VersionRange.Parse($"<{hi}"), NuGetRange.Parse($"(,{hi})"), v);
        });

    [Property]
    public Property Caret_equals_its_interval() =>
        Prop.ForAll(Core.ToArbitrary(), Versions.ToArbitrary(), (core, v) =>
        {
            var p = NuGetVersion.Parse(core);
            var upper = p.Major > 0 ? $"{p.Major + 1}.0.0" : p.Minor > 0 ? $"0.{p.Minor + 1}.0" : $"0.0.{p.Patch + 1}";
            return Agrees(VersionRange.Parse("^" + core), NuGetRange.Parse($"[{core},{upper})"), v);
        });

    [Property]
    public Property Tilde_and_wildcards_equal_their_intervals() =>
        Prop.ForAll(Core.ToArbitrary(), Versions.ToArbitrary(), (core, v) =>
        {
            var p = NuGetVersion.Parse(core);
            return Agrees(VersionRange.Parse("~" + core), NuGetRange.Parse($"[{core},{p.Major}.{p.Minor + 1}.0)"), v)
                && Agrees(VersionRange.Parse($"{p.Major}.{p.Minor}.*"), NuGetRange.Parse($"[{p.Major}.{p.Minor}.0,{p.Major}.{p.Minor + 1}.0)"), v)
                && Agrees(VersionRange.Parse($"{p.Major}.*"), NuGetRange.Parse($"[{p.Major}.0.0,{p.Major + 1}.0.0)"), v)
                && Agrees(VersionRange.Parse(core), NuGetRange.Parse($"[{core}]"), v);
        });

    private static readonly Gen<string> AnyRange = Gen.OneOf(
        Intervals,
        VersionText.Select(t => "^" + t),
        VersionText.Select(t => "~" + t),
        BoundText.Select(t => ">=" + t),
        BoundText.Select(t => "<=" + t),
        from a in BoundText from b in BoundText select $">{a} <{b}",
        Gen.Choose(0, 3).Select(m => $"{m}.*"),
        Gen.Constant("*"),
        Gen.Constant("latest"));

    [Property]
    public Property Parse_of_ToString_round_trips() =>
        Prop.ForAll(AnyRange.ToArbitrary(), Versions.ToArbitrary(), (text, v) =>
        {
            var range = VersionRange.Parse(text);
            var again = VersionRange.Parse(range.ToString());
            return again.ToString() == range.ToString() && again.Satisfies(v) == range.Satisfies(v) && again.Equals(range);
        });

    [Property]
    public Property FindBest_is_the_maximum_of_the_satisfying_versions() =>
        Prop.ForAll(AnyRange.ToArbitrary(), Gen.ListOf(Versions).ToArbitrary(), (text, versions) =>
        {
            var range = VersionRange.Parse(text);
            var satisfying = versions.Where(range.Satisfies).ToList();
            var best = range.FindBest(versions);
            return satisfying.Count == 0 ? best is null : best is not null && satisfying.All(s => s <= best) && range.Satisfies(best);
        });
}
