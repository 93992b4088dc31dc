using System.Diagnostics;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>The result of one real <c>packster</c> process.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Runs the built <c>packster</c> as a real child process, isolated from the user's configuration, cache and
/// locations by pointing PACKSTER_CONFIG, PACKSTER_CACHE and PACKSTER_DATA_HOME into a temp directory.
/// </summary>
public sealed class PacksterProcess
{
    private readonly Dictionary<string, string> _environment;

    /// <summary>Runs <see cref="SuiteExecutable"/>: the release binary when the run names one, else the JIT build.</summary>
    public PacksterProcess(TempDirectory home) : this(home, SuiteExecutable)
    {
    }

    /// <param name="home">where the configuration, cache and data home go.</param>
    /// <param name="executable">a native <c>packster</c> to run (the NativeAOT release binary); null runs the JIT build
    /// of this test run through <c>dotnet</c>.</param>
    public PacksterProcess(TempDirectory home, string? executable)
    {
        Home = home;
        Executable = executable;
        _environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PACKSTER_CONFIG"] = home["config.toml"],
            ["PACKSTER_CACHE"] = home["cache"],
            ["PACKSTER_DATA_HOME"] = home["data"],
            ["CI"] = "true",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
    }

    public TempDirectory Home { get; }

    public string? Executable { get; }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "packster.dll");

    /// <summary>
    /// What the suite runs as <c>packster</c>: the NativeAOT binary that <c>PACKSTER_AOT_BIN</c> names (.ci/run
    /// publishes it and sets it, so CI tests what ships and each process starts in milliseconds rather than a JIT
    /// start), else null for this test run's JIT build through <c>dotnet</c> (a plain <c>dotnet test</c>).
    /// </summary>
    public static string? SuiteExecutable { get; } =
        Environment.GetEnvironmentVariable("PACKSTER_AOT_BIN") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>The JIT build of this test run, whatever the suite runs: for tests that compare the two.</summary>
    public static PacksterProcess JitBuild(TempDirectory home) => new(home, executable: null);

    /// <summary>The command line that starts this <c>packster</c>, quoted for <c>sh</c>.</summary>
    public string ShellCommand => Executable is null ? $"dotnet '{Dll}'" : $"'{Executable}'";

    public PacksterProcess With(string name, string value)
    {
        _environment[name] = value;
        return this;
    }

    public ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? extra = null)
    {
        var psi = new ProcessStartInfo(Executable ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Home.Path,
        };
        if (Executable is null) psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in _environment) psi.Environment[k] = v;
        if (extra is not null)
        {
            foreach (var (k, v) in extra) psi.Environment[k] = v;
        }
        return psi;
    }

    /// <summary>
    /// As <see cref="StartInfo"/>, for a test that interrupts packster as a terminal's Ctrl-C would: packster runs in a
    /// session and process group of its own, as a shell runs a foreground job (<c>setsid</c>), with SIGINT and SIGTERM
    /// at their default disposition (<c>env --default-signal</c>, GNU coreutils 8.31 and later, where there is one).
    /// A test run started in the background of a script (a CI job) has SIGINT ignored; its children inherit that, and
    /// packster, as any program, keeps ignoring a signal it was started ignoring (found on .ci/run: packster's
    /// <c>SigIgn</c> held SIGINT, and the interrupt tests waited out their limit). Both tools exec, so the process id
    /// is packster's.
    /// </summary>
    public ProcessStartInfo InterruptibleStartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? extra = null)
    {
        var psi = StartInfo(args, extra);
        psi.ArgumentList.Insert(0, psi.FileName);
        if (EnvResetsSignals.Value)
        {
            psi.ArgumentList.Insert(0, "--default-signal=INT,TERM");
            psi.ArgumentList.Insert(0, "/usr/bin/env");
        }
        psi.ArgumentList.Insert(0, "--");
        psi.FileName = "/usr/bin/setsid";
        return psi;
    }

    /// <summary>Whether this machine's <c>env</c> has <c>--default-signal</c>.</summary>
    private static readonly Lazy<bool> EnvResetsSignals = new(() =>
    {
        if (!File.Exists("/usr/bin/env")) return false;
        using var probe = Process.Start(new ProcessStartInfo("/usr/bin/env", ["--default-signal=INT,TERM", "true"]) { RedirectStandardError = true, UseShellExecute = false })!;
        probe.StandardError.ReadToEnd();
        probe.WaitForExit();
        return probe.ExitCode == 0;
    });

    /// <summary>
    /// Runs packster, killing it when it has not finished within a minute, which fails the test: a command that opens a
    /// FIFO waits for a writer that never comes, and the test must fail then, not hang.
    /// </summary>
    public ProcessResult RunWithin(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"packster {string.Join(' ', args)} was still running after a minute (waiting on a FIFO?)");
        }
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    public ProcessResult Run(params string[] args) => Run(args, null);

    public ProcessResult Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? extra) => Run(StartInfo(args, extra), args);

    /// <summary>Runs packster with the file mode creation mask <paramref name="umask"/> (octal, as <c>sh</c>'s umask takes it), through <c>sh</c>'s exec.</summary>
    public ProcessResult RunUnderUmask(string umask, IEnumerable<string> args, IReadOnlyDictionary<string, string>? extra = null)
    {
        var psi = StartInfo(args, extra);
        psi.ArgumentList.Insert(0, psi.FileName);
        psi.ArgumentList.Insert(0, $"umask {umask} && exec \"$0\" \"$@\"");
        psi.ArgumentList.Insert(0, "-c");
        psi.FileName = "/bin/sh";
        return Run(psi, args);
    }

    private static ProcessResult Run(ProcessStartInfo psi, IEnumerable<string> args)
    {
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"packster {string.Join(' ', args)} did not finish within 3 minutes");
        }
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs every one of <paramref name="commands"/> at the same time, each its own process, and waits for them all.</summary>
    public async Task<List<ProcessResult>> RunTogether(IEnumerable<string[]> commands, IReadOnlyDictionary<string, string>? extra = null)
    {
        var processes = commands.Select(args => Process.Start(StartInfo(args, extra))!).ToList();
        try
        {
            return [.. await Task.WhenAll(processes.Select(async p =>
            {
                p.StandardInput.Close();
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
                return new ProcessResult(p.ExitCode, await stdout, await stderr);
            }))];
        }
        finally
        {
            foreach (var p in processes) p.Dispose();
        }
    }

    /// <summary>Runs and requires exit 0, returning stdout.</summary>
    public string Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.ExitCode == 0, $"packster {string.Join(' ', args)} failed: {r}");
        return r.Stdout;
    }
}
