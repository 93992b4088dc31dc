using FsCheck.Xunit;
using Packster.Core.Tests.Locations;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/history.md § Replay: "replaying the commit lines of history.jsonl from an empty location gives the lockfile
/// byte for byte", over random sequences of install (active, inactive, forced), use, uninstall, pin, unpin, rollback
/// and recovery after a deployment directory vanished, on a real location; every generation's record reads back as the
/// lockfile its commit wrote (spec/lockfile.md § Generations: summaries rebuilt from the history); and every generation
/// the history names rebuilds to the state its record holds (§ Generations rebuilt).
/// </summary>
public sealed class HistoryReplayPropertyTests : IDisposable
{
    private readonly TempDirectory _packages = new("packster-replay-prop");
    private readonly List<string> _files;

    public HistoryReplayPropertyTests() => _files = PortPackages.Pack(_packages);

    public void Dispose() => _packages.Dispose();

    [Property(MaxTest = 20)]
    public void Replaying_the_history_gives_the_lockfile_after_every_step(int seed)
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var random = new Random(seed);
        var steps = random.Next(4, 14);
        var done = new List<string>();
        var written = new Dictionary<int, byte[]>();
        for (var i = 0; i < steps; i++)
        {
            done.Add(Step(location, random));
            // The lockfile each generation's commit wrote (recovery rewrites it without making one).
            var lockfile = File.ReadAllBytes(location.LockfilePath);
            if (Generations.LastSummaries(location, 1) is [var last] && last.LockfileSha256 == Sha256Digest.Compute(lockfile)) written[last.Number] = lockfile;
            var replay = HistoryReplay.Replay(location);
            var what = string.Join(", ", done);
            Assert.True(replay.Divergence is null, $"after {what}: {(replay.Divergence is { } d ? HistoryReplay.Describe(d) : "")}");
            Assert.True(File.ReadAllBytes(location.LockfilePath).AsSpan().SequenceEqual(replay.Lockfile), $"after {what}: the replay is not the lockfile");
        }
        // Every record reads back, summaries rebuilt from the history, as the lockfile its commit wrote.
        var generations = Generations.List(location);
        Assert.Equal(Generations.Summaries(location).Select(g => g.Number), generations.Select(g => g.Number));
        foreach (var generation in generations)
        {
            if (written.TryGetValue(generation.Number, out var committed)) Assert.Equal(committed, Lockfile.Serialize(generation.State));
            var rebuilt = HistoryReplay.Find(location, generation.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // Generation 1 of a location can be "the state before generations were recorded": no commit made it.
            if (rebuilt is null && generation.Number == 1) continue;
            Assert.NotNull(rebuilt);
            Assert.Equal(generation.LockfileSha256, rebuilt.LockfileSha256);
            Assert.Equal(Lockfile.Serialize(generation.State), Lockfile.Serialize(rebuilt.State));
        }
    }

    private string Step(Location location, Random random)
    {
        var options = new InstallerOptions { Clock = null };
        var before = File.ReadAllBytes(location.LockfilePath);
        var state = location.ReadState();
        var target = state.Deployments.Count == 0 ? null : state.Deployments[random.Next(state.Deployments.Count)].Hash.Hex;
        var choice = target is null ? 0 : random.Next(12);
        string description;
        try
        {
            switch (choice)
            {
                case < 5:
                    var request = new InstallRequest(_files[random.Next(_files.Count)])
                    {
                        ParameterPairs = [$"n={8001 + random.Next(2)}"],
                        Inactive = random.Next(4) == 0,
                        Force = random.Next(6) == 0,
                    };
                    description = $"install {Path.GetFileName(request.PackagePath)} {request.ParameterPairs[0]}{(request.Inactive ? " --inactive" : "")}{(request.Force ? " --force" : "")}";
                    new Installer(location, options).InstallAsync(request).GetAwaiter().GetResult();
                    break;
                case 5 or 6:
                    description = $"use {target}";
                    new Switcher(location, options).Use(target!);
                    break;
                case 7:
                    description = $"uninstall {target}";
                    new Uninstaller(location, options).UninstallAsync(target!, force: false).GetAwaiter().GetResult();
                    break;
                case 8 or 9:
                    description = $"{(choice == 8 ? "pin" : "unpin")} {target}";
                    new Switcher(location, options).SetPinned(target!, choice == 8);
                    break;
                case 10:
                    var generations = Generations.List(location);
                    var to = generations.Count == 0 ? "1" : generations[random.Next(generations.Count)].Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    description = $"rollback --to {to}";
                    new Rollback(location, options).To(to, dryRun: false);
                    break;
                default:
                    // A deployment directory vanishes behind packster's back: the next session's recovery drops it.
                    description = $"rm -rf deployments/{target} and recover";
                    Directory.Delete(location.DeploymentDirectory(Sha256Digest.Parse(target!)), recursive: true);
                    LocationSession.Open(location, TextWriter.Null).Dispose();
                    break;
            }
        }
        catch (PacksterException e) when (e.Code is ErrorCode.ResourceConflict or ErrorCode.RollbackIncomplete or ErrorCode.GenerationNotFound)
        {
            // Refused: nothing may have changed.
            Assert.Equal(before, File.ReadAllBytes(location.LockfilePath));
            return $"refused ({e.Code})";
        }
        return description;
    }
}
