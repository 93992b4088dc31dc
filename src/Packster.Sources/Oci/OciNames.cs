using Packster.Model;

namespace Packster.Sources.Oci;

/// <summary>
/// Names as the OCI distribution spec 1.1 allows them: a repository is components of <c>[a-z0-9]+</c> joined by
/// <c>.</c>, <c>_</c>, <c>__</c> or <c>-+</c>, separated by <c>/</c>; a tag is <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.
/// A package's repository is <c>{repo}/{id}</c> and its tag is its version with <c>+</c> written <c>_</c> (spec/sources.md §10).
/// </summary>
public static class OciNames
{
    /// <summary>The longest repository name Packster writes (registries commonly cap the whole name at 255).</summary>
    public const int MaxRepositoryLength = 255;

    public static bool IsRepositoryPath(string? path) =>
        path is { Length: > 0 and <= MaxRepositoryLength } && path.Split('/').All(IsComponent);

    /// <summary>One path component: alphanumeric runs joined by a single '.', '_', "__" or any number of '-'.</summary>
    public static bool IsComponent(string component)
    {
        if (component.Length == 0 || !IsLowerAlnum(component[0]) || !IsLowerAlnum(component[^1])) return false;
        for (var i = 0; i < component.Length;)
        {
            if (IsLowerAlnum(component[i]))
            {
                i++;
                continue;
            }
            var start = i;
            while (i < component.Length && !IsLowerAlnum(component[i])) i++;
            var separator = component[start..i];
            var ok = separator is "." or "_" or "__" || separator.All(c => c == '-');
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>The repository that holds <paramref name="id"/>'s packages; PST8020 when the id cannot be one.</summary>
    public static string RepositoryOf(string source, string prefix, PackageId id)
    {
        var name = $"{prefix}/{id}";
        if (!IsComponent(id.Value) || name.Length > MaxRepositoryLength)
            throw new PacksterException(ErrorCode.OciNameInvalid,
                $"source '{source}': package id '{id}' cannot name an OCI repository ('{name}')",
                "an OCI repository component is lowercase letters and digits joined by single '.', '_', \"__\" or '-' runs, starting and ending with a letter or digit");
        return name;
    }

    /// <summary>The tag of a version: build metadata's '+' is not allowed in tags, so it is written '_' (as Helm does).</summary>
    public static string TagOf(PackageVersion version) => version.ToString().Replace('+', '_');

    /// <summary>The version a tag names, or null for tags that are not versions (<c>main</c>, referrers tags).</summary>
    public static PackageVersion? VersionOfTag(string tag)
    {
        // A version has no '_', so the first '_' can only stand for the '+' TagOf replaced.
        var index = tag.IndexOf('_', StringComparison.Ordinal);
        var text = index < 0 ? tag : string.Concat(tag.AsSpan(0, index), "+", tag.AsSpan(index + 1));
        return PackageVersion.TryParse(text, out var version) && TagOf(version) == tag ? version : null;
    }

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
