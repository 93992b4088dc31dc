using System.Text;

namespace Packster.Sources.Installation;

/// <summary>
/// Turns the incompatibility that proved a resolution impossible into words (spec/resolver.md § Explanations): its
/// derivation, from the facts (dependencies, unavailable requirements) up to "the root cannot be installed", as
/// clauses joined by "; ", each ending in what follows ("…, so tool 2.0.0 and other 1.4.0 cannot be used together").
/// A conclusion used twice is numbered the first time and referred to by number after.
/// </summary>
internal sealed class ResolutionExplanation
{
    private readonly IReadOnlyList<PackageDomain> _domains;
    private readonly int _root;
    private readonly Dictionary<Incompatibility, int> _uses = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Incompatibility, int> _numbers = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _clauses = [];

    private ResolutionExplanation(IReadOnlyList<PackageDomain> domains, int root)
    {
        _domains = domains;
        _root = root;
    }

    /// <summary>The error for a failed resolution: the code of the fact that decided it, the chain as its message.</summary>
    public static PacksterException Failure(Incompatibility failure, IReadOnlyList<PackageDomain> domains, int root)
    {
        var explanation = new ResolutionExplanation(domains, root);
        var text = explanation.Explain(failure);
        var facts = Facts(failure).ToList();
        var unavailable = facts.FirstOrDefault(f => f.Kind == IncompatibilityKind.Unavailable);
        if (unavailable is not null && facts.Count(f => f.Kind != IncompatibilityKind.Root) == 1)
        {
            // One requirement nothing satisfies: the message is that requirement and why (what the greedy planner said).
            return new PacksterException(unavailable.ReasonCode, text, unavailable.ReasonHint ?? "nothing was installed; publish the dependency or add a source that has it");
        }
        var code = unavailable?.ReasonCode ?? ErrorCode.DependencyConflict;
        return new PacksterException(code, $"the dependencies of {explanation.Root} cannot be resolved: {text}",
            unavailable?.ReasonHint ?? "nothing was installed; relax one of these ranges, or publish versions that agree");
    }

    private string Root => $"{_domains[_root].Id} {_domains[_root].Versions[0]}";

    /// <summary>The external incompatibilities a derivation rests on, depth first, left before right.</summary>
    private static IEnumerable<Incompatibility> Facts(Incompatibility incompatibility)
    {
        var stack = new Stack<Incompatibility>();
        stack.Push(incompatibility);
        var seen = new HashSet<Incompatibility>(ReferenceEqualityComparer.Instance);
        while (stack.TryPop(out var next))
        {
            if (!seen.Add(next)) continue;
            if (!next.IsDerived)
            {
                yield return next;
                continue;
            }
            stack.Push(next.Right!);
            stack.Push(next.Left!);
        }
    }

    private string Explain(Incompatibility failure)
    {
        if (!failure.IsDerived) return Describe(failure);
        Count(failure);
        Visit(failure);
        return string.Join("; ", _clauses);
    }

    private void Count(Incompatibility incompatibility)
    {
        if (!incompatibility.IsDerived) return;
        _uses[incompatibility] = _uses.GetValueOrDefault(incompatibility) + 1;
        if (_uses[incompatibility] > 1) return;
        Count(incompatibility.Left!);
        Count(incompatibility.Right!);
    }

    private void Visit(Incompatibility incompatibility)
    {
        var left = incompatibility.Left!;
        var right = incompatibility.Right!;
        var conclusion = Describe(incompatibility);
        if (left.IsDerived && right.IsDerived)
        {
            var first = Reference(left) ?? Reference(right);
            if (Reference(left) is { } l && Reference(right) is { } r)
            {
                _clauses.Add($"{l}, {r}, so {conclusion}");
            }
            else if (first is not null)
            {
                Visit(Reference(left) is null ? left : right);
                _clauses.Add($"with {first}, so {conclusion}");
            }
            else
            {
                Visit(left);
                Number(left);
                Visit(right);
                _clauses.Add($"with {Reference(left)}, so {conclusion}");
            }
        }
        else if (left.IsDerived || right.IsDerived)
        {
            var derived = left.IsDerived ? left : right;
            var fact = left.IsDerived ? right : left;
            if (Reference(derived) is { } reference) _clauses.Add($"{reference}, {Describe(fact)}, so {conclusion}");
            else
            {
                Visit(derived);
                _clauses.Add($"{Describe(fact)}, so {conclusion}");
            }
        }
        else
        {
            _clauses.Add($"{Describe(left)}, {Describe(right)}, so {conclusion}");
        }
        if (_uses.GetValueOrDefault(incompatibility) > 1) Number(incompatibility);
    }

    /// <summary>Marks the last clause as the conclusion numbered (n), for later clauses to cite.</summary>
    private void Number(Incompatibility incompatibility)
    {
        if (_numbers.ContainsKey(incompatibility)) return;
        _numbers[incompatibility] = _numbers.Count + 1;
        _clauses[^1] += $" ({_numbers.Count})";
    }

    private string? Reference(Incompatibility incompatibility) =>
        _numbers.TryGetValue(incompatibility, out var n) ? $"{Describe(incompatibility)} ({n})" : null;

    /// <summary>One incompatibility as a statement.</summary>
    private string Describe(Incompatibility incompatibility)
    {
        switch (incompatibility.Kind)
        {
            case IncompatibilityKind.Root:
                return $"{Root} is being installed";
            case IncompatibilityKind.Dependency:
                return $"{Depender(incompatibility)} depends on {incompatibility.Requirement}";
            case IncompatibilityKind.Unavailable:
                return $"{Depender(incompatibility)} depends on {incompatibility.Requirement}: {incompatibility.Reason}";
        }
        var terms = incompatibility.Terms;
        if (terms.Length == 0 || (terms.Length == 1 && terms[0].Package == _root && terms[0].Positive)) return $"{Root} cannot be installed";
        var positive = terms.Where(t => t.Positive).ToList();
        var negative = terms.Where(t => !t.Positive).ToList();
        // "root and X cannot be used together" says no more than "X cannot be used": the root is always there.
        if (negative.Count == 0 && positive.Count > 1) positive.RemoveAll(t => t.Package == _root);
        if (positive.Count == 0) return $"{Join(negative.Select(Versions))} {(negative.Count == 1 ? "is" : "are")} needed";
        if (negative.Count == 0)
        {
            return positive.Count == 1 ? $"{Versions(positive[0])} cannot be used" : $"{Join(positive.Select(Versions))} cannot be used together";
        }
        return $"{Join(positive.Select(Versions))} {(positive.Count == 1 ? "needs" : "together need")} {Join(negative.Select(Versions))}";
    }

    private string Depender(Incompatibility incompatibility) =>
        $"{_domains[incompatibility.Terms.Length > 0 ? incompatibility.Terms[0].Package : _root].Id} {incompatibility.DependerVersion}";

    private static string Join(IEnumerable<string> parts)
    {
        var list = parts.ToList();
        return list.Count <= 1 ? string.Concat(list) : $"{string.Join(", ", list.Take(list.Count - 1))} and {list[^1]}";
    }

    /// <summary>
    /// A term's versions in words: one version, a requirement's range when the set is exactly what it allows, every
    /// version, or runs of consecutive known versions (<c>&gt;=1.0.0 &lt;=1.4.0 || 2.0.0</c>).
    /// </summary>
    private string Versions(Term term)
    {
        var domain = _domains[term.Package];
        var set = term.Set;
        var indices = set.Indices().ToList();
        if (indices.Count == 1) return $"{domain.Id} {domain.Versions[indices[0]]}";
        if (domain.Labels.TryGetValue(set, out var label)) return $"{domain.Id} {label}";
        if (indices.Count == domain.Size) return $"every version of {domain.Id}";
        if (indices.Count == 0) return $"no version of {domain.Id}";
        var runs = new StringBuilder();
        for (var i = 0; i < indices.Count;)
        {
            var j = i;
            while (j + 1 < indices.Count && indices[j + 1] == indices[j] + 1) j++;
            if (runs.Length > 0) runs.Append(" || ");
            runs.Append(i == j ? $"{domain.Versions[indices[i]]}" : $">={domain.Versions[indices[i]]} <={domain.Versions[indices[j]]}");
            i = j + 1;
        }
        return $"{domain.Id} {runs}";
    }
}
