using Packster.Toml;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Strings (TOML 1.0.0 "String") and §6 (the escapes TOML 1.1.0 adds).</summary>
public class StringTests
{
    [Fact]
    public void Basic_string_keeps_text_between_quotes() => Assert.Equal("hello world", Toml.String("\"hello world\""));

    [Theory]
    [InlineData(@"""\b""", "\b")]
    [InlineData(@"""\t""", "\t")]
    [InlineData(@"""\n""", "\n")]
    [InlineData(@"""\f""", "\f")]
    [InlineData(@"""\r""", "\r")]
    [InlineData(@"""\""""", "\"")]
    [InlineData(@"""\\""", "\\")]
    [InlineData(@"""\u00E9""", "é")]
    [InlineData(@"""\U0001F600""", "😀")]
    [InlineData(@"""a\tb\u0041""", "a\tbA")]
    public void Every_escape_decodes(string toml, string expected) => Assert.Equal(expected, Toml.String(toml));

    [Theory]
    [InlineData(@"v = ""\ """)]
    [InlineData(@"v = ""\u12""")]
    [InlineData(@"v = ""\uD800""")]     // surrogate: not a scalar value
    [InlineData(@"v = ""\UDFFF0000""")]
    [InlineData(@"v = ""\U00110000""")] // above U+10FFFF
    public void Invalid_escapes_are_errors_at_the_backslash(string toml) => Toml.FailsAt(toml, 1, 6);

    [Fact]
    public void Invalid_escape_message_lists_the_allowed_escapes()
    {
        var e = Toml.Fails("v = \"\\q\"");
        Assert.Contains("invalid escape sequence '\\q'", e.Reason, StringComparison.Ordinal);
        Assert.Contains("\\e", e.Reason, StringComparison.Ordinal);
        Assert.Contains("\\xHH", e.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("\\xHH", Toml.Fails("v = \"\\q\"", TomlVersion.V1_0).Reason, StringComparison.Ordinal);
    }

    // TOML 1.1.0 "String": "\e - escape (U+001B)", "\xHH - unicode (U+00HH)"; both in basic and multi-line basic strings.
    [Theory]
    [InlineData(@"""\e""", "\u001B")]
    [InlineData(@"""\e[1mbold\e[0m""", "\u001B[1mbold\u001B[0m")]
    [InlineData(@"""\x41\x7f\xE9\x00\xff""", "A\u007F\u00E9\0\u00FF")]
    [InlineData(@"""S\xf8rmirb\xe6ren""", "Sørmirbæren")]
    [InlineData("\"\"\"\n\\e\\x20\\x0a\"\"\"", "\u001B \n")]
    public void Toml_1_1_escapes_decode(string toml, string expected) => Assert.Equal(expected, Toml.String(toml));

    [Fact]
    public void Toml_1_1_escapes_are_not_escapes_in_literal_strings() =>
        Assert.Equal(@"\e\x41", Toml.String(@"'\e\x41'"));

    // TOML 1.1.0 "String": \xHH takes exactly two hexadecimal digits.
    [Theory]
    [InlineData(@"v = ""\x""")]
    [InlineData(@"v = ""\x4""")]
    [InlineData(@"v = ""\xG0""")]
    [InlineData(@"v = ""\x0g""")]
    [InlineData(@"v = ""\x 50""")]
    public void Hex_escape_needs_two_hex_digits(string toml) =>
        Assert.Contains("2 hexadecimal digits", Toml.FailsAt(toml, 1, 6).Reason, StringComparison.Ordinal);

    // TOML 1.0.0 "String": "All other escape sequences not listed above are reserved; if they are used, TOML should produce an error."
    [Theory]
    [InlineData(@"v = ""\e""", 1, 6, "'\\e'")]
    [InlineData(@"v = ""\x41""", 1, 6, "'\\x'")]
    [InlineData("v = \"\"\"\nab\\e\"\"\"", 2, 3, "'\\e'")]
    [InlineData("v = \"\"\"\\x41\"\"\"", 1, 8, "'\\x'")]
    public void Toml_1_1_escapes_are_errors_in_toml_1_0(string toml, int line, int column, string escape)
    {
        var reason = Toml.FailsAt(toml, line, column, TomlVersion.V1_0).Reason;
        Assert.Contains($"invalid escape sequence {escape}", reason, StringComparison.Ordinal);
        Assert.Contains("TOML 1.1", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Literal_string_has_no_escapes() => Assert.Equal(@"C:\Users\n", Toml.String(@"'C:\Users\n'"));

    [Fact]
    public void Single_line_strings_cannot_span_lines()
    {
        Toml.FailsAt("v = \"abc\nd\"", 1, 9);
        Toml.FailsAt("v = 'abc\nd'", 1, 9);
    }

    [Fact]
    public void Unterminated_string_is_reported_at_its_opening_quote() => Toml.FailsAt("a = 1\nv = \"abc", 2, 5);

    [Fact]
    public void Multiline_basic_string_drops_the_first_newline_and_keeps_the_rest() =>
        Assert.Equal("one\ntwo\n", Toml.String("\"\"\"\none\ntwo\n\"\"\""));

    [Fact]
    public void Line_ending_backslash_trims_whitespace_and_newlines() =>
        Assert.Equal("The quick brown fox.", Toml.String("\"\"\"\nThe quick \\\n\n    brown \\   \n  fox.\"\"\""));

    [Fact]
    public void Backslash_followed_by_spaces_then_text_is_an_invalid_escape() => Toml.FailsAt("v = \"\"\"a\\  b\"\"\"", 1, 9);

    [Fact]
    public void Up_to_two_quotes_may_precede_the_closing_delimiter()
    {
        Assert.Equal("a\"\"", Toml.String("\"\"\"a\"\"\"\"\""));
        Assert.Equal("'That,' she said", Toml.String("''''That,' she said'''"));
        Toml.Fails("v = \"\"\"a\"\"\"\"\"\"");
    }

    [Fact]
    public void Multiline_literal_string_keeps_backslashes_and_newlines() =>
        Assert.Equal("C:\\x\n  y", Toml.String("'''\nC:\\x\n  y'''"));

    [Fact]
    public void Crlf_inside_multiline_strings_becomes_lf() => Assert.Equal("a\nb", Toml.String("\"\"\"a\r\nb\"\"\""));

    [Theory]
    [InlineData("v = \"a\u0001\"", 1, 7)]
    [InlineData("v = 'a\u007F'", 1, 7)]
    [InlineData("v = \"\"\"a\u0000\"\"\"", 1, 9)]
    [InlineData("v = '''\nab\u001F'''", 2, 3)]
    public void Control_characters_are_rejected_in_strings(string toml, int line, int column) =>
        Assert.Contains("not allowed", Toml.FailsAt(toml, line, column).Reason, StringComparison.Ordinal);

    [Fact]
    public void Tab_is_allowed_in_strings() => Assert.Equal("a\tb", Toml.String("'a\tb'"));
}
