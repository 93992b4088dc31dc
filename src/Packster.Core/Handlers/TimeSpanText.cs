using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Packster.Handlers;

/// <summary>
/// Durations as people write them in manifests and on the command line: <c>500ms</c>, <c>90s</c>, <c>5m</c>,
/// <c>1h</c>, <c>1h30m</c> — whole numbers, units h, m, s, ms, each at most once and largest first; positive.
/// </summary>
public static class TimeSpanText
{
    private const string Expected = "expected a positive duration such as 500ms, 90s, 5m, 1h or 1h30m";
    private static readonly (string Unit, TimeSpan Size)[] Units =
    [
        ("h", TimeSpan.FromHours(1)), ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)), ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    /// <summary>Parses a duration; throws PST1001 naming the text and the expected form.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var why) ? value : throw new PacksterException(ErrorCode.InvalidArgument, $"invalid duration '{text}': {why}", Expected);

    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Parses a duration; on failure <paramref name="why"/> says what is wrong (for manifest errors with positions).</summary>
    public static bool TryParse(string? text, out TimeSpan value, [NotNullWhen(false)] out string? why)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            why = "it is empty; " + Expected;
            return false;
        }
        var position = 0;
        var nextUnit = 0;
        long ticks = 0;
        while (position < text.Length)
        {
            var start = position;
            while (position < text.Length && char.IsAsciiDigit(text[position])) position++;
            if (position == start)
            {
                why = $"expected a number at '{text[start..]}'; {Expected}";
                return false;
            }
            if (position - start > 9)
            {
                why = "the number is too large";
                return false;
            }
            var number = long.Parse(text.AsSpan(start, position - start), NumberStyles.None, CultureInfo.InvariantCulture);
            var unitStart = position;
            while (position < text.Length && char.IsAsciiLetter(text[position])) position++;
            var unit = text[unitStart..position];
            var index = Array.FindIndex(Units, u => u.Unit == unit);
            if (index < 0)
            {
                why = unit.Length == 0 ? $"'{text[start..position]}' has no unit (h, m, s or ms)" : $"unknown unit '{unit}' (use h, m, s or ms)";
                return false;
            }
            if (index < nextUnit)
            {
                why = $"unit '{unit}' is repeated or out of order (write largest first, e.g. 1h30m)";
                return false;
            }
            nextUnit = index + 1;
            if (number > (TimeSpan.MaxValue.Ticks - ticks) / Units[index].Size.Ticks)
            {
                why = $"the duration is too long (at most {(long)TimeSpan.MaxValue.TotalHours}h)";
                return false;
            }
            ticks += number * Units[index].Size.Ticks;
        }
        if (ticks == 0)
        {
            why = "a duration of zero would stop every handler at once; " + Expected;
            return false;
        }
        value = TimeSpan.FromTicks(ticks);
        why = null;
        return true;
    }

    /// <summary>The shortest text <see cref="Parse"/> reads back as <paramref name="value"/> (sub-millisecond parts dropped).</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.FromMilliseconds(1)) return "0ms";
        var builder = new StringBuilder();
        var rest = value.Ticks;
        foreach (var (unit, size) in Units)
        {
            var count = rest / size.Ticks;
            rest -= count * size.Ticks;
            if (count > 0) builder.Append(CultureInfo.InvariantCulture, $"{count}{unit}");
        }
        return builder.ToString();
    }
}
