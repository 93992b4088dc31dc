using Packster.Toml;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §3 Positions and §4 Errors: 1-based lines and columns counted in Unicode scalar values.</summary>
public class PositionTests
{
    [Fact]
    public void Key_and_value_positions()
    {
        var doc = Toml.Parse("# c\nname = \"x\"\n  [pkg]\n  version   = 1.5");
        Assert.Equal(new TomlPosition(2, 1), doc.KeyPosition("name"));
        Assert.Equal(new TomlPosition(2, 8), doc["name"].Position);
        var pkg = doc.Table("pkg");
        Assert.Equal(new TomlPosition(3, 3), pkg.Position);
        Assert.Equal(new TomlPosition(3, 4), doc.KeyPosition("pkg"));
        Assert.Equal(new TomlPosition(4, 3), pkg.KeyPosition("version"));
        Assert.Equal(new TomlPosition(4, 15), pkg["version"].Position);
    }

    [Fact]
    public void Dotted_key_position_is_its_last_segment_and_implicit_tables_start_at_their_segment()
    {
        var doc = Toml.Parse("a.b.c = 1");
        var a = doc.Table("a");
        Assert.Equal(new TomlPosition(1, 1), doc.KeyPosition("a"));
        Assert.Equal(new TomlPosition(1, 3), a.KeyPosition("b"));
        Assert.Equal(new TomlPosition(1, 3), a["b"].Position);
        Assert.Equal(new TomlPosition(1, 5), a.Table("b").KeyPosition("c"));
    }

    [Fact]
    public void Implicit_table_moves_to_the_header_that_defines_it()
    {
        var doc = Toml.Parse("[x.y]\n[x]");
        Assert.Equal(new TomlPosition(2, 1), doc["x"].Position);
        Assert.Equal(new TomlPosition(2, 2), doc.KeyPosition("x"));
    }

    [Fact]
    public void Array_of_tables_elements_point_at_their_headers()
    {
        var doc = Toml.Parse("[[p]]\n\n[[p]]");
        var p = (TomlArray)doc["p"];
        Assert.Equal(new TomlPosition(1, 1), p.Position);
        Assert.Equal(new TomlPosition(3, 1), p[1].Position);
    }

    [Fact]
    public void Values_inside_arrays_and_inline_tables()
    {
        var doc = Toml.Parse("a = [\n  1,\n    'two']\nt = { k = true }");
        var a = (TomlArray)doc["a"];
        Assert.Equal(new TomlPosition(1, 5), a.Position);
        Assert.Equal(new TomlPosition(2, 3), a[0].Position);
        Assert.Equal(new TomlPosition(3, 5), a[1].Position);
        var t = doc.Table("t");
        Assert.Equal(new TomlPosition(4, 5), t.Position);
        Assert.Equal(new TomlPosition(4, 7), t.KeyPosition("k"));
        Assert.Equal(new TomlPosition(4, 11), t["k"].Position);
    }

    [Fact]
    public void Positions_after_multiline_strings_count_their_lines()
    {
        var doc = Toml.Parse("s = \"\"\"\na\nb\"\"\"\nt = 1");
        Assert.Equal(new TomlPosition(1, 5), doc["s"].Position);
        Assert.Equal(new TomlPosition(4, 1), doc.KeyPosition("t"));
    }

    [Fact]
    public void Columns_count_scalar_values_not_utf16_units()
    {
        var doc = Toml.Parse("\"é😀\" = 1");
        Assert.Equal(new TomlPosition(1, 8), doc["é😀"].Position);
        var e = Toml.FailsAt("k = \"😀😀\" x", 1, 10);
        Assert.Equal("expected a newline after the value, found 'x'", e.Reason);
    }

    [Fact]
    public void Message_is_file_line_column_reason()
    {
        var e = Assert.Throws<TomlException>(() => TomlDocument.Parse("\n\na = 1\na = 2", "m/packster.toml"));
        Assert.Equal("m/packster.toml:4:1: duplicate key 'a': already defined at 3:1 as an integer", e.Message);
        Assert.Equal("m/packster.toml", e.File);
    }

    [Fact]
    public void Message_without_a_file_says_input() =>
        Assert.StartsWith("<input>:1:3: ", Assert.Throws<TomlException>(() => TomlDocument.Parse("a ?")).Message, StringComparison.Ordinal);

    [Fact]
    public void Error_on_a_later_line_of_a_multiline_string() => Toml.FailsAt("s = \"\"\"\nok\nbad \\q\"\"\"", 3, 5);
}
