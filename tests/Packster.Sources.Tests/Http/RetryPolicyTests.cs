using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Packster.Sources.Http;

namespace Packster.Sources.Tests.Http;

/// <summary>spec/sources.md §7 retries: 0.5 s × 2^(n−1) × jitter in [0.5, 1.5), Retry-After honoured, both capped at 30 s.</summary>
public sealed class RetryPolicyTests
{
    [Property]
    public Property Backoff_doubles_within_its_jitter_band_and_never_exceeds_the_cap()
    {
        var policy = new RetryPolicy();
        return Prop.ForAll(Gen.Choose(2, 12).ToArbitrary(), attempt =>
        {
            var delay = policy.DelayBefore(attempt, null).TotalMilliseconds;
            var nominal = 500 * Math.Pow(2, attempt - 2);
            return delay >= Math.Min(nominal * 0.5, 30_000) && delay <= Math.Min(nominal * 1.5, 30_000);
        });
    }

    [Fact]
    public void Retry_after_is_used_as_given_but_capped()
    {
        var policy = new RetryPolicy();
        Assert.Equal(TimeSpan.FromSeconds(7), policy.DelayBefore(2, TimeSpan.FromSeconds(7)));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.DelayBefore(2, TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.Zero, policy.DelayBefore(2, TimeSpan.FromSeconds(-5)));
    }
}
