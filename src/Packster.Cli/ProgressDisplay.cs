using Spectre.Console;

namespace Packster.Cli;

/// <summary>
/// Progress bars on stderr for long work, only when stderr is a terminal and CI is not set; otherwise the work
/// runs silently. Reports arrive on worker threads and only update a snapshot the renderer polls.
/// </summary>
internal static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(CliContext context, string description, Func<IProgress<(long Done, long Total)>?, Task<T>> work)
    {
        if (!context.Interactive) return await work(null).ConfigureAwait(false);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(description, maxValue: 1);
                var progress = new Progress<(long Done, long Total)>(p =>
                {
                    // A total of 0 means "unknown" (a download without a size): show bytes and speed, not a percentage.
                    task.IsIndeterminate = p.Total <= 0;
                    task.MaxValue = Math.Max(1, p.Total > 0 ? p.Total : p.Done);
                    task.Value = p.Done;
                });
                return await work(progress).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }
}
