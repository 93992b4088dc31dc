using System.Text.Json.Nodes;
using Packster.Locations;
using Packster.Model;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § hash: the location hash changes whenever a deployment is added, removed, activated or
/// deactivated, and only then; a state asked again after any such change answers for what it holds now.
/// </summary>
public sealed class LocationStateHashTests
{
    private static DeploymentEntry Entry(string seed, bool active) =>
        new(LocationTestBed.Package(seed, "1.0.0"), LocationTestBed.Hash(seed), new JsonObject()) { Active = active };

    /// <summary>The hash of a fresh state holding <paramref name="entries"/>: computed, never remembered.</summary>
    private static Sha256Digest Fresh(IEnumerable<DeploymentEntry> entries)
    {
        var state = new LocationState(LocationId.Parse("dev"));
        state.Deployments.AddRange(entries);
        return state.Hash;
    }

    [Fact]
    public void The_hash_asked_again_follows_every_change_of_the_state()
    {
        var state = new LocationState(LocationId.Parse("dev"));
        state.Deployments.AddRange([Entry("a", true), Entry("b", false), Entry("c", true)]);
        var first = state.Hash;
        Assert.Equal(first, state.Hash);

        state.Deployments[1].Active = true;
        Assert.NotEqual(first, state.Hash);
        Assert.Equal(Fresh(state.Deployments), state.Hash);

        state.Deployments[1].Active = false;
        Assert.Equal(first, state.Hash);

        var removed = state.Deployments[2];
        state.Deployments.RemoveAt(2);
        Assert.Equal(Fresh(state.Deployments), state.Hash);
        Assert.NotEqual(first, state.Hash);

        state.Deployments.Add(Entry("d", true));
        Assert.Equal(Fresh(state.Deployments), state.Hash);

        // Another entry object with the same deployment and the same activity hashes alike.
        state.Deployments.RemoveAt(state.Deployments.Count - 1);
        state.Deployments.Add(Entry(removed.Id.Value, removed.Active));
        Assert.Equal(first, state.Hash);

        // The same entry listed twice is two lines, as a fresh state says.
        state.Deployments.Add(state.Deployments[0]);
        Assert.Equal(Fresh(state.Deployments), state.Hash);
        Assert.NotEqual(first, state.Hash);
    }

    /// <summary>
    /// § Location hash, from its definition: lines sorted by the deployment hash's whole text — also for hashes that
    /// share a long prefix and differ after it — in whatever order the state lists them.
    /// </summary>
    [Fact]
    public void The_hash_is_of_the_lines_sorted_by_the_whole_hash_text()
    {
        var shared = "0123456789abcdef";
        string[] hexes =
        [
            shared + new string('f', 48),
            shared + "0" + new string('9', 47),
            shared + new string('0', 48),
            "ffffffffffffffff" + new string('0', 48),
            "0000000000000000" + new string('1', 48),
            LocationTestBed.Hash("x").Hex,
        ];
        var entries = hexes.Select((hex, i) => new DeploymentEntry(LocationTestBed.Package("p" + i, "1.0.0"), Sha256Digest.Parse(hex), new JsonObject()) { Active = i % 2 == 0 }).ToList();
        var lines = string.Concat(entries.OrderBy(e => e.Hash.Hex, StringComparer.Ordinal).Select(e => $"{e.Hash.Hex} {(e.Active ? "active" : "inactive")}\n"));
        var expected = Sha256Digest.Compute(System.Text.Encoding.UTF8.GetBytes(lines));

        Assert.Equal(expected, Fresh(entries));
        Assert.Equal(expected, Fresh(Enumerable.Reverse(entries)));
        Assert.Equal(expected, Fresh(entries.OrderBy(e => e.Id.Value.GetHashCode(StringComparison.Ordinal))));
        Assert.Equal(expected, Fresh(entries.Where(e => !e.Hash.Hex.StartsWith(shared, StringComparison.Ordinal)).Concat(entries.Where(e => e.Hash.Hex.StartsWith(shared, StringComparison.Ordinal)).Reverse())));
    }

    /// <summary>§ Location hash, from its definition, for as many deployments as a large location holds: the text is
    /// hashed a part at a time, and the parts must join into exactly the lines the definition gives.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(1000)]
    public void The_hash_of_many_deployments_is_of_all_their_lines(int count)
    {
        var entries = Enumerable.Range(0, count).Select(i => Entry("many" + i, i % 3 == 0)).ToList();
        var lines = string.Concat(entries.OrderBy(e => e.Hash.Hex, StringComparer.Ordinal).Select(e => $"{e.Hash.Hex} {(e.Active ? "active" : "inactive")}\n"));
        Assert.Equal(Sha256Digest.Compute(System.Text.Encoding.UTF8.GetBytes(lines)), Fresh(entries));
    }
}
