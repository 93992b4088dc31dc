using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Packster.Locations;

/// <summary>
/// Independent work items on one worker per processor, handed out one at a time (give the biggest first). A failure is
/// rethrown as itself, not wrapped in an <see cref="AggregateException"/>: callers catch <see cref="IOException"/> from a
/// parallel walk exactly as from a loop (LocationSnapshot tells a deployment being removed that way).
/// </summary>
internal static class Parallelism
{
    /// <summary>
    /// <see cref="WarmUp"/> for a location whose lockfile (<paramref name="lockfile"/>) is large enough to be read on every
    /// core (spec/lockfile.md § Reading and writing a large lockfile): below that, recovery's check and a listing have too
    /// little to hand out, and making the worker kept the calling thread yielding for about half a millisecond. Nothing on
    /// one processor.
    /// </summary>
    public static void WarmUpFor(string lockfile)
    {
        if (Environment.ProcessorCount < 2) return;
        var info = new FileInfo(lockfile);
        if (info.Exists && info.Length >= LockfileFastReader.SplitAtLeast) WarmUp();
    }

    /// <summary>
    /// Has the thread pool make a worker now, on another core, for a loop that starts soon: called before a location's
    /// lockfile is read, the worker is there when recovery's check of each deployment or a listing begins, which
    /// otherwise waited for the pool to make it (at 1,000 deployments the calling thread was seen yielding for that
    /// long). Once per process.
    /// </summary>
    private static void WarmUp()
    {
        if (Interlocked.Exchange(ref s_warm, 1) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(static _ => { }, null);
    }

    private static int s_warm;

    /// <summary>
    /// <paramref name="count"/> items too small to hand out one by one: one worker per <paramref name="perWorker"/>
    /// items (at most one per processor), each taking every n-th item.
    /// </summary>
    public static void Strided(int count, int perWorker, Action<int> body)
    {
        var workers = Math.Min(Environment.ProcessorCount, Math.Max(1, count / perWorker));
        For(workers, w =>
        {
            for (var i = w; i < count; i += workers) body(i);
        });
    }

    public static void For(int count, Action<int> body)
    {
        if (count <= 1)
        {
            if (count == 1) body(0);
            return;
        }
        try
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
            Parallel.ForEach(Partitioner.Create(Enumerable.Range(0, count), EnumerablePartitionerOptions.NoBuffering), options, body);
        }
        catch (AggregateException e)
        {
            var first = e.InnerExceptions.OfType<PacksterException>().FirstOrDefault() ?? e.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
    }
}
