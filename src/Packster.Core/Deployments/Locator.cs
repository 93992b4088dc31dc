using Packster.Locations;
using Packster.Manifest;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// <c>packster locate &lt;id&gt;:&lt;name&gt;</c> (spec/manifest.md § [locator]): the absolute paths a package's declared locator
/// names in its active (or selected) deployment. The pattern is resolved segment by segment from the deployment
/// directory — a literal segment is one lookup, <c>*</c>/<c>?</c> read one directory, only <c>**</c> walks below it —
/// so the answer never costs a scan of the whole tree.
/// </summary>
public static class Locator
{
    /// <summary>
    /// Reads <paramref name="argument"/> as <c>selector:name</c> (selector: id, id@version or a deployment hash; name: a
    /// locator name). False for anything else, which is then a file glob.
    /// </summary>
    public static bool TryParseQuery(string argument, out string selector, out string name)
    {
        ArgumentNullException.ThrowIfNull(argument);
        var colon = argument.IndexOf(':', StringComparison.Ordinal);
        selector = colon > 0 ? argument[..colon] : "";
        name = colon > 0 ? argument[(colon + 1)..] : "";
        if (colon <= 0 || LocatorName.Why(name) is not null) return false;
        var at = selector.IndexOf('@', StringComparison.Ordinal);
        return PackageId.TryParse(at < 0 ? selector : selector[..at], out _);
    }

    /// <summary>Looks <paramref name="name"/> up in the manifest of the deployment <paramref name="selector"/> names and resolves it.</summary>
    public static LocatorMatch Find(Location location, string selector, string name)
    {
        ArgumentNullException.ThrowIfNull(location);
        return LocationSnapshot.Read(location, snapshot =>
        {
            var entry = DeploymentSelector.ActiveOrSingle(snapshot.State, selector, location.Id.Value);
            // Deployments being removed are skipped: their files are no longer where the answer would point.
            var manifest = snapshot.Files(entry, dir => DeployedPackage.Load(location, entry, dir), fromTrash: false).Value?.Manifest
                ?? throw new PacksterException(ErrorCode.DeploymentNotFound, $"{entry.Id} {entry.Version} is being removed from location {location.Id}",
                    "run 'packster list' to see what is deployed");
            if (manifest.Locators.Count == 0)
            {
                throw new PacksterException(ErrorCode.LocatorNotFound, $"{entry.Id} {entry.Version} declares no [locator] table, so '{selector}:{name}' names nothing",
                    $"'packster locate <glob>' searches the files of active deployments, e.g. 'packster locate \"bin/*\"'");
            }
            if (!manifest.Locators.TryGetValue(name, out var pattern))
            {
                var suggestion = DidYouMean.Closest(name, [.. manifest.Locators.Keys]);
                throw new PacksterException(ErrorCode.LocatorNotFound,
                    $"{entry.Id} {entry.Version} declares no locator named '{name}'; it declares: {string.Join(", ", manifest.Locators.Keys)}"
                    + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)"),
                    $"ask for one of them, e.g. 'packster locate {selector}:{manifest.Locators.Keys.First()}'");
            }
            var root = location.DeploymentDirectory(entry.Hash);
            var paths = Resolve(root, pattern).Select(p => Path.Join(root, p)).ToList();
            if (paths.Count == 0)
            {
                throw new PacksterException(ErrorCode.NoFileMatches,
                    $"locator '{name}' of {entry.Id} {entry.Version} ('{pattern}') matches nothing in its deployment {root}",
                    "the package declares a path its deployment does not hold; 'packster verify' checks the deployment's files");
            }
            return new LocatorMatch(entry, name, pattern, paths);
        });
    }

    /// <summary>
    /// The paths under <paramref name="root"/> that <paramref name="pattern"/> matches, relative to it with the platform's
    /// separator ("" for <c>.</c>), in ordinal order. <c>**</c> does not descend through symbolic links, so a link cannot
    /// make it loop.
    /// </summary>
    public static IReadOnlyList<string> Resolve(string root, LocatorPattern pattern)
    {
        ArgumentNullException.ThrowIfNull(root);
        var results = new SortedSet<string>(StringComparer.Ordinal);
        Expand(root, "", pattern.Segments, 0, results);
        return [.. results];
    }

    private static void Expand(string root, string relative, IReadOnlyList<string> segments, int index, SortedSet<string> results)
    {
        if (index == segments.Count)
        {
            results.Add(relative);
            return;
        }
        var directory = Path.Join(root, relative);
        var segment = segments[index];
        var last = index == segments.Count - 1;
        if (segment == "**")
        {
            Expand(root, relative, segments, index + 1, results);
            foreach (var sub in SafeEnumerate(directory))
            {
                if (sub is DirectoryInfo && sub.LinkTarget is null) Expand(root, Path.Join(relative, sub.Name), segments, index, results);
            }
            return;
        }
        if (segment.IndexOfAny(['*', '?']) < 0)
        {
            var next = Path.Join(relative, segment);
            var full = Path.Join(root, next);
            if (last ? File.Exists(full) || Directory.Exists(full) : Directory.Exists(full)) Expand(root, next, segments, index + 1, results);
            return;
        }
        foreach (var item in SafeEnumerate(directory))
        {
            if (!Matches(item.Name, segment)) continue;
            if (last || Directory.Exists(item.FullName)) Expand(root, Path.Join(relative, item.Name), segments, index + 1, results);
        }
    }

    private static IEnumerable<FileSystemInfo> SafeEnumerate(string directory) =>
        Directory.Exists(directory) ? new DirectoryInfo(directory).EnumerateFileSystemInfos() : [];

    /// <summary>A glob segment: <c>*</c> any run of characters, <c>?</c> one character, the rest literal (ordinal).</summary>
    internal static bool Matches(string name, string glob)
    {
        int n = 0, g = 0, starG = -1, starN = 0;
        while (n < name.Length)
        {
            if (g < glob.Length && (glob[g] == '?' || glob[g] == name[n]))
            {
                n++;
                g++;
            }
            else if (g < glob.Length && glob[g] == '*')
            {
                starG = g++;
                starN = n;
            }
            else if (starG >= 0)
            {
                g = starG + 1;
                n = ++starN;
            }
            else
            {
                return false;
            }
        }
        while (g < glob.Length && glob[g] == '*') g++;
        return g == glob.Length;
    }
}

/// <summary>A resolved locator: the deployment, the name and pattern asked for, and the absolute paths it matched (at least one).</summary>
public sealed record LocatorMatch(DeploymentEntry Deployment, string Name, LocatorPattern Pattern, IReadOnlyList<string> Paths);
