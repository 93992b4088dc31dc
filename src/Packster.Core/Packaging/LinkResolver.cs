namespace Packster.Packaging;

/// <summary>
/// Decides whether a symlink stays inside the package: its target must be relative and, resolved from the link's
/// folder one component at a time (following other links of the package as it goes), never climb above the root.
/// A case-insensitive or normalising file system (NTFS, APFS) follows <c>a/UP</c> through the link <c>a/up</c>, so
/// components are matched to links by <see cref="EntryPathRules.CollisionKey"/> there and exactly elsewhere; a
/// package must be safe on both, which is what the one-argument constructor checks.
/// </summary>
internal sealed class LinkResolver
{
    /// <summary>Linux gives up after 40 links in one lookup; so do we.</summary>
    private const int MaxLinkDepth = 40;

    private readonly IReadOnlyDictionary<string, string>[] _lookups;

    /// <summary>Judges links for every file system: exact names, then case-folded and normalised ones.</summary>
    public LinkResolver(IReadOnlyDictionary<string, string> linkTargets)
    {
        _lookups = [Exact(linkTargets), Folded(linkTargets)];
    }

    /// <summary>Judges links for one kind of file system only.</summary>
    public LinkResolver(IReadOnlyDictionary<string, string> linkTargets, bool caseInsensitive)
    {
        _lookups = [caseInsensitive ? Folded(linkTargets) : Exact(linkTargets)];
    }

    /// <summary>Why the link at <paramref name="linkPath"/> is unsafe, or null.</summary>
    public string? UnsafeReason(string linkPath, string target)
    {
        var shapeProblem = TargetShapeReason(target);
        if (shapeProblem is not null) return shapeProblem;
        foreach (var lookup in _lookups)
        {
            var start = new List<string>(linkPath.Split('/'));
            start.RemoveAt(start.Count - 1);
            var hops = 0;
            var problem = Walk(lookup, lookup is FoldedLinks, start, target, ref hops);
            if (problem is not null) return problem;
        }
        return null;
    }

    private static Dictionary<string, string> Exact(IReadOnlyDictionary<string, string> links) =>
        new(links, StringComparer.Ordinal);

    /// <summary>Links keyed by collision key (the tree rules already refused two link paths sharing one).</summary>
    private static FoldedLinks Folded(IReadOnlyDictionary<string, string> links)
    {
        var folded = new FoldedLinks();
        foreach (var (path, target) in links) folded.TryAdd(EntryPathRules.CollisionKey(path), target);
        return folded;
    }

    private sealed class FoldedLinks : Dictionary<string, string>
    {
        public FoldedLinks() : base(StringComparer.Ordinal) { }
    }

    /// <summary>Rules on the target text alone: relative, '/'-separated, printable.</summary>
    public static string? TargetShapeReason(string target)
    {
        if (target.Length == 0) return "the target is empty";
        if (target.Length > EntryPathRules.MaxPathBytes) return $"the target is longer than {EntryPathRules.MaxPathBytes} characters";
        if (target.Any(char.IsControl)) return "the target contains a control character";
        if (target[0] == '/' || target.StartsWith(@"\\", StringComparison.Ordinal)) return "the target is absolute";
        if (target.Length >= 2 && char.IsAsciiLetter(target[0]) && target[1] == ':') return "the target starts with a drive letter";
        if (target.Contains('\\', StringComparison.Ordinal)) return "the target contains a backslash";
        return null;
    }

    private static string? Walk(IReadOnlyDictionary<string, string> linkTargets, bool folded, List<string> stack, string target, ref int hops)
    {
        foreach (var component in target.Split('/'))
        {
            if (component.Length == 0 || component == ".") continue;
            if (component == "..")
            {
                if (stack.Count == 0) return "it points outside the package";
                stack.RemoveAt(stack.Count - 1);
                continue;
            }
            stack.Add(component);
            var current = string.Join('/', stack);
            if (linkTargets.TryGetValue(folded ? EntryPathRules.CollisionKey(current) : current, out var next))
            {
                if (++hops > MaxLinkDepth) return "it resolves through a loop of links";
                var shapeProblem = TargetShapeReason(next);
                if (shapeProblem is not null) return $"it goes through '{current}', whose {shapeProblem[4..]}";
                stack.RemoveAt(stack.Count - 1);
                var problem = Walk(linkTargets, folded, stack, next, ref hops);
                if (problem is not null) return problem;
            }
        }
        return null;
    }
}
