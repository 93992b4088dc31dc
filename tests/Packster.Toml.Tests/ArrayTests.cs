using Packster.Toml;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Arrays (TOML 1.0.0 "Array").</summary>
public class ArrayTests
{
    [Fact]
    public void Elements_in_order()
    {
        var array = Toml.Value<TomlArray>("v = [1, 2, 3]");
        Assert.Equal([1L, 2L, 3L], array.Select(n => ((TomlInteger)n).Value));
    }

    [Fact]
    public void Mixed_types_are_allowed_in_toml_1_0()
    {
        var array = Toml.Value<TomlArray>("v = [ 0.1, \"x\", 1979-05-27, [1], { a = 1 }, true ]");
        Assert.Equal(["float", "string", "date-local", "array", "table", "boolean"], array.Select(n => n.TypeName));
    }

    [Fact]
    public void Newlines_comments_and_a_trailing_comma_are_allowed()
    {
        var array = Toml.Value<TomlArray>("v = [\n  1, # one\n  2,\n  # nothing\n]\n");
        Assert.Equal(2, array.Count);
    }

    [Fact]
    public void Non_value_element_says_what_was_found() =>
        Assert.Equal("expected a value in array, found '='", Toml.FailsAt("v = [1, =]", 1, 9).Reason);

    [Fact]
    public void Empty_array() => Assert.Empty(Toml.Value<TomlArray>("v = [ ]"));

    [Fact]
    public void Leading_comma_is_an_error() => Toml.FailsAt("v = [,1]", 1, 6);

    [Fact]
    public void Double_comma_is_an_error() => Toml.FailsAt("v = [1,,2]", 1, 8);

    [Fact]
    public void Missing_comma_says_what_was_expected() =>
        Assert.Equal("expected ',' or ']' after array element, found '2'", Toml.FailsAt("v = [1 2]", 1, 8).Reason);

    [Fact]
    public void Unclosed_array_at_end_of_input() =>
        Assert.Equal("expected ',' or ']' after array element, found end of input", Toml.FailsAt("v = [1", 1, 7).Reason);
}

/// <summary>spec/toml.md §5 Nesting limit: deep nesting is an error, never a stack overflow.</summary>
public class NestingTests
{
    [Fact]
    public void Nesting_up_to_the_limit_parses()
    {
        var depth = 256;
        var array = Toml.Value<TomlArray>("v = " + new string('[', depth) + new string(']', depth));
        for (var i = 1; i < depth; i++)
        {
            array = Assert.IsType<TomlArray>(Assert.Single(array));
        }

        Assert.Empty(array);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_an_error_at_the_bracket_that_exceeds_it()
    {
        var e = Toml.FailsAt("v = " + new string('[', 100_000), 1, 4 + 257);
        Assert.Contains("nested more than 256 deep", e.Reason, StringComparison.Ordinal);
        Toml.FailsAt("v = " + string.Concat(Enumerable.Repeat("{a=", 300)), 1, 4 + (256 * 3) + 1);
    }
}
