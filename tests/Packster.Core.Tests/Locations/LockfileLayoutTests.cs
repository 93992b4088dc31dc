using System.Text;
using System.Text.Json.Nodes;
using FsCheck.Xunit;
using Packster.Core.Tests.Deployments;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;
using Packster.Testing;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Canonical bytes: "a commit copies every entry unchanged since it was read from the bytes it was
/// read from, and only when the last commit line names those bytes; what it writes is byte for byte what writing the
/// whole state gives", and spec/history.md § Commit lines: the changes a commit records are the same whether its two
/// files are read again or known from the reading and the writing that made them.
/// </summary>
public sealed class LockfileLayoutTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-layout");

    public void Dispose() => _temp.Dispose();

    [Property(MaxTest = 200)]
    public bool Copying_unchanged_entries_writes_what_writing_the_whole_state_writes_and_records_the_same_changes(int seed, string text)
    {
        if (!LockfilePropertyTests.IsWellFormed(text)) return true;
        var before = Lockfile.Serialize(LockfilePropertyTests.RandomState(seed, text));
        var path = Path.Combine(_temp.Path, $"state{seed}.json");
        File.WriteAllBytes(path, before);
        var (state, read, layout) = Lockfile.ReadWithLayout(path);
        Assert.NotNull(layout);
        Change(state, new Random(seed), text);

        var after = Lockfile.Serialize(state, layout, out var afterLayout);

        Assert.Equal(Lockfile.Serialize(state), after);
        Assert.NotNull(afterLayout);
        Assert.Equal(HistoryReplay.Changes(read, after).ToJsonString(), HistoryReplay.Changes(layout, afterLayout).ToJsonString());
        return true;
    }

    /// <summary>Every kind of change a command makes to an entry, to the set of entries and to the bundle, each at random.</summary>
    private static void Change(LocationState state, Random random, string text)
    {
        foreach (var d in state.Deployments.ToList())
        {
            switch (random.Next(12))
            {
                case 0: d.Pinned = !d.Pinned; break;
                case 1: d.Dependency = !d.Dependency; break;
                case 2: d.Signer = "0123456789abcdef"; break;
                case 3: d.InstalledAt = DateTimeOffset.FromUnixTimeSeconds(random.Next()); break;
                case 4: d.Claims.Add($"shim:extra-{d.Hash.Hex[..8]}"); break;
                case 5: d.Claims.Clear(); break;
                case 6: _ = d.Parameters; break;
                case 7: d.Parameters["added"] = text; break;
                case 8: state.Deployments.Remove(d); break;
                case 9: d.Active = false; break;
                default: break;
            }
        }
        if (random.Next(3) == 0)
        {
            var package = LocationTestBed.Package("fresh", "1.0.0");
            state.Deployments.Add(new DeploymentEntry(package, LocationTestBed.Hash($"fresh{random.Next()}"), new JsonObject { ["text"] = text }));
        }
        if (random.Next(3) == 0 && state.Bundle.Count > 0) state.Bundle.Remove(state.Bundle.Keys.First());
        if (random.Next(3) == 0) state.Bundle[PackageId.Parse("fresh")] = new BundleRequirement(PackageId.Parse("fresh"), "^1", null);
    }

    /// <summary>An entry read in another key order than packster writes: copied only as read, and only from the array it was read from.</summary>
    [Fact]
    public void Bytes_are_copied_from_the_very_array_read_while_nothing_in_the_entry_changed()
    {
        var state = new LocationState(LocationId.Parse("dev"));
        foreach (var seed in new[] { "one", "two" })
        {
            state.Deployments.Add(new DeploymentEntry(LocationTestBed.Package("hello", "1.0.0"), LocationTestBed.Hash(seed), new JsonObject { ["seed"] = seed }));
        }
        const string Canonical = "\"active\": false,\n      \"pinned\": false";
        const string Swapped = "\"pinned\": false,\n      \"active\": false";
        var text = Encoding.UTF8.GetString(Lockfile.Serialize(state));
        Assert.Equal(2, text.Split(Canonical).Length - 1);
        var path = Path.Combine(_temp.Path, "swapped.json");
        File.WriteAllText(path, text.Replace(Canonical, Swapped, StringComparison.Ordinal));
        var (read, _, layout) = Lockfile.ReadWithLayout(path);
        Assert.NotNull(layout);

        // The copy keeps the order read: it is the bytes, not a writing of them.
        var copied = Encoding.UTF8.GetString(Lockfile.Serialize(read, layout, out _));
        Assert.Equal(2, copied.Split(Swapped).Length - 1);
        // Bytes equal to those read, in another array: nothing copied from them.
        var elsewhere = Lockfile.ReadWithLayout(path).Layout!;
        Assert.Equal(2, Encoding.UTF8.GetString(Lockfile.Serialize(read, elsewhere, out _)).Split(Canonical).Length - 1);
        // A changed entry is written anew; its neighbour is still copied.
        read.Deployments[0].Pinned = true;
        var one = Encoding.UTF8.GetString(Lockfile.Serialize(read, layout, out _));
        Assert.Equal((1, 1), (one.Split(Swapped).Length - 1, one.Split("\"active\": false,\n      \"pinned\": true").Length - 1));
        // Parameters handed out may have been changed through the object: written anew too.
        _ = read.Deployments[1].Parameters;
        Assert.Equal(0, Encoding.UTF8.GetString(Lockfile.Serialize(read, layout, out _)).Split(Swapped).Length - 1);
    }

    /// <summary>
    /// § Canonical bytes: a lockfile edited by hand (still valid, keys of one entry reordered) is not one the last commit
    /// line names, so the next commit writes every entry anew, and the history still replays to the file.
    /// </summary>
    [Fact]
    public async Task A_commit_after_a_hand_edit_writes_the_whole_lockfile_anew()
    {
        var files = PortPackages.Pack(_temp);
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var installer = new Installer(location, new InstallerOptions { Clock = null });
        await installer.InstallAsync(new InstallRequest(files[0]) { ParameterPairs = ["n=8001"], Inactive = true });
        var edited = File.ReadAllText(location.LockfilePath);
        Assert.Contains("\"active\": false,\n      \"pinned\": false", edited, StringComparison.Ordinal);
        File.WriteAllText(location.LockfilePath, edited.Replace("\"active\": false,\n      \"pinned\": false", "\"pinned\": false,\n      \"active\": false", StringComparison.Ordinal));

        await installer.InstallAsync(new InstallRequest(files[2]) { ParameterPairs = ["n=8002"] });

        var bytes = File.ReadAllBytes(location.LockfilePath);
        Assert.Equal(Lockfile.Serialize(Lockfile.Parse(bytes, location.LockfilePath)), bytes);
        Assert.Equal(HistoryReplay.FromEmpty, (string?)History.CommitLines(location).Last().Item2["from"]);

        // The next commit continues from the file the last one wrote: its entries are copied, its line carries the new one alone.
        await installer.InstallAsync(new InstallRequest(files[1]) { ParameterPairs = ["n=8003"], Inactive = true });

        bytes = File.ReadAllBytes(location.LockfilePath);
        Assert.Equal(Lockfile.Serialize(Lockfile.Parse(bytes, location.LockfilePath)), bytes);
        var last = History.CommitLines(location).Last().Item2;
        Assert.Null(last["from"]);
        var put = Assert.Single(last["changes"]!["put"]!.AsArray());
        Assert.Equal(8003, (int)put!["parameters"]!["n"]!);
        var replay = HistoryReplay.Replay(location);
        Assert.Null(replay.Divergence);
        Assert.Equal(bytes, replay.Lockfile);
    }
}
