using System.Diagnostics;
using System.Globalization;
using System.Text;
using Packster.Toml;

namespace Packster.Benchmarks.Toml;

/// <summary>A quick Stopwatch measurement of TOML parse throughput, for `toml-mbps` and bench/toml.sh.</summary>
public static class TomlThroughput
{
    private const int Rounds = 10;

    public static int Run(string[] args, TextWriter output)
    {
        var megabytes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
        var utf8 = Encoding.UTF8.GetBytes(TomlCorpus.Generate(megabytes * 1024 * 1024));

        // Warm up so tiered compilation has produced optimised code before timing.
        for (var i = 0; i < 5; i++)
        {
            Consume(TomlDocument.Parse(utf8));
        }

        // The parser builds a large object graph; with background (concurrent) GC, collecting it costs
        // more CPU than parsing. bench/toml.sh therefore runs this twice, once with DOTNET_gcConcurrent=0.
        var gc = Environment.GetEnvironmentVariable("DOTNET_gcConcurrent") == "0" ? "non-concurrent GC" : "default GC";
        output.WriteLine(Measure(utf8, gc));
        return 0;
    }

    private static string Measure(byte[] utf8, string label)
    {
        var best = double.MaxValue;
        var total = TimeSpan.Zero;
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var pauseBefore = GC.GetTotalPauseDuration();
        for (var i = 0; i < Rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            Consume(TomlDocument.Parse(utf8));
            watch.Stop();
            total += watch.Elapsed;
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / Rounds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / Rounds;
        var mean = total.TotalSeconds / Rounds;
        var pause = (GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds / Rounds;

        // CPU time is reported too: on a busy machine wall-clock numbers mostly measure the other load.
        return string.Create(CultureInfo.InvariantCulture,
            $"toml parse ({label}): {utf8.Length / 1e6:0.0} MB document, mean {utf8.Length / mean / 1e6:0.0} MB/s, " +
            $"best {utf8.Length / best / 1e6:0.0} MB/s, per CPU-second {utf8.Length / cpu / 1e6:0.0} MB/s, " +
            $"{allocated / 1e6:0.0} MB allocated per parse, GC pauses {pause / mean:P0} of wall time, {Rounds} rounds");
    }

    private static void Consume(TomlTable document)
    {
        if (document.Count == 0)
        {
            throw new InvalidOperationException("the generated document parsed to an empty table");
        }
    }
}
