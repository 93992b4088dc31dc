using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// A mutating command's hold on a location: the OS lock taken, leftovers of an interrupted command repaired,
/// the lockfile read, and derived state (shims, activation scripts, history lines owed) brought up to date.
/// <see cref="Commit"/> is the commit point: before it a failure changes nothing; after it nothing fails the command,
/// and what could not be written is one warning and is written by the next session (spec/lockfile.md § Derived state).
/// Dispose releases the lock.
/// </summary>
public sealed class LocationSession : IDisposable
{
    private readonly IDisposable _work;

    private readonly TextWriter _messages;

    /// <summary>History lines earlier commits owe and the history length they start after; empty when none.</summary>
    private HistoryJournal? _owed;

    /// <summary>Derived state this session found behind the lockfile and could not yet write, with the reason.</summary>
    private (List<string> What, Exception Reason)? _behind;

    /// <summary>
    /// The lockfile's bytes as they are on disk, and their SHA-256 once known: recovery read them under this lock and only
    /// this session's commits change them, so a commit does not read the file again (at 1,000 deployments, 600 KB).
    /// </summary>
    private byte[] _lockfile;
    private Sha256Digest? _lockfileSha;

    /// <summary>Where each entry lies in <see cref="_lockfile"/>, when known: a commit then neither reads it again nor writes its unchanged entries anew.</summary>
    private LockfileLayout? _layout;

    /// <summary>
    /// The highest committed generation, with none pending, while this session knows it (settled at its start, then each
    /// one it promotes): a commit then does not list <c>generations/</c>, which holds a file per commit ever made. Null lists it.
    /// </summary>
    private int? _lastGeneration;

    private LocationSession(Location location, LocationLock heldLock, LocationState state, RecoveryReport recovery, TextWriter messages, IDisposable work)
    {
        _work = work;
        Location = location;
        Lock = heldLock;
        State = state;
        Recovery = recovery;
        _messages = messages;
        _lockfile = recovery.LockfileBytes;
        _layout = recovery.LockfileLayout;
        _lockfileSha = recovery.LockfileSha256;
    }

    public Location Location { get; }
    public LocationLock Lock { get; }

    /// <summary>The lockfile as read after recovery; mutate a copy via <see cref="Commit"/>.</summary>
    public LocationState State { get; private set; }

    public RecoveryReport Recovery { get; }

    /// <summary>
    /// Takes the lock (waiting, with a message on <paramref name="waiting"/>, up to the timeout), settles what a killed
    /// commit left, then recovers.
    /// </summary>
    public static LocationSession Open(Location location, TextWriter? waiting, CancellationToken cancellationToken = default)
    {
        // From the lock on, an interrupt lets the command roll back (and release the lock) rather than end the process.
        var work = UnfinishedWork.Begin();
        LocationLock heldLock;
        try
        {
            heldLock = LocationLock.Acquire(location, LocationLock.TimeoutFrom(location.Paths), waiting, cancellationToken);
        }
        catch
        {
            work.Dispose();
            throw;
        }
        try
        {
            // Settled before recovery, which may rewrite the lockfile the journals and the pending generation are judged
            // against: a commit killed after its lockfile is completed first, as location repair does (spec/lockfile.md § Recovery).
            var (last, owed, what, reason) = SettleCommitted(location, LoadJournals(location));
            var report = Packster.Locations.Recovery.Run(location, heldLock, waiting);
            // Recovery read (and, when it repaired something, rewrote) the lockfile under this lock: reuse its state.
            var session = new LocationSession(location, heldLock, report.State, report, waiting ?? TextWriter.Null, work);
            session.CatchUp(last, owed, what, reason);
            return session;
        }
        catch
        {
            heldLock.Dispose();
            work.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What a commit killed before it finished left in the journals, judged against the lockfile on disk, so before
    /// anything (recovery, repair) rewrites it: the history lines owed (returned, not yet appended), and a policy change,
    /// written when that commit happened and dropped when not (spec/lockfile.md § Recovery, § History journal).
    /// </summary>
    private static HistoryJournal? LoadJournals(Location location)
    {
        var journal = HistoryJournal.Load(location);
        PolicyJournal.Settle(location);
        return journal;
    }

    /// <summary>
    /// For <c>location repair</c>, which reads a lockfile no session may read (one that breaks its invariants) and so
    /// opens none: under its lock and before it rewrites the lockfile, settles what a killed commit left as
    /// <see cref="Open"/> does — the policy journal, the pending generation and the history journal, all judged against
    /// the lockfile on disk — so that a commit whose lockfile was written is completed and one that never was is dropped
    /// (spec/lockfile.md § Repair). What cannot be written is one warning on <paramref name="messages"/>, as for a session;
    /// the history lines it leaves owed are returned, for repair to append its own after them.
    /// </summary>
    internal static HistoryJournal? SettleBeforeRepair(Location location, LocationLock heldLock, TextWriter? messages)
    {
        ArgumentNullException.ThrowIfNull(location);
        location.RequireHeld(heldLock);
        var (_, owed, what, reason) = SettleCommitted(location, LoadJournals(location));
        if (reason is not null) messages?.WriteLine(Behind(location, what, reason));
        return owed;
    }

    /// <summary>
    /// The history lines owed after recovery: the journal's, then the commit line of recovery's own rewrite of the
    /// lockfile when it made one (spec/history.md § Commit lines), so the history still replays to the lockfile.
    /// </summary>
    private static HistoryJournal? WithRecoveryCommit(Location location, HistoryJournal? journal, RecoveryReport report)
    {
        if (report.LockfileBefore is not { } before) return journal;
        var owed = journal?.Owed ?? [];
        var line = HistoryReplay.CommitLine(location, before, report.LockfileBytes, owed, null, null, "recovery");
        return line is null ? journal : HistoryJournal.Owing(journal?.Offset ?? History.Length(location), [.. owed, line]);
    }

    /// <summary>Writes <paramref name="state"/> as the lockfile, then regenerates shims and activation scripts from it.</summary>
    public void Commit(LocationState state) => Commit(state, []);

    /// <summary>
    /// Starts making, on another thread, the bytes committing <paramref name="state"/> writes: the lockfile, its digest
    /// and the change its history line carries. A command that knows what it will commit while it still waits for the
    /// disk (an install, while its tree is synced) has them made meanwhile: at 1,000 deployments they are about a
    /// millisecond and a half of a commit. <paramref name="state"/> must not change until it is committed with the result
    /// (<see cref="Commit(LocationState, IReadOnlyList{HistoryEntry}, PreparedCommit?)"/>).
    /// </summary>
    internal PreparedCommit Prepare(LocationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        // The lockfile is staged too, written and flushed beside its place: the commit then only renames it (at 1,000
        // deployments, 600 KB written and flushed while the disk is busy with the tree rather than after it).
        return new PreparedCommit(state, Task.Run(() =>
        {
            var made = Make(state);
            return made with { Staged = AtomicFile.Stage(Location.LockfilePath, made.After) };
        }));
    }

    /// <summary>What committing <paramref name="state"/> writes, from the lockfile this session holds.</summary>
    private CommitBytes Make(LocationState state)
    {
        var before = _lockfile;
        var beforeSha = _lockfileSha ?? Sha256Digest.Compute(before);
        // Bytes the last commit line names are bytes packster wrote: canonical, so unchanged entries are copied from them.
        var continues = HistoryReplay.Continues(Location, _owed?.Owed ?? [], beforeSha);
        var canonical = continues ? _layout : null;
        var after = Lockfile.Serialize(state, canonical, out var afterLayout);
        // A large file's digest on one more core while the changes are found (both only read the bytes); a small one's
        // costs less than handing it out, and a commit outside an install may find no idle worker to take it.
        var afterSha = after.Length >= LockfileFastReader.SplitAtLeast ? Task.Run(() => Sha256Digest.Compute(after)) : null;
        var changes = HistoryReplay.ChangesOf(Location, before, after, canonical is null ? null : (canonical, afterLayout!), continues);
        return new CommitBytes(continues, after, afterLayout, afterSha?.GetAwaiter().GetResult() ?? Sha256Digest.Compute(after), changes);
    }

    /// <summary>
    /// Writes <paramref name="state"/> as the lockfile with the <paramref name="history"/> it brings, then writes the
    /// derived state rendered before the commit. Throws only before the lockfile is written; after that, failures are one warning.
    /// </summary>
    public void Commit(LocationState state, IReadOnlyList<HistoryEntry> history) => Commit(state, history, null);

    /// <summary>As <see cref="Commit(LocationState, IReadOnlyList{HistoryEntry})"/>, with the bytes <see cref="Prepare"/> started making for <paramref name="state"/>.</summary>
    internal void Commit(LocationState state, IReadOnlyList<HistoryEntry> history, PreparedCommit? prepared) => Commit(state, history, prepared, null);

    /// <summary>
    /// As <see cref="Commit(LocationState, IReadOnlyList{HistoryEntry}, PreparedCommit?)"/>, with <paramref name="policy"/>
    /// (non-null) the text of the location's policy file that this commit brings: journaled before the lockfile is
    /// written and put in place right after, so the policy changes exactly when the lockfile does (spec/lockfile.md § Recovery).
    /// </summary>
    internal void Commit(LocationState state, IReadOnlyList<HistoryEntry> history, PreparedCommit? prepared, string? policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(history);
        if (prepared is not null && !ReferenceEquals(prepared.State, state))
        {
            prepared.Discard();
            throw new ArgumentException("prepared for another state", nameof(prepared));
        }
        // What the preparation failed with (two active owners of one resource) fails the commit here, with nothing
        // written; awaited before the state is read here, so that no two threads read it at once.
        var made = prepared?.Bytes.GetAwaiter().GetResult() ?? Make(state);
        var (continues, after, afterLayout, afterSha, changes) = made;
        // Rendering comes before any write too: a value no script can carry fails here with nothing changed, never after the commit.
        var derived = LocationActivation.Render(Location, state);
        var owed = _owed?.Owed ?? [];
        var offset = _owed?.Offset ?? History.Length(Location);
        int? pending = null;
        var journaled = false;
        var policyJournaled = false;
        List<string> lines;
        // For an enabled location, the enabled set's lock, after this location's (spec/resources.md §4): from the check
        // against the other enabled locations to the lockfile's replacement, so a `location enable` of another location
        // at the same time judges this commit's claims or is judged by them, never neither. One that is not enabled
        // stays so while this lock is held (enable takes it from its check to its record), and takes no lock but its own.
        var enabled = new EnabledLocations(Location.Paths);
        FileLock? enabledLock = null;
        try
        {
            if (enabled.IsEnabled(Location))
            {
                enabledLock = enabled.LockForCommit(_messages);
                // A claim this commit gains may not collide with another enabled location's; refused before anything is written.
                enabled.EnsureCommitCompatible(Location, () => Lockfile.Parse(_lockfile, Location.LockfilePath), state);
            }
            // The generation this commit makes, pending until the lockfile says it happened (spec/lockfile.md § Generations).
            var generation = Generations.WritePending(Location, after, state, null, afterSha, _lastGeneration);
            pending = generation;
            CrashPoint.Hit("commit.generation-pending");
            lines = history.Select(h => h.ToLine()).ToList();
            // Last of the commit's lines: what it changed, so the history replays to this lockfile (spec/history.md § Commit
            // lines). It names its generation, so it is written even when the bytes did not change.
            lines.Add(HistoryReplay.CommitLine(generation, null, null, afterSha, continues, changes));
            HistoryJournal.Write(Location, offset, owed, afterSha, lines);
            journaled = true;
            CrashPoint.Hit("commit.journal-written");
            if (policy is not null)
            {
                PolicyJournal.Write(Location, afterSha, policy);
                policyJournaled = true;
                CrashPoint.Hit("commit.policy-pending");
            }
            // The bytes the generation and the commit line were made from are the ones written: serialised once.
            Location.Commit(state, after, Lock, made.Staged);
        }
        catch (Exception) when (!CommittedAnyway(afterSha))
        {
            made.Staged?.Discard();
            Withdraw(pending, journaled, policyJournaled, offset, owed);
            throw;
        }
        finally
        {
            enabledLock?.Dispose();
        }
        var generationMade = pending.Value;
        // The commit point: from here on the change stands, whatever else fails.
        UnfinishedWork.Committed();
        CrashPoint.Hit("commit.lockfile-written");
        State = state;
        _lockfile = after;
        _lockfileSha = afterSha;
        _layout = afterLayout;
        _behind = null;
        var notWritten = new List<string>();
        Exception? reason = null;
        if (policy is not null)
        {
            try
            {
                PolicyJournal.Promote(Location, policy);
            }
            catch (Exception e) when (IsWriteFailure(e))
            {
                // Left journaled: the next command that takes the lock writes it, before anything else.
                notWritten.Add("the location's policy file");
                reason = e;
            }
        }
        try
        {
            Generations.Promote(Location, generationMade);
            _lastGeneration = generationMade;
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            // Left pending: the next commit lists generations/ as the first one did.
            _lastGeneration = null;
            notWritten.Add($"generation {generationMade}'s record");
            reason ??= e;
        }
        try
        {
            LocationActivation.Write(Location, state, derived, Lock);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            notWritten.Add("the shims and activation scripts");
            reason ??= e;
        }
        var all = owed.Concat(lines).ToList();
        _owed = all.Count == 0 ? null : HistoryJournal.Owing(offset, all);
        try
        {
            SettleHistory();
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            notWritten.Add(all.Count == 1 ? "its history line" : $"{all.Count} history lines");
            reason ??= e;
        }
        if (reason is not null)
        {
            _messages.WriteLine($"warning: the change is saved in {Lockfile.FileName}, but {string.Join(" and ", notWritten)} could not be written "
                + $"({Reason(reason)}); the next packster command that changes location '{Location.Id}' writes them");
        }
    }

    /// <summary>
    /// Brings derived state up to the lockfile after recovery, from what <see cref="SettleCommitted"/> left before it
    /// (<paramref name="owed"/>: lines it could not append; <paramref name="what"/>, <paramref name="reason"/>: what
    /// it could not write, and why): the commit line of recovery's own rewrite, then activation.
    /// </summary>
    private void CatchUp(int? lastGeneration, HistoryJournal? owed, List<string> what, Exception? reason)
    {
        _lastGeneration = lastGeneration;
        _owed = WithRecoveryCommit(Location, owed, Recovery);
        if (!ReferenceEquals(_owed, owed))
        {
            // Recovery rewrote the lockfile: its commit line is appended after the lines still owed, tried again with it.
            if (owed is not null) what.Remove(OwedLines(owed));
            _owed = AppendOrKeepOwed(Location, _owed, what, ref reason);
        }
        try
        {
            LocationActivation.RefreshIfStale(Location, State, Lock);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            what.Add("the shims and activation scripts");
            reason ??= e;
        }
        if (reason is not null && what.Count > 0) _behind = (what, reason);
    }

    /// <summary>
    /// The pending generation and the history lines <paramref name="journal"/> owes, settled: the generation promoted
    /// when its lockfile is the one on disk (else deleted), the lines appended. Called under the lock before anything
    /// (recovery, repair) rewrites the lockfile: a killed commit's record and lines are judged against the lockfile it
    /// left, and both stand or go together (spec/lockfile.md § Generations, § History journal). Returns the highest
    /// committed generation (null when it could not be settled), the lines still owed (null when none) and what could
    /// not be written, with why.
    /// </summary>
    private static (int? LastGeneration, HistoryJournal? Owed, List<string> What, Exception? Reason) SettleCommitted(Location location, HistoryJournal? journal)
    {
        var what = new List<string>();
        Exception? reason = null;
        int? last = null;
        try
        {
            last = Generations.Settle(location);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            what.Add("a generation's record");
            reason = e;
        }
        var owed = AppendOrKeepOwed(location, journal, what, ref reason);
        return (last, owed, what, reason);
    }

    /// <summary>
    /// Appends the lines <paramref name="journal"/> owes; when that fails, they stay owed (returned, and kept in the
    /// journal) and <paramref name="what"/> and <paramref name="reason"/> say so. Null when nothing is owed.
    /// </summary>
    private static HistoryJournal? AppendOrKeepOwed(Location location, HistoryJournal? journal, List<string> what, ref Exception? reason)
    {
        if (journal is null) return null;
        try
        {
            AppendOwed(location, journal);
            return null;
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            what.Add(OwedLines(journal));
            reason ??= e;
            KeepOwedLines(location, journal);
            return journal;
        }
    }

    /// <summary>The lines <paramref name="journal"/> owes, in words, for the warning that they could not be written.</summary>
    private static string OwedLines(HistoryJournal journal) => journal.Owed.Count == 1 ? "a history line" : $"{journal.Owed.Count} history lines";

    /// <summary>Appends the lines owed (once: lines already there are not repeated), then drops the journal.</summary>
    private void SettleHistory()
    {
        if (_owed is not { } owed) return;
        AppendOwed(Location, owed);
        _owed = null;
    }

    /// <summary>Appends <paramref name="owed"/>'s lines (once: lines already there are not repeated), then deletes the journal.</summary>
    internal static void AppendOwed(Location location, HistoryJournal owed)
    {
        History.AppendMissing(location, owed.Offset, owed.Owed);
        CrashPoint.Hit("history.appended");
        HistoryJournal.Delete(location);
    }

    /// <summary>
    /// The journal's lines were judged committed against the lockfile as it was; recovery may rewrite that lockfile, so
    /// they are kept as owed lines, unconditionally. Best effort: on a full disk the journal as it was stays.
    /// </summary>
    private static void KeepOwedLines(Location location, HistoryJournal journal)
    {
        try
        {
            HistoryJournal.Write(location, journal.Offset, journal.Owed, null, []);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
        }
    }

    /// <summary>
    /// Whether the lockfile on disk is the one a commit that failed meant to write: a failure after its rename (the
    /// folder's sync) leaves the change made, and its pending generation and journal for the next command to settle.
    /// </summary>
    private bool CommittedAnyway(Sha256Digest afterSha) => Lockfile.DigestIfReadable(Location.LockfilePath) == afterSha;

    /// <summary>
    /// After a commit failed before its lockfile was written (a full disk): takes back the pending generation record and
    /// puts the history journal back as it was (the lines earlier commits still owe, or none), so the failed command
    /// leaves the location as it found it (spec/lockfile.md § Commit). Best effort: what cannot be removed is settled by
    /// the next command, as after a crash.
    /// </summary>
    private void Withdraw(int? pending, bool journaled, bool policyJournaled, long offset, IReadOnlyList<string> owed)
    {
        try
        {
            if (policyJournaled) PolicyJournal.Delete(Location);
            if (pending is { } number) Generations.Discard(Location, number);
            if (!journaled) return;
            if (owed.Count == 0) HistoryJournal.Delete(Location);
            else HistoryJournal.Write(Location, offset, owed, null, []);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            // Left for the next command's settling, which drops an uncommitted generation and journal.
        }
    }

    /// <summary>A failure to write derived state (shims, scripts, history) that after the commit is a warning, not an error.</summary>
    internal static bool IsWriteFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or PacksterException { Code: ErrorCode.LocationPathIsLink };

    /// <summary>Why derived state could not be written, in words (spec/errors.md § 9xxx), never .NET's own text.</summary>
    private static string Reason(Exception e) => FileSystemErrors.Classify(e)?.Message ?? e.Message;

    /// <summary>The one warning for derived state found behind the lockfile that could not be written (spec/lockfile.md § Derived state).</summary>
    private static string Behind(Location location, List<string> what, Exception reason) =>
        $"warning: {string.Join(" and ", what)} of location '{location.Id}' could not be brought up to date with "
        + $"{Lockfile.FileName} ({Reason(reason)}); the next packster command that changes it tries again";

    public void Dispose()
    {
        if (_behind is { } behind)
        {
            _messages.WriteLine(Behind(Location, behind.What, behind.Reason));
            _behind = null;
        }
        Lock.Dispose();
        _work.Dispose();
    }
}

/// <summary>What a commit writes, made ahead of it (<see cref="LocationSession.Prepare"/>) or by it.</summary>
internal sealed record CommitBytes(bool Continues, byte[] After, LockfileLayout? AfterLayout, Sha256Digest AfterSha, JsonObject Changes)
{
    /// <summary>The lockfile of <see cref="After"/>, staged beside its place by a prepared commit.</summary>
    public StagedFile? Staged { get; init; }
}

/// <summary>The bytes of a commit of <paramref name="State"/>, being made on another thread.</summary>
internal sealed record PreparedCommit(LocationState State, Task<CommitBytes> Bytes)
{
    /// <summary>For a commit that will not be made: waits for the making, then removes the lockfile it staged.</summary>
    public void Discard()
    {
        try
        {
            Bytes.GetAwaiter().GetResult().Staged?.Discard();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PacksterException)
        {
            // Made nothing to remove: the failure is met again by whatever commits, or was the reason there is none.
        }
    }
}
