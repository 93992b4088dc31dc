using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Packster.Manifest;

/// <summary>Parses handler timeouts written as a sum of number-unit pairs: "90s", "5m", "1h", "1h30m".</summary>
public static partial class HandlerTimeout
{
    [GeneratedRegex("^(?:([0-9]{1,6})(h|m|s|ms))+$")]
    private static partial Regex Pattern();

    [GeneratedRegex("([0-9]{1,6})(h|ms|m|s)")]
    private static partial Regex Pair();

    public static bool TryParse(string? text, out TimeSpan timeout, [NotNullWhen(false)] out string? why)
    {
        timeout = default;
        if (string.IsNullOrEmpty(text) || !Pattern().IsMatch(text))
        {
            why = $"'{text}' is not a duration; write e.g. \"90s\", \"5m\", \"1h\" or \"1h30m\"";
            return false;
        }
        var total = TimeSpan.Zero;
        foreach (Match m in Pair().Matches(text))
        {
            var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                _ => TimeSpan.FromMilliseconds(n),
            };
        }
        if (total <= TimeSpan.Zero)
        {
            why = "a timeout must be longer than zero";
            return false;
        }
        timeout = total;
        why = null;
        return true;
    }
}
