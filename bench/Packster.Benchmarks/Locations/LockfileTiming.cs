using System.Diagnostics;
using System.Globalization;
using Packster.Locations;
using Packster.Model;

namespace Packster.Benchmarks.Locations;

/// <summary>
/// `lockfile PATH [rounds]`: what every command that reads a location pays for the size of its lockfile, in one process,
/// best of the rounds: reading it (parse and the checks of § Lockfile), its location hash, and writing it again (the bytes
/// a commit makes), each beside a SHA-256 of the same bytes (what hashing the file once costs) as the reference.
/// </summary>
public static class LockfileTiming
{
    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length == 0)
        {
            output.WriteLine("usage: lockfile PATH [rounds]");
            return 2;
        }
        var path = args[0];
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var bytes = File.ReadAllBytes(path);
        var state = Lockfile.Read(path);
        var sha = Best(rounds, () => Sha256Digest.Compute(bytes));
        var read = Best(rounds, () => Lockfile.Read(path));
        // Each state asked once: a state keeps its hash.
        var states = new Queue<LocationState>(Enumerable.Range(0, rounds).Select(_ => Lockfile.Read(path)));
        var hash = Best(rounds, () => states.Dequeue().Hash);
        var write = Best(rounds, () => Lockfile.Serialize(state));
        output.WriteLine($"{path}: {state.Deployments.Count} deployments, {bytes.Length / 1024} KiB; best of {rounds}");
        output.WriteLine($"SHA-256 of the bytes (reference): {sha.TotalMilliseconds,7:0.000} ms");
        output.WriteLine($"read:                             {read.TotalMilliseconds,7:0.000} ms  {read / sha,6:0.0} x");
        output.WriteLine($"location hash:                    {hash.TotalMilliseconds,7:0.000} ms  {hash / sha,6:0.0} x");
        output.WriteLine($"serialise:                        {write.TotalMilliseconds,7:0.000} ms  {write / sha,6:0.0} x");
        return 0;
    }

    private static TimeSpan Best<T>(int rounds, Func<T> run)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            GC.KeepAlive(run());
            var took = clock.Elapsed;
            if (took < best) best = took;
        }
        return best;
    }
}
