using Packster.Activation;
using Packster.Testing;

namespace Packster.Core.Tests.Activation;

/// <summary>spec/activation.md §1, §3 in PowerShell (pwsh on Linux/macOS/Windows); skipped where pwsh is absent.</summary>
public class PwshTests : IDisposable
{
    private readonly TempDirectory _dir = new("packster-pwsh");

    public void Dispose() => _dir.Dispose();

    [ShellFact("pwsh")]
    public void Ps1_shim_passes_arguments_env_and_exit_code()
    {
        var target = _dir.Write("target.sh", "#!/bin/sh\nprintf '%s\\0' \"$HELLO\" \"$@\" > \"$ARGS_OUT\"\nexit 42\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        string[] fixedArgs = ["it's", "a b", "$x", "\u2019smart"];
        ShimWriter.WriteAll(_dir["shims"], [new ShimDefinition("t", target, fixedArgs, new Dictionary<string, string> { ["HELLO"] = "v'1" })], ShimPlatform.Windows);
        var result = Shells.Run(Shells.Find("pwsh")!, ["-NoProfile", "-File", Path.Combine(_dir["shims"], "t.ps1"), "caller arg"], _dir.Path,
            new Dictionary<string, string?> { ["ARGS_OUT"] = _dir["out"] });
        Assert.Equal(42, result.ExitCode);
        Assert.Equal(["v'1", .. fixedArgs, "caller arg"], Shells.NulRecords(File.ReadAllBytes(_dir["out"])));
    }

    [ShellFact("pwsh")]
    public void Activate_then_deactivate_restores_path_and_keys()
    {
        var loc = _dir["loc"];
        ActivationScripts.Write(loc, new ActivationSpec(loc, "dev", Path.Combine(loc, "shims"), new Dictionary<string, string> { ["SET_KEY"] = "new", ["UNSET_KEY"] = "n'2" }));
        var script = $$"""
            $before = "$env:PATH|$env:SET_KEY|$([Environment]::GetEnvironmentVariable('UNSET_KEY') -eq $null)"
            . {{ShellQuoting.Pwsh(ActivationScripts.PathFor(loc, ActivationShell.Pwsh))}}
            $during = "$env:PATH|$env:SET_KEY|$env:UNSET_KEY"
            _packster_deactivate
            $after = "$env:PATH|$env:SET_KEY|$([Environment]::GetEnvironmentVariable('UNSET_KEY') -eq $null)"
            [IO.File]::WriteAllText('{{_dir["result"]}}', "$before`n$during`n$after")
            """;
        var result = Shells.RunScript("pwsh", script, _dir.Path, new Dictionary<string, string?> { ["SET_KEY"] = "old value", ["UNSET_KEY"] = null });
        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = File.ReadAllText(_dir["result"]).Split('\n');
        Assert.Equal(lines[0], lines[2]);
        // pwsh puts its own home on PATH when it starts, so the PATH to extend is the one the script saw first.
        var pathBefore = lines[0].Split('|')[0];
        Assert.Equal(Path.Combine(loc, "shims") + Path.PathSeparator + pathBefore + "|new|n'2", lines[1]);
    }

    // spec/activation.md §4: an argument with `/` or `\` is a location folder, whose script is sourced from that very
    // folder (a `\` is a file name character on Linux, not a separator to rewrite); "no or empty argument: usage line,
    // return 2".
    [ShellFact("pwsh")]
    public void Packster_use_takes_a_folder_literally_and_refuses_no_or_an_empty_argument()
    {
        var loc = _dir[OperatingSystem.IsWindows() ? "loc [a] b" : "loc\\b [a]"];
        ActivationScripts.Write(loc, new ActivationSpec(loc, "odd", Path.Combine(loc, "shims"), new Dictionary<string, string> { ["ODD_KEY"] = "odd" }));
        var init = _dir.Write("init.ps1", ShellInit.Render(ActivationShell.Pwsh));
        var script = $$"""
            . {{ShellQuoting.Pwsh(init)}}
            $global:LASTEXITCODE = 7
            packster-use {{ShellQuoting.Pwsh(loc)}}
            $used = "$LASTEXITCODE|$env:_PACKSTER_ACTIVE|$env:ODD_KEY"
            packster-deactivate
            $global:LASTEXITCODE = 0
            packster-use ''
            $empty = "$LASTEXITCODE|$env:_PACKSTER_ACTIVE"
            $global:LASTEXITCODE = 0
            packster-use
            $none = "$LASTEXITCODE|$env:_PACKSTER_ACTIVE"
            $global:LASTEXITCODE = 0
            packster-use {{ShellQuoting.Pwsh(loc)}} extra
            $two = "$LASTEXITCODE|$env:_PACKSTER_ACTIVE"
            [IO.File]::WriteAllText('{{_dir["result"]}}', "$used`n$empty`n$none`n$two")
            """;
        var result = Shells.RunScript("pwsh", script, _dir.Path);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["0|odd|odd", "2|", "2|", "2|"], File.ReadAllText(_dir["result"]).Split('\n'));
        var usage = "usage: packster-use <location path or id>";
        Assert.Equal(3, result.Stderr.Split(usage).Length - 1);
        Assert.DoesNotContain("not found", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot bind", result.Stderr, StringComparison.Ordinal);
    }
}
