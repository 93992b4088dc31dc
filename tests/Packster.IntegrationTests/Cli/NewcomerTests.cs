using System.Text.RegularExpressions;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// What a new user meets first, through the real executable: misspellings answered with the nearest name
/// (spec/errors.md PST1000), persistent activation that touches only the profiles the user has (spec/activation.md
/// §6, PST6007), <c>locate</c> with no match (PST5014), and <c>init</c>'s help and errors naming the same shells.
/// </summary>
public sealed partial class NewcomerTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Theory]
    [InlineData(new[] { "instal-file", "x.packster" }, "unknown command 'instal-file'; did you mean 'install-file'?")]
    [InlineData(new[] { "location", "crate", "x" }, "unknown command 'crate' of 'packster location'; did you mean 'create'?")]
    [InlineData(new[] { "install-file", "--forse", "x.packster" }, "unknown option '--forse'; did you mean '--force'?")]
    [InlineData(new[] { "list", "--lcation", "dev" }, "unknown option '--lcation'; did you mean '--location'?")]
    public void A_misspelt_command_or_option_is_named_with_the_nearest_real_one(string[] args, string message)
    {
        // errors.md PST1000 Usage: "the command line does not parse"; the line says what was not understood.
        var r = _f.Packster.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error[PST1000]: {message}", r.Stderr.Split('\n')[0]);
        Assert.DoesNotContain("Required command was not provided", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_number_or_stdin_dash_is_not_taken_for_an_option()
    {
        // "-1" and "-" are values; only words that look like options are reported as unknown options.
        var r = _f.Packster.Run("locate", "-", "--location", "dev");
        Assert.DoesNotContain("unknown option", r.Stderr, StringComparison.Ordinal);
    }

    private PacksterProcess WithHome(string home)
    {
        Directory.CreateDirectory(home);
        return _f.Packster.With("HOME", home);
    }

    [Fact]
    public void Enable_writes_only_into_profiles_that_exist_and_disable_restores_them_exactly()
    {
        // activation.md §6: the CLI chooses the profiles that exist; a shell the user does not use gets no dotfile.
        var home = _f.Temp["home-bash"];
        var packster = WithHome(home);
        var bashrc = Path.Combine(home, ".bashrc");
        File.WriteAllText(bashrc, "alias ll='ls -l'\n");

        var enable = packster.Run("location", "enable", "dev", "--user");
        Assert.True(enable.ExitCode == 0, enable.ToString());
        Assert.Contains(">>> packster location dev >>>", File.ReadAllText(bashrc), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(home, ".zshrc")), ".zshrc was created");
        Assert.False(File.Exists(Path.Combine(home, ".profile")), ".profile was created");
        Assert.False(Directory.Exists(Path.Combine(home, ".config")), "a fish configuration was created");

        Assert.Equal(0, packster.Run("location", "disable", "dev").ExitCode);
        Assert.Equal("alias ll='ls -l'\n", File.ReadAllText(bashrc));
        Assert.Equal([".bashrc"], Directory.EnumerateFileSystemEntries(home).Select(e => new FileInfo(e).Name).ToArray());
    }

    [Fact]
    public void Fish_gets_its_conf_d_file_only_when_configured_and_disable_removes_it()
    {
        var home = _f.Temp["home-fish"];
        var packster = WithHome(home);
        Directory.CreateDirectory(Path.Combine(home, ".config", "fish"));
        Assert.Equal(0, packster.Run("location", "enable", "dev").ExitCode);
        var conf = Path.Combine(home, ".config", "fish", "conf.d", "packster-dev.fish");
        Assert.True(File.Exists(conf));
        Assert.False(File.Exists(Path.Combine(home, ".bashrc")));

        Assert.Equal(0, packster.Run("location", "disable", "dev").ExitCode);
        Assert.False(File.Exists(conf), "disable left an empty conf.d file behind");
    }

    [Fact]
    public void Enable_without_any_profile_is_PST6007_and_creates_nothing()
    {
        // errors.md PST6007 NoShellProfile.
        var home = _f.Temp["home-empty"];
        var packster = WithHome(home);
        var r = packster.Run("location", "enable", "dev");
        Assert.Equal(6, r.ExitCode);
        Assert.StartsWith("error[PST6007]: ", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(home));
    }

    [Fact]
    public void Enable_help_does_not_call_the_default_user_scope_required()
    {
        var help = _f.Packster.Run("location", "enable", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.DoesNotContain("REQUIRED", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("the default", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_without_a_match_is_PST5014()
    {
        // errors.md PST5014 NoFileMatches: exit 5, never 1 (which means a bug).
        _f.InstallJson(_f.PackSample("hello"));
        Assert.Equal(0, _f.Packster.Run("locate", "bin/*", "--location", "dev").ExitCode);
        var r = _f.Packster.Run("locate", "no-such-file*", "--location", "dev");
        Assert.Equal(5, r.ExitCode);
        Assert.StartsWith("error[PST5014]: ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("'no-such-file*'", r.Stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s+<shell>\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex ShellArgumentHelp();

    [Fact]
    public void Init_help_and_init_errors_name_the_same_shells_and_each_named_shell_works()
    {
        var help = _f.Packster.Run("init", "--help");
        var named = Regex.Split(ShellArgumentHelp().Match(help.Stdout).Groups[1].Value.Trim(), ", | or ");
        Assert.Equal(["bash", "zsh", "fish", "pwsh"], named);
        foreach (var shell in named) Assert.Equal(0, _f.Packster.Run("init", shell).ExitCode);
        foreach (var other in new[] { "sh", "cmd", "tcsh" })
        {
            var r = _f.Packster.Run("init", other);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("supports bash, zsh, fish and pwsh", r.Stderr, StringComparison.Ordinal);
        }
    }
}
