using System.Globalization;
using System.Text.Json;
using Packster.Core.Tests.Locations;
using Packster.Deployments;
using Packster.Locations;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/lockfile.md § Generations, "Records": every 64th generation's record (and the state before generations were
/// recorded) is a checkpoint holding the whole lockfile; every other holds a summary, and its lockfile is rebuilt
/// from the history's commit line that names it.
/// </summary>
public sealed class GenerationRecordTests : IDisposable
{
    private readonly LocationTestBed _bed = new();
    private readonly Location _location;
    private readonly DeploymentEntry _tool;

    public GenerationRecordTests()
    {
        _location = _bed.CreateLocation();
        _tool = LocationTestBed.Install(_location, "tool", "1.0.0", new Dictionary<string, string>
        {
            ["packster-manifest.toml"] = "id = \"tool\"\nversion = \"1.0.0\"\n[parameters.port]\ntype = \"integer\"\ndefault = 8080\n",
            ["bin/tool"] = "#!/bin/sh\n",
        });
    }

    public void Dispose() => _bed.Dispose();

    /// <summary>Commits <paramref name="count"/> times (pin, unpin, …); returns the lockfile each generation wrote, by its number.</summary>
    private Dictionary<int, byte[]> Commit(int count)
    {
        var written = new Dictionary<int, byte[]>();
        for (var i = 0; i < count; i++)
        {
            using (var session = LocationSession.Open(_location, TextWriter.Null))
            {
                var state = session.State;
                state.Find(_tool.Hash)!.Pinned = !state.Find(_tool.Hash)!.Pinned;
                session.Commit(state);
            }
            written[Generations.LastSummaries(_location, 1)[0].Number] = File.ReadAllBytes(_location.LockfilePath);
        }
        return written;
    }

    private JsonDocument Record(int number) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Generations.DirectoryOf(_location), number.ToString(CultureInfo.InvariantCulture) + ".json")));

    /// <summary>
    /// § Generations: N counts up from 1 by one per commit, also when one session commits several times (it numbers them
    /// from what it settled at its start, without listing <c>generations/</c> again), and a later session goes on from there.
    /// </summary>
    [Fact]
    public void Commits_of_one_session_are_numbered_one_after_another_and_read_back()
    {
        Commit(2);
        var written = new Dictionary<int, byte[]>();
        using (var session = LocationSession.Open(_location, TextWriter.Null))
        {
            for (var i = 0; i < 3; i++)
            {
                var state = session.State;
                state.Find(_tool.Hash)!.Pinned = !state.Find(_tool.Hash)!.Pinned;
                session.Commit(state);
                written[Generations.LastSummaries(_location, 1)[0].Number] = File.ReadAllBytes(_location.LockfilePath);
            }
        }
        written[Commit(1).Keys.Single()] = File.ReadAllBytes(_location.LockfilePath);

        Assert.Equal([4, 5, 6, 7], written.Keys.Order());
        Assert.Equal(Enumerable.Range(1, 7), Generations.List(_location).Select(g => g.Number));
        foreach (var generation in Generations.List(_location).Where(g => g.Number >= 4))
        {
            Assert.Equal(written[generation.Number], Lockfile.Serialize(generation.State));
        }
        Assert.Empty(Directory.EnumerateFiles(Generations.DirectoryOf(_location), "*.pending.json"));
    }

    [Fact]
    public void Only_every_64th_record_and_the_state_before_hold_the_whole_lockfile()
    {
        var written = Commit(66);

        // Generation 1 is the state before the first commit; 2 … 67 are the commits.
        Assert.Equal(Enumerable.Range(2, 66), written.Keys.Order());
        foreach (var number in Enumerable.Range(1, 67))
        {
            using var record = Record(number);
            var checkpoint = number is 1 or 64;
            Assert.Equal(checkpoint ? 1 : 2, record.RootElement.GetProperty("schema").GetInt32());
            Assert.Equal(checkpoint, record.RootElement.TryGetProperty("lockfile", out _));
            Assert.Equal(!checkpoint, record.RootElement.TryGetProperty("active", out _));
        }
    }

    [Fact]
    public void Every_generation_reads_back_as_the_lockfile_its_commit_wrote()
    {
        var written = Commit(66);

        var all = Generations.List(_location);

        Assert.Equal(67, all.Count);
        foreach (var generation in all.Where(g => g.Number > 1))
        {
            Assert.Equal(written[generation.Number], Lockfile.Serialize(generation.State));
        }
        // A bare rollback's pair, read from the newest back.
        Assert.Equal(written[66], Lockfile.Serialize(Generations.Last(_location, 2)[0].State));
        Assert.Equal(written[65], Lockfile.Serialize(Generations.Find(_location, "65").State));
    }

    [Fact]
    public void A_summary_record_shows_the_active_set_and_pins_of_its_generation()
    {
        Commit(1);

        using var record = Record(2);
        var active = Assert.Single(record.RootElement.GetProperty("active").EnumerateArray().ToList());
        Assert.Equal("tool", active.GetProperty("id").GetString());
        Assert.Equal(_tool.Hash.Hex, active.GetProperty("deployment").GetString());
        Assert.True(active.GetProperty("pinned").GetBoolean());
        var summary = Generations.Summaries(_location).Single(g => g.Number == 2);
        Assert.True(Assert.Single(summary.Active).Pinned);
        var last = Generations.LastSummaries(_location, 1)[0];
        Assert.Equal((summary.Number, summary.LockfileSha256, summary.Time), (last.Number, last.LockfileSha256, last.Time));
    }

    [Fact]
    public void A_summary_the_history_no_longer_rebuilds_is_refused_in_words_and_checkpoints_still_read()
    {
        var written = Commit(3);
        File.Delete(Path.Combine(_location.Path, Location.HistoryFileName));

        var e = Assert.Throws<PacksterException>(() => HistoryReplay.FindOrRebuild(_location, "3"));

        Assert.Equal(ErrorCode.GenerationNotFound, e.Code);
        Assert.Contains("generation 3 of location dev cannot be rebuilt", e.Message, StringComparison.Ordinal);
        // What generations shows is in the record itself; the checkpoint (generation 1) still has its state.
        Assert.Equal([1, 2, 3, 4], Generations.Summaries(_location).Select(g => g.Number));
        Assert.Equal([1], Generations.List(_location).Select(g => g.Number));
        Assert.NotEqual(written[2], Lockfile.Serialize(Generations.Find(_location, "1").State));
    }

    /// <summary>
    /// § Generations, "Records": a checkpoint's lockfile is read only when it is the one its <c>lockfile-sha256</c> names,
    /// as a summary's rebuilt one is "accepted only when its SHA-256 is the record's lockfile-sha256". One written by an
    /// earlier writer (the lockfile re-indented into the record) is that lockfile still: its bytes are canonical. One
    /// edited since is not read: listed from its record, rebuilt from the history as a record that cannot be read is,
    /// refused without it, and no rebuild starts from it.
    /// </summary>
    [Fact]
    public void A_checkpoint_is_read_only_when_its_lockfile_is_the_one_its_digest_names()
    {
        var other = LocationTestBed.Install(_location, "other", "1.0.0", new Dictionary<string, string>
        {
            ["packster-manifest.toml"] = "id = \"other\"\nversion = \"1.0.0\"\n[parameters.port]\ntype = \"integer\"\ndefault = 8080\n",
            ["bin/other"] = "#!/bin/sh\n",
        });
        var written = Commit(66);
        var file = Path.Combine(Generations.DirectoryOf(_location), "64.json");
        var indented = new JsonSerializerOptions { WriteIndented = true };

        // As the first writer of checkpoints wrote them: the whole record indented, the lockfile nested in it.
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllBytes(file))!;
        File.WriteAllText(file, record.ToJsonString(indented));
        Assert.Equal(written[64], Lockfile.Serialize(Generations.Find(_location, "64").State));

        // Edited: "other" (which no commit after 64 changes) pinned, the digest left as it was.
        var entry = record["lockfile"]!["deployments"]!.AsArray().Single(d => (string?)d!["deployment"] == other.Hash.Hex)!;
        Assert.NotEqual(true, (bool?)entry["pinned"]);
        entry["pinned"] = true;
        File.WriteAllText(file, record.ToJsonString(indented));

        var e = Assert.Throws<PacksterException>(() => Generations.Find(_location, "64"));
        Assert.Equal(ErrorCode.GenerationNotFound, e.Code);
        Assert.Equal("generation 64 of location dev cannot be read: its record holds a lockfile, but not the one its lockfile-sha256 names", e.Message);
        Assert.Contains(Generations.Summaries(_location), g => g.Number == 64);
        Assert.DoesNotContain(Generations.List(_location), g => g.Number == 64);
        // 66 is rebuilt from the start of the history, not from the edited checkpoint (which would pin "other").
        Assert.Equal(written[66], Lockfile.Serialize(Generations.Find(_location, "66").State));
        // As a record that cannot be read: the history rebuilds 64 (spec/history.md § Generations rebuilt), and without
        // it there is no state to trust.
        var rebuilt = HistoryReplay.FindOrRebuild(_location, "64");
        Assert.Equal("(rebuilt from history.jsonl)", rebuilt.Command);
        Assert.Equal(written[64], Lockfile.Serialize(rebuilt.State));
        File.Delete(Path.Combine(_location.Path, Location.HistoryFileName));
        Assert.Equal(e.Message, Assert.Throws<PacksterException>(() => HistoryReplay.FindOrRebuild(_location, "64")).Message);
    }

    /// <summary>"A rebuild starts at the last checkpoint before the generation": the lines before its line are not read.</summary>
    [Fact]
    public void A_rebuild_after_a_checkpoint_reads_only_the_history_since_that_checkpoint()
    {
        var written = Commit(66);
        var history = Path.Combine(_location.Path, Location.HistoryFileName);
        var lines = File.ReadAllLines(history);
        var checkpoint = Array.FindIndex(lines, l => l.Contains("\"generation\":64,", StringComparison.Ordinal));
        Assert.True(checkpoint > 0);
        for (var i = 0; i < checkpoint; i++) lines[i] = "not a history event";
        File.WriteAllLines(history, lines);

        Assert.Equal(written[66], Lockfile.Serialize(Generations.Find(_location, "66").State));
        Assert.Equal(written[67], Lockfile.Serialize(Generations.Last(_location, 1)[0].State));
        // Before the checkpoint the replay starts from the beginning, and meets what is not a history line.
        Assert.Equal(ErrorCode.HistoryCorrupt, Assert.Throws<PacksterException>(() => Generations.Find(_location, "10")).Code);
    }

    [Fact]
    public void A_changed_history_does_not_pass_for_the_generation()
    {
        Commit(2);
        var history = Path.Combine(_location.Path, Location.HistoryFileName);
        // The commit line of generation 3 now says "unpinned": the rebuilt lockfile is not the one the record names.
        var lines = File.ReadAllLines(history);
        var at = Array.FindLastIndex(lines, l => l.Contains("\"generation\":3", StringComparison.Ordinal));
        Assert.True(at >= 0);
        lines[at] = lines[at].Replace("\"pinned\":false", "\"pinned\":true", StringComparison.Ordinal);
        File.WriteAllLines(history, lines);

        Assert.DoesNotContain(Generations.List(_location), g => g.Number == 3);
        Assert.Equal(ErrorCode.GenerationNotFound, Assert.Throws<PacksterException>(() => Generations.Find(_location, "3")).Code);
    }

    /// <summary>
    /// spec/lockfile.md § Generations, "Writing": "a pending generation whose lockfile-sha256 is that of the lockfile on
    /// disk was committed and is promoted; any other was not, and is deleted" — judged as the history and policy journals
    /// judge it (§ History journal): a lockfile that cannot be read is not the one a pending record names, and the read's
    /// failure is not let through, where it was taken for a record that could not be written.
    /// </summary>
    [Fact]
    public void A_lockfile_that_cannot_be_read_settles_a_pending_generation_as_not_committed()
    {
        if (OperatingSystem.IsWindows()) return;
        Commit(1);
        var pending = Path.Combine(Generations.DirectoryOf(_location), "3.pending.json");
        File.Copy(Path.Combine(Generations.DirectoryOf(_location), "2.json"), pending);
        // A link to itself: there (File.Exists), yet every read fails (ELOOP), whoever runs the test.
        File.Delete(_location.LockfilePath);
        File.CreateSymbolicLink(_location.LockfilePath, _location.LockfilePath);

        Assert.Equal(2, Generations.Settle(_location));
        Assert.False(File.Exists(pending));
        Assert.True(File.Exists(Path.Combine(Generations.DirectoryOf(_location), "2.json")));
    }
}
