namespace Packster.Resources;

/// <summary>
/// Refuses any change that would give one resource two owners (spec/resources.md §3). Pure and deterministic:
/// it reads ownership tables and returns results; it never changes the caller's table, so a refusal changes nothing.
/// </summary>
public static class ResourceGuard
{
    /// <summary>
    /// The conflicts <paramref name="change"/> would cause against <paramref name="current"/>, in a stable order
    /// (by kind, then claim key). Empty when the change may be applied.
    /// </summary>
    public static IReadOnlyList<ResourceConflict> FindConflicts(IReadOnlyDictionary<ResourceClaim, ResourceOwner> current, ResourceChange change)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(change);
        var released = new HashSet<ResourceClaim>(change.Release);
        var conflicts = new List<ResourceConflict>();
        foreach (var claim in Ordered(change.Claims.Distinct()))
        {
            if (claim.VariableKey is { } variable)
            {
                // An environment variable: a scalar is exclusive; list extensions share the name with each other only.
                foreach (var (held, owner) in Ordered(current))
                {
                    if (held.VariableKey != variable || released.Contains(held) || owner.IsSameDeployment(change.Owner)) continue;
                    // A list extension held per deployment is released by the version of the package being replaced.
                    if (held.IsShared && owner.PackageId == change.Owner.PackageId && released.Any(r => r.Kind == held.Kind && r.VariableKey == variable)) continue;
                    if (claim.IsShared && held.IsShared) continue;
                    conflicts.Add(new ResourceConflict(claim, change.Owner, held, owner));
                }
                continue;
            }
            if (!claim.IsPath)
            {
                if (!released.Contains(claim) && current.TryGetValue(claim, out var owner) && !owner.IsSameDeployment(change.Owner))
                {
                    conflicts.Add(new ResourceConflict(claim, change.Owner, claim, owner));
                }
                continue;
            }
            // Shared paths also conflict through containment, so every held path is a candidate.
            foreach (var (held, owner) in Ordered(current))
            {
                if (released.Contains(held) || owner.IsSameDeployment(change.Owner) || !claim.PathOverlaps(held)) continue;
                conflicts.Add(new ResourceConflict(claim, change.Owner, held, owner));
            }
        }
        return conflicts;
    }

    /// <summary>Throws <see cref="ErrorCode.ResourceConflict"/> naming the first owner when the change conflicts.</summary>
    public static void EnsureNoConflicts(IReadOnlyDictionary<ResourceClaim, ResourceOwner> current, ResourceChange change) =>
        ThrowIfAny(FindConflicts(current, change));

    /// <summary>
    /// The table after <paramref name="change"/>, as a new dictionary; throws <see cref="ErrorCode.ResourceConflict"/>
    /// (and leaves <paramref name="current"/> untouched) when it conflicts.
    /// </summary>
    public static Dictionary<ResourceClaim, ResourceOwner> Apply(IReadOnlyDictionary<ResourceClaim, ResourceOwner> current, ResourceChange change)
    {
        EnsureNoConflicts(current, change);
        var next = new Dictionary<ResourceClaim, ResourceOwner>(current);
        foreach (var claim in change.Release) next.Remove(claim);
        foreach (var claim in change.Claims) next[claim.Of(change.Owner.DeploymentHash)] = change.Owner;
        return next;
    }

    /// <summary>
    /// Conflicts between locations meant to be enabled together (spec/resources.md §4): any claim held by owners in
    /// two different locations (shim names, env keys, ports, overlapping shared paths). Each pair is reported once,
    /// the later location's owner as <see cref="ResourceConflict.Requested"/>.
    /// </summary>
    public static IReadOnlyList<ResourceConflict> FindCrossLocationConflicts(IEnumerable<IReadOnlyDictionary<ResourceClaim, ResourceOwner>> locations)
    {
        ArgumentNullException.ThrowIfNull(locations);
        var seen = new Dictionary<ResourceClaim, ResourceOwner>();
        var paths = new List<KeyValuePair<ResourceClaim, ResourceOwner>>();
        var variables = new List<KeyValuePair<ResourceClaim, ResourceOwner>>();
        var conflicts = new List<ResourceConflict>();
        foreach (var location in locations)
        {
            var ordered = Ordered(location).ToList();
            foreach (var (claim, owner) in ordered)
            {
                if (claim.VariableKey is { } variable)
                {
                    // Across locations too, a scalar and a list of the same name collide; two lists do not.
                    foreach (var (held, heldOwner) in variables)
                    {
                        if (held.VariableKey == variable && !(claim.IsShared && held.IsShared)
                            && !string.Equals(heldOwner.LocationId, owner.LocationId, StringComparison.Ordinal))
                        {
                            conflicts.Add(new ResourceConflict(claim, owner, held, heldOwner));
                        }
                    }
                }
                else if (claim.IsPath)
                {
                    foreach (var (held, heldOwner) in paths)
                    {
                        if (!string.Equals(heldOwner.LocationId, owner.LocationId, StringComparison.Ordinal) && claim.PathOverlaps(held))
                        {
                            conflicts.Add(new ResourceConflict(claim, owner, held, heldOwner));
                        }
                    }
                }
                else if (seen.TryGetValue(claim, out var heldOwner) && !string.Equals(heldOwner.LocationId, owner.LocationId, StringComparison.Ordinal))
                {
                    conflicts.Add(new ResourceConflict(claim, owner, claim, heldOwner));
                }
            }
            // Added after the scan so claims inside one location never conflict with each other here.
            foreach (var (claim, owner) in ordered)
            {
                if (claim.VariableKey is not null) variables.Add(new(claim, owner));
                else if (claim.IsPath) paths.Add(new(claim, owner));
                else seen.TryAdd(claim, owner);
            }
        }
        return conflicts;
    }

    /// <summary>Throws <see cref="ErrorCode.ResourceConflict"/> when locations to be enabled together conflict.</summary>
    public static void EnsureLocationsCompatible(IEnumerable<IReadOnlyDictionary<ResourceClaim, ResourceOwner>> locations) =>
        ThrowIfAny(FindCrossLocationConflicts(locations));

    /// <summary>
    /// The exception for a non-empty conflict list: the first conflict in the message, the count of the rest. With
    /// <paramref name="ownerUndone"/>, the owner named first came with the same command (a bundle, an install with its
    /// dependencies) and is undone with it: the hint cannot send the user to uninstall or switch away from it.
    /// </summary>
    public static PacksterException ConflictError(IReadOnlyList<ResourceConflict> conflicts, bool ownerUndone = false)
    {
        if (conflicts.Count == 0) throw new ArgumentException("no conflicts", nameof(conflicts));
        var (first, owner) = (conflicts[0], conflicts[0].Owner);
        var more = conflicts.Count > 1 ? $" (and {conflicts.Count - 1} more conflict{(conflicts.Count > 2 ? "s" : "")})" : "";
        return new PacksterException(ErrorCode.ResourceConflict, first.Describe() + more, ownerUndone
            ? $"{owner.PackageId.Value} {owner.Version} came with this same command, which installs nothing now: it and {first.Requested.PackageId.Value} "
                + $"{first.Requested.Version} cannot both be active in location {owner.LocationId}; leave one of them out, or install one into another location (--location)"
            : $"uninstall or switch away from {owner.PackageId.Value} {owner.Version} in location {owner.LocationId} first, or use another location (--location)");
    }

    private static void ThrowIfAny(IReadOnlyList<ResourceConflict> conflicts)
    {
        if (conflicts.Count > 0) throw ConflictError(conflicts);
    }

    private static IEnumerable<ResourceClaim> Ordered(IEnumerable<ResourceClaim> claims) =>
        claims.OrderBy(c => c.Kind).ThenBy(c => c.Key, StringComparer.Ordinal);

    private static IEnumerable<KeyValuePair<ResourceClaim, ResourceOwner>> Ordered(IEnumerable<KeyValuePair<ResourceClaim, ResourceOwner>> table) =>
        table.OrderBy(p => p.Key.Kind).ThenBy(p => p.Key.Key, StringComparer.Ordinal);
}
