using Packster.Toml;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Keys, Tables, Arrays of tables (TOML 1.0.0 "Keys", "Table", "Array of Tables").</summary>
public class TableTests
{
    [Fact]
    public void Header_opens_a_table_for_the_following_keys()
    {
        var doc = Toml.Parse("top = 1\n[server]\nhost = \"a\"\nport = 80\n");
        Assert.Equal(["top", "server"], doc.Keys);
        Assert.Equal(["host", "port"], doc.Table("server").Keys);
    }

    [Fact]
    public void Dotted_header_creates_implicit_parents_that_a_later_header_may_define()
    {
        var doc = Toml.Parse("[x.y.z]\na = 1\n[x]\nb = 2");
        var x = doc.Table("x");
        Assert.Equal(["y", "b"], x.Keys);
        Assert.Equal(1, ((TomlInteger)x.Table("y").Table("z")["a"]).Value);
    }

    [Fact]
    public void Quoted_and_whitespace_separated_header_keys()
    {
        var doc = Toml.Parse("[ a . \"b.c\" . 'd' ]\ne = 1");
        Assert.True(doc.Table("a").Table("b.c").Table("d").ContainsKey("e"));
    }

    [Theory]
    [InlineData("bare_key-1 = 1", "bare_key-1")]
    [InlineData("1234 = 1", "1234")]
    [InlineData("\"quoted key\" = 1", "quoted key")]
    [InlineData("\"\\u00e9\" = 1", "é")]
    [InlineData("'lit\\eral' = 1", "lit\\eral")]
    [InlineData("\"\" = 1", "")]
    public void Key_forms(string toml, string key) => Assert.True(Toml.Parse(toml).ContainsKey(key));

    [Fact]
    public void Dotted_keys_create_nested_tables_and_may_continue_them()
    {
        var doc = Toml.Parse("fruit.apple.color = \"red\"\nfruit . apple.taste.sweet = true\nfruit.orange = 2");
        var fruit = doc.Table("fruit");
        Assert.Equal(["apple", "orange"], fruit.Keys);
        Assert.Equal(["color", "taste"], fruit.Table("apple").Keys);
    }

    [Fact]
    public void Number_like_dotted_key_is_two_keys() => Assert.True(Toml.Parse("3.14159 = 'pi'").Table("3").ContainsKey("14159"));

    [Fact]
    public void Header_may_add_subtables_below_a_dotted_key_table()
    {
        var doc = Toml.Parse("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true");
        Assert.True(doc.Table("fruit").Table("apple").Table("texture").ContainsKey("smooth"));
    }

    [Fact]
    public void Array_of_tables_appends_one_table_per_header()
    {
        var doc = Toml.Parse("[[p]]\nname = \"a\"\n[[p]]\n[[p]]\nname = \"c\"");
        var p = Assert.IsType<TomlArray>(doc["p"]);
        Assert.Equal(3, p.Count);
        Assert.Equal(0, ((TomlTable)p[1]).Count);
        Assert.Equal("c", ((TomlString)((TomlTable)p[2])["name"]).Value);
    }

    [Fact]
    public void Subtables_of_an_array_of_tables_go_to_its_last_element()
    {
        var doc = Toml.Parse("[[fruits]]\nname = 'apple'\n[fruits.physical]\ncolor = 'red'\n[[fruits.varieties]]\nname = 'x'\n[[fruits]]\nname = 'banana'");
        var fruits = (TomlArray)doc["fruits"];
        var apple = (TomlTable)fruits[0];
        Assert.Equal(["name", "physical", "varieties"], apple.Keys);
        Assert.Equal(["name"], ((TomlTable)fruits[1]).Keys);
    }

    [Fact]
    public void Missing_equals_sign_says_what_was_expected_and_found() =>
        Assert.Equal("expected '=' after key 'name', found 'x'", Toml.FailsAt("name x", 1, 6).Reason);

    [Fact]
    public void Missing_value() => Assert.Equal("expected a value after '=', found end of line", Toml.FailsAt("a =\n", 1, 4).Reason);

    [Fact]
    public void Text_after_a_value_is_an_error() =>
        Assert.Equal("expected a newline after the value, found 'b'", Toml.FailsAt("a = 1 b = 2", 1, 7).Reason);

    [Fact]
    public void Text_after_a_header_is_an_error() => Toml.FailsAt("[a] b = 1", 1, 5);

    [Theory]
    [InlineData("[a", 1, 3)]
    [InlineData("[a.]", 1, 4)]
    [InlineData("[]", 1, 2)]
    [InlineData("[[a]", 1, 5)]
    [InlineData("[[a] ]", 1, 5)]
    [InlineData("a.b. = 1", 1, 6)]
    [InlineData("= 1", 1, 1)]
    [InlineData("a b = 1", 1, 3)]
    public void Malformed_keys_and_headers(string toml, int line, int column) => Toml.FailsAt(toml, line, column);
}
