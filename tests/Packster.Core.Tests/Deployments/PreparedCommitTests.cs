using Packster.Core.Tests.Locations;
using Packster.Deployments;
using Packster.Locations;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/lockfile.md § Transactions, "A single install makes its commit's bytes while its tree is synced": the bytes of a commit may be made on another thread before the
/// commit (while the install's tree is synced). What is written is what a commit made them itself would write, and a
/// failure in making them fails the commit with nothing written.
/// </summary>
public sealed class PreparedCommitTests : IDisposable
{
    private readonly LocationTestBed _bed = new();
    private readonly Location _location;
    private readonly DeploymentEntry _tool;

    public PreparedCommitTests()
    {
        _location = _bed.CreateLocation();
        _tool = LocationTestBed.Install(_location, "tool", "1.0.0", new Dictionary<string, string>
        {
            ["packster-manifest.toml"] = "id = \"tool\"\nversion = \"1.0.0\"\n[parameters.port]\ntype = \"integer\"\ndefault = 8080\n",
            ["bin/tool"] = "#!/bin/sh\n",
        }, "env:TOOL_HOME");
        // A session once, so the history's last commit line names the lockfile: later commits copy unchanged entries.
        using var session = LocationSession.Open(_location, TextWriter.Null);
        session.Commit(session.State);
    }

    public void Dispose() => _bed.Dispose();

    private byte[] History => File.ReadAllBytes(Path.Combine(_location.Path, "history.jsonl"));

    [Fact]
    public void A_prepared_commit_writes_the_lockfile_of_its_state_and_a_history_that_replays_to_it()
    {
        var other = LocationTestBed.Install(_location, "other", "2.0.0", new Dictionary<string, string>
        {
            ["packster-manifest.toml"] = "id = \"other\"\nversion = \"2.0.0\"\n[parameters.port]\ntype = \"integer\"\ndefault = 8080\n",
        });
        using (var session = LocationSession.Open(_location, TextWriter.Null))
        {
            var state = session.State;
            state.Find(other.Hash)!.Pinned = true;
            state.Find(_tool.Hash)!.Active = false;
            state.Find(_tool.Hash)!.Claims.Clear();
            var prepared = session.Prepare(state);
            session.Commit(state, [], prepared);
            Assert.Equal(Lockfile.Serialize(state), File.ReadAllBytes(_location.LockfilePath));
        }
        var replay = HistoryReplay.Replay(_location);
        Assert.Null(replay.Divergence);
        Assert.Equal(File.ReadAllBytes(_location.LockfilePath), replay.Lockfile);
        var read = _location.ReadState();
        Assert.True(read.Find(other.Hash)!.Pinned);
        Assert.False(read.Find(_tool.Hash)!.Active);
    }

    [Fact]
    public void What_making_the_bytes_failed_with_fails_the_commit_and_nothing_is_written()
    {
        var lockfile = File.ReadAllBytes(_location.LockfilePath);
        var history = History;
        var generations = Directory.GetFiles(Generations.DirectoryOf(_location)).Order(StringComparer.Ordinal).ToList();
        using var session = LocationSession.Open(_location, TextWriter.Null);
        var state = session.State;
        // Two active deployments owning one resource: a state the guard refuses before it gets here, and the lockfile's
        // writing refuses (LocationInconsistent) if it ever does.
        var twin = new DeploymentEntry(state.Find(_tool.Hash)!.Package, LocationTestBed.Hash("twin"), []) { Active = true };
        twin.Claims.Add("env:TOOL_HOME");
        state.Deployments.Add(twin);
        var prepared = session.Prepare(state);

        var e = Assert.Throws<PacksterException>(() => session.Commit(state, [], prepared));
        Assert.Equal(ErrorCode.LocationInconsistent, e.Code);
        Assert.Equal(lockfile, File.ReadAllBytes(_location.LockfilePath));
        Assert.Equal(history, History);
        Assert.Equal(generations, Directory.GetFiles(Generations.DirectoryOf(_location)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Bytes_prepared_for_one_state_are_never_committed_as_another()
    {
        var lockfile = File.ReadAllBytes(_location.LockfilePath);
        using var session = LocationSession.Open(_location, TextWriter.Null);
        var prepared = session.Prepare(_location.ReadState());

        Assert.Throws<ArgumentException>(() => session.Commit(session.State, [], prepared));
        Assert.Equal(lockfile, File.ReadAllBytes(_location.LockfilePath));
        Assert.Empty(StagedLockfiles);
    }

    /// <summary>
    /// § Transactions: a prepared commit stages the lockfile beside its place (written and flushed under a temp name),
    /// the lockfile untouched until the commit, which only renames it; nothing of it is left after.
    /// </summary>
    [Fact]
    public async Task A_prepared_commit_stages_its_lockfile_and_the_commit_puts_it_in_place()
    {
        var lockfile = File.ReadAllBytes(_location.LockfilePath);
        using var session = LocationSession.Open(_location, TextWriter.Null);
        var state = session.State;
        state.Find(_tool.Hash)!.Pinned = true;
        var prepared = session.Prepare(state);
        await prepared.Bytes;

        var staged = Assert.Single(StagedLockfiles);
        Assert.Equal(Lockfile.Serialize(state), File.ReadAllBytes(staged));
        Assert.Equal(lockfile, File.ReadAllBytes(_location.LockfilePath));

        session.Commit(state, [], prepared);

        Assert.Equal(Lockfile.Serialize(state), File.ReadAllBytes(_location.LockfilePath));
        Assert.Empty(StagedLockfiles);
    }

    /// <summary>
    /// § Transactions: a commit prepared and then refused (a recorded deployment without its folder) or never made (the
    /// install failed meanwhile, <see cref="PreparedCommit.Discard"/>) leaves the lockfile as it was and nothing staged.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_prepared_commit_refused_or_dropped_leaves_nothing_staged(bool commit)
    {
        var lockfile = File.ReadAllBytes(_location.LockfilePath);
        using var session = LocationSession.Open(_location, TextWriter.Null);
        var state = session.State;
        state.Deployments.Add(new DeploymentEntry(state.Find(_tool.Hash)!.Package, LocationTestBed.Hash("never-published"), []));
        var prepared = session.Prepare(state);
        await prepared.Bytes;
        Assert.Single(StagedLockfiles);

        if (commit) Assert.Equal(ErrorCode.LocationInconsistent, Assert.Throws<PacksterException>(() => session.Commit(state, [], prepared)).Code);
        else prepared.Discard();

        Assert.Equal(lockfile, File.ReadAllBytes(_location.LockfilePath));
        Assert.Empty(StagedLockfiles);
    }

    private string[] StagedLockfiles => Directory.GetFiles(_location.Path, AtomicFile.TempPattern(Lockfile.FileName));
}
