using System.Globalization;
using System.Text;
using FsCheck.Xunit;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Strings: any text survives escaping into a basic string and reading it back.</summary>
public class StringPropertyTests
{
    [Property]
    public bool Any_text_round_trips_through_an_escaped_basic_string(string text)
    {
        var value = WithoutLoneSurrogates(text ?? "");
        return Toml.String(Escape(value)) == value;
    }

    [Property]
    public bool Any_text_without_quotes_or_controls_round_trips_through_a_literal_string(string text)
    {
        var value = new string(WithoutLoneSurrogates(text ?? "").Where(c => c == '\t' || (c >= ' ' && c != '\'' && c != '\u007F')).ToArray());
        return Toml.String("'" + value + "'") == value;
    }

    /// <summary>Escapes quotes, backslashes and controls; uses \U for a random share of other characters.</summary>
    private static string Escape(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.Value is '"' or '\\' or < 0x20 or 0x7F || rune.Value % 3 == 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:X8}");
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.Append('"').ToString();
    }

    private static string WithoutLoneSurrogates(string text)
    {
        var sb = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune != Rune.ReplacementChar)
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.ToString();
    }
}
