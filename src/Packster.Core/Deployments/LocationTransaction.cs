using Packster.Activation;
using Packster.Locations;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// Several changes to one location that commit together or not at all (spec/lockfile.md § Transactions): one lock
/// for all of them, every deployment staged and published (unrecorded) first, then one lockfile commit with all their
/// history. Until <see cref="Commit"/>, the lockfile is untouched; disposing without a commit undoes what was done,
/// newest first — the install handlers already run are answered by their deployments' uninstall handlers, published
/// directories go to the trash, directories a <c>--force</c> replaced come back — so the location is as before except
/// its logs. A kill at any moment leaves the old state: recovery removes unrecorded deployment directories.
/// </summary>
public sealed class LocationTransaction : IAsyncDisposable
{
    private readonly LocationSession _session;
    private readonly List<HistoryEntry> _history = [];
    private readonly List<(string What, Func<CancellationToken, Task> Undo)> _undo = [];
    private readonly List<Action> _afterCommit = [];
    private readonly TextWriter _messages;
    private bool _committed;
    private bool _shimsAhead;

    /// <summary>Each active deployment's shims, read once for every <see cref="WriteShimsAhead"/> of the transaction.</summary>
    private readonly Dictionary<Sha256Digest, (ShimDefinition Shim, ShimKind Kind)[]> _shimsOf = [];

    /// <summary>The shims written ahead so far, changed in place by each later <see cref="WriteShimsAhead"/>.</summary>
    private readonly ShimWriter.Ahead _ahead = new();

    /// <summary>Deployments published without being made durable: all of them are, once, before the commit records them.</summary>
    private readonly List<string> _notYetDurable = [];

    /// <summary>The deployments this transaction published.</summary>
    private readonly HashSet<Sha256Digest> _published = [];

    private LocationTransaction(LocationSession session, TextWriter messages)
    {
        _session = session;
        _messages = messages;
    }

    public static LocationTransaction Begin(Location location, TextWriter? messages, CancellationToken cancellationToken = default) =>
        new(LocationSession.Open(location, messages, cancellationToken), messages ?? TextWriter.Null);

    public Location Location => _session.Location;
    public LocationLock Lock => _session.Lock;

    /// <summary>The state every change of the transaction reads and mutates; committed as a whole by <see cref="Commit"/>.</summary>
    public LocationState State => _session.State;

    /// <summary>
    /// What the transaction is, when it follows an earlier commit of the same command (<c>the [install-bundle] of meta
    /// 1.0.0</c>): its undo then says that nothing <i>of it</i> was committed, not that nothing was.
    /// </summary>
    public string? Scope { get; set; }

    /// <summary>
    /// The text of the location's policy file that the commit brings with it (<c>sync</c>, <c>import</c> of a file with
    /// a <c>[policy]</c>), null: none. Written with the commit, so it changes exactly when the lockfile does
    /// (spec/lockfile.md § Recovery); a transaction that does not commit leaves the policy file as it was.
    /// </summary>
    public string? Policy { get; set; }

    /// <summary>How many changes were recorded so far.</summary>
    public int Changes => _undo.Count;

    /// <summary>A change made: its history events, and how to take it back if the transaction does not commit.</summary>
    public void Record(IEnumerable<HistoryEntry> history, string what, Func<CancellationToken, Task> undo)
    {
        ArgumentNullException.ThrowIfNull(history);
        _history.AddRange(history);
        _undo.Add((what, undo));
    }

    /// <summary>Work that follows a successful commit, under the same lock (filling the extracted-file store); never run otherwise.</summary>
    public void AfterCommit(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _afterCommit.Add(action);
    }

    /// <summary>Writes the shims of the state so far (see <see cref="LocationActivation.WriteShimsAhead"/>); undone unless committed.</summary>
    public void WriteShimsAhead()
    {
        _shimsAhead = true;
        LocationActivation.WriteShimsAhead(Location, State, Lock, _shimsOf, _ahead);
    }

    /// <summary>
    /// Publishes a staged deployment (<see cref="Location.PublishDeployment"/>) without putting it on disk yet: the
    /// commit does that for every deployment of the transaction at once, before the lockfile records any of them
    /// (spec/lockfile.md § Durability). Until then a power cut leaves it unrecorded, and recovery removes it.
    /// </summary>
    public string Publish(string staging, Sha256Digest hash)
    {
        var published = Location.PublishDeployment(staging, hash, Lock, durable: false);
        _notYetDurable.Add(published);
        _published.Add(hash);
        return published;
    }

    /// <summary>Whether deployment <paramref name="hash"/> is one this transaction installed: a failure undoes it with the rest.</summary>
    public bool Installed(Sha256Digest hash) => _published.Contains(hash);

    /// <summary>One lockfile commit for every change; afterwards the trash (directories replaced by --force) is emptied.</summary>
    public void Commit()
    {
        if (_committed) throw new InvalidOperationException("the transaction is already committed");
        // A write-back error here fails the transaction, which is then undone: nothing was recorded.
        Location.MakeDurable(_notYetDurable, Lock);
        _session.Commit(State, _history, null, Policy);
        _committed = true;
        CrashPoint.Hit("transaction.committed");
        Location.EmptyTrash(Lock);
        foreach (var action in _afterCommit) action();
    }

    /// <summary>Undoes every change, newest first, unless committed; then releases the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_committed && _undo.Count > 0) await UndoAsync().ConfigureAwait(false);
            if (!_committed && _shimsAhead) RestoreDerivedFiles();
        }
        finally
        {
            _session.Dispose();
        }
    }

    /// <summary>The shims and scripts of the committed lockfile again; on failure the next session's refresh does it.</summary>
    private void RestoreDerivedFiles()
    {
        try
        {
            LocationActivation.Refresh(Location, Location.ReadState(), Lock);
        }
        catch (Exception e) when (LocationSession.IsWriteFailure(e))
        {
            _messages.WriteLine($"warning: the shims could not be put back as the lockfile has them ({e.Message}); the next command that changes the location does it");
        }
    }

    /// <summary>
    /// Every undo runs even when an earlier one fails (spec § Transactions: an uninstall handler failing during the
    /// undo is a warning naming the deployment; its directory is still removed), and none can be cancelled: stopping
    /// half-way would leave exactly the mixed state the transaction exists to prevent.
    /// </summary>
    private async Task UndoAsync()
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var (what, undo) = _undo[i];
            try
            {
                await undo(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PacksterException or IOException or UnauthorizedAccessException)
            {
                _messages.WriteLine($"warning: undoing {what}: {e.Message}");
            }
        }
        _messages.WriteLine($"nothing {(Scope is null ? "" : $"of {Scope} ")}was committed: {(_undo.Count == 1 ? "the 1 change of this transaction was" : $"the {_undo.Count} changes of this transaction were")} undone");
    }
}
