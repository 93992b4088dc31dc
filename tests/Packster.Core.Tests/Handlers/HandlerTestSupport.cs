using System.Text;
using System.Text.Json;
using Packster.Handlers;
using Packster.Model;
using Packster.Testing;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Core.Tests.Handlers;

/// <summary>Runs only where <paramref name="program"/> is on PATH; otherwise skipped with <paramref name="reason"/>.</summary>
public sealed class RequiresProgramFactAttribute : FactAttribute
{
    public RequiresProgramFactAttribute(string program, string reason)
    {
        if (ExecutableSearch.ForCurrentProcess().Find(program) is null) Skip = reason;
    }
}

/// <summary>Runs on Linux and macOS (POSIX shells, execute bits, /proc or kill -0).</summary>
public sealed class PosixFactAttribute : FactAttribute
{
    public PosixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "POSIX shells, execute bits and process groups do not exist on Windows";
    }
}

/// <summary>Runs on Linux only (process liveness read from /proc).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "process liveness is read from /proc, which only Linux has";
    }
}

/// <summary>Runs on Windows only.</summary>
public sealed class WindowsFactAttribute : FactAttribute
{
    public WindowsFactAttribute(string reason)
    {
        if (!OperatingSystem.IsWindows()) Skip = reason;
    }
}

/// <summary>A fact about what only Linux has; skipped elsewhere with <c>reason</c>.</summary>
public sealed class LinuxOnlyFactAttribute : FactAttribute
{
    public LinuxOnlyFactAttribute(string reason)
    {
        if (!OperatingSystem.IsLinux()) Skip = reason;
    }
}

/// <summary>
/// A package folder, a location and a console sink in a temp directory, plus the plumbing the installer would do:
/// plan → environment → run.
/// </summary>
internal sealed class HandlerHarness : IDisposable
{
    private readonly TempDirectory _temp = new("packster-handlers");

    public HandlerHarness()
    {
        Directory.CreateDirectory(Package);
        Directory.CreateDirectory(Location);
    }

    public string Package => _temp["deploy/hello"];
    public string Location => _temp["location"];
    public string LogPath => _temp["location/logs/0123abcd-install.log"];
    public string ParametersFile => _temp["location/tmp/0123abcd-parameters.json"];
    public SynchronizedStringWriter Output { get; } = new();

    public string Temp(string relative) => _temp[relative];

    /// <summary>Writes a handler script into the package (LF line endings), optionally executable.</summary>
    public string Script(string relative, string content, bool executable = false)
    {
        var path = Path.Combine(Package, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"), new UTF8Encoding(false));
        if (executable && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        return path;
    }

    public string Read(string relative) => File.ReadAllText(Path.Combine(Package, relative), Encoding.UTF8);

    public HandlerContext Context(HandlerAction action, string parametersJson = "{}", PackageVersion? previousVersion = null, string? previousPath = null) =>
        new(action, PackageId.Parse("hello"), PackageVersion.Parse("1.0.0"), Package, Location,
            JsonDocument.Parse(parametersJson).RootElement.Clone(), previousVersion, previousPath);

    public async Task<IReadOnlyList<HandlerResult>> RunAsync(
        IReadOnlyDictionary<HandlerAction, HandlerSpec> handlers,
        HandlerAction action,
        string parametersJson = "{}",
        TextWriter? sink = null,
        HandlerContext? context = null,
        CancellationToken cancellationToken = default)
    {
        var plan = ExecutorResolver.ForCurrentProcess().Plan(handlers, action, Package);
        context ??= Context(action, parametersJson);
        var environment = HandlerEnvironment.Build(context, ParametersFile);
        return await new HandlerRunner(sink ?? Output).RunPlanAsync(plan, context, environment, LogPath, cancellationToken);
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>A StringWriter safe to write from the runner's two output pumps.</summary>
internal sealed class SynchronizedStringWriter(Action<string>? onLine = null) : StringWriter
{
    private readonly object _gate = new();

    public override void WriteLine(string? value)
    {
        lock (_gate) base.WriteLine(value);
        onLine?.Invoke(value ?? "");
    }

    public override string ToString()
    {
        lock (_gate) return base.ToString();
    }
}

/// <summary>Whether a process still runs, read from /proc: a zombie (killed, not yet reaped) does not run.</summary>
internal static class ProcessProbe
{
    public static bool IsRunning(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
        // Format: "pid (comm) S ...": the state follows the last ')', which survives odd command names.
        var state = stat[stat.LastIndexOf(')') + 2];
        return state is not ('Z' or 'X');
    }

    public static int ReadPid(string path) => int.Parse(File.ReadAllText(path).Trim(), System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A process a handler starts that makes a session and process group of its own (<c>setsid</c>): one that escapes both.</summary>
internal static class Escapee
{
    /// <summary>
    /// Shell lines that start, in the background, a process that makes a session of its own and records its pid in
    /// <paramref name="pidFile"/>, then wait (bounded) until the file is written. With <paramref name="closeOutput"/> it
    /// lets go of the handler's output; with <paramref name="orphanAtOnce"/> its parent exits at once, so it is an
    /// orphan even while the handler runs.
    /// </summary>
    public static string Script(string pidFile, bool closeOutput, bool orphanAtOnce = false)
    {
        var redirect = closeOutput ? " >/dev/null 2>&1 </dev/null" : "";
        var start = $"setsid sh -c 'echo $$ > {pidFile}.new && mv {pidFile}.new {pidFile}; exec sleep 300'{redirect} &";
        return $$"""
            {{(orphanAtOnce ? $"({start})" : start)}}
            n=0
            while [ ! -s {{pidFile}} ]; do n=$((n+1)); [ $n -lt 2000 ] || exit 9; sleep 0.01; done

            """;
    }

    /// <summary>Whether this process has <paramref name="pid"/> as a zombie child nobody reaped.</summary>
    public static bool IsOurZombie(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields[0] == "Z" && fields[1] == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static void AssertGone(int pid, string what)
    {
        Assert.False(ProcessProbe.IsRunning(pid), $"{what} {pid} is still running");
        Assert.False(IsOurZombie(pid), $"{what} {pid} was killed but left as an unreaped zombie of this process");
    }

    /// <summary>For a test's clean-up: kills <paramref name="pid"/> if it is still a running sleep.</summary>
    public static void KillIfSleeping(int pid)
    {
        try
        {
            if (ProcessProbe.IsRunning(pid) && File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep") System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }
}
