using System.Diagnostics;
using System.Text;

namespace Packster.Core.Tests.Activation;

/// <summary>Runs real shells with a controlled environment (no rc files) for the activation tests.</summary>
internal static class Shells
{
    public const string BasePath = "/usr/local/bin:/usr/bin:/bin";

    public static string? Find(string name)
    {
        if (OperatingSystem.IsWindows()) return null;
        foreach (var dir in BasePath.Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The reason a test in <paramref name="shell"/> cannot run here, or null.</summary>
    public static string? SkipReason(string shell) =>
        OperatingSystem.IsWindows() ? "POSIX shells are not available on Windows"
        : Find(shell) is null ? $"{shell} not installed" + (shell is "zsh" or "fish" ? " (.ci/install-shells.sh installs it)" : "") : null;

    public static string[] ArgsFor(string shell, string scriptFile) => shell switch
    {
        "bash" => ["--norc", "--noprofile", scriptFile],
        "zsh" => ["-f", scriptFile],
        "fish" => ["--no-config", scriptFile],
        "pwsh" => ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", scriptFile],
        _ => [scriptFile],
    };

    public static Result RunScript(string shell, string scriptText, string workDir, IDictionary<string, string?>? env = null, byte[]? stdin = null)
    {
        var file = Path.Combine(workDir, "test-" + Guid.NewGuid().ToString("N")[..8] + (shell == "pwsh" ? ".ps1" : "." + shell));
        File.WriteAllText(file, scriptText);
        return Run(Find(shell)!, ArgsFor(shell, file), workDir, env, stdin);
    }

    public static Result Run(string program, IEnumerable<string> args, string workDir, IDictionary<string, string?>? env = null, byte[]? stdin = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = BasePath;
        psi.Environment["HOME"] = workDir;
        psi.Environment["LANG"] = "C.UTF-8";
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        using var process = Process.Start(psi)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in 60 s");
        }
        copy.Wait();
        return new Result(process.ExitCode, stdout.ToArray(), stderr.Result, process.Id);
    }

    /// <summary>Splits NUL-terminated records (what <c>printf '%s\0'</c> and <c>env -0</c> write).</summary>
    public static List<string> NulRecords(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var parts = text.Split('\0').ToList();
        Assert.Equal("", parts[^1]);
        parts.RemoveAt(parts.Count - 1);
        return parts;
    }

    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr, int Pid)
    {
        public string Text => Encoding.UTF8.GetString(Stdout);
    }
}
