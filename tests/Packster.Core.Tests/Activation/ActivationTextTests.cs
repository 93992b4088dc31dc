using Packster.Activation;

namespace Packster.Core.Tests.Activation;

/// <summary>spec/activation.md §3–§5: properties of the generated activation and init text.</summary>
public class ActivationTextTests
{
    private static readonly ActivationSpec Spec = new("/l/dev", "dev", "/l/dev/shims",
        new Dictionary<string, string> { ["B_KEY"] = "b's", ["A_KEY"] = "50% & \"q\"" });

    [Fact]
    public void Posix_activation_uses_no_command_substitution_or_subshell()
    {
        // §3: sourcing must cost builtins only.
        var code = (ActivationScripts.Render(ActivationShell.Bash, Spec) + ShellInit.Render(ActivationShell.Bash)).Split('\n')
            .Where(line => !line.TrimStart().StartsWith('#'));
        var text = string.Join('\n', code);
        Assert.DoesNotContain("$(", text, StringComparison.Ordinal);
        Assert.DoesNotContain("`", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n(", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_are_written_in_ordinal_order_so_output_is_deterministic()
    {
        var text = ActivationScripts.Render(ActivationShell.Sh, Spec);
        Assert.Contains("_PACKSTER_KEYS='A_KEY B_KEY'\n", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("export A_KEY=", StringComparison.Ordinal) < text.IndexOf("export B_KEY=", StringComparison.Ordinal));
        Assert.Equal(text, ActivationScripts.Render(ActivationShell.Zsh, Spec));
    }

    [Fact]
    public void Cmd_activation_escapes_values_and_deactivates_through_its_own_subroutine()
    {
        var text = ActivationScripts.Render(ActivationShell.Cmd, Spec);
        Assert.Contains("if defined _PACKSTER_ACTIVE call :packster_deactivate\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nexit /b 0\r\n:packster_deactivate\r\n", text, StringComparison.Ordinal);
        Assert.Contains("set \"A_KEY=50%% & \"q\"\"\r\n", text, StringComparison.Ordinal);
        Assert.Contains("if defined A_KEY set \"_PACKSTER_OLD_A_KEY=%A_KEY%\"\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\n\n", text, StringComparison.Ordinal);
    }

    // §3 (cmd): "activate.cmd never calls a path": `call` makes cmd expand % a second time, after %% had become %.
    [Fact]
    public void Cmd_activation_never_calls_a_path_so_percent_in_the_location_is_expanded_once()
    {
        var spec = new ActivationSpec("/l/%PATH%/dev", "dev", "/l/%PATH%/dev/shims");
        var text = ActivationScripts.Render(ActivationShell.Cmd, spec);
        foreach (var line in text.Split("\r\n"))
        {
            if (line.Contains("call ", StringComparison.Ordinal)) Assert.DoesNotContain("%%PATH%%", line, StringComparison.Ordinal);
            Assert.DoesNotMatch("call \"", line);
        }
        Assert.Contains("set \"_PACKSTER_LOCATION=/l/%%PATH%%/dev\"\r\n", text, StringComparison.Ordinal);
        // The subroutine is the generic deactivation, so both scripts undo the same way.
        Assert.EndsWith(ActivationScripts.RenderDeactivate(ActivationShell.Cmd).Split("\r\n", 3)[2], text, StringComparison.Ordinal);
    }

    // §5 "cmd line: every control character refused": cmd ends a line at CR, LF and Ctrl-Z (U+001A).
    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("x\u001acalc.exe &rem ")]
    [InlineData("tab\there")]
    [InlineData("del\u007f")]
    public void Cmd_cannot_render_values_with_control_characters(string value)
    {
        var spec = new ActivationSpec("/l", "dev", "/l/shims", new Dictionary<string, string> { ["K"] = value });
        Assert.Equal(ErrorCode.ShimDefinitionInvalid, Assert.Throws<PacksterException>(() => ActivationScripts.Render(ActivationShell.Cmd, spec)).Code);
        Assert.Throws<PacksterException>(() => ShimScripts.Cmd(new ShimDefinition("t", "/l/t", [value])));
    }

    // § Derived files: rendering every script is where a value fails — RenderAll throws for it, rather than writing a refusing script.
    [Fact]
    public void Rendering_all_scripts_fails_for_a_value_cmd_cannot_carry()
    {
        var spec = new ActivationSpec("/l", "dev", "/l/shims", new Dictionary<string, string> { ["K"] = "x\u001ay" });
        Assert.Throws<PacksterException>(() => ActivationScripts.RenderAll(spec));
    }

    [Fact]
    public void Pwsh_activation_quotes_values_and_saves_old_ones()
    {
        var text = ActivationScripts.Render(ActivationShell.Pwsh, Spec);
        Assert.Contains("$env:_PACKSTER_OLD_B_KEY = $env:B_KEY\r\n$env:B_KEY = 'b''s'\r\n", text, StringComparison.Ordinal);
        Assert.Contains("function global:_packster_deactivate", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_is_offered_for_bash_zsh_fish_and_pwsh_only()
    {
        Assert.Contains("packster-use()", ShellInit.Render(ActivationShell.Zsh), StringComparison.Ordinal);
        Assert.Contains("function packster-use", ShellInit.Render(ActivationShell.Fish), StringComparison.Ordinal);
        Assert.Contains("function global:packster-use", ShellInit.Render(ActivationShell.Pwsh), StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PacksterException>(() => ShellInit.Render(ActivationShell.Cmd)).Code);
    }

    [Fact]
    public void Specs_refuse_paths_and_keys_the_scripts_could_not_express()
    {
        Assert.Equal(ErrorCode.ActivationEnvInvalid, Assert.Throws<PacksterException>(() => new ActivationSpec("rel", "dev", "/s")).Code);
        Assert.Equal(ErrorCode.ActivationEnvInvalid, Assert.Throws<PacksterException>(() => new ActivationSpec("/l", "dev", "/a" + Path.PathSeparator + "b")).Code);
        Assert.Equal(ErrorCode.ResourceClaimInvalid, Assert.Throws<PacksterException>(() =>
            new ActivationSpec("/l", "dev", "/s", new Dictionary<string, string> { ["PATH"] = "x" })).Code);
        Assert.Equal(ErrorCode.ActivationIdInvalid, Assert.Throws<PacksterException>(() => new ActivationSpec("/l", "has space", "/s")).Code);
    }

    [Fact]
    public void Write_puts_eight_scripts_in_the_activate_folder()
    {
        using var dir = new Packster.Testing.TempDirectory();
        var folder = ActivationScripts.Write(dir.Path, new ActivationSpec(dir.Path, "dev", Path.Combine(dir.Path, "shims")));
        Assert.Equal(
            ["activate.cmd", "activate.fish", "activate.ps1", "activate.sh", "deactivate.cmd", "deactivate.fish", "deactivate.ps1", "deactivate.sh"],
            Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
