using Packster.Activation;

namespace Packster.Core.Tests.Activation;

/// <summary>spec/activation.md §1 and §5: the exact launcher text per platform, and the escaping rules.</summary>
public class ShimScriptsTextTests
{
    [Fact]
    public void Posix_shim_exports_env_then_execs_with_fixed_args_before_callers()
    {
        var shim = new ShimDefinition("hello", "/opt/my tool/bin/hello", ["--verbose", "it's"], new Dictionary<string, string> { ["Z_LOG"] = "debug", ["A_HOME"] = "/x y" });
        Assert.Equal(
            "#!/bin/sh\n# packster shim 'hello': generated, do not edit\n"
            + "export A_HOME='/x y'\nexport Z_LOG='debug'\n"
            + "exec '/opt/my tool/bin/hello' '--verbose' 'it'\\''s' \"$@\"\n",
            ShimScripts.Posix(shim));
    }

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("", "''")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(x) `y` \"z\" \\", "'$(x) `y` \"z\" \\'")]
    [InlineData("a\nb", "'a\nb'")]
    public void Posix_quoting(string input, string expected) => Assert.Equal(expected, ShellQuoting.Posix(input));

    [Theory]
    [InlineData("it's", "'it\\'s'")]
    [InlineData("back\\slash", "'back\\\\slash'")]
    [InlineData("$x (y)", "'$x (y)'")]
    public void Fish_quoting(string input, string expected) => Assert.Equal(expected, ShellQuoting.Fish(input));

    [Theory]
    [InlineData("it's", "'it''s'")]
    [InlineData("smart\u2019quote", "'smart\u2019\u2019quote'")]
    [InlineData("$env:X `n", "'$env:X `n'")]
    public void Pwsh_quoting(string input, string expected) => Assert.Equal(expected, ShellQuoting.Pwsh(input));

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("", "\"\"")]
    [InlineData("with space", "\"with space\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("c:\\dir\\", "\"c:\\dir\\\\\"")]
    [InlineData("a\\\"b", "\"a\\\\\\\"b\"")]
    [InlineData("a\\b", "\"a\\b\"")]
    public void Windows_argument_quoting_follows_CommandLineToArgvW(string input, string expected) =>
        Assert.Equal(expected, ShellQuoting.WindowsArgument(input));

    [Theory]
    [InlineData("\"a&b\"", "\"a&b\"")]
    [InlineData("a&b", "a^&b")]
    [InlineData("50%", "50%%")]
    [InlineData("\"50%\"", "\"50%%\"")]
    [InlineData("x^y|z<w>(v)", "x^^y^|z^<w^>^(v^)")]
    [InlineData("\"a\\\"b&c\"", "\"a\\\"b^&c\"")]
    [InlineData("!bang!", "!bang!")]
    public void Cmd_lines_escape_percent_always_and_metacharacters_outside_quotes(string input, string expected) =>
        Assert.Equal(expected, ShellQuoting.CmdLine(input));

    [Fact]
    public void Cmd_refuses_line_breaks()
    {
        var ex = Assert.Throws<PacksterException>(() => ShellQuoting.CmdLine("a\nb"));
        Assert.Equal(ErrorCode.ShimDefinitionInvalid, ex.Code);
    }

    [Fact]
    public void Cmd_shim_is_setlocal_quoted_and_passes_exit_code()
    {
        var shim = new ShimDefinition("hello", "/C/Program Files (x86)/a&b/hello.exe", ["50%", "a \"q\" & b", "^caret", "x\"&y"], new Dictionary<string, string> { ["HELLO_LOG"] = "x&y %PATH%" });
        Assert.Equal(
            "@echo off\r\nrem packster shim: generated, do not edit\r\n"
            + "setlocal EnableExtensions DisableDelayedExpansion\r\n"
            + "set \"HELLO_LOG=x&y %%PATH%%\"\r\n"
            // Two escaped quotes toggle cmd's quote state twice, so '&' is inside quotes; after one it is outside.
            + "\"/C/Program Files (x86)/a&b/hello.exe\" \"50%%\" \"a \\\"q\\\" & b\" \"^caret\" \"x\\\"^&y\" %*\r\n"
            + "exit /b %ERRORLEVEL%\r\n",
            ShimScripts.Cmd(shim));
    }

    [Fact]
    public void Ps1_shim_sets_env_for_the_call_only_and_passes_exit_code()
    {
        var shim = new ShimDefinition("hello", "/opt/it's/hello", ["a b", "c'd"], new Dictionary<string, string> { ["HELLO_LOG"] = "$x" });
        Assert.Equal(
            "# packster shim: generated, do not edit\r\n"
            + "$_packsterSaved = @{}\r\n"
            + "$_packsterSaved['HELLO_LOG'] = [Environment]::GetEnvironmentVariable('HELLO_LOG')\r\n"
            + "[Environment]::SetEnvironmentVariable('HELLO_LOG', '$x')\r\n"
            + "try {\r\n    & '/opt/it''s/hello' @('a b', 'c''d') @args\r\n} finally {\r\n"
            + "    foreach ($k in $_packsterSaved.Keys) { [Environment]::SetEnvironmentVariable($k, $_packsterSaved[$k]) }\r\n}\r\n"
            + "exit $LASTEXITCODE\r\n",
            ShimScripts.Ps1(shim));
    }

    [Fact]
    public void Windows_platform_writes_a_cmd_and_a_ps1_per_shim()
    {
        var files = ShimScripts.Files(new ShimDefinition("t", "/bin/t"), ShimPlatform.Windows).Select(f => f.FileName);
        Assert.Equal(["t.cmd", "t.ps1"], files);
    }
}
