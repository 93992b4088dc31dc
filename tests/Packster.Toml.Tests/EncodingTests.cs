using System.Text;
using Packster.Toml;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Encoding, Newlines, Control characters (TOML 1.0.0 "Spec": UTF-8, LF or CRLF).</summary>
public class EncodingTests
{
    private static TomlTable ParseBytes(byte[] bytes) => TomlDocument.Parse(bytes, Toml.File);

    [Fact]
    public void Utf8_bytes_with_and_without_bom()
    {
        var body = Encoding.UTF8.GetBytes("name = \"é\"\n");
        Assert.Equal("é", ((TomlString)ParseBytes(body)["name"]).Value);
        Assert.Equal("é", ((TomlString)ParseBytes([0xEF, 0xBB, 0xBF, .. body])["name"]).Value);
    }

    [Fact]
    public void Bom_in_a_string_input_is_skipped_and_not_counted_in_columns()
    {
        var doc = Toml.Parse("\uFEFFa = 1");
        Assert.Equal(new TomlPosition(1, 5), doc["a"].Position);
    }

    [Fact]
    public void Bom_is_not_counted_in_error_columns_either() =>
        Assert.Equal(new TomlPosition(1, 3), Assert.Throws<TomlException>(() => ParseBytes([0xEF, 0xBB, 0xBF, .. "a ?"u8])).Position);

    [Fact]
    public void Invalid_utf8_is_an_error_at_the_bad_byte()
    {
        var e = Assert.Throws<TomlException>(() => ParseBytes([.. "a = 1\nb = \""u8, 0xC3, 0x28, .. "\""u8]));
        Assert.Equal(new TomlPosition(2, 6), e.Position);
        Assert.Contains("invalid UTF-8", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Lone_surrogate_in_a_string_input_is_an_error() => Toml.FailsAt("a = \"\uD800\"", 1, 6);

    [Fact]
    public void Crlf_line_endings()
    {
        var doc = Toml.Parse("a = 1\r\n[t]\r\nb = 2 # c\r\n");
        Assert.Equal(new TomlPosition(3, 1), doc.Table("t").KeyPosition("b"));
    }

    [Theory]
    [InlineData("a = 1\rb = 2", 1, 6)]
    [InlineData("# comment\r", 1, 10)]
    [InlineData("a = '''x\ry'''", 1, 9)]
    [InlineData("a = \"x\r\"", 1, 7)]
    public void Bare_carriage_return_is_an_error(string toml, int line, int column) => Toml.FailsAt(toml, line, column);

    [Theory]
    [InlineData("# a\u0000b", 1, 4)]
    [InlineData("# a\u007F", 1, 4)]
    [InlineData("a = 1 # \u001B", 1, 9)]
    public void Control_characters_in_comments_are_errors(string toml, int line, int column) =>
        Assert.Contains("control character", Toml.FailsAt(toml, line, column).Reason, StringComparison.Ordinal);

    [Fact]
    public void Tab_in_a_comment_and_as_whitespace_is_allowed() => Assert.True(Toml.Parse("\ta\t=\t1\t#\tx").ContainsKey("a"));

    [Fact]
    public void Empty_document_is_an_empty_table() => Assert.Equal(0, ParseBytes([]).Count);
}
