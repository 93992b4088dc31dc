namespace Packster;

/// <summary>
/// Marks work that must be finished or undone before the process may end: a location's lock held (staging, a
/// commit), a handler running, a pack staging copy. An interrupt that finds none of it in progress and nothing
/// committed may end the process at once, even while a read blocks it (spec/handlers.md §Interrupts); otherwise the
/// command is left to stop cooperatively and roll back.
/// </summary>
public static class UnfinishedWork
{
    private static readonly object Gate = new();
    private static int _active;
    private static bool _committed;
    private static bool _ending;

    /// <summary>Starts a piece of unfinished work; dispose the result when it is done or undone.</summary>
    /// <remarks>Once the process has decided to end (<see cref="TryEndProcess"/>), this never returns: nothing new may begin.</remarks>
    public static IDisposable Begin()
    {
        lock (Gate)
        {
            while (_ending) Monitor.Wait(Gate);
            _active++;
        }
        return new Scope();
    }

    /// <summary>Records that a change was committed: from now on the command's own outcome must be reported, not an interrupt.</summary>
    public static void Committed()
    {
        lock (Gate) _committed = true;
    }

    /// <summary>
    /// True when no unfinished work is in progress and nothing was committed; then nothing may begin any more, and the
    /// caller ends the process.
    /// </summary>
    public static bool TryEndProcess()
    {
        lock (Gate)
        {
            if (_active > 0 || _committed) return false;
            _ending = true;
            return true;
        }
    }

    private sealed class Scope : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            lock (Gate) _active--;
        }
    }
}
