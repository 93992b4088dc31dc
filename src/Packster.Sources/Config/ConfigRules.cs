using Packster.Deny;
using Packster.Licensing;
using Packster.Toml;
using Packster.Trust;

namespace Packster.Sources.Config;

/// <summary>
/// The install rules of the config file in force (spec/sources.md §1): its <c>[trust]</c>, <c>[licenses]</c> and
/// <c>deny</c>, read from the same text as its sources. A trusted project file that stands in for the absent user
/// config so brings its rules with its sources, and they are the rules of the bytes the user reviewed; every command
/// that applies or shows the user's rules takes them from here, never from the user's path alone.
/// </summary>
public sealed record ConfigRules(TrustRules Trust, LicenseRules Licenses, IReadOnlyList<DenyRule> Deny)
{
    /// <summary>The rules of a file that holds none (a missing one: an empty configuration).</summary>
    public static ConfigRules None(string path) => new(new TrustRules(path, null, [], []), new LicenseRules(path, [], []), []);

    /// <summary>
    /// The rules of <paramref name="document"/>, read from <paramref name="path"/>, whose keys the caller has checked
    /// (<see cref="RulesFile.CheckKeys"/>). A malformed table is the error its own reader gives (PST2030, PST2041, PST2042).
    /// </summary>
    public static ConfigRules Read(TomlTable document, string path)
    {
        ArgumentNullException.ThrowIfNull(document);
        var none = None(path);
        return new(
            document.TryGetValue("trust", out var trust) ? TrustRules.FromTable(path, trust) : none.Trust,
            document.TryGetValue("licenses", out var licenses) ? LicenseRules.FromTable(path, licenses) : none.Licenses,
            document.TryGetValue("deny", out var deny) ? DenyRule.FromArray(path, deny, position => $"{path}:{position}") : none.Deny);
    }
}
