using Packster.Locations;
using Packster.Model;
using Packster.Resources;

namespace Packster.Deployments;

/// <summary>
/// <c>packster location repair</c> (spec/lockfile.md § Repair): brings a lockfile that breaks
/// <see cref="LockfileInvariants"/> — or records what is no longer there — back to a state every command accepts,
/// under the location lock, and regenerates the derived files. Every change is reported; nothing is installed or
/// deleted from deployments that stay recorded. Rules, in order:
/// 1. a recorded deployment whose directory or <c>packster-deployment.json</c> is missing is dropped;
/// 2. an active deployment that cannot be loaded or rendered (unreadable manifest, a value no script can carry) is deactivated;
/// 3. of several active deployments of one package, one stays active — pinned first, then the highest version,
///    then the lowest deployment hash — and the others are deactivated;
/// 4. the claims of each active deployment are recomputed from its manifest and parameters; one whose claims
///    collide with an active deployment kept before it (in lockfile order) is deactivated.
/// </summary>
public static class LocationRepair
{
    public static RepairReport Run(Location location, bool dryRun, TextWriter? messages, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        using var heldLock = LocationLock.Acquire(location, LocationLock.TimeoutFrom(location.Paths), messages, cancellationToken);
        // Before the lockfile is read, let alone rewritten: what a killed commit left (its policy change, its pending
        // generation, its history lines) is judged against the lockfile on disk, as every command that takes the lock does.
        var owed = dryRun ? null : LocationSession.SettleBeforeRepair(location, heldLock, messages);
        var (state, violations) = Lockfile.ReadForRepair(location.LockfilePath);
        var report = new RepairReport(dryRun, violations);

        foreach (var d in state.Deployments.ToList())
        {
            var dir = location.DeploymentDirectory(d.Hash);
            var why = !Directory.Exists(dir) ? "its directory is missing"
                : !File.Exists(Path.Combine(dir, DeploymentRecord.FileName)) ? $"its directory has no {DeploymentRecord.FileName}"
                : null;
            if (why is null) continue;
            state.Deployments.Remove(d);
            report.Add(RepairAction.Dropped, d, why);
        }

        var loaded = new Dictionary<DeploymentEntry, DeployedPackage>();
        foreach (var d in state.ActiveDeployments.ToList())
        {
            var why = LockfileInvariants.UnusableParameter(d);
            if (why is null)
            {
                try
                {
                    var package = DeployedPackage.Load(location, d);
                    foreach (var shim in package.Resources.Shims)
                    {
                        _ = Activation.ShimScripts.Files(shim, Activation.ShimPlatforms.Current).ToList();
                    }
                    loaded[d] = package;
                }
                catch (PacksterException e)
                {
                    why = e.Message;
                }
            }
            if (why is null) continue;
            Deactivate(d);
            report.Add(RepairAction.Deactivated, d, why);
        }

        foreach (var group in state.ActiveDeployments.GroupBy(d => d.Id).Where(g => g.Count() > 1).ToList())
        {
            var keep = group.OrderByDescending(d => d.Pinned).ThenByDescending(d => d.Version).ThenBy(d => d.Hash.Hex, StringComparer.Ordinal).First();
            foreach (var d in group.Where(d => d != keep))
            {
                Deactivate(d);
                report.Add(RepairAction.Deactivated, d, $"{LockfileInvariants.Describe(keep)} stays the active deployment of {d.Id}");
            }
        }

        var owners = new Dictionary<ResourceClaim, DeploymentEntry>();
        foreach (var d in state.ActiveDeployments.OrderBy(d => d.Id).ThenBy(d => d.Version).ThenBy(d => d.Hash.Hex, StringComparer.Ordinal).ToList())
        {
            var claims = loaded[d].Resources.Claims;
            if (claims.Where(owners.ContainsKey).Select(c => (ResourceClaim?)c).FirstOrDefault() is { } taken)
            {
                Deactivate(d);
                report.Add(RepairAction.Deactivated, d, $"resource '{ClaimText.Format(taken)}' belongs to {LockfileInvariants.Describe(owners[taken])}");
                continue;
            }
            foreach (var c in claims) owners[c] = d;
            var texts = claims.Select(ClaimText.Format).ToHashSet(StringComparer.Ordinal);
            if (!texts.SetEquals(d.Claims))
            {
                d.Claims.Clear();
                foreach (var t in texts) d.Claims.Add(t);
                report.Add(RepairAction.ClaimsRewritten, d, $"claims recomputed from its manifest: {(texts.Count == 0 ? "none" : string.Join(", ", texts.Order(StringComparer.Ordinal)))}");
            }
        }

        if (dryRun) return report;

        var derived = LocationActivation.Render(location, state);
        var before = File.ReadAllBytes(location.LockfilePath);
        // After the lines earlier commits still owe, when they could not be appended before: the history keeps their order.
        var offset = owed?.Offset ?? History.Length(location);
        var lines = new List<string>(owed?.Owed ?? []);
        if (report.Changes.Count > 0)
        {
            var repaired = Lockfile.Serialize(state);
            var repairedSha = Sha256Digest.Compute(repaired);
            var repairLines = report.Changes.Select(change => HistoryEntry.Now(clock, "repair", change.Deployment).ToLine()).ToList();
            // The rewrite as its commit line: the history still replays to it.
            if (HistoryReplay.CommitLine(location, before, repaired, [.. lines, .. repairLines], null, clock, "repair", null, repairedSha) is { } repairLine)
            {
                repairLines.Add(repairLine);
            }
            Commit(location, state, repaired, repairedSha, heldLock, offset, lines, repairLines);
            lines.AddRange(repairLines);
        }
        var recovery = Recovery.Run(location, heldLock, messages);
        report.Leftovers.AddRange(recovery.RemovedStaging.Concat(recovery.RemovedTrash).Concat(recovery.RemovedTempFiles)
            .Concat(recovery.RemovedUnrecorded.Select(name => Path.Combine(location.DeploymentsDirectory, name))));
        LocationActivation.Write(location, recovery.State, derived, heldLock);
        // Recovery's own rewrite of the lockfile, as its commit line after repair's.
        if (recovery.LockfileBefore is { } dropped
            && HistoryReplay.CommitLine(location, dropped, File.ReadAllBytes(location.LockfilePath), lines, null, clock, "recovery") is { } recoveryLine)
        {
            lines.Add(recoveryLine);
        }
        // History is derived state (lockfile.md § Derived state): after the commit a failure to write it is a warning,
        // and the lines stay owed in the journal for the next command.
        try
        {
            LocationSession.AppendOwed(location, HistoryJournal.Owing(offset, lines));
        }
        catch (Exception e) when (LocationSession.IsWriteFailure(e))
        {
            messages?.WriteLine($"warning: could not append to {History.PathOf(location)}: {FileSystemErrors.Classify(e)?.Message ?? e.Message}");
        }
        return report;
    }

    /// <summary>
    /// Commits the repaired lockfile as every command commits (spec/lockfile.md § History journal): its history lines
    /// are journaled first, with the digest of the lockfile they belong to, so that a crash after the lockfile is written
    /// loses none of them and one before it leaves none; a failure to journal them fails the repair before its commit.
    /// Once the lockfile is written, they are owed whatever recovery then does to it.
    /// </summary>
    private static void Commit(Location location, LocationState state, byte[] repaired, Sha256Digest repairedSha, LocationLock heldLock,
        long offset, List<string> owed, List<string> lines)
    {
        HistoryJournal.Write(location, offset, owed, repairedSha, lines);
        CrashPoint.Hit("repair.journal-written");
        try
        {
            location.Commit(state, repaired, heldLock);
        }
        catch (Exception) when (Lockfile.DigestIfReadable(location.LockfilePath) != repairedSha)
        {
            // Not committed: the journal goes back to what earlier commits owe (settled by the next command when this fails too).
            try
            {
                if (owed.Count == 0) HistoryJournal.Delete(location);
                else HistoryJournal.Write(location, offset, owed, null, []);
            }
            catch (Exception e) when (LocationSession.IsWriteFailure(e))
            {
            }
            throw;
        }
        CrashPoint.Hit("repair.lockfile-written");
        // Recovery may rewrite the lockfile next, after which the journal's digest would no longer name it.
        try
        {
            HistoryJournal.Write(location, offset, [.. owed, .. lines], null, []);
        }
        catch (Exception e) when (LocationSession.IsWriteFailure(e))
        {
            // The journal as written still holds them, while the lockfile is repair's.
        }
    }

    private static void Deactivate(DeploymentEntry entry)
    {
        entry.Active = false;
        entry.Claims.Clear();
    }
}

public enum RepairAction
{
    /// <summary>Removed from the lockfile: its directory is gone or incomplete.</summary>
    Dropped,

    /// <summary>Made inactive (its claims released).</summary>
    Deactivated,

    /// <summary>Its recorded claims replaced by the ones its manifest and parameters give.</summary>
    ClaimsRewritten,
}

/// <summary>One change repair made (or, with --dry-run, would make) to one deployment's record.</summary>
public sealed record RepairChange(RepairAction Action, DeploymentEntry Deployment, string Reason);

/// <summary>What <see cref="LocationRepair.Run"/> found and changed.</summary>
public sealed class RepairReport(bool dryRun, IReadOnlyList<string> violations)
{
    public bool DryRun { get; } = dryRun;

    /// <summary>The invariants the lockfile broke as read (what a read would have refused with PST5002).</summary>
    public IReadOnlyList<string> Violations { get; } = violations;

    public List<RepairChange> Changes { get; } = [];

    /// <summary>Leftovers of interrupted operations that recovery removed afterwards (not with --dry-run).</summary>
    public List<string> Leftovers { get; } = [];

    internal void Add(RepairAction action, DeploymentEntry deployment, string reason) => Changes.Add(new RepairChange(action, deployment, reason));
}
