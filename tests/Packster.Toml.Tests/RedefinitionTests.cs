namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Redefinitions (TOML 1.0.0 "Keys", "Table", "Array of Tables": defining twice is invalid).</summary>
public class RedefinitionTests
{
    [Fact]
    public void Key_defined_twice() =>
        Assert.Equal("duplicate key 'name': already defined at 1:1 as a string",
            Toml.FailsAt("name = 'a'\nname = 'b'", 2, 1).Reason);

    [Fact]
    public void Quoted_key_equal_to_a_bare_key_is_the_same_key() => Toml.FailsAt("spelling = 1\n\"spelling\" = 2", 2, 1);

    [Fact]
    public void Table_defined_twice() =>
        Assert.Equal("table [a] is defined twice (first at 1:1)", Toml.FailsAt("[a]\nb = 1\n[a]\nc = 2", 3, 1).Reason);

    [Fact]
    public void Implicit_table_defined_twice_by_headers() => Toml.FailsAt("[a.b]\n[a]\n[a]", 3, 1);

    [Fact]
    public void Header_for_a_table_defined_by_dotted_keys() =>
        Assert.Contains("dotted keys", Toml.FailsAt("[fruit]\napple.color = 'red'\n[fruit.apple]", 3, 1).Reason, StringComparison.Ordinal);

    [Fact]
    public void Dotted_key_extending_a_header_defined_table()
    {
        Assert.Contains("table 'c' defined by a [header] at 1:1", Toml.FailsAt("[a.c]\nz = 9\n[a]\nc.t = 1", 4, 1).Reason, StringComparison.Ordinal);
        Assert.Contains("table 'b.c' defined by a [header] at 1:1", Toml.FailsAt("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 3).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Dotted_key_may_define_a_table_a_header_only_created_implicitly()
    {
        var b = Toml.Parse("[a.b.c]\n[a]\nb.d = 1").Table("a").Table("b");
        Assert.Equal(["c", "d"], b.Keys);
    }

    [Fact]
    public void Header_after_dotted_keys_defined_an_implicit_table() =>
        Assert.Contains("dotted keys", Toml.FailsAt("[a.b.c]\n[a]\nb.d = 1\n[a.b]", 4, 1).Reason, StringComparison.Ordinal);

    [Fact]
    public void Dotted_key_through_a_value() =>
        Assert.Contains("already an integer", Toml.FailsAt("a = 1\na.b = 2", 2, 1).Reason, StringComparison.Ordinal);

    [Fact]
    public void Value_over_a_dotted_table() => Toml.FailsAt("a.b.c = 1\na.b = 2", 2, 3);

    [Fact]
    public void Header_over_a_value() =>
        Assert.Contains("already an integer", Toml.FailsAt("a = 1\n[a]", 2, 1).Reason, StringComparison.Ordinal);

    [Fact]
    public void Header_through_a_value() => Toml.FailsAt("a = 1\n[a.b]", 2, 2);

    [Fact]
    public void Array_of_tables_over_a_static_array() =>
        Assert.Contains("static array", Toml.FailsAt("a = []\n[[a]]", 2, 3).Reason, StringComparison.Ordinal);

    [Fact]
    public void Header_through_a_static_array() => Toml.FailsAt("a = [{ b = 1 }]\n[a.c]", 2, 2);

    [Fact]
    public void Table_header_over_an_array_of_tables() => Toml.FailsAt("[[a]]\n[a]", 2, 1);

    [Fact]
    public void Array_of_tables_over_a_table() => Toml.FailsAt("[a]\n[[a]]", 2, 3);

    [Fact]
    public void Key_in_an_array_element_cannot_repeat() => Toml.FailsAt("[[a]]\nb = 1\nb = 2", 3, 1);

    [Fact]
    public void Key_may_repeat_in_different_array_elements() => Assert.Equal(2, ((Packster.Toml.TomlArray)Toml.Parse("[[a]]\nb = 1\n[[a]]\nb = 2")["a"]).Count);
}
