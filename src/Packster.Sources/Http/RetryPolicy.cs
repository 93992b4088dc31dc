namespace Packster.Sources.Http;

/// <summary>
/// How often and how long to wait before retrying transport errors, 5xx and 429 (never other 4xx): exponential
/// backoff with jitter, or the server's Retry-After when it gives one, capped at <see cref="MaxDelay"/>.
/// <see cref="Delay"/> is injectable so tests observe the waits instead of sleeping.
/// </summary>
public sealed class RetryPolicy
{
    public static RetryPolicy Default { get; } = new();

    public int MaxAttempts { get; init; } = 4;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>The wait before attempt <paramref name="nextAttempt"/> (2 = first retry).</summary>
    public TimeSpan DelayBefore(int nextAttempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } given) return given < TimeSpan.Zero ? TimeSpan.Zero : given > MaxDelay ? MaxDelay : given;
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, nextAttempt - 2);
        // Full jitter between 50% and 150% spreads clients that failed together.
        var jittered = exponential * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
    }
}
