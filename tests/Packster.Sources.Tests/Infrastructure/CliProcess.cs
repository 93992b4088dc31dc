using System.Diagnostics;
using System.Reflection;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>
/// Runs the built <c>packster</c> (the JIT build next to these tests) as a real child process, with every inherited
/// <c>PACKSTER_*</c> and <c>XDG_*</c> variable removed and <c>CI=true</c>, so a test sees only the environment it gives.
/// </summary>
public static class CliProcess
{
    public static string Path => typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PacksterCli").Value!;

    /// <summary>The variables that give packster a config, cache and data home of its own under <paramref name="home"/>.</summary>
    public static Dictionary<string, string> HomeIn(Packster.Testing.TempDirectory home)
    {
        ArgumentNullException.ThrowIfNull(home);
        return new()
        {
            ["PACKSTER_CONFIG"] = home["config/config.toml"],
            ["PACKSTER_CACHE"] = home["cache"],
            ["PACKSTER_DATA_HOME"] = home["data"],
        };
    }

    public static Task<(int Exit, string Out, string Err)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync(workingDirectory, environment, CancellationToken.None, args);

    /// <summary>As above; when <paramref name="kill"/> fires the process gets SIGKILL (what a crash or <c>kill -9</c> does).</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment,
        CancellationToken kill, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Path);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PACKSTER_", StringComparison.Ordinal) || k.StartsWith("XDG_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        start.Environment["CI"] = "true";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        using var killing = kill.Register(() => process.Kill(entireProcessTree: true));
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
