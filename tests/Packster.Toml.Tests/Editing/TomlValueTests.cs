using FsCheck;
using FsCheck.Xunit;
using Packster.Toml.Editing;

namespace Packster.Toml.Tests.Editing;

public class TomlValueTests
{
    // TOML 1.0 basic strings: quotes, backslashes and every control character are escaped.
    [Property]
    public bool Any_string_and_key_written_reads_back_unchanged(NonNull<string> s)
    {
        var value = s.Get;
        if (value.Any(char.IsSurrogate)) return true; // lone surrogates are not Unicode scalar values; TOML cannot hold them
        var key = value.Length == 0 ? "e" : value;
        // The key in a table of its own: a generated key may be "k" itself.
        var doc = TomlDocument.Parse($"k = {TomlValue.String(value)}\n[t]\n{TomlValue.Key(key)} = 1\n");
        return ((TomlString)doc["k"]).Value == value && ((TomlTable)doc["t"]).ContainsKey(key);
    }

    [Property]
    public bool Any_string_set_through_the_editor_reads_back_unchanged(NonNull<string> s)
    {
        var value = s.Get;
        if (value.Any(char.IsSurrogate)) return true;
        var key = value.Length == 0 ? "e" : value;
        var editor = TomlEditor.Parse("# a comment\n[t]\nx = 1\n", "t.toml");
        editor.Set(["t", key], TomlValue.String(value));
        var doc = TomlDocument.Parse(editor.Verified());
        return ((TomlString)((TomlTable)doc["t"])[key]).Value == value;
    }
}
