using System.Diagnostics;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>Runs the real packster as <c>nobody</c> (uid 65534) through setpriv, which needs root: chmod binds only others.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class AsAnotherUser
{
    /// <summary>
    /// Runs <paramref name="args"/> as nobody (or <paramref name="uid"/>, group nogroup) with its own home under
    /// <paramref name="temp"/>; <paramref name="groups"/> are its supplementary group ids (none by default).
    /// </summary>
    public static ProcessResult Run(PacksterProcess packster, TempDirectory temp, string[] args, IReadOnlyList<uint>? groups = null,
        IReadOnlyDictionary<string, string>? extra = null, int uid = 65534)
    {
        var psi = packster.StartInfo(args, extra);
        psi.FileName = "setpriv";
        // StartInfo runs `dotnet packster.dll ARGS` or `packster ARGS`: setpriv takes that program's full path.
        psi.ArgumentList.Insert(0, packster.Executable ?? DotnetPath());
        var groupArgument = groups is { Count: > 0 } ? "--groups=" + string.Join(',', groups) : "--clear-groups";
        foreach (var a in new[] { groupArgument, "--regid=65534", $"--reuid={uid}" }) psi.ArgumentList.Insert(0, a);
        var home = temp["nobody-home"];
        Directory.CreateDirectory(home);
        OpenUp(home);
        File.SetUnixFileMode(home, (UnixFileMode)0b111_111_111);
        psi.Environment["DOTNET_CLI_HOME"] = home;
        psi.Environment["HOME"] = home;
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "packster as nobody did not finish");
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Lets another user walk into the temp tree (TempDirectory is owner-only).</summary>
    public static void OpenUp(string path)
    {
        foreach (var dir in new DirectoryInfo(path).EnumerateDirectories("*", SearchOption.AllDirectories).Prepend(new DirectoryInfo(path)))
        {
            dir.UnixFileMode |= UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        }
        foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (file.LinkTarget is null) file.UnixFileMode |= UnixFileMode.OtherRead;
        }
        for (var dir = Directory.GetParent(path); dir is not null; dir = dir.Parent)
        {
            if ((dir.UnixFileMode & UnixFileMode.OtherExecute) == 0) dir.UnixFileMode |= UnixFileMode.OtherExecute;
        }
    }

    private static string DotnetPath() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "dotnet")).First(File.Exists);
}
