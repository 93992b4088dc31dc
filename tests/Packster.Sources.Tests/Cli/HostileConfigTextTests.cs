using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>
/// Text from a config file, a project config, a bundle file or the command line on the terminal (spec/errors.md: "shown
/// with its control characters escaped, <c>\u001b</c>"): a cloned repository's <c>packster.toml</c> must not move the
/// cursor, retitle the window or clear the screen of the user who reviews it with <c>config trust</c>.
/// </summary>
public sealed class HostileConfigTextTests : IDisposable
{
    /// <summary>TOML escapes: ESC ] 0 ; title BEL, then ESC [ 2 J (clear the screen).</summary>
    private const string Escapes = @"\u001b]0;owned\u0007\u001b[2J";

    private readonly TempDirectory _temp = new("packster-hostile-config");

    public void Dispose() => _temp.Dispose();

    private string Project => _temp["project"];

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        Directory.CreateDirectory(Project);
        return CliProcess.RunAsync(Project, CliProcess.HomeIn(_temp), args);
    }

    /// <summary>No ESC or BEL byte reaches the terminal; the escaped form does.</summary>
    private static void Escaped((int Exit, string Out, string Err) r, string escaped = Escapes)
    {
        var both = r.Out + r.Err;
        Assert.DoesNotContain('\u001b', both);
        Assert.DoesNotContain('\u0007', both);
        Assert.Contains(escaped, both, StringComparison.Ordinal);
    }

    // spec/sources.md §1: a url holding control characters is invalid (PST8007), so the project file that holds one is
    // refused by `config trust`, which quotes it escaped; `source list` says the same. Before, both printed it raw.
    [Fact]
    public async Task A_project_config_url_with_control_characters_is_refused_and_quoted_escaped()
    {
        Directory.CreateDirectory(Project);
        File.WriteAllText(Path.Combine(Project, "packster.toml"), $"[sources.evil]\ntype = \"http\"\nurl = \"https://example.org/{Escapes}\"\n");

        var trust = await RunAsync("config", "trust");
        Assert.True(trust.Exit == 8, trust.ToString());
        Assert.Contains("error[PST8007]", trust.Err, StringComparison.Ordinal);
        Assert.Contains($"url 'https://example.org/{Escapes}' holds control characters", trust.Err, StringComparison.Ordinal);
        Escaped(trust);
        var list = await RunAsync("source", "list");
        Assert.DoesNotContain('\u001b', list.Out + list.Err);
        Assert.DoesNotContain('\u0007', list.Out + list.Err);
    }

    // The values `source list` shows that no rule confines — repo, user, ca-file — are the config's text: escaped.
    [Fact]
    public async Task Source_list_shows_the_configs_values_escaped()
    {
        var config = _temp.Write("config/config.toml",
            $"[sources.corp]\ntype = \"artifactory\"\nurl = \"https://art.example/artifactory/\"\nrepo = \"pk\\u001b[2J\"\nuser = \"u{Escapes}\"\n"
            + $"password-env = \"ART_PASSWORD\"\nca-file = \"/etc/{Escapes}.pem\"\n");
        Assert.True(File.Exists(config));

        var r = await RunAsync("source", "list");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains(@"repo pk\u001b[2J", r.Out, StringComparison.Ordinal);
        Assert.Contains($"user 'u{Escapes}'", r.Out, StringComparison.Ordinal);
        Assert.Contains($"ca-file /etc/{Escapes}.pem", r.Out, StringComparison.Ordinal);
        Escaped(r);
    }

    // A source's name that is not one is quoted escaped in the error (PST8007).
    [Fact]
    public async Task A_source_name_with_control_characters_is_quoted_escaped()
    {
        _temp.Write("config/config.toml", "[sources.\"\\u001b[2Jx\"]\ntype = \"folder\"\nurl = \"/tmp\"\n");
        var r = await RunAsync("source", "list");
        Assert.True(r.Exit == 8, r.ToString());
        Assert.Contains(@"source name '\u001b[2Jx' is invalid", r.Err, StringComparison.Ordinal);
        Escaped(r, @"\u001b[2Jx");
    }

    // spec/bundle.md § format, PST8012: the error quotes the bundle file's range, escaped.
    [Fact]
    public async Task A_bundle_file_error_quotes_its_text_escaped()
    {
        var bundle = _temp.Write("project/bundle.toml", $"[packages]\nx = \"^1 {Escapes}\"\n");
        var r = await RunAsync("bundle", "install", bundle);
        Assert.True(r.Exit == 8, r.ToString());
        Assert.Contains("error[PST8012]", r.Err, StringComparison.Ordinal);
        Escaped(r);
    }

    // spec/sources.md § search: "no packages match '<pattern>'", and PST8000 "no sources to search for '<pattern>'":
    // the pattern is the user's text, echoed escaped.
    [Fact]
    public async Task Search_echoes_its_pattern_escaped()
    {
        const string Pattern = "\u001b]0;owned\u0007\u001b[2J";
        var none = await RunAsync("search", Pattern);
        Assert.True(none.Exit == 8, none.ToString());
        Assert.Contains($"no sources to search for '{Escapes}'", none.Err, StringComparison.Ordinal);
        Escaped(none);

        _temp.Write("config/config.toml", $"[sources.local]\ntype = \"folder\"\nurl = \"{_temp["packages"].Replace("\\", "\\\\", StringComparison.Ordinal)}\"\n");
        Directory.CreateDirectory(_temp["packages"]);
        var r = await RunAsync("search", Pattern);
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains($"no packages match '{Escapes}'", r.Out, StringComparison.Ordinal);
        Escaped(r);
    }
}
