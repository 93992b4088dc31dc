using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// Parameter names and values a user gave, on the terminal: spec/errors.md, text a user or a package wrote "is shown
/// with control characters escaped" (TerminalText) — ESC and the C1 CSI (U+009B), either of which starts a terminal
/// control sequence — and spec/parameters.md § What a value may hold for a value that reaches a menu entry.
/// </summary>
public sealed class ParameterTextTests : IDisposable
{
    private readonly LocationFixture _f = new();
    private readonly string _package;

    public ParameterTextTests()
    {
        var source = _f.Temp["src"];
        Directory.CreateDirectory(Path.Combine(source, "bin"));
        File.WriteAllText(Path.Combine(source, "bin", "t5"), "#!/bin/sh\necho hi\n");
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), """
            id = "t5"
            version = "1.0.0"
            license = "MIT"
            [parameters.v]
            type = "string"
            default = "x"
            [parameters.w]
            type = "string"
            default = "y"
            [shims]
            t5 = { target = "bin/t5", args = ["{param.v}"] }
            [[desktop]]
            name = "T5"
            exec = "bin/t5"
            args = ["{param.w}"]
            """);
        _package = _f.Pack(source);
    }

    public void Dispose() => _f.Dispose();

    private static void NoRawControl(string text)
    {
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u009b', text);
    }

    // PST3001 names the parameter as given: escaped, whether given with -p or in --parameters.
    [Theory]
    [InlineData("-p", "v\u001b[2J\u001b[31m=a")]
    [InlineData("--parameters", "{\"v\\u001b[2J\\u001b[31m\": \"a\"}")]
    public void An_unknown_parameter_name_is_shown_escaped(string option, string value)
    {
        var r = _f.Packster.Run("install-file", _package, "--location", "dev", option, value);
        Assert.True(r.ExitCode == 3 && r.Stderr.Contains("error[PST3001]: parameter 'v\\u001b[2J\\u001b[31m' is not declared", StringComparison.Ordinal), r.ToString());
        NoRawControl(r.Stderr);
    }

    // spec/parameters.md § What a value may hold: a parameter referenced by [[desktop]] args may hold no control
    // character, C1 included; refused as PST3006 naming the parameter and the place, before anything changes — not a
    // PST6006 of the menu entry's writer quoting the value raw.
    [Fact]
    public void A_C1_control_in_a_value_sent_to_a_menu_entry_is_a_parameter_error()
    {
        var r = _f.Packster.Run("install-file", _package, "--location", "dev", "-p", "w=a\u009b31mRED");
        Assert.True(r.ExitCode == 3 && r.Stderr.Contains(
            "error[PST3006]: parameter 'w': it holds the control character U+009B, which a menu entry cannot carry, and it is written into a menu entry through desktop.t5.args[0]",
            StringComparison.Ordinal), r.ToString());
        NoRawControl(r.Stderr);
        Assert.DoesNotContain("\"t5\"", _f.Packster.Ok("list", "--location", "dev", "--json"), StringComparison.Ordinal);
    }

    // `which` prints the shim's arguments: a value with U+009B (allowed in a shim) is shown escaped.
    [Fact]
    public void Which_shows_a_shim_argument_escaped()
    {
        _f.Packster.Ok("install-file", _package, "--location", "dev", "-p", "v=a\u009b31mRED");
        var shown = _f.Packster.Ok("which", "t5", "--location", "dev");
        Assert.Contains(" a\\u009b31mRED [", shown, StringComparison.Ordinal);
        NoRawControl(shown);
    }
}
