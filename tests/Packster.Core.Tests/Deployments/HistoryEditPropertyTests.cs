using Packster.Core.Tests.Locations;
using Packster.Deployments;
using Packster.Locations;
using Packster.Testing;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/history.md § Torn and corrupt lines, § Replay, spec/lockfile.md § Generations: history.jsonl is appended by
/// packster and may be edited by anyone. Whatever a few random edits make of it, reading it (<c>history</c>), replaying
/// it (<c>history --check</c>), listing the generations and rebuilding one (<c>history --at</c>, <c>rollback</c>) give an
/// answer or a PacksterException in words, never PST0001 or another exception.
/// </summary>
public sealed class HistoryEditPropertyTests : IDisposable
{
    private readonly LocationTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static readonly string[] Snippets =
    [
        "\"x\": 1,", "\"action\": \"commit\",", "\"from\": \"empty\",", "\"from\": 1,", "\"lockfile\": 7,", "\"generation\": \"3\",", "\"generation\": -1,",
        "\"changes\": [],", "\"changes\": {\"put\": [1]},", "\"changes\": {\"remove\": [null]},", "\"changes\": {\"put\": [{}]},", "\"changes\": {\"set\": {\"bundle\": 1}},",
        "\"changes\": {\"unset\": [\"schema\"]},", "null", ",", "{", "}", "[", "]", "\"\\ud800\"", "1e999", "\"time\": \"soon\",", "\n", "\"deployment\": 5,",
    ];

    private const string Significant = "{}[]\",:0123456789aetfnul \\\n-.";

    /// <summary>A member put first into one line's object: every line is one object, so a key snippet lands where JSON allows it (and repeats or retypes a key).</summary>
    private static string Member(string text, Random random)
    {
        var lines = text.Split('\n');
        var members = Snippets.Where(s => s.EndsWith(',')).ToArray();
        var line = random.Next(lines.Length);
        if (!lines[line].StartsWith('{')) return text;
        lines[line] = "{" + members[random.Next(members.Length)] + lines[line][1..];
        return string.Join('\n', lines);
    }

    private static readonly string[] Scalars = ["7", "-1", "\"x\"", "null", "true", "[]", "{}", "\"\\ud800\"", "\"empty\"", "1e999"];

    /// <summary>One scalar value somewhere (a string, number, boolean or null after a key) replaced by one of another kind.</summary>
    private static string Retyped(string text, Random random)
    {
        var keys = System.Text.RegularExpressions.Regex.Matches(text, "\"[a-z-]+\":(\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9][0-9.eE+-]*|true|false|null)");
        if (keys.Count == 0) return text;
        var value = keys[random.Next(keys.Count)].Groups[1];
        return text[..value.Index] + Scalars[random.Next(Scalars.Length)] + text[(value.Index + value.Length)..];
    }

    [Fact]
    public void A_history_edited_at_random_reads_replays_and_rebuilds_or_fails_in_words()
    {
        var location = _bed.CreateLocation();
        var tool = LocationTestBed.Install(location, "tool", "1.0.0", new Dictionary<string, string>
        {
            ["packster-manifest.toml"] = "id = \"tool\"\nversion = \"1.0.0\"\n[parameters.port]\ntype = \"integer\"\ndefault = 8080\n",
            ["bin/tool"] = "#!/bin/sh\n",
        });
        for (var i = 0; i < 4; i++)
        {
            using var session = LocationSession.Open(location, TextWriter.Null);
            var state = session.State;
            state.Find(tool.Hash)!.Pinned = !state.Find(tool.Hash)!.Pinned;
            session.Commit(state);
        }
        var path = History.PathOf(location);
        var original = File.ReadAllText(path);
        Assert.Null(HistoryReplay.Replay(location).Divergence);
        var answered = 0;
        for (var seed = 0; seed < 4_000; seed++)
        {
            var random = new Random(seed);
            var text = original;
            for (var edits = 1 + random.Next(3); edits > 0; edits--)
            {
                text = random.Next(3) switch { 0 => RandomEdits.Edit(text, random, Snippets, Significant, "\":"), 1 => Member(text, random), _ => Retyped(text, random) };
            }
            File.WriteAllText(path, text);
            foreach (var (what, act) in new (string, Action)[]
            {
                ("history", () => History.ReadChecked(location)),
                ("history --check", () => HistoryReplay.Replay(location)),
                ("generations", () => Generations.Summaries(location)),
                ("history --at 3", () => HistoryReplay.FindOrRebuild(location, "3")),
            })
            {
                try
                {
                    act();
                    answered++;
                }
                catch (PacksterException e) when (e.Code != ErrorCode.Internal)
                {
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"seed {seed}, {what}: {e.GetType().Name}: {e.Message}\n--- history.jsonl ---\n{text}", e);
                }
            }
        }
        Assert.InRange(answered, 2_000, 15_900);
    }
}
