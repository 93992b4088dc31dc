using System.Diagnostics;
using System.Text.Json;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// The release binary (scripts/publish.sh: NativeAOT, one file) does the main job exactly as the JIT build does:
/// pack, install with parameters, an install handler, list --json, activation and shims. This class runs the native
/// one that <c>PACKSTER_AOT_BIN</c> names (.ci/run publishes it and sets it; the rest of the suite then runs it too,
/// see <see cref="PacksterProcess.SuiteExecutable"/>), so a trimming or AOT break that the analyzers missed
/// (reflection, a type the trimmer dropped) fails here.
/// </summary>
public sealed class NativeBinaryTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-native");
    private readonly PacksterProcess _native;
    private readonly PacksterProcess _jit;

    public NativeBinaryTests()
    {
        _native = new PacksterProcess(_temp, NativeBinaryFactAttribute.Binary);
        _jit = PacksterProcess.JitBuild(_temp);
    }

    public void Dispose() => _temp.Dispose();

    private string Location => _temp["loc"];

    [NativeBinaryFact]
    public void The_release_binary_is_one_native_file_that_needs_no_dotnet_host()
    {
        // PRODUCT.md: "needs no install (one self-contained binary)". A framework-dependent build is an apphost that
        // loads hostfxr and a packster.dll beside it; the native binary has neither.
        var binary = NativeBinaryFactAttribute.Binary!;
        var folder = Path.GetDirectoryName(binary)!;
        Assert.False(File.Exists(Path.Combine(folder, "packster.dll")), $"packster.dll beside {binary}: not the NativeAOT layout");
        Assert.Empty(Directory.GetFiles(folder, "*.runtimeconfig.json"));
        var bytes = File.ReadAllBytes(binary);
        Assert.Equal(-1, bytes.AsSpan().IndexOf("hostfxr"u8));
        // The binary under test is this tree's: --version carries the commit it was built from.
        var (jit, native) = (_jit.Ok("--version"), _native.Ok("--version"));
        Assert.True(jit == native, $"PACKSTER_AOT_BIN is another build ({native.Trim()}) than this test run's ({jit.Trim()}): run scripts/publish.sh again");
    }

    [NativeBinaryFact]
    public void The_main_job_runs_on_the_native_binary_as_on_the_jit_build()
    {
        // The quick start's path (samples/quickstart.sh): manifest check, pack, location create, install-file with
        // parameters (JSON and -p pairs giving the same deployment), an sh install handler, list --json, activation.
        _native.Ok("manifest", "check", RepoFiles.Sample("hello"));
        var hello = PackJson(RepoFiles.Sample("hello"));
        var motd = PackJson(RepoFiles.Sample("motd"));
        Assert.Matches("^hello-1\\.0\\.0-[0-9a-f]{64}\\.packster$", Path.GetFileName(hello));

        _native.Ok("location", "create", Location, "--id", "dev");
        using (var first = JsonDocument.Parse(_native.Ok("install-file", hello, "--location", "dev", "--parameters", "{\"greeting\": \"Bonjour\", \"port\": 8081}", "--json")))
        using (var again = JsonDocument.Parse(_native.Ok("install-file", hello, "--location", "dev", "-p", "greeting=Bonjour", "-p", "port=8081", "--json")))
        {
            Assert.Equal(first.RootElement.GetProperty("deployment").GetString(), again.RootElement.GetProperty("deployment").GetString());
            Assert.Equal("unchanged", again.RootElement.GetProperty("status").GetString());
        }
        _native.Ok("install-file", motd, "--location", "dev", "-p", "message=from the native binary", "-p", "shout=true");

        var listed = _native.Ok("list", "--location", "dev", "--json");
        using (var list = JsonDocument.Parse(listed))
        {
            var ids = list.RootElement.EnumerateArray().Select(d => d.GetProperty("id").GetString()).Order(StringComparer.Ordinal);
            Assert.Equal(["hello", "motd"], ids);
            Assert.All(list.RootElement.EnumerateArray(), d => Assert.True(d.GetProperty("active").GetBoolean()));
        }
        Assert.Equal(listed, _jit.Ok("list", "--location", "dev", "--json"));

        // Activation as a user has it: `packster init bash` once, then packster-use, then the shims.
        var script = "eval \"$(\"$PACKSTER_BIN\" init bash)\"; packster-use dev; hello native; motd";
        var shell = Bash(script);
        Assert.True(shell.ExitCode == 0, shell.ToString());
        Assert.Contains("Bonjour, native", shell.Stdout, StringComparison.Ordinal);
        Assert.Contains("FROM THE NATIVE BINARY", shell.Stdout, StringComparison.Ordinal);
    }

    private string PackJson(string folder)
    {
        using var doc = JsonDocument.Parse(_native.Ok("pack", folder, "-o", _temp["dist"], "--json"));
        return doc.RootElement.GetProperty("path").GetString()!;
    }

    private ProcessResult Bash(string script)
    {
        var psi = _native.StartInfo([]);
        psi.FileName = "bash";
        psi.ArgumentList.Clear();
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.Environment["PACKSTER_BIN"] = NativeBinaryFactAttribute.Binary!;
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "bash did not finish");
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A test of the NativeAOT binary named by <c>PACKSTER_AOT_BIN</c>; skipped, saying so, when it is not set.</summary>
public sealed class NativeBinaryFactAttribute : FactAttribute
{
    public static string? Binary { get; } = Environment.GetEnvironmentVariable("PACKSTER_AOT_BIN") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    public NativeBinaryFactAttribute()
    {
        if (Binary is null) Skip = "PACKSTER_AOT_BIN is not set: scripts/publish.sh builds the NativeAOT binary, .ci/run publishes it and sets the variable";
        // A named but missing binary is not skipped: the test fails reading it.
        else if (OperatingSystem.IsWindows()) Skip = "the main job here is driven through bash";
    }
}
