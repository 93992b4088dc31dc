using System.Diagnostics;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Activation;

/// <summary>
/// spec/activation.md through the real CLI and real shells: a location installed with the CLI is switched to with
/// <c>packster-use</c>, its shims pass arguments, stdin and exit codes through, switching removes the first location
/// entirely, deactivation restores PATH byte for byte, and persistent enabling goes through the resource guard.
/// </summary>
public sealed class ShellActivationTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public ShellActivationTests()
    {
        // A second location with a package of its own, to switch between.
        _f.Packster.Ok("location", "create", _f.Temp["loc2"], "--id", "other");
    }

    public void Dispose() => _f.Dispose();

    private (int Exit, string Out, string Err) Shell(string shell, string script, string? stdin = null)
    {
        var psi = new ProcessStartInfo(shell)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var (k, v) in _f.Packster.StartInfo([]).Environment) psi.Environment[k] = v;
        psi.Environment["HOME"] = _f.Temp["home"];
        psi.Environment["PACKSTER"] = _f.Packster.ShellCommand;
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(stdin ?? "");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private const string Init = "eval \"$(eval \"$PACKSTER\" init bash)\"\n";

    [Fact]
    public void Packster_use_activates_runs_the_shim_and_deactivate_restores_path_byte_for_byte()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(_f.PackSample("hello"), "-p", "greeting=Ahoy");
        var (exit, output, error) = Shell("bash", Init + """
            before=$PATH
            packster-use dev || exit 10
            hello 'two words $(not run) * `x` "q"' > "$HOME.out1" || exit 11
            printf '%s\n' "$HELLO_GREETING"
            packster-deactivate
            [ "$PATH" = "$before" ] || { echo "PATH differs after deactivate" >&2; exit 12; }
            [ -z "${HELLO_GREETING+x}" ] || { echo "HELLO_GREETING still set" >&2; exit 13; }
            command -v hello && exit 14
            cat "$HOME.out1"
            """);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        Assert.StartsWith("Ahoy\n", output, StringComparison.Ordinal);
        Assert.Contains("Ahoy, two words $(not run) * `x` \"q\"!", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Switching_locations_removes_the_first_entirely()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(_f.PackSample("hello"));
        _f.Packster.Ok("install-file", _f.PackSample("conflict-a"), "--location", "other");
        var (exit, output, error) = Shell("bash", Init + $$"""
            packster-use dev && command -v hello >/dev/null || exit 10
            packster-use {{_f.Temp["loc2"]}} || exit 11
            case ":$PATH:" in *":{{_f.LocationPath}}/shims:"*) echo "first location still on PATH" >&2; exit 12 ;; esac
            command -v hello && exit 13
            [ -z "${HELLO_HOME+x}" ] || exit 14
            printf '%s\n' "$TOOL_HOME"
            """);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        Assert.Contains(Path.Combine(_f.Temp["loc2"], "deployments"), output, StringComparison.Ordinal);
    }

    [Fact]
    public void Shims_pass_stdin_and_exit_codes_through()
    {
        if (OperatingSystem.IsWindows()) return;
        var source = _f.Temp["exiter"];
        Directory.CreateDirectory(Path.Combine(source, "bin"));
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), "id = \"exiter\"\nversion = \"1.0.0\"\n[shims]\nexiter = \"bin/exiter\"\n");
        var script = Path.Combine(source, "bin", "exiter");
        File.WriteAllText(script, "#!/bin/sh\ncat\nexit \"$1\"\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        _f.InstallJson(_f.Pack(source));
        var (exit, output, _) = Shell("sh", $"exec '{Path.Combine(_f.LocationPath, "shims", "exiter")}' 42", stdin: "piped\nlines\n");
        Assert.Equal(42, exit);
        Assert.Equal("piped\nlines\n", output);
    }

    [Fact]
    public void Location_env_prints_a_script_bash_can_source()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(_f.PackSample("hello"), "-p", "greeting=Salut");
        var env = _f.Packster.Ok("location", "env", "dev", "--shell", "bash");
        var file = _f.Temp.Write("env.sh", env);
        var (exit, output, error) = Shell("bash", $". '{file}' && hello env");
        Assert.True(exit == 0, error);
        Assert.Equal("Salut, env!\n", output);
    }

    [Fact]
    public void Enable_writes_a_profile_block_that_new_shells_source_and_disable_removes_it()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.InstallJson(_f.PackSample("hello"), "-p", "greeting=Hey");
        var bashrc = Path.Combine(_f.Temp["home"], ".bashrc");
        Directory.CreateDirectory(_f.Temp["home"]);
        File.WriteAllText(bashrc, "# my own settings\nexport MINE=1\n");
        var r = _f.Packster.Run(["location", "enable", "dev", "--user"], new Dictionary<string, string> { ["HOME"] = _f.Temp["home"] });
        Assert.True(r.ExitCode == 0, r.ToString());
        var (exit, output, error) = Shell("bash", ". \"$HOME/.bashrc\"; . \"$HOME/.bashrc\"; hello profile; printf '%s\\n' \"$PATH\"");
        Assert.True(exit == 0, error);
        Assert.StartsWith("Hey, profile!\n", output, StringComparison.Ordinal);
        var shims = Path.Combine(_f.LocationPath, "shims");
        Assert.Single(output.Split('\n')[1].Split(':'), e => e == shims); // sourcing twice adds it once

        // A second location claiming the same shim cannot be enabled alongside.
        _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "other");
        var refused = _f.Packster.Run(["location", "enable", "other", "--user"], new Dictionary<string, string> { ["HOME"] = _f.Temp["home"] });
        Assert.Equal(6, refused.ExitCode);
        Assert.Contains("hello", refused.Stderr, StringComparison.Ordinal);

        var d = _f.Packster.Run(["location", "disable", "dev"], new Dictionary<string, string> { ["HOME"] = _f.Temp["home"] });
        Assert.Equal(0, d.ExitCode);
        Assert.Equal("# my own settings\nexport MINE=1\n", File.ReadAllText(bashrc));
    }
}
