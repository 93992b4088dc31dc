using Packster.Activation;
using static Packster.Core.Tests.Manifest.ManifestTestSupport;

namespace Packster.Core.Tests.Manifest;

/// <summary>spec/manifest.md § [[desktop]] and spec/activation.md § Desktop entries: what an entry may be, and its Exec quoting.</summary>
public sealed class DesktopManifestTests
{
    private const string Head = "id = \"gui\"\nversion = \"1.0.0\"\n";

    [Fact]
    public void Entries_are_read_with_their_defaults()
    {
        var m = Parse(Head + "[[desktop]]\nname = \"My Fine App 2\"\nexec = \"bin/app\"\n[[desktop]]\nid = \"tool\"\nname = \"Tool\"\nexec = \"bin/tool\"\nterminal = true\ncategories = [\"Development\", \"X-Custom\"]\n");
        Assert.Equal(["my-fine-app-2", "tool"], m.Desktop.Select(d => d.Id));
        Assert.False(m.Desktop[0].Terminal);
        Assert.True(m.Desktop[1].Terminal);
        Assert.Equal(["Development", "X-Custom"], m.Desktop[1].Categories);
    }

    [Theory]
    [InlineData("[[desktop]]\nexec = \"bin/app\"\n", "name")]
    [InlineData("[[desktop]]\nname = \"App\"\n", "exec")]
    [InlineData("[[desktop]]\nname = \"App\"\nexec = \"../app\"\n", "exec")]
    [InlineData("[[desktop]]\nname = \"App\"\nexec = \"bin/app\"\nid = \"Bad Id\"\n", "not a desktop entry id")]
    [InlineData("[[desktop]]\nname = \"!!!\"\nexec = \"bin/app\"\n", "give id")]
    [InlineData("[[desktop]]\nname = \"App\"\nexec = \"bin/app\"\n[[desktop]]\nname = \"App\"\nexec = \"bin/b\"\n", "used twice")]
    [InlineData("[[desktop]]\nname = \"App\"\nexec = \"bin/app\"\ncategories = [\"Util;ity\"]\n", "not a category")]
    [InlineData("[[desktop]]\nname = \"App\"\nexec = \"bin/app\"\nmime = \"x\"\n", "mime")]
    [InlineData("desktop = \"bin/app\"\n", "an array of tables")]
    public void A_bad_entry_is_a_manifest_error_naming_the_key(string body, string contains)
    {
        var e = Fail(Head + body);
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
    }

    // spec/manifest.md § [[desktop]]: "`name`, `comment` and the literal text of each `args` element hold no control
    // character, C1 (U+0080–U+009F) included: … `manifest check` and `pack` refuse it … rather than every install."
    [Theory]
    [InlineData("args = [\"x\\u009b31my\"]\n", "desktop[0].args[0]: it holds the control character U+009B, which a menu entry cannot carry")]
    [InlineData("args = [\"ok\", \"x\\u0085y\"]\n", "desktop[0].args[1]: it holds the control character U+0085, which a menu entry cannot carry")]
    [InlineData("comment = \"x\\u009by\"\n", "desktop[0].comment")]
    public void A_control_character_in_an_entry_is_refused_by_the_manifest_reader(string key, string contains)
    {
        var e = Fail(Head + "[[desktop]]\nname = \"App\"\nexec = \"bin/app\"\n" + key);
        Assert.Equal(ErrorCode.ManifestInvalid, e.Code);
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
        Assert.Single(Parse(Head + "[[desktop]]\nname = \"App\"\nexec = \"bin/app\"\nargs = [\"x\\u00e9y\", \"{param.p}\"]\n[parameters.p]\ntype = \"string\"\n").Desktop);
    }

    [Fact]
    public void Exec_quotes_every_argument_and_escapes_as_the_specification_says()
    {
        // Quoting rule: " ` $ \ get a backslash inside double quotes; then the string rule doubles every backslash; % is %%.
        Assert.Equal("\"/opt/a b/app\" \"x\\\\\"y\" \"\\\\$HOME\" \"50%%\" \"c:\\\\\\\\d\"", DesktopEntries.Exec(["/opt/a b/app", "x\"y", "$HOME", "50%", "c:\\d"]));
        Assert.Equal(ErrorCode.ActivationEnvInvalid, Assert.Throws<PacksterException>(() => DesktopEntries.Exec(["a\nb"])).Code);
    }
}
