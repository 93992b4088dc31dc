using System.Diagnostics;
using Packster.IntegrationTests.Cli;
using Packster.Testing;

namespace Packster.IntegrationTests.Locations;

/// <summary>
/// The real <c>packster</c> executable in a child process: spec/errors.md § Exit codes (a location failure exits 5, as
/// the OS reports it) and spec/lockfile.md § Registry (a shell resolves an id without .NET).
/// </summary>
public sealed class LocationProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-proc-loc");

    private (int Exit, string Out, string Err) Packster(params string[] args)
    {
        // The suite's packster (the release binary on CI, else the JIT build), its data home in _temp["data"].
        var info = new PacksterProcess(_temp).StartInfo(args);
        info.Environment["HOME"] = _temp["home"];
        info.Environment["USERPROFILE"] = _temp["home"];
        info.Environment.Remove("PACKSTER_LOCATION");
        using var p = Process.Start(info)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    [Fact]
    public void A_location_failure_exits_5_from_a_real_process()
    {
        Assert.Equal(0, Packster("location", "create", "dev").Exit);
        var (exit, _, err) = Packster("location", "create", "dev");
        Assert.Equal(5, exit);
        Assert.StartsWith("error[PST5001]: ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shell_reaches_a_registered_location_by_path_alone()
    {
        if (OperatingSystem.IsWindows()) return; // spec/activation.md §4: POSIX entries are symlinks to the location
        Assert.Equal(0, Packster("location", "create", "envs/dev", "--id", "dev").Exit);
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("cd \"$PACKSTER_DATA_HOME/registry/dev\" && test -f packster-location.json && printf '%s' \"$(pwd -P)\"");
        info.Environment["PACKSTER_DATA_HOME"] = _temp["data"];
        using var sh = Process.Start(info)!;
        var output = sh.StandardOutput.ReadToEnd();
        sh.WaitForExit();
        Assert.Equal(0, sh.ExitCode);
        Assert.Equal(_temp["envs/dev"], output);
    }

    public void Dispose() => _temp.Dispose();
}
