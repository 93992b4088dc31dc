namespace Packster.Packaging;

/// <summary>
/// Decides whether a symlink stays inside the package: its target must be relative and, resolved from the link's
/// folder one component at a time (following other links of the package as it goes), never climb above the root.
/// </summary>
internal sealed class LinkResolver(IReadOnlyDictionary<string, string> linkTargets)
{
    /// <summary>Linux gives up after 40 links in one lookup; so do we.</summary>
    private const int MaxLinkDepth = 40;

    /// <summary>Why the link at <paramref name="linkPath"/> is unsafe, or null.</summary>
    public string? UnsafeReason(string linkPath, string target)
    {
        var shapeProblem = TargetShapeReason(target);
        if (shapeProblem is not null) return shapeProblem;
        var start = new List<string>(linkPath.Split('/'));
        start.RemoveAt(start.Count - 1);
        var hops = 0;
        return Walk(start, target, ref hops);
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

    private string? Walk(List<string> stack, string target, ref int hops)
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
            if (linkTargets.TryGetValue(current, out var next))
            {
                if (++hops > MaxLinkDepth) return "it resolves through a loop of links";
                var shapeProblem = TargetShapeReason(next);
                if (shapeProblem is not null) return $"it goes through '{current}', whose {shapeProblem[4..]}";
                stack.RemoveAt(stack.Count - 1);
                var problem = Walk(stack, next, ref hops);
                if (problem is not null) return problem;
            }
        }
        return null;
    }
}
