using Packster.Activation;
using Packster.Testing;

namespace Packster.Core.Tests.Activation;

/// <summary>spec/activation.md §6: the marked profile block is idempotent and leaves every other byte alone.</summary>
public class ProfileSnippetTests : IDisposable
{
    private readonly TempDirectory _dir = new("packster-profile");

    public void Dispose() => _dir.Dispose();

    private string Locks => _dir["locks"];

    private const string Script = "/home/u/loc dev/activate/activate.sh";

    [Fact]
    public void Enable_appends_a_marked_block_and_disable_restores_the_file_exactly()
    {
        const string original = "# my bashrc\r\nexport EDITOR=vi\n\n  alias ll='ls -l'\n";
        var profile = _dir.Write(".bashrc", original);
        Assert.True(ProfileSnippet.Enable(profile, "dev", Script, Locks));
        var enabled = File.ReadAllText(profile);
        Assert.Equal(original
            + "# >>> packster location dev >>>\n"
            + "# Managed by packster: 'packster location disable dev' removes this block.\n"
            + "if [ -r '/home/u/loc dev/activate/activate.sh' ]; then . '/home/u/loc dev/activate/activate.sh'; fi\n"
            + "# <<< packster location dev <<<\n", enabled);
        Assert.False(ProfileSnippet.Enable(profile, "dev", Script, Locks)); // idempotent
        Assert.Equal(enabled, File.ReadAllText(profile));
        Assert.True(ProfileSnippet.IsEnabled(profile, "dev"));
        Assert.True(ProfileSnippet.Disable(profile, "dev", Locks));
        Assert.Equal(original, File.ReadAllText(profile));
        Assert.False(ProfileSnippet.Disable(profile, "dev", Locks));
    }

    [Fact]
    public void Re_enabling_with_a_new_script_rewrites_the_block_in_place()
    {
        var profile = _dir.Write(".zshrc", "before\n");
        ProfileSnippet.Enable(profile, "dev", "/old/activate/activate.sh", Locks);
        File.AppendAllText(profile, "after\n");
        ProfileSnippet.Enable(profile, "dev", "/new/activate/activate.sh", Locks);
        var text = File.ReadAllText(profile);
        Assert.StartsWith("before\n# >>> packster location dev >>>\n", text, StringComparison.Ordinal);
        Assert.EndsWith("# <<< packster location dev <<<\nafter\n", text, StringComparison.Ordinal);
        Assert.Contains("/new/activate", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/old/activate", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocks_of_other_locations_are_independent()
    {
        var profile = _dir["missing/.profile"];
        ProfileSnippet.Enable(profile, "dev", "/a/activate/activate.sh", Locks);
        ProfileSnippet.Enable(profile, "ops", "/b/activate/activate.sh", Locks);
        ProfileSnippet.Disable(profile, "dev", Locks);
        Assert.False(ProfileSnippet.IsEnabled(profile, "dev"));
        Assert.True(ProfileSnippet.IsEnabled(profile, "ops"));
        Assert.StartsWith("# >>> packster location ops >>>", File.ReadAllText(profile), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_a_final_newline_gets_one_before_the_block()
    {
        var profile = _dir.Write(".profile", "no newline");
        ProfileSnippet.Enable(profile, "dev", Script, Locks);
        Assert.StartsWith("no newline\n# >>> packster location dev >>>\n", File.ReadAllText(profile), StringComparison.Ordinal);
    }

    // spec/activation.md: unbalanced markers are PST6005 `<file>:<line>: …`; for a begin marker never closed, the line
    // is the marker's own, not the file's last.
    [Fact]
    public void Unbalanced_markers_are_an_error_naming_file_and_line_and_nothing_is_written()
    {
        const string broken = "a\nb\nc\n# >>> packster location dev >>>\nx\ny\nz\n";
        var profile = _dir.Write(".bashrc", broken);
        var ex = Assert.Throws<PacksterException>(() => ProfileSnippet.Enable(profile, "dev", Script, Locks));
        Assert.Equal(ErrorCode.ProfileSnippetCorrupt, ex.Code);
        Assert.Contains(".bashrc:4: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is never closed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(broken, File.ReadAllText(profile));
    }

    [Fact]
    public void A_symlinked_profile_stays_a_symlink_and_its_target_keeps_its_mode()
    {
        if (OperatingSystem.IsWindows()) return;
        var real = _dir.Write("dotfiles/bashrc", "x\n");
        File.SetUnixFileMode(real, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = _dir["home/.bashrc"];
        Directory.CreateDirectory(_dir["home"]);
        File.CreateSymbolicLink(link, real);
        ProfileSnippet.Enable(link, "dev", Script, Locks);
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Contains("packster location dev", File.ReadAllText(real), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(real));
    }

    [Fact]
    public void Fish_blocks_use_fish_syntax_and_live_in_conf_d()
    {
        var path = ProfileSnippet.FishConfPath(_dir.Path, "dev");
        Assert.Equal(_dir[".config/fish/conf.d/packster-dev.fish"], path);
        ProfileSnippet.Enable(path, "dev", "/l/activate/activate.fish", Locks);
        Assert.Contains("if test -r '/l/activate/activate.fish'; source '/l/activate/activate.fish'; end\n", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_that_could_break_markers_or_file_names_are_refused()
    {
        Assert.Equal(ErrorCode.ActivationIdInvalid, Assert.Throws<PacksterException>(() => ProfileSnippet.Enable(_dir["p"], "a b", Script, Locks)).Code);
        Assert.Equal(ErrorCode.ActivationIdInvalid, Assert.Throws<PacksterException>(() => ProfileSnippet.Enable(_dir["p"], "../x", Script, Locks)).Code);
    }

    [ShellFact("bash")]
    public void A_shell_reading_the_profile_is_activated()
    {
        var loc = _dir["loc"];
        ShimWriter.WriteAll(Path.Combine(loc, "shims"), [], ShimPlatform.Posix);
        ActivationScripts.Write(loc, new ActivationSpec(loc, "dev", Path.Combine(loc, "shims"), new Dictionary<string, string> { ["DEV_HOME"] = "yes" }));
        var profile = _dir.Write(".bashrc", "export BEFORE=1\n");
        ProfileSnippet.Enable(profile, "dev", ActivationScripts.PathFor(loc, ActivationShell.Bash), Locks);
        var result = Shells.RunScript("bash", $". {ShellQuoting.Posix(profile)}\nprintf '%s|%s|%s' \"$_PACKSTER_ACTIVE\" \"$DEV_HOME\" \"$BEFORE\"\n", _dir.Path);
        Assert.Equal("dev|yes|1", result.Text);
    }
}
