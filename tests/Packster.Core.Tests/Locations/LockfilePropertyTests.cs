using System.Text;
using System.Text.Json.Nodes;
using FsCheck.Xunit;
using Packster.Locations;
using Packster.Model;

namespace Packster.Core.Tests.Locations;

/// <summary>spec/lockfile.md § Lockfile: "the same state always gives the same bytes", for any state, not just the examples.</summary>
public sealed class LockfilePropertyTests
{
    internal static LocationState RandomState(int seed, string text)
    {
        var random = new Random(seed);
        var state = new LocationState(LocationId.Parse("l" + random.Next(100)));
        var count = random.Next(12);
        for (var i = 0; i < count; i++)
        {
            var package = new PackageFileName(PackageId.Parse("p" + random.Next(4)), PackageVersion.Parse($"{random.Next(3)}.{random.Next(3)}.{i}"),
                LocationTestBed.Hash($"pkg{seed}/{i}"));
            var parameters = new JsonObject { ["text"] = text, ["n"] = random.Next(), ["nested"] = new JsonObject { ["z"] = true, ["a"] = new JsonArray(1, "two", null) } };
            var entry = new DeploymentEntry(package, LocationTestBed.Hash($"dep{seed}/{i}"), parameters)
            {
                // lockfile.md § Invariants: at most one active deployment per package, and no active one with a NUL parameter.
                Active = random.Next(2) == 0 && !state.ActiveDeployments.Any(d => d.Package.Id == package.Id) && !text.Contains('\0', StringComparison.Ordinal),
                Pinned = random.Next(2) == 0,
                InstalledAt = random.Next(2) == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(random.Next()),
            };
            entry.Claims.Add($"shim:p{i}");
            // Claims must be well-formed, and one resource has one active owner.
            entry.Claims.Add("env:PROP_KEY");
            if (entry.Active && state.ActiveDeployments.Any()) entry.Claims.Remove("env:PROP_KEY");
            state.Deployments.Add(entry);
            if (random.Next(3) == 0)
            {
                state.Bundle[package.Id] = new BundleRequirement(package.Id, "^" + package.Version, random.Next(2) == 0 ? null : new JsonObject { ["k"] = text })
                {
                    Resolved = random.Next(2) == 0 ? null : new ResolvedRequirement(package, entry.Hash),
                };
            }
        }
        return state;
    }

    internal static bool IsWellFormed(string? s)
    {
        if (s is null) return false;
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(s);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    [Property]
    public bool Any_state_round_trips_to_the_same_bytes_and_hash(int seed, string text)
    {
        if (!IsWellFormed(text)) return true;
        var state = RandomState(seed, text);
        var bytes = Lockfile.Serialize(state);
        var back = Lockfile.Parse(bytes, "prop.json");
        return back.Hash == state.Hash
            && back.Deployments.Count == state.Deployments.Count
            && Lockfile.Serialize(back).AsSpan().SequenceEqual(bytes);
    }

    /// <summary>
    /// § Lockfile: deployments are written "sorted by id, version, then hash", whatever order the state holds them in —
    /// in order but for some at the end (a state read, then added to), or in any order at all.
    /// </summary>
    [Property]
    public bool Deployments_are_written_sorted_whatever_order_the_state_holds_them_in(int seed, byte appended)
    {
        var state = RandomState(seed, "t");
        var expected = state.Deployments.OrderBy(d => d.Id).ThenBy(d => d.Version).ThenBy(d => d.Hash.Hex, StringComparer.Ordinal).ToList();
        var bytes = Lockfile.Serialize(state);
        var random = new Random(seed);
        // Sorted, then the last few moved to the end in another order: what a command that adds deployments commits.
        var tail = Math.Min(appended % 4, expected.Count);
        var readThenAdded = expected.Take(expected.Count - tail).Concat(expected.Skip(expected.Count - tail).Reverse()).ToList();
        var shuffled = expected.OrderBy(_ => random.Next()).ToList();
        foreach (var order in new[] { readThenAdded, shuffled, Enumerable.Reverse(expected).ToList() })
        {
            state.Deployments.Clear();
            state.Deployments.AddRange(order);
            if (!Lockfile.InFileOrder(state.Deployments).SequenceEqual(expected) || !Lockfile.Serialize(state).AsSpan().SequenceEqual(bytes)) return false;
        }
        return true;
    }
}
