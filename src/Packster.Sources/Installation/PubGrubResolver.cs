using Packster.Manifest;
using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>
/// Chooses one version per package for everything a root package needs, transitively, by PubGrub (spec/resolver.md):
/// unit propagation over incompatibilities, one decision at a time, and on a conflict, conflict-driven clause learning
/// that derives the incompatibility responsible and backjumps to where it stops holding. It either finds a solution or
/// proves there is none, and the proof is the explanation (<see cref="ResolutionExplanation"/>).
/// </summary>
/// <remarks>
/// A package's versions are listed once and cached; a version's dependencies are asked for only when that version is
/// chosen. Denied versions are left out of the domain before anything else, so they are never chosen; a requirement
/// only denied versions satisfy becomes an "unavailable" fact that names the rule.
/// </remarks>
public sealed class PubGrubResolver
{
    private const int RootPackage = 0;

    private readonly IResolverCatalogue _catalogue;
    private readonly ResolutionRequest _request;
    private readonly List<PackageDomain> _domains = [];
    private readonly Dictionary<PackageId, int> _packages = [];
    private readonly List<List<Incompatibility>> _byPackage = [];
    private readonly Dictionary<(int Package, int Version), List<Incompatibility>> _dependencies = [];

    // The partial solution: assignments in order, each package's own assignments, and its decided version (-1: none).
    private readonly List<Assignment> _assignments = [];
    private readonly List<List<Assignment>> _assigned = [];
    private readonly List<int> _decided = [];
    private int _level;

    // Packages that may have a positive derivation and no decision, by how many versions they allowed when queued: a
    // lazy queue, each entry checked when it comes out (dropped if decided or no longer needed, queued again if stale).
    private readonly PriorityQueue<int, (int Versions, int Package)> _undecided = new();
    private int _conflicts;
    private int _decisions;

    private PubGrubResolver(IResolverCatalogue catalogue, ResolutionRequest request)
    {
        _catalogue = catalogue;
        _request = request;
    }

    /// <summary>
    /// The versions to install, or PST8015 (a conflict), PST4060 (only denied versions fit), PST8004/8009/8011 (a
    /// requirement nothing offers) with the explanation as a chain in words.
    /// </summary>
    public static async Task<Resolution> ResolveAsync(ResolutionRequest request, IResolverCatalogue catalogue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalogue);
        var resolver = new PubGrubResolver(catalogue, request);
        return await resolver.SolveAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Resolution> SolveAsync(CancellationToken cancellationToken)
    {
        AddPackage(new PackageDomain(_request.RootId, [_request.RootVersion]));
        var rootVersions = VersionSet.Full(1);
        _dependencies[(RootPackage, 0)] = await DependencyIncompatibilitiesAsync(RootPackage, 0, _request.RootDependencies, cancellationToken).ConfigureAwait(false);
        AddIncompatibility(new Incompatibility([new Term(RootPackage, false, rootVersions)], IncompatibilityKind.Root));

        var next = RootPackage;
        while (next >= 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Propagate(next);
            next = await DecideAsync(cancellationToken).ConfigureAwait(false);
        }

        var versions = new Dictionary<PackageId, PackageVersion>();
        for (var p = 1; p < _domains.Count; p++)
        {
            if (_decided[p] >= 0) versions[_domains[p].Id] = _domains[p].Versions[_decided[p]];
        }
        return new Resolution(versions) { Conflicts = _conflicts, Decisions = _decisions };
    }

    // ---- packages and their domains -------------------------------------------------------------------------------

    private int AddPackage(PackageDomain domain)
    {
        var index = _domains.Count;
        _domains.Add(domain);
        _packages[domain.Id] = index;
        _byPackage.Add([]);
        _assigned.Add([]);
        _decided.Add(-1);
        return index;
    }

    /// <summary>The package's index, listing its versions the first time it is named.</summary>
    private async Task<int> PackageAsync(PackageId id, CancellationToken cancellationToken)
    {
        if (_packages.TryGetValue(id, out var known)) return known;
        IReadOnlyList<PackageVersion> listed;
        PacksterException? unavailable = null;
        try
        {
            listed = await _catalogue.VersionsAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (PacksterException e) when (e.Code is ErrorCode.PackageNotFound or ErrorCode.OfflineCacheMiss)
        {
            listed = [];
            unavailable = e;
        }
        var allowed = new List<PackageVersion>();
        var denied = new List<(PackageVersion, Deny.DenyRule)>();
        foreach (var version in listed.Distinct().Order())
        {
            if (_request.Deny.Rule(id, version) is { } rule) denied.Add((version, rule));
            else allowed.Add(version);
        }
        var domain = new PackageDomain(id, [.. allowed]) { Unavailable = unavailable };
        domain.Denied.AddRange(denied);
        if (_request.Preferred.TryGetValue(id, out var preferred))
        {
            foreach (var version in preferred)
            {
                var at = domain.IndexOf(version);
                if (at >= 0 && !domain.Preferred.Contains(at)) domain.Preferred.Add(at);
            }
        }
        return AddPackage(domain);
    }

    /// <summary>One incompatibility per requirement of <paramref name="package"/> at <paramref name="version"/>.</summary>
    private async Task<List<Incompatibility>> DependencyIncompatibilitiesAsync(int package, int version, IReadOnlyList<PackageRequirement> requirements, CancellationToken cancellationToken)
    {
        var depender = new Term(package, true, VersionSet.Of(_domains[package].Size, i => i == version));
        var dependerVersion = _domains[package].Versions[version];
        var result = new List<Incompatibility>();
        foreach (var requirement in requirements)
        {
            var target = await PackageAsync(requirement.Id, cancellationToken).ConfigureAwait(false);
            var domain = _domains[target];
            var allowed = domain.Matching(requirement.Range);
            domain.Labels.TryAdd(allowed, requirement.Range.ToString());
            Incompatibility incompatibility;
            if (target == package && allowed.Contains(version))
            {
                continue; // a package that needs itself is a cycle: the plan's order reports it (spec/sources.md § install by id)
            }
            if (allowed.IsEmpty || target == package)
            {
                var (reason, code, hint) = Unsatisfiable(domain, requirement);
                incompatibility = new Incompatibility([depender], IncompatibilityKind.Unavailable)
                {
                    DependerVersion = dependerVersion, Requirement = requirement, Reason = reason, ReasonCode = code, ReasonHint = hint,
                };
            }
            else
            {
                incompatibility = new Incompatibility([depender, new Term(target, false, allowed)], IncompatibilityKind.Dependency)
                {
                    DependerVersion = dependerVersion, Requirement = requirement,
                };
            }
            result.Add(incompatibility);
            AddIncompatibility(incompatibility);
        }
        return result;
    }

    /// <summary>Why no version may satisfy <paramref name="requirement"/>: nothing offers the package, only denied versions fit, or none does.</summary>
    private static (string Reason, ErrorCode Code, string? Hint) Unsatisfiable(PackageDomain domain, PackageRequirement requirement)
    {
        if (domain.Unavailable is { } unavailable) return (unavailable.Message, unavailable.Code, unavailable.Hint);
        var denied = domain.Denied.Where(d => requirement.Range.Satisfies(d.Version)).ToList();
        if (denied.Count > 0)
        {
            var byRule = denied.GroupBy(d => d.Rule).Select(g => $"{string.Join(", ", g.Select(d => d.Version))} by {g.Key}");
            return ($"every version that satisfies it is denied: {string.Join("; ", byRule)}", ErrorCode.PackageDenied,
                "remove the rule from that file's 'deny' array, or publish a version outside it");
        }
        var none = SourceErrors.NoMatchingVersion(domain.Id, requirement.Range.ToString(), domain.Listed);
        return (none.Message, none.Code, none.Hint);
    }

    private void AddIncompatibility(Incompatibility incompatibility)
    {
        foreach (var term in incompatibility.Terms) _byPackage[term.Package].Add(incompatibility);
    }

    // ---- the partial solution -------------------------------------------------------------------------------------

    private sealed record Assignment(int Package, Term Term, Term Accumulated, int Level, int Index, Incompatibility? Cause);

    private Term? Current(int package) => _assigned[package] is { Count: > 0 } list ? list[^1].Accumulated : null;

    private void Assign(Term term, Incompatibility? cause)
    {
        var accumulated = Current(term.Package) is { } current ? current.Intersect(term) : term;
        var assignment = new Assignment(term.Package, term, accumulated, _level, _assignments.Count, cause);
        _assignments.Add(assignment);
        _assigned[term.Package].Add(assignment);
        if (accumulated.Positive && _decided[term.Package] < 0) _undecided.Enqueue(term.Package, (accumulated.Set.Count, term.Package));
    }

    private enum Relation { Satisfied, Contradicted, Inconclusive }

    private Relation RelationTo(Term term)
    {
        // No assignment yet means "anything, or not selected": only an empty negative term follows from that.
        var current = Current(term.Package) ?? new Term(term.Package, false, VersionSet.Empty(_domains[term.Package].Size));
        if (current.Implies(term)) return Relation.Satisfied;
        return current.ExcludedBy(term) ? Relation.Contradicted : Relation.Inconclusive;
    }

    /// <summary>The earliest assignment after which the partial solution satisfies <paramref name="term"/>.</summary>
    private Assignment Satisfier(Term term)
    {
        foreach (var assignment in _assigned[term.Package])
        {
            if (assignment.Accumulated.Implies(term)) return assignment;
        }
        throw new InvalidOperationException($"no assignment satisfies a term on {_domains[term.Package].Id}");
    }

    private void Backtrack(int level)
    {
        while (_assignments.Count > 0 && _assignments[^1].Level > level)
        {
            var last = _assignments[^1];
            _assignments.RemoveAt(_assignments.Count - 1);
            _assigned[last.Package].RemoveAt(_assigned[last.Package].Count - 1);
            if (last.Cause is null)
            {
                _decided[last.Package] = -1;
                if (Current(last.Package) is { Positive: true } current) _undecided.Enqueue(last.Package, (current.Set.Count, last.Package));
            }
        }
        _level = level;
    }

    // ---- propagation, conflicts, decisions ------------------------------------------------------------------------

    private void Propagate(int package)
    {
        var changed = new Queue<int>();
        var queued = new HashSet<int>();
        changed.Enqueue(package);
        queued.Add(package);
        while (changed.TryDequeue(out var next))
        {
            queued.Remove(next);
            var incompatibilities = _byPackage[next];
            for (var i = incompatibilities.Count - 1; i >= 0; i--)
            {
                var incompatibility = incompatibilities[i];
                var derived = PropagateOne(incompatibility, out var conflict);
                if (conflict)
                {
                    var cause = ResolveConflict(incompatibility);
                    changed.Clear();
                    queued.Clear();
                    // After the backjump the learned incompatibility is one term short of satisfied: that term's negation follows.
                    derived = PropagateOne(cause, out _);
                    if (derived >= 0 && queued.Add(derived)) changed.Enqueue(derived);
                    break;
                }
                if (derived >= 0 && queued.Add(derived)) changed.Enqueue(derived);
            }
        }
    }

    /// <summary>
    /// When all terms but one are satisfied, the last one's negation follows (returns its package); when all are, a
    /// conflict; else nothing (-1).
    /// </summary>
    private int PropagateOne(Incompatibility incompatibility, out bool conflict)
    {
        conflict = false;
        Term? unsatisfied = null;
        foreach (var term in incompatibility.Terms)
        {
            switch (RelationTo(term))
            {
                case Relation.Contradicted:
                    return -1;
                case Relation.Inconclusive:
                    if (unsatisfied is not null) return -1;
                    unsatisfied = term;
                    break;
            }
        }
        if (unsatisfied is null)
        {
            conflict = true;
            return -1;
        }
        Assign(unsatisfied.Negate(), incompatibility);
        return unsatisfied.Package;
    }

    private bool IsFailure(Incompatibility incompatibility) =>
        incompatibility.Terms.Length == 0 || (incompatibility.Terms.Length == 1 && incompatibility.Terms[0] is { Package: RootPackage, Positive: true });

    /// <summary>
    /// Conflict-driven clause learning: resolves the satisfied incompatibility with the causes of its satisfiers until
    /// it holds with one decision fewer, backjumps there and returns it; the root's incompatibility means failure.
    /// </summary>
    private Incompatibility ResolveConflict(Incompatibility incompatibility)
    {
        _conflicts++;
        var learned = false;
        while (!IsFailure(incompatibility))
        {
            Assignment? satisfier = null;
            Term? satisfied = null;
            Term? difference = null;
            var previousLevel = 1;
            foreach (var term in incompatibility.Terms)
            {
                var candidate = Satisfier(term);
                if (satisfier is null || satisfier.Index < candidate.Index)
                {
                    if (satisfier is not null) previousLevel = Math.Max(previousLevel, satisfier.Level);
                    satisfier = candidate;
                    satisfied = term;
                    difference = null;
                }
                else
                {
                    previousLevel = Math.Max(previousLevel, candidate.Level);
                }
                if (ReferenceEquals(satisfied, term))
                {
                    difference = satisfier.Term.Difference(term);
                    if (difference is not null) previousLevel = Math.Max(previousLevel, Satisfier(difference.Negate()).Level);
                }
            }
            if (previousLevel < satisfier!.Level || satisfier.Cause is null)
            {
                // The learned incompatibility holds from previousLevel on; undoing only the satisfier's level (not every
                // decision since previousLevel, as a full backjump would) keeps the decisions it does not involve, which
                // on a large graph are thousands that would otherwise be redone (spec/resolver.md § 2, backjumping).
                Backtrack(Math.Max(previousLevel, satisfier.Level - 1));
                if (learned) AddIncompatibility(incompatibility);
                return incompatibility;
            }
            var terms = incompatibility.Terms.Where(t => !ReferenceEquals(t, satisfied))
                .Concat(satisfier.Cause.Terms.Where(t => t.Package != satisfier.Package)).ToList();
            if (difference is not null) terms.Add(difference.Negate());
            incompatibility = new Incompatibility(terms, IncompatibilityKind.Derived) { Left = incompatibility, Right = satisfier.Cause };
            learned = true;
        }
        throw ResolutionExplanation.Failure(incompatibility, _domains, RootPackage);
    }

    /// <summary>
    /// Picks the undecided package with the fewest allowed versions (the likeliest to conflict early), then its first
    /// preferred version the constraints allow, else the highest; adds that version's dependencies and decides it
    /// unless they already contradict the partial solution. Returns the package to propagate from, -1 when solved.
    /// </summary>
    private async Task<int> DecideAsync(CancellationToken cancellationToken)
    {
        var package = -1;
        VersionSet allowed = default;
        while (_undecided.TryDequeue(out var p, out var queued))
        {
            if (_decided[p] >= 0 || Current(p) is not { Positive: true } current) continue;
            var count = current.Set.Count;
            if (count != queued.Versions)
            {
                _undecided.Enqueue(p, (count, p));
                continue;
            }
            package = p;
            allowed = current.Set;
            break;
        }
        if (package < 0) return -1;

        var domain = _domains[package];
        var version = domain.Preferred.FirstOrDefault(allowed.Contains, -1);
        if (version < 0) version = allowed.Highest;
        if (!_dependencies.TryGetValue((package, version), out var incompatibilities))
        {
            var requirements = await _catalogue.DependenciesAsync(domain.Id, domain.Versions[version], cancellationToken).ConfigureAwait(false);
            incompatibilities = await DependencyIncompatibilitiesAsync(package, version, requirements, cancellationToken).ConfigureAwait(false);
            _dependencies[(package, version)] = incompatibilities;
        }
        var conflict = incompatibilities.Any(i => i.Terms.All(t => t.Package == package || RelationTo(t) == Relation.Satisfied));
        if (!conflict)
        {
            _level++;
            _decisions++;
            _decided[package] = version;
            Assign(new Term(package, true, VersionSet.Of(domain.Size, i => i == version)), null);
        }
        return package;
    }
}
