using Packster.Packaging;

namespace Packster.Core.Tests.Packaging;

/// <summary>spec/package-format.md §4 "Ignore rules": gitignore semantics, one rule per test.</summary>
public sealed class PackageIgnoreTests
{
    private static bool Ignored(string rules, string path, bool isDirectory = false) =>
        PackageIgnore.Parse(rules).IsIgnored(path, isDirectory);

    [Fact]
    public void Comments_and_blank_lines_match_nothing()
    {
        Assert.False(Ignored("# a.txt\n\n   \n", "a.txt"));
        Assert.False(Ignored("# a.txt", "# a.txt"));
    }

    [Fact]
    public void Escaped_hash_and_bang_are_literal()
    {
        Assert.True(Ignored(@"\#notes", "#notes"));
        Assert.True(Ignored(@"\!important", "!important"));
        Assert.False(Ignored(@"\!important", "important"));
    }

    [Fact]
    public void Negation_re_includes_and_the_last_match_wins()
    {
        Assert.False(Ignored("*.log\n!keep.log", "keep.log"));
        Assert.True(Ignored("*.log\n!keep.log", "other.log"));
        Assert.True(Ignored("!keep.log\n*.log", "keep.log"));
    }

    [Fact]
    public void Trailing_slash_matches_directories_only()
    {
        Assert.True(Ignored("cache/", "cache", isDirectory: true));
        Assert.False(Ignored("cache/", "cache"));
        Assert.True(Ignored("cache/", "deep/cache", isDirectory: true));
    }

    [Fact]
    public void Leading_slash_anchors_to_the_root()
    {
        Assert.True(Ignored("/build", "build", isDirectory: true));
        Assert.False(Ignored("/build", "src/build", isDirectory: true));
    }

    [Fact]
    public void Middle_slash_anchors_too()
    {
        Assert.True(Ignored("docs/*.md", "docs/a.md"));
        Assert.False(Ignored("docs/*.md", "sub/docs/a.md"));
    }

    [Fact]
    public void Unanchored_pattern_matches_at_any_depth()
    {
        Assert.True(Ignored("*.pdb", "a/b/c.pdb"));
        Assert.True(Ignored("thumbs.db", "x/thumbs.db"));
    }

    [Fact]
    public void Star_does_not_cross_slash()
    {
        Assert.True(Ignored("/a*", "abc"));
        Assert.False(Ignored("/a*c", "ab/c"));
    }

    [Fact]
    public void Question_mark_matches_one_non_slash_character()
    {
        Assert.True(Ignored("file?.txt", "file1.txt"));
        Assert.False(Ignored("file?.txt", "file12.txt"));
        Assert.False(Ignored("/a?b", "a/b"));
    }

    [Fact]
    public void Double_star_spans_folders()
    {
        Assert.True(Ignored("**/obj", "obj", isDirectory: true));
        Assert.True(Ignored("**/obj", "a/b/obj", isDirectory: true));
        Assert.True(Ignored("logs/**", "logs/a/b.txt"));
        Assert.False(Ignored("logs/**", "logs"));
        Assert.True(Ignored("a/**/z", "a/z"));
        Assert.True(Ignored("a/**/z", "a/b/c/z"));
        Assert.False(Ignored("a/**/z", "b/a/z"));
    }

    [Fact]
    public void Character_classes_and_ranges()
    {
        Assert.True(Ignored("[a-c].txt", "b.txt"));
        Assert.False(Ignored("[a-c].txt", "d.txt"));
        Assert.True(Ignored("[!a-c].txt", "d.txt"));
        Assert.False(Ignored("[!a-c].txt", "a.txt"));
        Assert.True(Ignored("v[0-9]", "v7"));
    }

    [Fact]
    public void Unterminated_class_is_literal()
    {
        Assert.True(Ignored("a[b", "a[b"));
        Assert.False(Ignored("a[b", "ab"));
    }

    [Fact]
    public void Trailing_spaces_are_trimmed_unless_escaped()
    {
        Assert.True(Ignored("a.txt   ", "a.txt"));
        Assert.True(Ignored(@"b\ ", "b "));
    }

    [Fact]
    public void Regex_characters_are_literal()
    {
        Assert.True(Ignored("a+b(c).txt", "a+b(c).txt"));
        Assert.False(Ignored("a.txt", "abtxt"));
    }

    [Fact]
    public void Ignore_file_and_git_are_always_excluded_and_the_manifest_never()
    {
        var rules = PackageIgnore.Parse("!.packsterignore\n!.git\n" + Packer.ManifestFileName);
        Assert.True(rules.IsIgnored(PackageIgnore.FileName, false));
        Assert.True(rules.IsIgnored(".git", true));
        Assert.True(rules.IsIgnored("sub/module/.git", false));
        Assert.False(rules.IsIgnored(Packer.ManifestFileName, false));
    }

    [Fact]
    public void Crlf_line_endings_are_accepted() => Assert.True(Ignored("*.tmp\r\n*.bak\r\n", "x.bak"));
}
