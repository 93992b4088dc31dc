using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Packster.Handlers;

namespace Packster.Core.Tests.Handlers;

/// <summary>spec/handlers.md §Timeouts: durations are whole numbers with units h, m, s, ms, largest first.</summary>
public sealed class TimeSpanTextTests
{
    [Theory]
    [InlineData("500ms", 0, 0, 0, 500)]
    [InlineData("90s", 0, 0, 90, 0)]
    [InlineData("5m", 0, 5, 0, 0)]
    [InlineData("1h", 1, 0, 0, 0)]
    [InlineData("1h30m", 1, 30, 0, 0)]
    [InlineData("2h5m7s250ms", 2, 5, 7, 250)]
    [InlineData("0h1s", 0, 0, 1, 0)]
    public void Parses_the_documented_forms(string text, int hours, int minutes, int seconds, int milliseconds)
    {
        Assert.Equal(new TimeSpan(0, hours, minutes, seconds, milliseconds), TimeSpanText.Parse(text));
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("5", "'5' has no unit (h, m, s or ms)")]
    [InlineData("5x", "unknown unit 'x' (use h, m, s or ms)")]
    [InlineData("1m1h", "unit 'h' is repeated or out of order (write largest first, e.g. 1h30m)")]
    [InlineData("1s1s", "unit 's' is repeated or out of order (write largest first, e.g. 1h30m)")]
    [InlineData("0s", "a duration of zero would stop every handler at once")]
    [InlineData("-5s", "expected a number at '-5s'")]
    [InlineData("1.5h", "'1' has no unit (h, m, s or ms)")]
    [InlineData("5 m", "'5' has no unit (h, m, s or ms)")]
    [InlineData("5M", "unknown unit 'M' (use h, m, s or ms)")]
    [InlineData("9999999999s", "the number is too large")]
    [InlineData("999999999h", "the duration is too long (at most 256204778h)")]
    [InlineData("256204778h60m", "the duration is too long (at most 256204778h)")]
    public void Refuses_anything_else_saying_why(string text, string why)
    {
        Assert.False(TimeSpanText.TryParse(text, out _, out var reason));
        Assert.StartsWith(why, reason);
        var e = Assert.Throws<PacksterException>(() => TimeSpanText.Parse(text));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.StartsWith($"invalid duration '{text}': ", e.Message);
    }

    [Property]
    public Property Format_is_read_back_exactly_to_the_millisecond()
    {
        return Prop.ForAll(Gen.Choose(1, int.MaxValue).ToArbitrary(), milliseconds =>
        {
            var value = TimeSpan.FromMilliseconds(milliseconds);
            return TimeSpanText.Parse(TimeSpanText.Format(value)) == value;
        });
    }

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(1_000, "1s")]
    [InlineData(500, "500ms")]
    public void Formats_largest_unit_first(int milliseconds, string text)
    {
        Assert.Equal(text, TimeSpanText.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
