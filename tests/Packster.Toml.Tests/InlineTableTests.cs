using Packster.Toml;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Inline tables (TOML 1.0.0 "Inline Table") and §6 (what TOML 1.1.0 allows in them).</summary>
public class InlineTableTests
{
    [Fact]
    public void Keys_values_and_nested_dotted_keys()
    {
        var table = Toml.Value<TomlTable>("v = { first = \"Tom\", last = 'Preston', point.x = 1, point.y = 2 }");
        Assert.Equal(["first", "last", "point"], table.Keys);
        Assert.Equal(2, ((TomlInteger)table.Table("point")["y"]).Value);
    }

    [Fact]
    public void Missing_value_says_what_was_found() =>
        Assert.Equal("expected a value after '=', found '}'", Toml.FailsAt("v = { a = }", 1, 11).Reason);

    [Fact]
    public void Empty_inline_table() => Assert.Equal(0, Toml.Value<TomlTable>("v = {}").Count);

    // TOML 1.0.0 "Inline Table": "No newlines are allowed between the curly braces unless they are valid within
    // a value. Even so, it is strongly discouraged to break an inline table onto multiples lines." and
    // "Terminating commas (also called trailing commas) are not permitted after the last key/value pair".
    [Fact]
    public void Trailing_comma_is_an_error_in_toml_1_0()
    {
        var reason = Toml.FailsAt("v = { a = 1, }", 1, 12, TomlVersion.V1_0).Reason;
        Assert.Contains("trailing comma", reason, StringComparison.Ordinal);
        Assert.Contains("TOML 1.1", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v = { a = 1,\n b = 2 }", 1, 13)]
    [InlineData("v = { a = 1\n}", 1, 12)]
    [InlineData("v = {\n}", 1, 6)]
    [InlineData("v = {\n a = 1 }", 1, 6)]
    [InlineData("v = { # comment\n a = 1 }", 1, 7)]
    [InlineData("v = { a = 1 # comment\n }", 1, 13)]
    [InlineData("v = { a = 1,\r\n b = 2 }", 1, 13)]
    public void Newline_or_comment_inside_is_an_error_in_toml_1_0(string toml, int line, int column)
    {
        var reason = Toml.FailsAt(toml, line, column, TomlVersion.V1_0).Reason;
        Assert.Contains("inline tables must be on one line", reason, StringComparison.Ordinal);
        Assert.Contains("TOML 1.1", reason, StringComparison.Ordinal);
    }

    // TOML 1.1.0 "Inline Table": "Inline tables can have multiple key/value pairs on the same line, or they can be
    // put on different lines. A terminating comma (also called trailing comma) is permitted after the last
    // key/value pair." The ABNF allows newlines and comments before each key, before each comma and before '}'.
    [Fact]
    public void Spans_lines_with_comments_and_a_trailing_comma_in_toml_1_1()
    {
        var doc = Toml.Parse("""
            contact = { # who to call
                personal = {
                    name = "Donald Duck",
                    email = "donald@duckburg.com",   # at home
                },
                # only a comment on this line

                work = { name = "Coin cleaner" }
                , ports = [ 80,
                  443 ]
            }
            next = 1
            """);
        var contact = doc.Table("contact");
        Assert.Equal(["personal", "work", "ports"], contact.Keys);
        Assert.Equal("donald@duckburg.com", ((TomlString)contact.Table("personal")["email"]).Value);
        Assert.Equal(2, ((TomlArray)contact["ports"]).Count);
        Assert.Equal(1, ((TomlInteger)doc["next"]).Value);
        Assert.Equal(new TomlPosition(8, 5), contact.KeyPosition("work"));
        Assert.Equal(new TomlPosition(9, 7), contact.KeyPosition("ports"));
    }

    [Fact]
    public void Trailing_comma_is_allowed_in_toml_1_1()
    {
        Assert.Equal(["a"], Toml.Value<TomlTable>("v = { a = 1, }").Keys);
        Assert.Equal(["a", "b"], Toml.Value<TomlTable>("v = {\n  a = 1,\n  b = 2,}").Keys);
        Assert.Equal(0, Toml.Value<TomlTable>("v = {\n\n}").Count);
    }

    [Fact]
    public void Positions_inside_a_multi_line_inline_table_count_lines()
    {
        var doc = Toml.Parse("v = {\r\n  a = 1,\n\t b = \"x\",\n}");
        var v = doc.Table("v");
        Assert.Equal(new TomlPosition(1, 5), v.Position);
        Assert.Equal(new TomlPosition(2, 3), v.KeyPosition("a"));
        Assert.Equal(new TomlPosition(3, 3), v.KeyPosition("b"));
        Assert.Equal(new TomlPosition(3, 7), v["b"].Position);
    }

    // TOML 1.1.0 ABNF: newlines may stand between key/value pairs and commas, never inside a key/value pair,
    // and a comma needs a key/value pair before it.
    [Theory]
    [InlineData("v = { , }", 1, 7, "expected a key")]
    [InlineData("v = {\n,\n}", 2, 1, "expected a key")]
    [InlineData("v = { a = 1,, }", 1, 13, "expected a key")]
    [InlineData("v = { a = 1,\n,\n}", 2, 1, "expected a key")]
    [InlineData("v = { a = 1\n b = 2 }", 2, 2, "expected ',' or '}'")]
    [InlineData("v = { a\n = 1 }", 1, 8, "expected '='")]
    [InlineData("v = { a =\n 1 }", 1, 10, "expected a value")]
    [InlineData("v = { a = 1,\n", 2, 1, "expected a key")]
    [InlineData("v = {\n  a = 1\n", 3, 1, "expected ',' or '}'")]
    public void Misplaced_commas_and_newlines_are_errors_in_toml_1_1(string toml, int line, int column, string reason) =>
        Assert.StartsWith(reason, Toml.FailsAt(toml, line, column).Reason, StringComparison.Ordinal);

    [Fact]
    public void Duplicate_key_inside_is_an_error() => Toml.FailsAt("v = { a = 1, a = 2 }", 1, 14);

    [Fact]
    public void Cannot_be_extended_by_a_header() =>
        Assert.Contains("inline table", Toml.FailsAt("a = { b = 1 }\n[a.c]", 2, 2).Reason, StringComparison.Ordinal);

    [Fact]
    public void Cannot_be_extended_by_a_dotted_key() =>
        Assert.Contains("inline table 'a'", Toml.FailsAt("a = { b = 1 }\na.c = 2", 2, 1).Reason, StringComparison.Ordinal);

    [Fact]
    public void Cannot_be_redefined_by_its_own_header() => Toml.FailsAt("a = {}\n[a]", 2, 1);

    [Fact]
    public void Nested_inline_table_is_also_closed() => Toml.FailsAt("a = { b = { c = 1 } }\n[a.b.d]", 2, 2);
}
