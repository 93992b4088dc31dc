using System.Diagnostics;
using System.Text.Json;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Activation;

/// <summary>
/// spec/activation.md §1 Kinds through the real CLI: an installed package's native target gets a symlink shim, a shim
/// with fixed arguments and a script that locates itself through <c>$0</c> get sh scripts, <c>which</c> says which
/// kind each is, all of them run through a real shell, and verify, use and uninstall work as before.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ShimKindCliTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    /// <summary>
    /// A package with three shims: <c>expr</c> (a copy of the native expr, which no shell has as a builtin),
    /// <c>plus10</c> (the same with fixed arguments) and <c>where</c> (a script reading a file beside itself through <c>$0</c>).
    /// </summary>
    private string PackKinds(string version = "1.0.0")
    {
        var source = _f.Temp["kinds-" + version];
        Directory.CreateDirectory(Path.Combine(source, "bin"));
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), $$"""
            id = "kinds"
            version = "{{version}}"
            [shims]
            expr = "bin/expr"
            plus10 = { target = "bin/expr", args = ["10", "+"] }
            where = "bin/where"
            """);
        File.Copy(Expr, Path.Combine(source, "bin", "expr"));
        File.WriteAllText(Path.Combine(source, "bin", "where"), "#!/bin/sh\ncat \"$(dirname \"$0\")/data.txt\"\n");
        File.WriteAllText(Path.Combine(source, "bin", "data.txt"), "version " + version + "\n");
        foreach (var exe in new[] { "expr", "where" }) File.SetUnixFileMode(Path.Combine(source, "bin", exe), (UnixFileMode)0b111_101_101);
        return _f.Pack(source);
    }

    private static string Expr => File.Exists("/usr/bin/expr") ? "/usr/bin/expr" : "/bin/expr";

    private JsonElement Which(string shim)
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("which", shim, "--location", "dev", "--json"));
        return doc.RootElement.Clone();
    }

    private (int Exit, string Out, string Err) Sh(string script)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.Environment["PATH"] = Path.Combine(_f.LocationPath, "shims") + ":/usr/bin:/bin";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>What <c>shims</c> links to now, and that folder's inode.</summary>
    private (string Generation, string Inode) ShimsGeneration()
    {
        var target = new FileInfo(Path.Combine(_f.LocationPath, "shims")).LinkTarget!;
        return (target, Tools.Run("/", "stat", "-c", "%i", Path.Combine(_f.LocationPath, target)).Trim());
    }

    // spec/activation.md §2 "Kept when unchanged": commits that leave the set of shims as it is write no generation;
    // one whose folder lost a shim, or made while the generation marker is gone, writes a fresh one.
    [Fact]
    public void Shims_that_a_commit_leaves_unchanged_are_kept_and_put_back_when_damaged()
    {
        var hello = _f.PackSample("hello");
        _f.InstallJson(hello);
        var first = ShimsGeneration();
        Assert.True(File.Exists(Path.Combine(_f.LocationPath, "shims", "hello")));

        // An inactive deployment changes no shim: the same folder, the same inode.
        _f.InstallJson(hello, "-p", "port=9001", "--inactive");
        Assert.Equal(first, ShimsGeneration());

        // A shim deleted by hand is written again by the next commit, in a new generation.
        File.Delete(Path.Combine(_f.LocationPath, "shims", "hello"));
        _f.InstallJson(hello, "-p", "port=9002", "--inactive");
        var second = ShimsGeneration();
        Assert.NotEqual(first.Generation, second.Generation);
        Assert.Equal(0, Sh("hello").Exit);
        Assert.True(File.Exists(Path.Combine(_f.LocationPath, "shims", "hello")));
        Assert.False(Directory.Exists(Path.Combine(_f.LocationPath, first.Generation)));

        // Without the marker the folder may be one written ahead of a transaction's commit, never synced: written afresh.
        File.Delete(Path.Combine(_f.LocationPath, "activate", ".generation"));
        _f.InstallJson(hello, "-p", "port=9003", "--inactive");
        var third = ShimsGeneration();
        Assert.NotEqual(second.Generation, third.Generation);
        Assert.True(File.Exists(Path.Combine(_f.LocationPath, "activate", ".generation")));
        _f.InstallJson(hello, "-p", "port=9004", "--inactive");
        Assert.Equal(third, ShimsGeneration());
    }

    [Fact]
    public void Which_reports_the_kind_of_each_shim_and_every_kind_runs_from_a_shell()
    {
        if (OperatingSystem.IsWindows()) return;
        var installed = _f.InstallJson(PackKinds());

        var expr = Which("expr");
        Assert.Equal("symlink", expr.GetProperty("kind").GetString());
        Assert.Equal(Path.Combine(installed.GetProperty("path").GetString()!, "bin", "expr"), expr.GetProperty("target").GetString());
        Assert.NotNull(new FileInfo(expr.GetProperty("path").GetString()!).LinkTarget);
        Assert.Equal("script", Which("plus10").GetProperty("kind").GetString());
        Assert.Equal("script", Which("where").GetProperty("kind").GetString());
        Assert.EndsWith("[symlink]\n", _f.Packster.Ok("which", "expr", "--location", "dev"), StringComparison.Ordinal);
        Assert.EndsWith("[script]\n", _f.Packster.Ok("which", "plus10", "--location", "dev"), StringComparison.Ordinal);

        // Found on PATH by name, as a user runs them; the '*' reaches expr unexpanded.
        var (exit, output, error) = Sh("expr 6 '*' 7; plus10 5; where");
        Assert.True(exit == 0, error);
        Assert.Equal("42\n15\nversion 1.0.0\n", output);
        Assert.True(Sh("expr 0").Exit == 1, "expr's exit code 1 passes through the symlink shim");
    }

    [Fact]
    public void Use_verify_and_uninstall_work_with_symlink_shims()
    {
        if (OperatingSystem.IsWindows()) return;
        var v1 = _f.InstallJson(PackKinds("1.0.0"));
        var v2 = _f.InstallJson(PackKinds("2.0.0"));
        string Deployment() => Which("expr").GetProperty("deployment").GetString()!;
        Assert.Equal(v2.GetProperty("deployment").GetString(), Deployment());
        Assert.Equal("version 2.0.0\n", Sh("where").Out);

        _f.Packster.Ok("use", "kinds@1.0.0", "--location", "dev");
        Assert.Equal(v1.GetProperty("deployment").GetString(), Deployment());
        Assert.Contains(v1.GetProperty("deployment").GetString()!, new FileInfo(Path.Combine(_f.LocationPath, "shims", "expr")).LinkTarget!, StringComparison.Ordinal);
        Assert.Equal("version 1.0.0\n", Sh("where").Out);

        // The deployments' files are untouched by shim generations coming and going.
        var verify = _f.Packster.Run("verify", "dev");
        Assert.True(verify.ExitCode == 0, verify.ToString());

        _f.Packster.Ok("uninstall", "kinds@1.0.0", "--location", "dev");
        Assert.Equal(v2.GetProperty("deployment").GetString(), Deployment());
        _f.Packster.Ok("uninstall", "kinds", "--location", "dev");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_f.LocationPath, "shims")));
        Assert.Equal(5, _f.Packster.Run("which", "expr", "--location", "dev").ExitCode);
    }
}
