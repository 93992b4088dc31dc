using Packster.Toml;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Inline tables (TOML 1.0.0 "Inline Table").</summary>
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

    [Fact]
    public void Trailing_comma_is_an_error() =>
        Assert.Contains("trailing comma", Toml.FailsAt("v = { a = 1, }", 1, 12).Reason, StringComparison.Ordinal);

    [Fact]
    public void Newline_inside_is_an_error() => Toml.FailsAt("v = { a = 1,\n b = 2 }", 1, 13);

    [Fact]
    public void Newline_after_a_value_is_an_error() =>
        Assert.StartsWith("expected ',' or '}'", Toml.FailsAt("v = { a = 1\n}", 1, 12).Reason, StringComparison.Ordinal);

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
