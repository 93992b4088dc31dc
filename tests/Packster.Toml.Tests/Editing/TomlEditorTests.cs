using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Packster.Toml.Editing;

namespace Packster.Toml.Tests.Editing;

/// <summary>spec/toml.md §9 "Writing files a person edits": what an edit keeps, where new keys go, what is refused.</summary>
public class TomlEditorTests
{
    private const string Commented = """
        # Packster configuration (hand-written)
        answer = 0x2A   # hex stays hex
        big = 1_000_000

        # the corporate mirror
        [sources.corp]
        type = "artifactory"   # kept
        url = 'https://art.example.com/artifactory'
        priority = 10

        # end of file comment

        """;

    private static string Edit(string text, Action<TomlEditor> edit)
    {
        var editor = TomlEditor.Parse(text, "test.toml");
        edit(editor);
        return editor.Verified();
    }

    // §9: "An edit that adds something and the edit that removes it again give back the original bytes."
    [Fact]
    public void Adding_a_table_and_removing_it_again_gives_back_the_original_bytes()
    {
        var added = Edit(Commented, e =>
        {
            e.Set(["sources", "local", "type"], TomlValue.String("folder"));
            e.Set(["sources", "local", "url"], TomlValue.String("/srv/packages"));
        });
        Assert.StartsWith(Commented, added, StringComparison.Ordinal);
        Assert.Equal("\n[sources.local]\ntype = \"folder\"\nurl = \"/srv/packages\"\n", added[Commented.Length..]);
        Assert.Equal(Commented, Edit(added, e => Assert.True(e.Remove(["sources", "local"]))));
    }

    // §9: "A replaced value keeps the comment on its line; everything else stays byte for byte."
    [Fact]
    public void Replacing_a_value_keeps_its_line_comment_and_every_other_line()
    {
        var edited = Edit(Commented, e => e.Set(["sources", "corp", "type"], TomlValue.String("http")));
        Assert.Equal(Commented.Replace("type = \"artifactory\"   # kept", "type = \"http\"   # kept", StringComparison.Ordinal), edited);
    }

    // §9: "Setting a value equal to the one written leaves it as written (0x2A stays 0x2A)."
    [Fact]
    public void Setting_an_equal_value_leaves_its_spelling()
    {
        Assert.Equal(Commented, Edit(Commented, e => e.Set(["answer"], TomlValue.Integer(42))));
    }

    // §9: "A new key goes after the last key of its table, above the blank lines and comments that follow it."
    [Fact]
    public void A_new_key_goes_after_the_last_key_of_its_table()
    {
        var edited = Edit(Commented, e => e.Set(["sources", "corp", "repo"], TomlValue.String("tools")));
        Assert.Equal(Commented.Replace("priority = 10\n", "priority = 10\nrepo = \"tools\"\n", StringComparison.Ordinal), edited);
        var root = Edit(Commented, e => e.Set(["id"], TomlValue.String("x")));
        Assert.Equal(Commented.Replace("big = 1_000_000\n", "big = 1_000_000\nid = \"x\"\n", StringComparison.Ordinal), root);
    }

    // §9: "Removing a table removes the comment lines directly above it and one blank line; other comments stay."
    [Fact]
    public void Removing_a_table_takes_its_comment_block_and_keeps_the_rest()
    {
        var edited = Edit(Commented, e => Assert.True(e.Remove(["sources", "corp"])));
        Assert.Equal("# Packster configuration (hand-written)\nanswer = 0x2A   # hex stays hex\nbig = 1_000_000\n\n# end of file comment\n", edited);
    }

    [Fact]
    public void Removing_a_key_keeps_the_lines_around_it()
    {
        var edited = Edit(Commented, e => Assert.True(e.Remove(["sources", "corp", "url"])));
        Assert.Equal(Commented.Replace("url = 'https://art.example.com/artifactory'\n", "", StringComparison.Ordinal), edited);
        Assert.False(TomlEditor.Parse(Commented, "t").Remove(["sources", "nope"]));
    }

    // The dotted name of a new table is written as parts, never as one quoted key ("a.b").
    [Fact]
    public void A_new_table_header_is_a_dotted_key_and_a_dotted_name_is_quoted()
    {
        var edited = Edit("", e => e.Set(["sources", "my.mirror", "type"], TomlValue.String("folder")));
        Assert.Equal("[sources.\"my.mirror\"]\ntype = \"folder\"\n", edited);
    }

    // A comment on the last line without a newline must not swallow the table appended after it.
    [Fact]
    public void A_table_appended_after_a_final_comment_without_newline_starts_on_its_own_line()
    {
        var edited = Edit("a = 1\n# last", e => e.Set(["t", "k"], TomlValue.Boolean(true)));
        Assert.Equal("a = 1\n# last\n\n[t]\nk = true\n", edited);
        Assert.Equal("a = 1\nb = 2\n", Edit("a = 1", e => e.Set(["b"], TomlValue.Integer(2))));
    }

    // spec/toml.md §9: a new table's header is "appended at the end of the file after one blank line", and "the file's
    // last line is ended before anything is appended after it" — in a file that holds nothing but comments too.
    [Theory]
    [InlineData("# packster", "# packster\n\n[trust]\nsignatures = \"warn\"\n")]
    [InlineData("# packster\n", "# packster\n\n[trust]\nsignatures = \"warn\"\n")]
    [InlineData("# packster\n# settings", "# packster\n# settings\n\n[trust]\nsignatures = \"warn\"\n")]
    public void A_table_appended_to_a_file_of_comments_alone_follows_one_blank_line(string text, string expected)
    {
        Assert.Equal(expected, Edit(text, e => e.Set(["trust", "signatures"], TomlValue.String("warn"))));
    }

    // spec/toml.md §9: "a table that existed only to hold what was removed" goes with it (`sources` for
    // `[sources.corp]`); so does an inline table the removal emptied. One written empty is the author's, and stays.
    [Fact]
    public void Removing_the_last_key_of_an_inline_table_removes_the_key_that_held_it()
    {
        Assert.Equal("# mine\nx = 1\n", Edit("# mine\nx = 1\nsources = { a = { type = \"folder\" } }\n", e => e.Remove(["sources", "a"])));
        Assert.Equal("[t]\nx = 1\n", Edit("[t]\nx = 1\nsources = { a = { type = \"folder\" } }\n", e => e.Remove(["t", "sources", "a"])));
        Assert.Equal("sources = { b = 2 }\n", Edit("sources = { a = 1, b = 2 }\n", e => e.Remove(["sources", "a"])));
    }

    [Fact]
    public void Keys_inside_inline_tables_are_set_and_removed_in_place()
    {
        const string text = "[shims]\nhello = { target = \"bin/hello\" }   # the tool\n";
        var set = Edit(text, e => e.Set(["shims", "hello", "args"], TomlValue.Strings(["-v"])));
        Assert.Equal("[shims]\nhello = { target = \"bin/hello\", args = [\"-v\"] }   # the tool\n", set);
        Assert.Equal(text, Edit(set, e => e.Remove(["shims", "hello", "args"])));
    }

    // spec/toml.md §9: "An array set to itself with items added at its end keeps its items as written — their
    // comments, one per line or not — and the new items follow the last one's layout."
    [Theory]
    [InlineData("allow = [\n  \"MIT\", # the usual\n  \"ISC\", # also\n]\n", "allow = [\n  \"MIT\", # the usual\n  \"ISC\", # also\n  \"Apache-2.0\",\n]\n")]
    [InlineData("allow = [\n  \"MIT\", # the usual\n  \"ISC\" # also\n]\n", "allow = [\n  \"MIT\", # the usual\n  \"ISC\", # also\n  \"Apache-2.0\"\n]\n")]
    [InlineData("allow = [\n  \"MIT\",\n  \"ISC\"\n]   # keep\n", "allow = [\n  \"MIT\",\n  \"ISC\",\n  \"Apache-2.0\"\n]   # keep\n")]
    [InlineData("allow = [\"MIT\", 'ISC']  # keep\n", "allow = [\"MIT\", 'ISC', \"Apache-2.0\"]  # keep\n")]
    [InlineData("allow = [ \"MIT\", \"ISC\" ]\n", "allow = [ \"MIT\", \"ISC\", \"Apache-2.0\" ]\n")]
    [InlineData("allow = [\"MIT\", \"ISC\",]\n", "allow = [\"MIT\", \"ISC\", \"Apache-2.0\",]\n")]
    public void Items_added_at_the_end_of_an_array_keep_the_items_and_comments_before_them(string text, string expected)
    {
        Assert.Equal(expected, Edit(text, e => e.Set(["allow"], TomlValue.Strings(["MIT", "ISC", "Apache-2.0"]))));
    }

    [Fact]
    public void An_array_whose_items_change_otherwise_is_written_anew()
    {
        var text = "allow = [\n  \"ISC\", # also\n  \"MIT\",\n]\n";
        Assert.Equal("allow = [\"MIT\", \"ISC\"]\n", Edit(text, e => e.Set(["allow"], TomlValue.Strings(["MIT", "ISC"]))));
        Assert.Equal("allow = [\"MIT\"]\n", Edit(text, e => e.Set(["allow"], TomlValue.Strings(["MIT"]))));
        Assert.Equal("allow = [\"MIT\"]\n", Edit("allow = []\n", e => e.Set(["allow"], TomlValue.Strings(["MIT"]))));
    }

    [Fact]
    public void Dotted_keys_of_a_table_get_their_sibling_next_to_them()
    {
        var edited = Edit("platform.os = [\"linux\"]\n\n[x]\ny = 1\n", e => e.Set(["platform", "arch"], TomlValue.Strings(["x64"])));
        Assert.Equal("platform.os = [\"linux\"]\nplatform.arch = [\"x64\"]\n\n[x]\ny = 1\n", edited);
    }

    [Fact]
    public void The_first_root_key_goes_below_the_file_comment_and_above_the_first_table()
    {
        var edited = Edit("# my file\n\n# about t\n[t]\nk = 1\n", e => e.Set(["id"], TomlValue.String("x")));
        Assert.Equal("# my file\nid = \"x\"\n\n# about t\n[t]\nk = 1\n", edited);
    }

    [Fact]
    public void CRLF_files_get_CRLF_lines_and_a_byte_order_mark_is_kept()
    {
        var edited = Edit("\uFEFFa = 1\r\n", e => e.Set(["t", "k"], TomlValue.Integer(2)));
        Assert.Equal("\uFEFFa = 1\r\n\r\n[t]\r\nk = 2\r\n", edited);
    }

    // §9: "An edit that would go through a value that is not a table is refused."
    [Fact]
    public void A_path_through_a_value_is_refused()
    {
        var e = Assert.Throws<TomlEditException>(() => TomlEditor.Parse("a = 1\n", "t").Set(["a", "b"], TomlValue.Integer(1)));
        Assert.Contains("'a' is an integer, not a table", e.Message, StringComparison.Ordinal);
        var table = Assert.Throws<TomlEditException>(() => TomlEditor.Parse("[a]\nb = 1\n", "t").Set(["a"], TomlValue.Integer(1)));
        Assert.Contains("is a table", table.Message, StringComparison.Ordinal);
        var array = Assert.Throws<TomlEditException>(() => TomlEditor.Parse("[[a]]\nb = 1\n", "t").Set(["a", "c"], TomlValue.Integer(1)));
        Assert.Contains("array of tables", array.Message, StringComparison.Ordinal);
    }

    // §9: "Text our reader refuses is not edited."
    [Fact]
    public void Invalid_TOML_is_refused_by_our_reader_before_any_edit()
    {
        Assert.Throws<TomlException>(() => TomlEditor.Parse("a = 1\na = 2\n", "t"));
    }

    [Fact]
    public void JSON_values_become_TOML_values()
    {
        using var json = System.Text.Json.JsonDocument.Parse("""{"n": 3, "f": 1.5, "b": true, "s": "x\"y", "a": [1, "two"], "o": {"k": 2}}""");
        var edited = Edit("", e => e.Set(["v"], TomlValue.FromJson(json.RootElement)));
        Assert.Equal("v = { n = 3, f = 1.5, b = true, s = \"x\\\"y\", a = [1, \"two\"], o = { k = 2 } }\n", edited);
        using var nothing = System.Text.Json.JsonDocument.Parse("null");
        Assert.Throws<FormatException>(() => TomlValue.FromJson(nothing.RootElement));
    }

    [Fact]
    public void A_file_of_comments_only_keeps_them_above_what_is_added()
    {
        Assert.Equal("# only comments\n\n[t]\nk = 1\n", Edit("# only comments\n", e => e.Set(["t", "k"], TomlValue.Integer(1))));
        Assert.Equal("# only comments\nk = 1\n", Edit("# only comments\n", e => e.Set(["k"], TomlValue.Integer(1))));
        Assert.Equal("# only comments\n", Edit("# only comments\n\n[t]\nk = 1\n", e => e.Remove(["t"])));
    }

    private static readonly string[] Documents =
    [
        Commented,
        "",
        "# only a comment\n",
        "title = 'x'\r\nplatform.os = [\"linux\"]\r\n\r\n[shims]\r\nhello = { target = \"bin/hello\" }   # inline\r\n",
        "[a.b]\nc = 1\n\n# trailing\n[[arr]]\nk = 1\n",
    ];

    private static readonly string[] Parts = ["a", "b", "sources", "corp", "shims", "hello", "platform", "x.y", "q r", "é", ""];

    // §9: "An edit that adds something and the edit that removes it again give back the original bytes." Checked for
    // any new key path in documents written in several styles; an edit that is refused changes nothing.
    [Property]
    public Property Setting_a_new_key_and_removing_it_again_gives_back_the_original_bytes()
    {
        var paths = Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Gen.Elements(Parts), n));
        var cases = Gen.Elements(Documents).SelectMany(d => paths.SelectMany(p => Gen.Choose(-5, 5).Select(v => (d, p, v))));
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (document, path, value) = c;
            var editor = TomlEditor.Parse(document, "t.toml");
            if (editor.Contains(path)) return true;
            string added;
            try
            {
                editor.Set(path, value < 0 ? TomlValue.String("v" + value) : TomlValue.Integer(value));
                added = editor.Verified();
            }
            catch (TomlEditException)
            {
                return true; // refused: a path through a value, a table, an array of tables
            }
            var again = TomlEditor.Parse(added, "t.toml");
            Assert.True(again.Remove(path));
            Assert.Equal(document, again.Verified());
            return true;
        });
    }
}
