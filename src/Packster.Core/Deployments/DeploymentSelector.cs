using Packster.Locations;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// Finds deployments by what users type: <c>id</c>, <c>id@version</c>, or a deployment hash (full, or a unique
/// prefix of at least 8 hex digits). Ambiguity is an error listing the candidates, never a guess.
/// </summary>
public static class DeploymentSelector
{
    public const int MinimumHashPrefix = 8;

    /// <summary>
    /// An empty selector is a usage error in words (PST1001): it comes from the command line (<c>packster pin "$PKG"</c>
    /// with PKG unset), not from a caller's mistake.
    /// </summary>
    public static void RequireSelector(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector.Length == 0)
        {
            throw new PacksterException(ErrorCode.InvalidArgument, "the package to act on is empty: it names no deployment",
                "name it by id, id@version or deployment hash (run 'packster list' to see what is deployed)");
        }
    }

    public static IReadOnlyList<DeploymentEntry> Match(LocationState state, string selector)
    {
        ArgumentNullException.ThrowIfNull(state);
        RequireSelector(selector);
        if (selector.Length >= MinimumHashPrefix && selector.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') && !selector.Contains('@', StringComparison.Ordinal))
        {
            var byHash = state.Deployments.Where(d => d.Hash.Hex.StartsWith(selector, StringComparison.Ordinal)).ToList();
            if (byHash.Count > 0) return byHash;
        }
        var at = selector.IndexOf('@', StringComparison.Ordinal);
        var id = PackageId.Parse(at < 0 ? selector : selector[..at]);
        var version = at < 0 ? null : PackageVersion.Parse(selector[(at + 1)..]);
        return state.Deployments.Where(d => d.Id == id && (version is null || d.Version == version)).ToList();
    }

    /// <summary>
    /// As <see cref="Single"/>, but a bare id means the package's active deployment (<c>packster test hello</c>,
    /// <c>packster locate hello:home</c>): DeploymentNotFound when none of it is active.
    /// </summary>
    public static DeploymentEntry ActiveOrSingle(LocationState state, string selector, string locationDisplay)
    {
        ArgumentNullException.ThrowIfNull(state);
        RequireSelector(selector);
        if (selector.Contains('@', StringComparison.Ordinal) || !PackageId.TryParse(selector, out var id)) return Single(state, selector, locationDisplay);
        var matches = Match(state, selector);
        // A hash prefix that is also a valid id (all hex digits) selects by hash.
        if (matches.Count > 0 && matches.All(m => m.Id != id)) return Single(state, selector, locationDisplay);
        if (matches.FirstOrDefault(m => m.Active) is { } active) return active;
        if (matches.Count == 0) return Single(state, selector, locationDisplay);
        throw new PacksterException(ErrorCode.DeploymentNotFound,
            $"no deployment of {id} is active in location {locationDisplay} (deployed: {string.Join(", ", matches.Select(m => $"{m.Id}@{m.Version}"))})",
            $"name one by {id}@<version>, or make one active with 'packster use {id}@<version>'");
    }

    /// <summary>
    /// For hex digits too few to name a hash that some deployment's hash starts with: that a hash is named by at least
    /// <see cref="MinimumHashPrefix"/> of them, with the first such hash's first twelve; null otherwise.
    /// </summary>
    private static string? ShortPrefixHint(LocationState state, string selector)
    {
        if (selector.Length >= MinimumHashPrefix || !selector.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')) return null;
        var starting = state.Deployments.Where(d => d.Hash.Hex.StartsWith(selector, StringComparison.Ordinal)).Select(d => d.Hash.Hex).Order(StringComparer.Ordinal).ToList();
        if (starting.Count == 0) return null;
        return $"a deployment hash is named by at least {MinimumHashPrefix} of its hex digits: '{starting[0][..12]}'"
            + (starting.Count == 1 ? "" : $" (the hashes of {starting.Count} deployments start with '{selector}')");
    }

    /// <summary>Exactly one deployment, or DeploymentNotFound / DeploymentAmbiguous naming the candidates.</summary>
    public static DeploymentEntry Single(LocationState state, string selector, string locationDisplay)
    {
        var matches = Match(state, selector);
        return matches.Count switch
        {
            0 => throw new PacksterException(ErrorCode.DeploymentNotFound, $"no deployment matches '{selector}' in location {locationDisplay}",
                ShortPrefixHint(state, selector) ?? "run 'packster list' to see what is deployed"),
            1 => matches[0],
            _ => throw new PacksterException(ErrorCode.DeploymentAmbiguous,
                $"'{selector}' matches {matches.Count} deployments in location {locationDisplay}: {string.Join(", ", matches.Select(m => $"{m.Id}@{m.Version} ({m.Hash.Hex[..12]})"))}",
                AmbiguityHint(selector, matches)),
        };
    }

    /// <summary>
    /// What names one of <paramref name="matches"/>: id@version only when the selector did not give a version and the
    /// matches differ in theirs; else only a deployment hash (one version with two parameter sets differs in nothing else).
    /// </summary>
    private static string AmbiguityHint(string selector, IReadOnlyList<DeploymentEntry> matches)
    {
        var example = matches[0].Hash.Hex[..12];
        return !selector.Contains('@', StringComparison.Ordinal) && matches.Select(m => (m.Id, m.Version)).Distinct().Count() > 1
            ? $"name one by id@version or by its deployment hash, e.g. {matches[0].Id}@{matches[0].Version} or {example}"
            : $"name one by its deployment hash, e.g. {example}";
    }
}
