using Packster.Sources.Config;
using Packster.Sources.Installation;

namespace Packster.Sources.Tests.Config;

/// <summary>
/// A person edits packster.toml and config.toml by hand (spec/sources.md, spec/bundle.md): whatever a few random edits
/// make of a valid file, reading it gives its contents or a PacksterException in words (naming the file and, for TOML,
/// the line), never PST0001 or another exception.
/// </summary>
public sealed class TomlEditPropertyTests
{
    private const string Bundle = """
        # a project's packages
        [packages]
        hello = { version = "^1.0", parameters = { greeting = "café", port = 8081, tags = ["a", "b"], at = 07:30 } }
        util = "^2"
        "tool-x" = { version = ">=1.2 <2" }
        """;

    private const string Config = """
        [sources.corp]
        type = "artifactory"
        url = "https://art.example/artifactory/"
        repo = "packster-local"
        token-env = "CORP_TOKEN"
        priority = 5
        signatures = "require"

        [sources.mirror]
        type = "http"
        url = "https://mirror.example/packages/"
        user = "me"
        password-env = "MIRROR_PASSWORD"

        [sources.disk]
        type = "folder"
        url = "/srv/packages"
        """;

    /// <summary>What a project's packster.toml may say of a source (no credentials, no trust: spec/sources.md).</summary>
    private const string ProjectConfig = """
        [sources.team]
        type = "http"
        url = "https://packages.example/team/"
        priority = 20

        [sources.vendored]
        type = "folder"
        url = "vendor/packages"
        """;

    private static readonly string[] Snippets =
    [
        "[packages]\n", "[sources.x]\n", "type = \"oci\"\n", "x = 1\n", "= ", "\"", "'", "[", "]", "{", "}", ",", "\\u0000", "\"\\ud800\"", "1e999",
        "-9223372036854775809", "inf", "nan", "0x", "true", "1979-05-27T07:32:00Z", "{ version = 1 }", "[1, \"a\"]", "\"\"\"", "'''", "\n", "#",
        "a.b.c = 1\n", "version = \"^^1\"\n", "priority = 99999999999\n", "url = \"http://user:pw@h/\"\n", "parameters = { a = 1, a = 2 }\n",
    ];

    private const string Significant = "[]{}=\",.'#\n 0123456789-+_abcdefghijklmnopqrstuvwxyz\\";

    private static string Edit(string text, Random random) => Packster.Testing.RandomEdits.Edit(text, random, Snippets, Significant, " = ");

    public static TheoryData<string> Files() => ["bundle", "config", "config, restricted"];

    [Theory]
    [MemberData(nameof(Files))]
    public void A_file_edited_at_random_reads_or_fails_in_words(string which)
    {
        Action<string> read = which switch
        {
            "bundle" => text => BundleFile.Parse(text, "packster.toml"),
            "config" => text => SourceConfig.Parse(text, "config.toml", restricted: false),
            _ => text => SourceConfig.Parse(text, "packster.toml", restricted: true),
        };
        var original = which switch { "bundle" => Bundle, "config" => Config, _ => ProjectConfig };
        read(original);
        var readable = 0;
        for (var seed = 0; seed < 10_000; seed++)
        {
            var random = new Random(seed);
            var text = original;
            for (var edits = 1 + random.Next(3); edits > 0; edits--) text = Edit(text, random);
            try
            {
                read(text);
                readable++;
            }
            catch (PacksterException e) when (e.Code != ErrorCode.Internal)
            {
            }
            catch (Packster.Toml.TomlException)
            {
                // Not TOML: reported as PST2000-series TOML errors naming the line (PacksterApp).
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"seed {seed}: {e.GetType().Name}: {e.Message}\n--- file ---\n{text}", e);
            }
        }
        Assert.InRange(readable, 100, 9_900);
    }
}
