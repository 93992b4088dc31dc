using Packster.Sources.Config;
using Packster.Testing;
using Packster.Toml;

namespace Packster.Sources.Tests.Config;

/// <summary>spec/sources.md §1: the config file — read, written back, validated; credentials only as variable names.</summary>
public sealed class SourceConfigTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-config");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Sources_round_trip_through_the_file_and_other_content_is_kept()
    {
        var path = _temp.Write("config.toml", "deny = [\"leftpad\"]\n[licenses]\nallow = [\"MIT\"]\n");
        var config = SourceConfig.Load(path);
        config.Add(new SourceDefinition { Name = "corp", Kind = SourceKind.Artifactory, Url = "https://art.example/artifactory/", Repo = "pk-local", TokenEnv = "ART_TOKEN", Priority = 10, CaFile = "/etc/ssl/corp \"ca\".pem" });
        config.Add(new SourceDefinition { Name = "local", Kind = SourceKind.Folder, Url = "C:\\pkgs\\dir" });
        config.Add(new SourceDefinition { Name = "lab", Kind = SourceKind.Http, Url = "http://lab.example/pk/", Insecure = true, User = "ci", PasswordEnv = "LAB_PASSWORD", Priority = 200 });
        config.Save();

        var again = SourceConfig.Load(path);
        Assert.Equal(["corp", "local", "lab"], again.Sources.Select(s => s.Name));
        Assert.Equal(config.Sources, again.Sources);
        var text = File.ReadAllText(path);
        Assert.Contains("deny = [\"leftpad\"]", text);
        Assert.Contains("[licenses]\nallow = [\"MIT\"]", text);
        Assert.Contains("[sources.corp]\ntype = \"artifactory\"", text);

        again.Remove("lab");
        again.Save();
        Assert.Equal(["corp", "local"], SourceConfig.Load(path).Sources.Select(s => s.Name));
    }

    // spec/sources.md §1: "A top-level key or table other than these four is refused too, with the code of the table
    // it was probably meant to be". Every command reading the sources stops at it, so none runs without the policy meant.
    [Theory]
    [InlineData("[licences]\nallow = [\"MIT\"]\n", ErrorCode.LicensePolicyInvalid, "unknown table [licences]; did you mean 'licenses'?")]
    [InlineData("[trusts]\nsignatures = \"require\"\n", ErrorCode.TrustPolicyInvalid, "unknown table [trusts]; did you mean 'trust'?")]
    [InlineData("dney = [\"tool\"]\n", ErrorCode.DenyRuleInvalid, "unknown key 'dney'; did you mean 'deny'?")]
    [InlineData("[source.corp]\ntype = \"folder\"\nurl = \"/srv\"\n", ErrorCode.SourceConfigInvalid, "unknown table [source]; did you mean 'sources'?")]
    [InlineData("default-location = \"dev\"\n", ErrorCode.RulesFileUnknownKey, "unknown key 'default-location'")]
    [InlineData("[trust]\nsignature = \"require\"\n", ErrorCode.TrustPolicyInvalid, "unknown key 'signature' in [trust]; did you mean 'signatures'?")]
    [InlineData("[licenses]\nalow = [\"MIT\"]\n", ErrorCode.LicensePolicyInvalid, "unknown key 'alow' in [licenses]; did you mean 'allow'?")]
    public void A_top_level_key_no_reader_takes_is_refused(string toml, ErrorCode code, string what)
    {
        // A key goes before the source (after it, it would be a key of [sources.local]); a table goes after it.
        const string Source = "[sources.local]\ntype = \"folder\"\nurl = \"/srv\"\n\n";
        var isTable = toml.StartsWith('[');
        var text = isTable ? Source + toml : toml + Source;
        foreach (var restricted in new[] { false, true })
        {
            var e = Assert.Throws<PacksterException>(() => SourceConfig.Parse(text, "config.toml", restricted));
            Assert.Equal(code, e.Code);
            // A misspelt table is named at its header (line 5), a key in a table at its own line (6), a top-level key at line 1.
            Assert.StartsWith(!isTable ? "config.toml:1:" : what.Contains(" in [", StringComparison.Ordinal) ? "config.toml:6:" : "config.toml:5:", e.Message, StringComparison.Ordinal);
            Assert.EndsWith(what, e.Message, StringComparison.Ordinal);
        }
        Assert.Single(SourceConfig.Parse("deny = []\n[trust]\n[licenses]\n[sources.local]\ntype = \"folder\"\nurl = \"/srv\"\n", "config.toml", restricted: false).Sources);
    }

    // spec/sources.md §1: the config file is TOML 1.1 (spec/toml.md §6).
    [Fact]
    public void The_config_file_is_read_as_toml_1_1()
    {
        var path = _temp.Write("config.toml", """
            [sources]
            corp = {
                type = "http",
                url = "https://pk.example/\x7Ecorp/",   # \xHH is TOML 1.1
            }
            """);
        var source = Assert.Single(SourceConfig.Load(path).Sources);
        Assert.Equal("corp", source.Name);
        Assert.Equal("https://pk.example/~corp/", source.Url);
    }

    [Fact]
    public void Unknown_keys_and_wrong_types_are_reported_with_their_position()
    {
        var path = _temp.Write("config.toml", "[sources.corp]\ntype = \"artifactory\"\nurl = \"https://a/\"\nrepo = \"r\"\ntokn-env = \"X\"\n");
        var e = Assert.Throws<PacksterException>(() => SourceConfig.Load(path));
        Assert.Equal(ErrorCode.SourceConfigInvalid, e.Code);
        Assert.Contains(":5:1: unknown key 'tokn-env' in [sources.corp]; did you mean 'token-env'?", e.Message);

        var typed = _temp.Write("typed.toml", "[sources.corp]\ntype = \"folder\"\nurl = \"/x\"\npriority = \"high\"\n");
        Assert.Contains(":4:12: 'sources.corp.priority' must be an integer", Assert.Throws<PacksterException>(() => SourceConfig.Load(typed)).Message);
    }

    [Fact]
    public void A_priority_beyond_the_range_of_priorities_is_said_to_be_out_of_range()
    {
        // spec/sources.md §1: priority is an integer from -2147483648 to 2147483647; "must be an integer, found integer"
        // told the user nothing.
        var path = _temp.Write("big.toml", "[sources.corp]\ntype = \"folder\"\nurl = \"/x\"\npriority = 2147483648\n");
        var e = Assert.Throws<PacksterException>(() => SourceConfig.Load(path));
        Assert.Equal(ErrorCode.SourceConfigInvalid, e.Code);
        Assert.Contains(":4:12: 'sources.corp.priority' is 2147483648, out of range: it must be from -2147483648 to 2147483647", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ghp_abcdEFGH1234-._secret")]
    [InlineData("sk live 123")]
    [InlineData("ghp_abcdEFGH1234secretXYZ")]
    [InlineData("AKIAABCDEFGHIJKLMNOP")]
    public void A_token_env_that_is_not_a_variable_name_is_refused_without_echoing_it(string pasted)
    {
        var e = Assert.Throws<PacksterException>(() => new SourceDefinition { Name = "corp", Kind = SourceKind.Http, Url = "https://a/", TokenEnv = pasted }.Validate());
        Assert.Equal(ErrorCode.SourceConfigInvalid, e.Code);
        Assert.DoesNotContain(pasted, e.Message);
    }

    // spec/sources.md §Credentials: credentials are never shown — a query (where a pasted token would be) is left out of
    // the refusal of a URL that has one.
    [Fact]
    public void A_url_with_a_query_is_refused_without_showing_it()
    {
        var e = Assert.Throws<PacksterException>(() => new SourceDefinition { Name = "z", Kind = SourceKind.Artifactory, Url = "https://x.example/artifactory?tok=ghp_SECRETQ#frag", Repo = "r" }.Validate());
        Assert.Equal(ErrorCode.SourceConfigInvalid, e.Code);
        Assert.Equal("source 'z': url 'https://x.example/artifactory…' must not have a query or fragment (not shown: it may hold a credential)", e.Message);
    }

    [Fact]
    public void Urls_with_user_information_and_plain_http_without_insecure_are_refused()
    {
        Assert.Throws<PacksterException>(() => new SourceDefinition { Name = "c", Kind = SourceKind.Http, Url = "https://me:pw@a/" }.Validate());
        var config = SourceConfig.Load(_temp["none.toml"]);
        var e = Assert.Throws<PacksterException>(() => config.Add(new SourceDefinition { Name = "c", Kind = SourceKind.Http, Url = "http://a/" }));
        Assert.Equal(ErrorCode.InsecureSource, e.Code);
    }

    // spec/toml.md §9: sources written in other forms (an inline table, dotted keys) are edited where they stand.
    [Fact]
    public void Sources_in_inline_tables_and_dotted_keys_are_edited_in_place()
    {
        const string text = "# mine\n[sources]\ncorp = { type = \"folder\", url = \"/a\" }   # inline\nlab.type = \"folder\"\nlab.url = \"/b\"\n";
        var path = _temp.Write("config.toml", text);
        var config = SourceConfig.Load(path);
        config.Add(new SourceDefinition { Name = "corp", Kind = SourceKind.Folder, Url = "/c", Priority = 5 }, replace: true);
        config.Remove("lab");
        config.Save();
        Assert.Equal("# mine\n[sources]\ncorp = { type = \"folder\", url = \"/c\", priority = 5 }   # inline\n", File.ReadAllText(path));
    }

    // spec/sources.md §1: "--replace changes the keys that differ"; spec/signing.md § Per source: a source "can demand
    // more than the user's default but never less". `source add` has no option for signatures or trusted-keys, so a
    // definition it replaces keeps them, where they stand. Before, the replacement dropped both.
    [Fact]
    public void Replacing_a_source_keeps_the_signature_keys_the_new_definition_does_not_set()
    {
        var path = _temp.Write("config.toml",
            "[sources.corp]\ntype = \"folder\"\nurl = \"/old\"\nsignatures = \"require\"\ntrusted-keys = [\"0123456789abcdef\"]  # rotated 2026\n");
        var config = SourceConfig.Load(path);
        config.Add(new SourceDefinition { Name = "corp", Kind = SourceKind.Folder, Url = "/new" }, replace: true);
        config.Save();
        Assert.Equal("[sources.corp]\ntype = \"folder\"\nurl = \"/new\"\nsignatures = \"require\"\ntrusted-keys = [\"0123456789abcdef\"]  # rotated 2026\n",
            File.ReadAllText(path));
        var corp = SourceConfig.Load(path).Get("corp");
        Assert.Equal(Trust.SignatureMode.Require, corp.Signatures);
        Assert.Equal(["0123456789abcdef"], corp.TrustedKeys);
    }

    // spec/errors.md: text a user or a file wrote is shown with its control characters escaped; spec/sources.md §1: a
    // url holding control characters is refused as invalid (PST8007), a name that is not one quoted escaped.
    [Theory]
    [InlineData("[sources.evil]\ntype = \"http\"\nurl = \"https://example.org/\\u001b]0;owned\\u0007\"\n", "url 'https://example.org/\\u001b]0;owned\\u0007' holds control characters")]
    [InlineData("[sources.evil]\ntype = \"folder\"\nurl = \"/tmp/\\u001b[2J\"\n", "url '/tmp/\\u001b[2J' holds control characters")]
    [InlineData("[sources.evil]\ntype = \"http\"\nurl = \"https://a/\\u0000x\"\n", "url 'https://a/\\u0000x' holds control characters")]
    [InlineData("[sources.\"\\u001b[2Jx\"]\ntype = \"folder\"\nurl = \"/tmp\"\n", "source name '\\u001b[2Jx' is invalid")]
    [InlineData("[sources.\"\\u001b[2Jx\"]\ntype = \"folder\"\nurl = \"/tmp\"\nsignatures = 1\n", "'sources.\\u001b[2Jx.signatures' must be a string")]
    public void Control_characters_of_the_file_are_refused_and_quoted_escaped(string toml, string what)
    {
        var e = Assert.Throws<PacksterException>(() => SourceConfig.Parse(toml, "config.toml", restricted: false));
        Assert.Equal(ErrorCode.SourceConfigInvalid, e.Code);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(e.Message, char.IsControl);
    }

    // spec/toml.md §9: the file keeps its permissions (a config file may be private to its user).
    [Fact]
    public void Saving_keeps_the_files_permissions()
    {
        if (OperatingSystem.IsWindows()) return; // POSIX modes only
        var path = _temp.Write("config.toml", "# private\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = SourceConfig.Load(path);
        config.Add(new SourceDefinition { Name = "local", Kind = SourceKind.Folder, Url = "/srv/p" });
        config.Save();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("# private\n\n[sources.local]\ntype = \"folder\"\nurl = \"/srv/p\"\npriority = 100\n", File.ReadAllText(path));
    }
}
