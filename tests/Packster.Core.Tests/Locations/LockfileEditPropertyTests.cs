using System.Text;
using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Compatibility and § Invariants: a hand edit can make anything of a lockfile. Whatever a few random
/// edits make of a file packster wrote, reading it gives a state or PST5002/PST5003 in words (never PST0001, never
/// another exception), and when the fast reading takes the file, on one thread or in pieces, the general reading takes
/// it too and reads the same state. The same for a deployment's record (§ packster-deployment.json), with its error.
/// </summary>
public sealed class LockfileEditPropertyTests
{
    /// <summary>Text a hand (or a bad merge) puts into JSON: fields, duplicates, values of the wrong kind, escapes with no text, limits.</summary>
    private static readonly string[] Snippets =
    [
        "\"x\": 1,", "\"active\": true,", "\"pinned\": \"yes\",", "\"port\": 1, \"port\": 2,", "null", ",", "[]", "{}", "\"\\ud800\"",
        "\"\\u0000\"", "1e999", "-0", "\"claims\": [1],", "\"dependency\": false,", "\"signer\": \"0123456789ABCDEF\",", "\"bundle\": {},",
        "\"installedAt\": \"2026-02-30T00:00:00Z\",", "\"version\": \"1.0.0-\",", "\"\\\"", "},\n    {", "\n  ],\n  \"deployments\": [\n    {",
    ];

    private const string Significant = "{}[]\",:0123456789aetfnul \\\n-.";

    private static string Edit(string text, Random random) => Packster.Testing.RandomEdits.Edit(text, random, Snippets, Significant, "\": ");

    /// <summary>The bytes a reading's state writes, or the error code and message; anything else is thrown on as the bug it is.</summary>
    private static string Outcome(Func<LocationState> read, int seed)
    {
        try
        {
            // A state the shape allows but § Invariants refuses has no bytes (the writer refuses it too): its violations stand for it.
            var state = read();
            var violations = LockfileInvariants.Violations(state);
            return violations.Count > 0 ? "broken: " + string.Join("; ", violations) : "read: " + Encoding.UTF8.GetString(Lockfile.Serialize(state));
        }
        catch (PacksterException e) when (e.Code is ErrorCode.LockfileUnreadable or ErrorCode.LockfileSchemaUnsupported)
        {
            return $"{e.Code}: {e.Message}";
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"seed {seed}: {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Seeds one after another (an FsCheck integer repeats the same hundred or so): the failing seed is in the message.</summary>
    [Fact]
    public void A_lockfile_edited_at_random_reads_or_fails_in_words()
    {
        var read = 0;
        for (var seed = 0; seed < 20_000; seed++)
        {
            if (ReadsOrFailsInWords(seed)) read++;
        }
        // The edits must leave some files readable, or the comparison of the readings would hold for nothing.
        Assert.InRange(read, 1_000, 19_000);
    }

    [Fact]
    public void A_deployment_record_edited_at_random_reads_or_fails_in_words()
    {
        var read = 0;
        for (var seed = 0; seed < 20_000; seed++)
        {
            var random = new Random(seed);
            var text = Encoding.UTF8.GetString(DeploymentRecordFastReaderTests.RandomRecord(random).Serialize());
            for (var edits = 1 + random.Next(3); edits > 0; edits--) text = Edit(text, random);
            var bytes = Encoding.UTF8.GetBytes(text);
            var parsed = RecordOutcome(() => DeploymentRecord.Parse(bytes, "edited.json"), seed);
            var general = RecordOutcome(() => DeploymentRecord.ParseGeneral(bytes, "edited.json"), seed);
            if (parsed != general) throw new InvalidOperationException($"seed {seed}: read as {parsed}\nbut the general reading gives {general}\nfor\n{text}");
            if (parsed.StartsWith("read: ", StringComparison.Ordinal)) read++;
        }
        Assert.InRange(read, 1_000, 19_000);
    }

    private static string RecordOutcome(Func<DeploymentRecord> read, int seed)
    {
        try
        {
            // Described field by field: a record is never written again once read, and one holding a lone surrogate has no bytes.
            var r = read();
            return "read: " + string.Join("\n", [r.Package.FileName, r.Deployment.Hex, JsonAsRead.ToJsonString(r.Parameters),
                .. r.Files.Select(f => $"{f.Path} {f.Sha256} {f.Size} {f.Mode}"), .. r.Links.Select(l => $"{l.Path} -> {l.Target}"),
                r.Signature is { } sig ? $"{sig.KeyId} {Convert.ToBase64String(sig.Signature)}" : "unsigned"]);
        }
        catch (PacksterException e) when (e.Code is ErrorCode.DeploymentRecordUnreadable)
        {
            return $"{e.Code}: {e.Message}";
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"seed {seed}: {e.GetType().Name}: {e.Message}", e);
        }
    }

    private static bool ReadsOrFailsInWords(int seed)
    {
        var random = new Random(seed);
        var text = Encoding.UTF8.GetString(Lockfile.Serialize(LockfilePropertyTests.RandomState(seed, "t" + random.Next(5))));
        for (var edits = 1 + random.Next(3); edits > 0; edits--) text = Edit(text, random);
        var bytes = Encoding.UTF8.GetBytes(text);

        var read = Outcome(() => Lockfile.Parse(bytes, "edited.json"), seed);
        var general = Outcome(() => Lockfile.ParseGeneral(bytes, "edited.json"), seed);
        var whole = LockfileFastReader.TryRead(bytes);
        var pieces = LockfileFastReader.TryReadSplit(bytes, null, 1 + random.Next(5));
        if (read.StartsWith("read: ", StringComparison.Ordinal) && general != read)
        {
            throw new InvalidOperationException($"seed {seed}: read as {read}\nbut the general reading gives {general}\nfor\n{text}");
        }
        foreach (var (fast, how) in new[] { (whole, "whole"), (pieces, "in pieces") })
        {
            if (fast is not null && Outcome(() => fast, seed) != general)
            {
                throw new InvalidOperationException($"seed {seed}: the fast reading ({how}) took\n{text}\nas {Outcome(() => fast, seed)}\nbut the general reading gives {general}");
            }
        }
        return read.StartsWith("read: ", StringComparison.Ordinal);
    }
}
