using System.Diagnostics;
using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>spec/lockfile.md § Generations through the real executable: every commit a generation, rollback, gc, history --at.</summary>
public sealed class GenerationTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Tool(string version, string manifestExtra = "")
    {
        var dir = _f.Temp[$"tool-{version}"];
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        var script = Path.Combine(dir, "bin", "tool");
        File.WriteAllText(script, $"#!/bin/sh\necho tool {version}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"tool\"\nversion = \"{version}\"\n[shims]\ntool = \"bin/tool\"\n{manifestExtra}");
        return _f.Pack(dir);
    }

    private List<JsonElement> Generations()
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("generations", "--location", "dev", "--json"));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private static string ActiveOf(JsonElement generation) =>
        string.Join(",", generation.GetProperty("active").EnumerateArray().Select(a => $"{a.GetProperty("id").GetString()}@{a.GetProperty("version").GetString()}"));

    private string RunShim()
    {
        var psi = new ProcessStartInfo(Path.Combine(_f.LocationPath, "shims", "tool")) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    // § Generations: a record's command is text anyone who can write the location may have put there (a location shared
    // with a group, a record edited by hand); `generations` and `history --at` show it with its control characters
    // escaped (TerminalText), as they show a package's claims, so it cannot retitle the window or clear the screen.
    [Fact]
    public void A_hostile_command_in_a_record_reaches_the_terminal_escaped()
    {
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        var record = Path.Combine(_f.LocationPath, "generations", "2.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(record))!;
        json["command"] = "packster \u001b]0;TITLE\u0007\u001b[2J install";
        File.WriteAllText(record, json.ToJsonString());

        foreach (var output in new[] { _f.Packster.Ok("generations", "--location", "dev"), _f.Packster.Ok("history", "--location", "dev", "--at", "2") })
        {
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain('\u0007', output);
            Assert.Contains(@"packster \u001b]0;TITLE\u0007\u001b[2J install", output, StringComparison.Ordinal);
        }
    }

    // § Generations: a record that cannot be read is skipped, never the only copy of anything. The listing reads each
    // record's summary, a bare rollback and gc read only the newest records, `--to N` only record N (or rebuilds it):
    // none is stopped by an old damaged record.
    [Fact]
    public void A_damaged_old_record_is_skipped_by_the_listing_and_never_read_by_rollback_or_gc()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("3.0.0"), "--location", "dev");
        File.WriteAllText(Path.Combine(_f.LocationPath, "generations", "2.json"), "{ not json");

        var generations = Generations();
        Assert.Equal([1, 3, 4], generations.Select(g => g.GetProperty("generation").GetInt32()));
        Assert.Equal(["", "tool@2.0.0", "tool@3.0.0"], generations.Select(ActiveOf));

        _f.Packster.Ok("rollback", "--location", "dev");
        Assert.Equal("tool 2.0.0", RunShim());
        _f.Packster.Ok("rollback", "--location", "dev", "--to", "1");
        Assert.Equal("", ActiveOf(Generations()[^1]));
        // Record 2 itself is rebuilt from history.jsonl (spec/history.md § Generations rebuilt).
        _f.Packster.Ok("rollback", "--location", "dev", "--to", "2");
        Assert.Equal("tool 1.0.0", RunShim());
        _f.Packster.Ok("gc", "--location", "dev", "--dry-run");
    }

    private string Porty(int port)
    {
        var dir = _f.Temp["porty"];
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "bin", "p"), "p\n");
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"),
            $"id = \"porty\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\n[parameters.port]\ntype = \"integer\"\ndefault = {port}\n[provides]\nports = [\"{{param.port}}\"]\n");
        return _f.Pack(dir);
    }

    private static List<string> ClaimsAt(JsonElement at, string id) =>
        [.. at.GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("id").GetString() == id).GetProperty("claims").EnumerateArray().Select(c => c.GetString()!)];

    // § Generations, "Records": a summary's lockfile is "accepted only when its SHA-256 is the record's
    // lockfile-sha256", and so is a checkpoint's (generation 64, 128, …, and 1), which holds both. One edited since is
    // never read: `generations` still lists it; `history --at N` and `rollback --to N` take the state the history
    // rebuilds and names (spec/history.md § Generations rebuilt), so hello keeps port 9701 and porty cannot take it
    // (PST6000); without the history they refuse it with PST5015 and change nothing.
    [Fact]
    public void An_edited_checkpoint_is_never_read_and_its_claims_are_never_restored()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev", "--parameters", "{\"port\":9701}");
        for (var i = 0; i < 32; i++)
        {
            _f.Packster.Ok("pin", "hello", "--location", "dev");
            _f.Packster.Ok("unpin", "hello", "--location", "dev");
        }
        // Generations as written today are proven: 1 "(the empty location)" and 64 from their records.
        using (var first = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--at", "1", "--json")))
        {
            Assert.Equal("(the empty location)", first.RootElement.GetProperty("command").GetString());
        }
        using (var at = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--at", "64", "--json")))
        {
            Assert.StartsWith("packster unpin hello", at.RootElement.GetProperty("command").GetString(), StringComparison.Ordinal);
            Assert.Contains("port:9701", ClaimsAt(at.RootElement, "hello"));
        }

        var record = Path.Combine(_f.LocationPath, "generations", "64.json");
        var text = File.ReadAllText(record);
        Assert.Contains("port:9701", text, StringComparison.Ordinal);
        File.WriteAllText(record, text.Replace("port:9701", "port:9799", StringComparison.Ordinal));

        using (var at = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--at", "64", "--json")))
        {
            Assert.Equal("(rebuilt from history.jsonl)", at.RootElement.GetProperty("command").GetString());
            Assert.Contains("port:9701", ClaimsAt(at.RootElement, "hello"));
            Assert.DoesNotContain("port:9799", ClaimsAt(at.RootElement, "hello"));
        }
        _f.Packster.Ok("rollback", "--location", "dev", "--to", "64");
        Assert.Contains(64, Generations().Select(g => g.GetProperty("generation").GetInt32()));
        var taken = _f.Packster.Run("install-file", Porty(9701), "--location", "dev");
        Assert.True(taken.ExitCode != 0, taken.ToString());
        Assert.StartsWith("error[PST6000]", taken.Stderr, StringComparison.Ordinal);

        File.Delete(Path.Combine(_f.LocationPath, "history.jsonl"));
        var before = _f.Snapshot();
        foreach (var args in new[] { new[] { "history", "--at", "64" }, ["rollback", "--to", "64", "--dry-run"], ["rollback", "--to", "64"] })
        {
            var refused = _f.Packster.Run([.. args, "--location", "dev"]);
            Assert.True(refused.ExitCode == 5, refused.ToString());
            Assert.StartsWith("error[PST5015]: generation 64 of location dev cannot be read: its record holds a lockfile, but not the one its lockfile-sha256 names",
                refused.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(before, _f.Snapshot());
    }

    // § Generations: generation 1 of a location with deployments before generations were recorded is a checkpoint of
    // the lockfile found (its state as packster writes it when an editor put other white space around it), proven by
    // its lockfile-sha256 as any other; edited, a bare rollback (which picks it) refuses it: no commit line names it.
    [Fact]
    public void An_edited_record_of_the_state_before_generations_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev", "--parameters", "{\"port\":9702}");
        Directory.Delete(Path.Combine(_f.LocationPath, "generations"), recursive: true);
        File.WriteAllText(_f.LockfilePath, File.ReadAllText(_f.LockfilePath).TrimEnd('\n') + "\r\n");
        _f.Packster.Ok("pin", "hello", "--location", "dev");
        using (var first = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--at", "1", "--json")))
        {
            Assert.Equal("(the state before generations were recorded)", first.RootElement.GetProperty("command").GetString());
            Assert.Contains("port:9702", ClaimsAt(first.RootElement, "hello"));
        }

        var record = Path.Combine(_f.LocationPath, "generations", "1.json");
        File.WriteAllText(record, File.ReadAllText(record).Replace("port:9702", "port:9798", StringComparison.Ordinal));
        var before = _f.Snapshot();
        var refused = _f.Packster.Run("rollback", "--location", "dev");
        Assert.True(refused.ExitCode == 5, refused.ToString());
        Assert.StartsWith("error[PST5015]: generation 1 of location dev cannot be read: its record holds a lockfile, but not the one its lockfile-sha256 names",
            refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    // § Generations: "a location with none (a new one, before its first install) names it "(the empty location)"" —
    // "(the state before generations were recorded)" is for locations that had deployments before generations existed.
    [Fact]
    public void A_new_locations_first_generation_is_the_empty_location()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        var generations = Generations();
        Assert.Equal([1, 2], generations.Select(g => g.GetProperty("generation").GetInt32()));
        Assert.Equal("(the empty location)", generations[0].GetProperty("command").GetString());
        Assert.Equal("", ActiveOf(generations[0]));
        Assert.DoesNotContain("before generations were recorded", _f.Packster.Ok("generations", "--location", "dev"), StringComparison.Ordinal);
    }

    // § Generations: each commit is a numbered generation with its command; rollback makes an earlier active set
    // current in one commit (a new generation), and a bare rollback after it goes back again.
    [Fact]
    public void Rollback_restores_an_earlier_active_set_and_can_itself_be_rolled_back()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");
        Assert.Equal("tool 2.0.0", RunShim());

        var generations = Generations();
        Assert.Equal([1, 2, 3], generations.Select(g => g.GetProperty("generation").GetInt32()));
        Assert.Equal(["", "tool@1.0.0", "tool@2.0.0"], generations.Select(ActiveOf));
        Assert.Equal([false, false, true], generations.Select(g => g.GetProperty("current").GetBoolean()));
        Assert.StartsWith("packster install-file ", generations[2].GetProperty("command").GetString(), StringComparison.Ordinal);

        var before = _f.Snapshot();
        _f.Packster.Ok("rollback", "--location", "dev", "--to", "2", "--dry-run");
        Assert.Equal(before, _f.Snapshot());

        using (var rolled = JsonDocument.Parse(_f.Packster.Ok("rollback", "--location", "dev", "--to", "2", "--json")))
        {
            Assert.Equal(["tool@1.0.0"], rolled.RootElement.GetProperty("activated").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["tool@2.0.0"], rolled.RootElement.GetProperty("deactivated").EnumerateArray().Select(e => e.GetString()));
        }
        Assert.Equal("tool 1.0.0", RunShim());
        generations = Generations();
        Assert.Equal("tool@1.0.0", ActiveOf(generations[^1]));
        Assert.Equal("packster rollback --location dev --to 2 --json", generations[^1].GetProperty("command").GetString());
        Assert.True(generations[^1].GetProperty("current").GetBoolean());
        // The history tells it as a rollback of the package.
        Assert.Contains("\"action\":\"rollback\"", File.ReadAllText(Path.Combine(_f.LocationPath, "history.jsonl")), StringComparison.Ordinal);

        _f.Packster.Ok("rollback", "--location", "dev");
        Assert.Equal("tool 2.0.0", RunShim());
        _f.Packster.Ok("verify", "dev");
    }

    // § Generations: "rollback --dry-run takes no lock and runs neither recovery nor activation: it … changes nothing
    // in the location, not even leftovers of an interrupted command under .packster/staging."
    [Fact]
    public void A_rollback_dry_run_leaves_leftovers_and_activation_alone()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");
        // What recovery would clean and activation would rewrite: a staged folder nobody finished, a stale marker.
        var junk = Path.Combine(_f.LocationPath, ".packster", "staging", "interrupted-install");
        Directory.CreateDirectory(junk);
        File.WriteAllText(Path.Combine(junk, "half-written"), "x");
        var marker = Path.Combine(_f.LocationPath, "activate", ".generation");
        if (File.Exists(marker)) File.WriteAllText(marker, "stale");
        var before = _f.Snapshot();
        var dry = _f.Packster.Ok("rollback", "--location", "dev", "--to", "2", "--dry-run");
        Assert.Contains("would activate tool 1.0.0", dry, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
        Assert.True(Directory.Exists(junk));
    }

    // § Generations: a generation can be named by time; the state it had is printed by history --at.
    [Fact]
    public void A_generation_is_found_by_time_and_history_at_prints_it()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0", "[parameters.port]\ntype = \"integer\"\ndefault = 1\n"), "--location", "dev", "-p", "port=4242");
        var second = Generations()[^1];
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");

        using (var at = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--at", second.GetProperty("time").GetString()!, "--json")))
        {
            // Two generations may share a second: the time names the last one made at or before it.
            Assert.True(at.RootElement.GetProperty("generation").GetInt32() >= 2);
        }
        using (var at = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--at", "2", "--json")))
        {
            var deployment = at.RootElement.GetProperty("deployments").EnumerateArray().Single();
            Assert.Equal("1.0.0", deployment.GetProperty("version").GetString());
            Assert.True(deployment.GetProperty("active").GetBoolean());
            Assert.Contains("shim:tool", deployment.GetProperty("claims").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(4242, deployment.GetProperty("parameters").GetProperty("port").GetInt32());
        }
        var story = _f.Packster.Ok("history", "--location", "dev", "--package", "tool");
        Assert.Contains("install", story, StringComparison.Ordinal);
        Assert.Contains("1.0.0 → 2.0.0", story, StringComparison.Ordinal);
        Assert.Contains("no history", _f.Packster.Ok("history", "--location", "dev", "--package", "other"), StringComparison.Ordinal);

        var unknown = _f.Packster.Run("rollback", "--location", "dev", "--to", "1999-01-01T00:00:00Z");
        Assert.Equal(5, unknown.ExitCode);
        Assert.StartsWith("error[PST5015]: location dev has no generation 1999-01-01T00:00:00Z", unknown.Stderr, StringComparison.Ordinal);
    }

    // § Generations: a generation's command never carries parameter values (they may be secret).
    [Fact]
    public void The_recorded_command_names_parameters_without_their_values()
    {
        var package = Tool("1.0.0", "[parameters.token]\ntype = \"string\"\nsecret = true\n[parameters.port]\ntype = \"integer\"\ndefault = 1\n");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", "token=hunter2-very-secret", "--parameters", "{\"port\": 4242}");
        var command = Generations()[^1].GetProperty("command").GetString()!;
        Assert.Contains("-p token=***", command, StringComparison.Ordinal);
        Assert.Contains("--parameters ***", command, StringComparison.Ordinal);
        var everything = string.Concat(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "generations")).Select(File.ReadAllText));
        Assert.DoesNotContain("hunter2", everything, StringComparison.Ordinal);
    }

    // § Generations: a rollback that needs a deployment removed since refuses, naming it, and changes nothing;
    // gc --keep-generations keeps what rollback needs, --drop-generations forgets older records.
    [Fact]
    public void Rollback_refuses_when_gc_removed_what_it_needs_and_gc_can_keep_it()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");

        using (var kept = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--keep-generations", "2", "--json")))
        {
            Assert.Equal(0, kept.RootElement.GetProperty("removed").GetArrayLength());
        }
        _f.Packster.Ok("gc", "--location", "dev");
        Assert.Single(_f.List().EnumerateArray());

        var before = _f.Snapshot();
        var refused = _f.Packster.Run("rollback", "--location", "dev", "--to", "2");
        Assert.Equal(5, refused.ExitCode);
        Assert.StartsWith("error[PST5016]: generation 2 of location dev needs deployments removed since that cannot be brought back: tool 1.0.0 (", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("is in neither the download cache nor a source", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        var count = Generations().Count;
        using (var dropped = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--keep-generations", "2", "--drop-generations", "--json")))
        {
            Assert.Equal(count - 2, dropped.RootElement.GetProperty("droppedGenerations").GetInt32());
        }
        Assert.Equal(2, Generations().Count);
    }

    // § Garbage collection: "--drop-generations then deletes the records of all generations older than the last K"; a
    // dry run reports how many the real run drops. spec/history.md § Generations rebuilt: after the drop, PST5015 names
    // the numbers rollback and history --at accept, the ones the history rebuilds too.
    [Fact]
    public void A_gc_dry_run_reports_the_generations_it_would_drop_and_rollback_names_the_rebuildable_ones()
    {
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");
        _f.Packster.Ok("use", "tool@1.0.0", "--location", "dev");
        _f.Packster.Ok("use", "tool@2.0.0", "--location", "dev");
        Assert.Equal([1, 2, 3, 4, 5], Generations().Select(g => g.GetProperty("generation").GetInt32()));

        var before = _f.Snapshot();
        using (var dry = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--keep-generations", "3", "--drop-generations", "--dry-run", "--json")))
        {
            Assert.Equal(2, dry.RootElement.GetProperty("droppedGenerations").GetInt32());
        }
        Assert.Contains("would drop the records of 2 older generations",
            _f.Packster.Ok("gc", "--location", "dev", "--keep-generations", "3", "--drop-generations", "--dry-run"), StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
        using (var real = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--keep-generations", "3", "--drop-generations", "--json")))
        {
            Assert.Equal(2, real.RootElement.GetProperty("droppedGenerations").GetInt32());
        }

        // Generation 1 (the state before the first commit) no commit line names; generation 2 one does.
        var refused = _f.Packster.Run("rollback", "--location", "dev", "--to", "1");
        Assert.Equal(5, refused.ExitCode);
        Assert.StartsWith("error[PST5015]: location dev has no generation 1 (it has 3–5, from ", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains(", and 2 can be rebuilt from history.jsonl)", refused.Stderr, StringComparison.Ordinal);
        var back = _f.Packster.Run("rollback", "--location", "dev", "--to", "2", "--dry-run");
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Contains("would return to generation 2", back.Stderr, StringComparison.Ordinal);

        // With a removal first: it commits a generation of its own, which the dry run counts as the real run does.
        using (var dry = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--drop-generations", "--dry-run", "--json")))
        {
            Assert.Equal(1, dry.RootElement.GetProperty("removed").GetArrayLength());
            Assert.Equal(3, dry.RootElement.GetProperty("droppedGenerations").GetInt32());
        }
        using (var real = JsonDocument.Parse(_f.Packster.Ok("gc", "--location", "dev", "--drop-generations", "--json")))
        {
            Assert.Equal(3, real.RootElement.GetProperty("droppedGenerations").GetInt32());
        }
        var none = _f.Packster.Run("history", "--location", "dev", "--at", "9");
        Assert.StartsWith("error[PST5015]: location dev has no generation 9 (it has 6, from ", none.Stderr, StringComparison.Ordinal);
        Assert.Contains(", and 2–5 can be rebuilt from history.jsonl)", none.Stderr, StringComparison.Ordinal);
    }

    // § Generations, § Crash consistency: killed after the lockfile but before its generation was promoted, the next
    // command promotes it; killed before the lockfile, the pending generation is discarded.
    [Theory]
    [InlineData("commit.generation-pending", 2)]
    [InlineData("commit.lockfile-written", 3)]
    public void A_generation_survives_a_crash_exactly_when_its_commit_did(string point, int generationsAfter)
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        var crashed = _f.Packster.Run(["install-file", Tool("2.0.0"), "--location", "dev"], new Dictionary<string, string> { [CrashPoint.Variable] = point });
        Assert.Equal(137, crashed.ExitCode);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "generations"), "*.pending.json"));

        _f.Packster.Ok("verify", "dev");
        _f.Packster.Ok("pin", "tool", "--location", "dev");
        var generations = Generations();
        Assert.Equal(generationsAfter + 1, generations.Count);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "generations"), "*.pending.json"));
        Assert.Equal(generationsAfter == 3 ? "tool@2.0.0" : "tool@1.0.0", ActiveOf(generations[generationsAfter - 1]));
    }

    // spec/lockfile.md § Repair: "before it reads the lockfile, it settles what a commit killed before it finished left,
    // exactly as every command that takes the lock does … So a commit whose lockfile was written is completed — its
    // generation promoted, its history lines appended — before repair rewrites that lockfile, and one that never was is
    // dropped". Killed after the lockfile (commit.lockfile-written) the upgrade to 2.0.0 stands; killed before it
    // (commit.journal-written) it never happened. Repair then drops tool 1.0.0, whose directory is gone, rewriting the
    // lockfile: the history must still replay to it, and the generation and events of the upgrade must be there.
    [Theory]
    [InlineData("commit.lockfile-written", true)]
    [InlineData("commit.journal-written", false)]
    public void Repair_after_a_killed_commit_first_settles_its_generation_and_history_lines(string point, bool committed)
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        var crashed = _f.Packster.Run(["install-file", Tool("2.0.0"), "--location", "dev"], new Dictionary<string, string> { [CrashPoint.Variable] = point });
        Assert.Equal(137, crashed.ExitCode);
        var journal = Path.Combine(_f.LocationPath, ".packster", "history.pending");
        Assert.True(File.Exists(journal));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "generations"), "*.pending.json"));
        using (var lockfile = JsonDocument.Parse(File.ReadAllText(_f.LockfilePath)))
        {
            var old = lockfile.RootElement.GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("version").GetString() == "1.0.0");
            Directory.Delete(Path.Combine(_f.LocationPath, old.GetProperty("path").GetString()!), recursive: true);
        }

        var repaired = _f.Packster.Ok("location", "repair", "dev");
        Assert.Contains("dropped tool 1.0.0", repaired, StringComparison.Ordinal);

        var generations = Generations();
        Assert.Equal(committed ? [1, 2, 3] : [1, 2], generations.Select(g => g.GetProperty("generation").GetInt32()));
        Assert.Equal(committed ? "tool@2.0.0" : "tool@1.0.0", ActiveOf(generations[^1]));
        using (var history = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--json")))
        {
            var events = history.RootElement.EnumerateArray().Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("version").GetString()}");
            Assert.Equal(committed ? ["install 1.0.0", "upgrade 2.0.0", "repair 1.0.0"] : ["install 1.0.0", "repair 1.0.0"], events);
        }
        Assert.Contains("replays to its lockfile", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);
        // Settled by repair itself, not left for the next command to judge against the lockfile repair wrote.
        Assert.False(File.Exists(journal));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "generations"), "*.pending.json"));
        // The last generation is rebuilt from the history (a summary record): its commit line is there, once.
        Assert.Contains(committed ? "2.0.0" : "1.0.0", _f.Packster.Ok("history", "--location", "dev", "--at", committed ? "3" : "2"), StringComparison.Ordinal);

        // The next ordinary command finds nothing more to settle, and the history still replays after its commit.
        _f.Packster.Ok("install-file", Tool("3.0.0"), "--location", "dev");
        Assert.Equal(committed ? 4 : 3, Generations()[^1].GetProperty("generation").GetInt32());
        Assert.Contains("replays to its lockfile", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);
    }

    // spec/lockfile.md § Repair: "its history lines go through the history journal as every commit's do (§ History
    // journal)": killed after its lockfile is written — before its lines are appended (history.append), or at once
    // (repair.lockfile-written) — the next command that takes the lock appends them, once; killed before
    // (repair.journal-written) the repair never happened and the next one makes it. Either way the history holds one
    // repair line for tool 1.0.0 and replays to the lockfile.
    [Theory]
    [InlineData("history.append")]
    [InlineData("repair.lockfile-written")]
    [InlineData("repair.journal-written")]
    public void A_repair_killed_around_its_commit_loses_no_history_line_and_repeats_none(string point)
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");
        using (var lockfile = JsonDocument.Parse(File.ReadAllText(_f.LockfilePath)))
        {
            var old = lockfile.RootElement.GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("version").GetString() == "1.0.0");
            Directory.Delete(Path.Combine(_f.LocationPath, old.GetProperty("path").GetString()!), recursive: true);
        }

        var crashed = _f.Packster.Run(["location", "repair", "dev"], new Dictionary<string, string> { [CrashPoint.Variable] = point });
        Assert.True(crashed.ExitCode == 137, crashed.ToString());
        var again = _f.Packster.Ok("location", "repair", "dev");
        Assert.Contains(point == "repair.journal-written" ? "dropped tool 1.0.0" : "nothing to repair in location dev", again, StringComparison.Ordinal);

        using (var history = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--json")))
        {
            var events = history.RootElement.EnumerateArray().Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("version").GetString()}");
            Assert.Equal(["install 1.0.0", "upgrade 2.0.0", "repair 1.0.0"], events);
        }
        Assert.Contains("replays to its lockfile", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_f.LocationPath, ".packster", "history.pending")));
    }

    // spec/lockfile.md § Generations: "When the next session opens … a pending generation whose lockfile-sha256 is that
    // of the lockfile on disk was committed and is promoted", judged "before recovery (which may rewrite the lockfile)",
    // as the history journal is (§ History journal, step 3); and "Lockfile rewrites by recovery … are not generations
    // (their commit lines in the history say "reason")". An install killed after its lockfile (commit.lockfile-written),
    // then tool 1.0.0's directory removed: the next ordinary command (pin) drops 1.0.0 in recovery, rewriting the lockfile,
    // and still completes the killed commit — its generation promoted, its history lines appended — before that.
    [Fact]
    public void A_command_whose_recovery_rewrites_the_lockfile_first_settles_a_killed_commit_s_generation()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        var crashed = _f.Packster.Run(["install-file", Tool("2.0.0"), "--location", "dev"],
            new Dictionary<string, string> { [CrashPoint.Variable] = "commit.lockfile-written" });
        Assert.Equal(137, crashed.ExitCode);
        var pending = Path.Combine(_f.LocationPath, "generations", "3.pending.json");
        Assert.True(File.Exists(pending));
        using (var lockfile = JsonDocument.Parse(File.ReadAllText(_f.LockfilePath)))
        {
            var old = lockfile.RootElement.GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("version").GetString() == "1.0.0");
            Directory.Delete(Path.Combine(_f.LocationPath, old.GetProperty("path").GetString()!), recursive: true);
        }

        var pinned = _f.Packster.Run("pin", "tool", "--location", "dev");
        Assert.Equal(0, pinned.ExitCode);
        Assert.Contains("deployment tool@1.0.0", pinned.Stderr, StringComparison.Ordinal);
        Assert.Contains("was dropped from packster-location.json: its directory is missing", pinned.Stderr, StringComparison.Ordinal);

        // The killed install's generation 3 was promoted, not deleted as never committed; recovery's rewrite made none.
        Assert.False(File.Exists(pending));
        Assert.True(File.Exists(Path.Combine(_f.LocationPath, "generations", "3.json")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, "generations"), "*.pending.json"));
        var generations = Generations();
        Assert.Equal([1, 2, 3, 4], generations.Select(g => g.GetProperty("generation").GetInt32()));
        Assert.Equal(["", "tool@1.0.0", "tool@2.0.0", "tool@2.0.0"], generations.Select(ActiveOf));
        Assert.Contains("2.0.0", _f.Packster.Ok("history", "--location", "dev", "--at", "3"), StringComparison.Ordinal);

        // One commit line per generation, in order, with recovery's own (no generation, "reason": "recovery") between
        // the killed install's and the pin's; and the history replays to the lockfile on disk.
        var commits = File.ReadAllLines(Path.Combine(_f.LocationPath, "history.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .Where(e => e.GetProperty("action").GetString() == "commit")
            .Select(e => e.TryGetProperty("generation", out var g) ? $"generation {g.GetInt32()}" : $"reason {e.GetProperty("reason").GetString()}");
        Assert.Equal(["generation 2", "generation 3", "reason recovery", "generation 4"], commits);
        using (var history = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--json")))
        {
            var events = history.RootElement.EnumerateArray().Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("version").GetString()}");
            Assert.Equal(["install 1.0.0", "upgrade 2.0.0", "pin 2.0.0"], events);
        }
        Assert.Contains("replays to its lockfile", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_f.LocationPath, ".packster", "history.pending")));
        _f.Packster.Ok("verify", "dev");
    }

    // spec/lockfile.md § History: a torn line (a JSON object cut short, as a crash leaves it) is skipped wherever it
    // is; any other line that is not an event is reported with its line number.
    [Fact]
    public void History_skips_torn_lines_and_names_a_corrupt_one_by_its_line()
    {
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");
        var path = Path.Combine(_f.LocationPath, "history.jsonl");
        var lines = File.ReadAllLines(path).ToList();
        // Two events, each followed by its commit line (spec/history.md § Commit lines).
        Assert.Equal(4, lines.Count);
        lines.Insert(1, lines[0][..(lines[0].Length / 2)]);
        File.WriteAllLines(path, lines);
        using (var doc = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--json")))
        {
            Assert.Equal(2, doc.RootElement.GetArrayLength());
        }

        lines[3] = lines[3].Replace("\"action\":", "\"acti0n\":", StringComparison.Ordinal);
        File.WriteAllLines(path, lines);
        var r = _f.Packster.Run("history", "--location", "dev");
        Assert.Equal(5, r.ExitCode);
        Assert.StartsWith($"error[PST5018]: {path}:4: not a history event: ", r.Stderr, StringComparison.Ordinal);
    }

    // spec/history.md § Replay and PST5018: a line that names a member twice is not a history event, named by its line
    // like any other; an event line ("action" twice) and a commit line ("changes" twice) were PST0001.
    [Theory]
    [InlineData(0, "{\"action\":\"uninstall\",")]
    [InlineData(1, "{\"changes\":{},")]
    public void A_history_line_that_names_a_member_twice_is_named_by_its_line(int index, string prefix)
    {
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");
        var path = Path.Combine(_f.LocationPath, "history.jsonl");
        var lines = File.ReadAllLines(path);
        Assert.StartsWith("{", lines[index], StringComparison.Ordinal);
        lines[index] = prefix + lines[index][1..];
        File.WriteAllLines(path, lines);

        foreach (var args in new[] { new[] { "history", "--location", "dev" }, ["history", "--location", "dev", "--check"] })
        {
            var r = _f.Packster.Run(args);
            Assert.Equal(5, r.ExitCode);
            Assert.StartsWith($"error[PST5018]: {path}:{index + 1}: not a history event: ", r.Stderr, StringComparison.Ordinal);
        }
    }

    // spec/history.md § Replay: "packster history --check replays the commit lines from an empty location and compares
    // the result with the lockfile"; a commit line whose changes no longer give the digest it names is PST5019 with
    // its line number, a corrupt middle line PST5018 with its, and a torn last line is tolerated.
    [Fact]
    public void History_check_replays_to_the_lockfile_and_names_the_line_where_it_stops_agreeing()
    {
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");
        _f.Packster.Ok("pin", "tool", "--location", "dev");
        var ok = _f.Packster.Ok("history", "--location", "dev", "--check");
        Assert.Contains("replays to its lockfile: 3 commit lines, up to generation 4", ok, StringComparison.Ordinal);

        var path = Path.Combine(_f.LocationPath, "history.jsonl");
        var pristine = File.ReadAllLines(path);
        File.WriteAllText(path, string.Join("\n", pristine) + "\n{\"time\":\"2026-12-0");
        Assert.Contains("3 commit lines", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);

        // The second commit line (line 4) claims the second install put nothing: the replay stops agreeing there.
        var tampered = pristine.ToArray();
        var node = System.Text.Json.Nodes.JsonNode.Parse(tampered[3])!.AsObject();
        Assert.Equal("commit", node["action"]!.GetValue<string>());
        node["changes"] = new System.Text.Json.Nodes.JsonObject();
        tampered[3] = node.ToJsonString();
        File.WriteAllLines(path, tampered);
        var diverged = _f.Packster.Run("history", "--location", "dev", "--check");
        Assert.Equal(5, diverged.ExitCode);
        Assert.StartsWith($"error[PST5019]: the history of location dev does not replay: history.jsonl:4: replaying up to it gives a lockfile with SHA-256 ", diverged.Stderr, StringComparison.Ordinal);

        var corrupt = pristine.ToArray();
        corrupt[2] = "not json";
        File.WriteAllLines(path, corrupt);
        var broken = _f.Packster.Run("history", "--location", "dev", "--check");
        Assert.Equal(5, broken.ExitCode);
        Assert.StartsWith($"error[PST5018]: {path}:3: not a history event: not json", broken.Stderr, StringComparison.Ordinal);
    }

    // spec/history.md § Commit lines: a lockfile changed outside packster is recorded whole ("from": "empty") by the
    // next commit, so the history replays again; until then --check says the lockfile changed after the last line.
    [Fact]
    public void A_lockfile_changed_by_hand_is_recorded_whole_by_the_next_commit()
    {
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        var lockfile = Path.Combine(_f.LocationPath, "packster-location.json");
        var edited = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(lockfile))!.AsObject();
        edited["deployments"]![0]!["pinned"] = true;
        File.WriteAllText(lockfile, edited.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var stale = _f.Packster.Run("history", "--location", "dev", "--check");
        Assert.Equal(5, stale.ExitCode);
        Assert.Contains("it was changed after the last commit line", stale.Stderr, StringComparison.Ordinal);

        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev", "--inactive");
        var last = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllLines(Path.Combine(_f.LocationPath, "history.jsonl"))[^1])!;
        Assert.Equal("empty", last["from"]!.GetValue<string>());
        Assert.Contains("replays to its lockfile: 2 commit lines", _f.Packster.Ok("history", "--location", "dev", "--check"), StringComparison.Ordinal);
    }

    // spec/history.md § Generations rebuilt: "history --at N" for a generation whose record gc dropped is rebuilt from
    // the commit lines, and says so.
    [Fact]
    public void History_at_a_generation_gc_dropped_is_rebuilt_from_the_commit_lines()
    {
        _f.Packster.Ok("install-file", Tool("1.0.0"), "--location", "dev");
        _f.Packster.Ok("install-file", Tool("2.0.0"), "--location", "dev");
        var recorded = _f.Packster.Ok("history", "--location", "dev", "--at", "2", "--json");
        _f.Packster.Ok("gc", "--location", "dev", "--keep-generations", "1", "--drop-generations");
        Assert.Equal([4], Generations().Select(g => g.GetProperty("generation").GetInt32())); // gc's own commit is generation 4

        using var before = JsonDocument.Parse(recorded);
        using var rebuilt = JsonDocument.Parse(_f.Packster.Ok("history", "--location", "dev", "--at", "2", "--json"));
        Assert.Equal("(rebuilt from history.jsonl)", rebuilt.RootElement.GetProperty("command").GetString());
        Assert.Equal(before.RootElement.GetProperty("lockfile-sha256").GetString(), rebuilt.RootElement.GetProperty("lockfile-sha256").GetString());
        Assert.Equal(before.RootElement.GetProperty("deployments").GetRawText(), rebuilt.RootElement.GetProperty("deployments").GetRawText());
        Assert.Contains("tool 1.0.0", _f.Packster.Ok("history", "--location", "dev", "--at", "2"), StringComparison.Ordinal);
        var missing = _f.Packster.Run("history", "--location", "dev", "--at", "9");
        Assert.Contains("PST", missing.Stderr, StringComparison.Ordinal);
    }
}
