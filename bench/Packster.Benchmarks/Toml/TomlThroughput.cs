using System.Diagnostics;
using System.Globalization;
using System.Text;
using Packster.Toml;

namespace Packster.Benchmarks.Toml;

/// <summary>A quick Stopwatch measurement of TOML parse throughput, for `toml-mbps` and bench/toml.sh.</summary>
public static class TomlThroughput
{
    public static int Run(string[] args, TextWriter output)
    {
        var megabytes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
        var utf8 = Encoding.UTF8.GetBytes(TomlCorpus.Generate(megabytes * 1024 * 1024));

        // Warm up so tiered compilation has produced optimised code before timing.
        var keys = 0;
        for (var i = 0; i < 5; i++)
        {
            keys += TomlDocument.Parse(utf8).Count;
        }

        var best = double.MaxValue;
        var total = TimeSpan.Zero;
        const int rounds = 10;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var pauseBefore = GC.GetTotalPauseDuration();
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            keys += TomlDocument.Parse(utf8).Count;
            watch.Stop();
            total += watch.Elapsed;
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / rounds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / rounds;
        var mean = total.TotalSeconds / rounds;
        var pause = (GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds / rounds;

        // CPU time is reported too: on a busy machine wall-clock numbers mostly measure the other load.
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"toml parse: {utf8.Length / 1e6:0.0} MB document, mean {utf8.Length / mean / 1e6:0.0} MB/s, best {utf8.Length / best / 1e6:0.0} MB/s, " +
            $"per CPU-second {utf8.Length / cpu / 1e6:0.0} MB/s, {allocated / 1e6:0.0} MB allocated per parse, GC pauses {pause / mean:P0} of wall time ({rounds} rounds, {keys} top-level keys seen)"));
        return 0;
    }
}
