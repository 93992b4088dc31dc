using System.Diagnostics;
using System.Text.Json;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Handlers;

/// <summary>
/// A temp home with location <c>dev</c> (<see cref="LocationFixture"/>) plus helpers to write package sources with
/// handler scripts, and to check what a handler left behind: files, processes, the location's state.
/// </summary>
public sealed class HandlerWorld : IDisposable
{
    private static readonly UnixFileMode Executable = (UnixFileMode)0b111_101_101;

    public LocationFixture F { get; } = new();
    public PacksterProcess Packster => F.Packster;
    public string Root => F.Temp.Path;

    /// <summary>Where handlers leave evidence that must survive a rollback: next to the location (<c>$PACKSTER_LOCATION_PATH/..</c>).</summary>
    public string Evidence(string name) => Path.Combine(Root, name);

    /// <summary>Writes a package source folder; scripts (anything under scripts/) get execute bits.</summary>
    public string Source(string folder, string manifest, params (string Path, string Content)[] files)
    {
        var dir = Path.Combine(Root, "src", folder);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), manifest);
        foreach (var (rel, content) in files)
        {
            var path = Path.Combine(dir, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
            if (!OperatingSystem.IsWindows() && rel.StartsWith("scripts/", StringComparison.Ordinal)) File.SetUnixFileMode(path, Executable);
        }
        return dir;
    }

    public string Pack(string sourceDir) => F.Pack(sourceDir);

    /// <summary>
    /// Installs samples/hello, so the location has an active deployment with shims that a failed command must leave
    /// alone — and so its activation scripts exist: the first command on a freshly created location generates them.
    /// </summary>
    public void Seed() => InstallOk(F.PackSample("hello"));

    public ProcessResult Install(string package, params string[] args) =>
        Packster.Run(["install-file", package, "--location", "dev", .. args]);

    public JsonElement InstallOk(string package, params string[] args)
    {
        var r = Install(package, [.. args, "--json"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// The location's files and bytes, without <c>logs/</c>: a failed handler's log is the one thing a rollback
    /// keeps on purpose (spec/handlers.md §Rollback contract, §Logs).
    /// </summary>
    public IReadOnlyDictionary<string, string> Snapshot() =>
        F.Snapshot().Where(e => !e.Key.StartsWith("logs" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToDictionary(e => e.Key, e => e.Value);

    public string StagingDirectory => Path.Combine(F.LocationPath, ".packster", "staging");

    /// <summary>The pids a handler wrote, one per line.</summary>
    public IReadOnlyList<int> Pids(string file) =>
        File.ReadAllLines(Evidence(file)).Where(l => l.Length > 0).Select(int.Parse).ToList();

    /// <summary>True while the process exists and is not a zombie (a zombie has exited; only its parent's wait is missing).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var state = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("State:", StringComparison.Ordinal));
            return !state.Contains("Z (zombie)", StringComparison.Ordinal) && !state.Contains("X (dead)", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A program on this process's PATH, as the handlers will search it.</summary>
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    /// <summary>Polls for a file a handler writes when it has started: waiting for an event, bounded so a broken run fails.</summary>
    public static void WaitForFile(string path, Process process, TimeSpan deadline)
    {
        var watch = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (process.HasExited) Assert.Fail($"packster exited ({process.ExitCode}) before {path} appeared");
            Assert.True(watch.Elapsed < deadline, $"{path} did not appear within {deadline}");
            Thread.Sleep(20);
        }
    }

    public void Dispose() => F.Dispose();
}

/// <summary>A fact that needs <c>pwsh</c> on PATH (PRODUCT.md: .ps1 handler tests skip with a reason when it is absent).</summary>
public sealed class PwshFactAttribute : FactAttribute
{
    public PwshFactAttribute()
    {
        if (!HandlerWorld.OnPath("pwsh")) Skip = "pwsh is not installed";
    }
}

/// <summary>A theory that needs <c>pwsh</c> on PATH (skipped with the reason when it is absent).</summary>
public sealed class PwshTheoryAttribute : TheoryAttribute
{
    public PwshTheoryAttribute()
    {
        if (!HandlerWorld.OnPath("pwsh")) Skip = "pwsh is not installed";
    }
}
