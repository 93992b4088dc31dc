using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;

namespace Packster.Benchmarks.History;

/// <summary>
/// `commit-line [deployments]`: what a commit line adds to a commit in a location of that many deployments — the
/// change computed from the lockfile bytes before and after (one entry added, one switched) — side by side with what
/// every commit already pays: serialising the lockfile once and hashing it. Prints both and the ratio.
/// </summary>
public static class CommitLineTiming
{
    public static int Run(string[] args, TextWriter output)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var state = new LocationState(LocationId.Parse("bench"));
        for (var i = 0; i < count; i++) state.Deployments.Add(Entry(i, active: i % 2 == 0));
        var before = Lockfile.Serialize(state);
        state.Deployments[1].Active = true;
        state.Deployments.Add(Entry(count, active: false));
        var after = Lockfile.Serialize(state);

        var serialize = Best(() => Sha256Digest.Compute(Lockfile.Serialize(state)));
        var changes = Best(() => HistoryReplay.Changes(before, after).ToJsonString());
        output.WriteLine($"lockfile of {count} deployments: {after.Length / 1024} KiB");
        output.WriteLine($"serialise + hash (every commit):      {serialize.TotalMilliseconds:0.00} ms");
        output.WriteLine($"commit line changes (added by replay): {changes.TotalMilliseconds:0.00} ms  ratio {changes / serialize:0.00}");
        return 0;
    }

    private static DeploymentEntry Entry(int i, bool active)
    {
        var id = PackageId.Parse($"pkg{i % 97}");
        var hash = Sha256Digest.Compute(BitConverter.GetBytes(i));
        var package = new PackageFileName(id, PackageVersion.Parse($"1.{i}.0"), Sha256Digest.Compute(BitConverter.GetBytes(-i - 1)));
        var entry = new DeploymentEntry(package, hash, new JsonObject { ["port"] = 10000 + i, ["name"] = $"instance {i}" })
        {
            InstalledAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
        };
        if (active && i % 97 == i) entry.Active = true;
        return entry;
    }

    private static TimeSpan Best(Action action)
    {
        for (var i = 0; i < 5; i++) action();
        var best = TimeSpan.MaxValue;
        for (var round = 0; round < 20; round++)
        {
            var watch = Stopwatch.StartNew();
            action();
            if (watch.Elapsed < best) best = watch.Elapsed;
        }
        return best;
    }
}
