using System.Text.RegularExpressions;
using Packster.Model;

namespace Packster.Sources;

/// <summary>
/// A search pattern over package ids: <c>*</c> and <c>?</c> are wildcards over the whole id; a pattern without
/// wildcards matches ids that contain it (as Artifactory's quick search does). Matching ignores case.
/// </summary>
public sealed class IdPattern
{
    private readonly Regex _regex;

    public IdPattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Text = pattern;
        var hasWildcard = pattern.IndexOfAny(['*', '?']) >= 0;
        var body = Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal);
        _regex = new Regex(hasWildcard ? $"^{body}$" : body, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public string Text { get; }

    public bool Matches(PackageId id) => _regex.IsMatch(id.Value);

    /// <summary>The pattern as an Artifactory/glob file-name pattern: <c>*text*</c> without wildcards.</summary>
    public string AsNameGlob() => Text.IndexOfAny(['*', '?']) >= 0 ? Text : $"*{Text}*";
}
