using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Packster.Activation;
using Packster.Handlers;
using Packster.Locations;

namespace Packster.Deployments;

/// <summary>What <c>packster service status</c> knows of one service.</summary>
public sealed record ServiceStatus(string Package, string Name, string State, int? Pid, DateTimeOffset? Since, IReadOnlyList<int> Ports,
    IReadOnlyList<int> Listening, string Log)
{
    public const string Running = "running";
    public const string Stopped = "stopped";

    /// <summary>For a start: the service was already running, nothing was started.</summary>
    public bool WasRunning { get; init; }
}

/// <summary>
/// <c>packster service start|stop|status</c> (spec/activation.md § Services): runs the <c>[[service]]</c> processes of a
/// location's active deployments in the background, each in its own session (so a closed terminal does not end it),
/// with the location activated in its environment, its output appended to <c>logs/service-&lt;package&gt;+&lt;name&gt;.log</c>
/// and its pid, start time and run token in <c>.packster/services/&lt;package&gt;+&lt;name&gt;.json</c> — the start time tells a
/// recycled pid from the service. Start is done when every port of the service accepts connections. The service is its
/// whole process group: it runs while a process of the group does, and stopping it ends every one.
/// </summary>
public sealed class ServiceManager(Location location, IReadOnlyDictionary<string, string> baseEnvironment)
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>util-linux's setsid: the service leads its own session and process group (absent on macOS: then it is one process).</summary>
    private static readonly string[] SetsidPaths = ["/usr/bin/setsid", "/bin/setsid"];

    /// <summary>
    /// In the service's environment, so every process of it that keeps its environment carries it: the random token of
    /// this start, also in its record. Once the process packster started has exited, a process of its group that carries
    /// the token proves the group is still the service's and not a later one that reuses its id.
    /// </summary>
    private const string RunVariable = "PACKSTER_SERVICE_RUN";

    private static readonly byte[] RunVariablePrefix = Encoding.ASCII.GetBytes(RunVariable + "=");

    /// <summary>Starts the service's process with positional parameters only: no value of the user ever becomes shell text.</summary>
    private const string Launcher = "exec \"$0\" \"$@\" >>\"$PACKSTER_SERVICE_LOG\" 2>&1 </dev/null";

    private string StateDirectory => StateDirectoryOf(location);

    /// <summary>Where the records of a location's running services are: <c>.packster/services/</c>.</summary>
    private static string StateDirectoryOf(Location location) => Path.Combine(location.InternalDirectory, "services");

    /// <summary>
    /// Between a package id and a service name in the names of records and logs: neither can hold a <c>+</c> (an id is
    /// <c>a-z 0-9 . _ -</c>, a service name <c>a-z 0-9 -</c>), so <c>app/x-web</c> and <c>app-x/web</c> never share one.
    /// </summary>
    private const char Separator = '+';

    private string StateFile(string package, string name) => StateFileOf(location, package, name);

    private static string StateFileOf(Location location, string package, string name) => Path.Combine(StateDirectoryOf(location), $"{package}{Separator}{name}.json");

    public string LogFile(string package, string name) => LogFileOf(location, package, name);

    private static string LogFileOf(Location location, string package, string name) => Path.Combine(location.LogsDirectory, $"service-{package}{Separator}{name}.log");

    /// <summary>
    /// Renames the records (and logs) an earlier packster named <c>&lt;package&gt;-&lt;name&gt;</c>, where <c>app/x-web</c>
    /// and <c>app-x/web</c> shared one, to <c>&lt;package&gt;+&lt;name&gt;</c>, so a service it started is still found and
    /// stopped. Whose a record is comes from the deployment it names; a record of no deployment the location has is
    /// another's only when one package id of the location begins its name. A record that cannot be told is left as it is.
    /// </summary>
    private static void RenameOlderRecords(Location location)
    {
        var directory = StateDirectoryOf(location);
        if (!Directory.Exists(directory)) return;
        var older = Directory.EnumerateFiles(directory, "*.json").Where(f => !Path.GetFileName(f).Contains(Separator, StringComparison.Ordinal)).ToList();
        if (older.Count == 0) return;
        var deployments = location.ReadState().Deployments;
        var ids = deployments.Select(d => d.Id.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var file in older)
        {
            var stem = Path.GetFileNameWithoutExtension(file);
            var byDeployment = Read(file)?.Deployment is { } hex ? deployments.FirstOrDefault(d => d.Hash.Hex == hex)?.Id.Value : null;
            List<string> candidates = byDeployment is not null ? [byDeployment] : ids.Where(id => stem.Length > id.Length + 1 && stem.StartsWith(id + "-", StringComparison.Ordinal)).ToList();
            if (candidates is not [var package] || !stem.StartsWith(package + "-", StringComparison.Ordinal) || stem.Length == package.Length + 1) continue;
            var name = stem[(package.Length + 1)..];
            try
            {
                File.Move(file, StateFileOf(location, package, name), overwrite: false);
                // The running service keeps appending to the log it opened, under whatever name it has now.
                var log = Path.Combine(location.LogsDirectory, $"service-{stem}.log");
                if (File.Exists(log) && !File.Exists(LogFileOf(location, package, name))) File.Move(log, LogFileOf(location, package, name));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another packster renamed it meanwhile, or one of the new name exists already: the older one stays.
            }
        }
    }

    private bool _renamed;

    /// <summary>The folder of <paramref name="location"/>'s service records once <see cref="RenameOlderRecords"/> ran; null when there is none.</summary>
    private static string? SettledRecords(Location location)
    {
        RenameOlderRecords(location);
        var directory = StateDirectoryOf(location);
        return Directory.Exists(directory) ? directory : null;
    }

    /// <summary><see cref="RenameOlderRecords"/>, once per manager, before a record is looked at.</summary>
    private void Settle()
    {
        if (_renamed) return;
        RenameOlderRecords(location);
        _renamed = true;
    }

    /// <summary>Every service of the active deployments, by package id then name.</summary>
    public IReadOnlyList<(DeployedPackage Package, ServiceDefinition Service)> All()
    {
        Settle();
        var state = location.ReadState();
        return [.. state.ActiveDeployments.Select(d => DeployedPackage.Load(location, d))
            .SelectMany(p => p.Resources.Services.Select(s => (p, s)))
            .OrderBy(x => x.p.Entry.Id.Value, StringComparer.Ordinal).ThenBy(x => x.s.Name, StringComparer.Ordinal)];
    }

    /// <summary><paramref name="selector"/> is <c>name</c> or <c>package/name</c>; PST5020 when no active deployment, or several, declare it.</summary>
    public (DeployedPackage Package, ServiceDefinition Service) Find(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var all = All();
        var slash = selector.IndexOf('/', StringComparison.Ordinal);
        var matches = all.Where(x => slash < 0 ? x.Service.Name == selector
            : x.Package.Entry.Id.Value == selector[..slash] && x.Service.Name == selector[(slash + 1)..]).ToList();
        var known = all.Count == 0 ? "none" : string.Join(", ", all.Select(x => $"{x.Package.Entry.Id}/{x.Service.Name}"));
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new PacksterException(ErrorCode.ServiceNotFound, $"no active deployment in location {location.Id} declares service '{selector}' (services: {known})",
                "a service runs from the active deployment of its package ([[service]] in its manifest)"),
            _ => throw new PacksterException(ErrorCode.ServiceNotFound, $"service '{selector}' is declared by several packages in location {location.Id}: {known}",
                "name it as <package>/<service>"),
        };
    }

    public IReadOnlyList<ServiceStatus> Status() => [.. All().Select(StatusOf)];

    public ServiceStatus StatusOf((DeployedPackage Package, ServiceDefinition Service) found) => StatusOf(found.Package, found.Service);

    public ServiceStatus StatusOf(DeployedPackage package, ServiceDefinition service)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(service);
        Settle();
        var id = package.Entry.Id.Value;
        var running = Running(id, service.Name);
        // A process started from another deployment (one made inactive by 'use' since) listens on that deployment's ports.
        var ports = running?.Deployment is { } hex && hex != package.Entry.Hash.Hex && PortsOf(hex, service.Name) is { } started ? started : service.Ports;
        return new ServiceStatus(id, service.Name, running is null ? ServiceStatus.Stopped : ServiceStatus.Running, running?.Pid, running?.Since,
            ports, running is null ? [] : [.. ports.Where(Listening)], LogFile(id, service.Name));
    }

    /// <summary>The ports service <paramref name="name"/> of the deployment <paramref name="hex"/> declares; null when that deployment or its service is gone.</summary>
    private IReadOnlyList<int>? PortsOf(string hex, string name)
    {
        if (location.ReadState().Deployments.FirstOrDefault(d => d.Hash.Hex == hex) is not { } entry) return null;
        try
        {
            return DeployedPackage.Load(location, entry).Resources.Services.FirstOrDefault(s => s.Name == name)?.Ports;
        }
        catch (PacksterException)
        {
            return null;
        }
    }

    /// <summary>
    /// Starts the service unless it runs, then waits up to <paramref name="timeout"/> for every port of it to accept
    /// connections. Exiting first is PST7013 with the end of its log; not listening in time is PST7014, and it is stopped.
    /// </summary>
    public ServiceStatus Start(string selector, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var (package, service) = Find(selector);
        return Launch(package, service, timeout, cancellationToken);
    }

    /// <summary>
    /// Starts service <paramref name="name"/> of <paramref name="package"/>, active or not, as <see cref="Start"/> does: for
    /// putting back a service that an uninstall stopped and then failed.
    /// </summary>
    public ServiceStatus StartFrom(DeployedPackage package, string name, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(package);
        var service = package.Resources.Services.FirstOrDefault(s => s.Name == name)
            ?? throw new PacksterException(ErrorCode.ServiceNotFound, $"{package.Entry.Id} {package.Entry.Version} declares no service '{name}'");
        return Launch(package, service, timeout, CancellationToken.None);
    }

    private ServiceStatus Launch(DeployedPackage package, ServiceDefinition service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PacksterException(ErrorCode.ServiceFailed, "packster service runs services on Linux and macOS in this version", "start the program from its shim instead");
        }
        Settle();
        var id = package.Entry.Id.Value;
        if (Running(id, service.Name) is not null) return StatusOf(package, service) with { WasRunning = true };
        // The resource guard keeps deployments off each other's ports, not other programs. A port that accepts before
        // the service runs would make a service that fails to bind it look started.
        if (service.Ports.Where(Listening).ToList() is [_, ..] taken)
        {
            throw new PacksterException(ErrorCode.ServicePortTaken,
                $"service {id}/{service.Name} was not started: port {string.Join(", ", taken)} already accepts connections on 127.0.0.1, so another process holds it",
                $"stop the program that listens on port {taken[0]}, or install {id} with another port");
        }

        Directory.CreateDirectory(location.LogsDirectory);
        Directory.CreateDirectory(StateDirectory);
        var log = LogFile(id, service.Name);
        var setsid = SetsidPaths.FirstOrDefault(File.Exists);
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = package.Path };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Launcher);
        if (setsid is not null) psi.ArgumentList.Add(setsid);
        psi.ArgumentList.Add(service.Exec);
        foreach (var arg in service.Args) psi.ArgumentList.Add(arg);
        psi.Environment.Clear();
        var environment = baseEnvironment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);
        ActivationEnvironment.Activate(environment, LocationActivation.Spec(location, location.ReadState()));
        foreach (var (key, value) in environment)
        {
            if (value is not null) psi.Environment[key] = value;
        }
        psi.Environment["PACKSTER_SERVICE_LOG"] = log;
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        psi.Environment[RunVariable] = token;

        // Until it is up or stopped, an interrupt must not end packster with the half-started service left behind.
        using var starting = UnfinishedWork.Begin();
        cancellationToken.ThrowIfCancellationRequested();
        Process? launched;
        try
        {
            launched = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception e) when (EnvironmentTooLarge.Is(e))
        {
            // The activated environment is larger than the system passes to a program: as for `packster shell`.
            throw EnvironmentTooLarge.InActivatedLocation($"service {id}/{service.Name}", location.Id.ToString(), psi.Environment);
        }
        using var process = launched ?? throw new PacksterException(ErrorCode.ServiceFailed, $"service {id}/{service.Name} could not be started");
        if (StartTime(process) is { } since)
        {
            var record = new JsonObject
            {
                ["pid"] = process.Id,
                ["started"] = since.Ticks,
                ["group"] = setsid is not null,
                ["deployment"] = package.Entry.Hash.Hex,
                ["token"] = token,
            };
            AtomicFile.Write(StateFile(id, service.Name), Encoding.UTF8.GetBytes(record.ToJsonString() + "\n"));
        }
        PausePoint.Hit("service.started");

        // A start that fails kills what it began, its whole group, and forgets it.
        void Abandon()
        {
            Signal(process.Id, setsid is not null, SigKill);
            process.WaitForExit();
            if (setsid is not null && LibC.CanSignalGroups) AwaitKilled(process.Id);
            File.Delete(StateFile(id, service.Name));
        }

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                var code = process.ExitCode;
                File.Delete(StateFile(id, service.Name));
                // Another process took a port between the check above and the service's own bind.
                var held = service.Ports.Where(Listening).ToList();
                var why = held.Count == 0 ? "before its ports accepted connections"
                    : $"while port {string.Join(", ", held)} accepted connections, so another process holds it";
                throw new PacksterException(ErrorCode.ServiceFailed, $"service {id}/{service.Name} exited (status {code}) {why}{Tail(log)}", $"its output is in {log}");
            }
            // The ports accept: started, unless the service exited meanwhile and the listener is someone else.
            if (service.Ports.All(Listening) && !process.HasExited)
            {
                // Or unless, while it runs, what listens is another program that took a port between the check above
                // and the service's own bind, which then cannot bind it (on Linux, where the listener's owner can be told).
                if (PortListeners.HeldByOthers(service.Ports, process.Id) is not [_, ..] others) return StatusOf(package, service);
                Abandon();
                throw new PacksterException(ErrorCode.ServicePortTaken,
                    $"service {id}/{service.Name} was stopped: another process listens on port {string.Join(", ", others)}, which it took after packster found it free and before the service bound it{Tail(log)}",
                    $"stop the program that listens on port {others[0]}, or install {id} with another port");
            }
            if (cancellationToken.IsCancellationRequested)
            {
                // SIGINT or SIGTERM: what was begun is undone, and the error is the interrupt's, not a timeout (PST0002).
                Abandon();
                throw new OperationCanceledException($"service {id}/{service.Name} was stopped before it accepted connections", cancellationToken);
            }
            if (deadline.Elapsed > timeout)
            {
                Abandon();
                throw new PacksterException(ErrorCode.ServiceUnhealthy,
                    $"service {id}/{service.Name} did not accept connections on port {string.Join(", ", service.Ports.Where(p => !Listening(p)))} within {TimeSpanText.Format(timeout)}; it was stopped{Tail(log)}",
                    $"give it longer with --timeout, or read {log}");
            }
            cancellationToken.WaitHandle.WaitOne(50);
        }
    }

    /// <summary>Stops a running service: SIGTERM to its process group, SIGKILL to what is left of it after <paramref name="timeout"/>. Null when it was not running.</summary>
    public ServiceStatus? Stop(string selector, TimeSpan timeout)
    {
        (DeployedPackage Package, ServiceDefinition Service) found;
        try
        {
            found = Find(selector);
        }
        catch (PacksterException e) when (e.Code == ErrorCode.ServiceNotFound && StopOrphan(selector, timeout) is { } orphan)
        {
            // Started from a deployment that is no longer the active one (after `use`): still stopped by name.
            return orphan;
        }
        var (package, service) = found;
        var id = package.Entry.Id.Value;
        if (Running(id, service.Name) is not { } running)
        {
            File.Delete(StateFile(id, service.Name));
            return null;
        }
        End(running, timeout);
        File.Delete(StateFile(id, service.Name));
        return StatusOf(package, service);
    }

    /// <summary>A running service whose state file <paramref name="selector"/> names, though no active deployment declares it.</summary>
    private ServiceStatus? StopOrphan(string selector, TimeSpan timeout)
    {
        Settle();
        if (!Directory.Exists(StateDirectory)) return null;
        // Neither part can hold the separator, so a selector that does names no record at all.
        if (selector.Contains(Separator, StringComparison.Ordinal) || selector.Contains('*', StringComparison.Ordinal) || selector.Contains('?', StringComparison.Ordinal)) return null;
        var slash = selector.IndexOf('/', StringComparison.Ordinal);
        var pattern = slash >= 0 ? $"{selector[..slash]}{Separator}{selector[(slash + 1)..]}.json" : $"*{Separator}{selector}.json";
        foreach (var file in Directory.EnumerateFiles(StateDirectory, pattern))
        {
            if (Read(file) is not { } running || !Alive(running)) continue;
            End(running, timeout);
            File.Delete(file);
            var stem = Path.GetFileNameWithoutExtension(file);
            var (package, name) = (stem[..stem.IndexOf(Separator, StringComparison.Ordinal)], stem[(stem.IndexOf(Separator, StringComparison.Ordinal) + 1)..]);
            return new ServiceStatus(package, name, ServiceStatus.Stopped, null, null, [], [], LogFile(package, name));
        }
        return null;
    }

    /// <summary>
    /// The names of <paramref name="active"/>'s package's services that run, started from another of its deployments
    /// (one 'use' has since made inactive: spec/activation.md § Services keeps them running until stopped).
    /// </summary>
    public static IReadOnlyList<string> RunningFromOthers(Location location, DeploymentEntry active)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(active);
        if (SettledRecords(location) is not { } directory) return [];
        var prefix = active.Id.Value + Separator;
        return [.. Directory.EnumerateFiles(directory, $"{prefix}*.json")
            .Select(file => (File: file, Running: Read(file)))
            .Where(c => c.Running is { Deployment: { } hex } running && hex != active.Hash.Hex && Alive(running))
            .Select(c => Path.GetFileNameWithoutExtension(c.File)[prefix.Length..])
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Stops every running service started from <paramref name="deployment"/>: before it is uninstalled, so no service
    /// outlives the files it runs from. Returns the names of those stopped, for starting them again should the uninstall fail.
    /// </summary>
    public static IReadOnlyList<string> StopServicesOf(Location location, DeploymentEntry deployment, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(deployment);
        if (SettledRecords(location) is not { } directory) return [];
        var stopped = new List<string>();
        var prefix = deployment.Id.Value + Separator;
        foreach (var file in Directory.EnumerateFiles(directory, $"{prefix}*.json"))
        {
            if (Read(file) is not { } running || running.Deployment != deployment.Hash.Hex) continue;
            if (Alive(running))
            {
                End(running, timeout);
                stopped.Add(Path.GetFileNameWithoutExtension(file)[prefix.Length..]);
            }
            File.Delete(file);
        }
        return stopped;
    }

    /// <summary>
    /// After a rollback changed which deployments of <paramref name="packages"/> are active: stops each running service
    /// of those packages that no active deployment of its package declares — nothing would show it (<c>status</c> lists
    /// the services of active deployments) and the guard no longer holds its ports for it. One the package's active
    /// deployment declares keeps running, as after <c>use</c> (spec/activation.md § Services). Returns those stopped, as
    /// <c>package/name</c>.
    /// </summary>
    public static IReadOnlyList<string> StopServicesNoLongerDeclared(Location location, IEnumerable<Model.PackageId> packages, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(packages);
        if (SettledRecords(location) is not { } directory) return [];
        var state = location.ReadState();
        var stopped = new List<string>();
        foreach (var package in packages.Distinct())
        {
            var prefix = package.Value + Separator;
            var declared = state.ActiveDeployments.FirstOrDefault(d => d.Id == package) is { } active ? Declared(location, active) : [];
            foreach (var file in Directory.EnumerateFiles(directory, $"{prefix}*.json"))
            {
                var name = Path.GetFileNameWithoutExtension(file)[prefix.Length..];
                if (declared.Contains(name) || Read(file) is not { } running || !Alive(running)) continue;
                End(running, timeout);
                File.Delete(file);
                stopped.Add($"{package}/{name}");
            }
        }
        return stopped;
    }

    /// <summary>The names of <paramref name="deployment"/>'s services; none when its record cannot be read (then <c>status</c> cannot show them either).</summary>
    private static HashSet<string> Declared(Location location, DeploymentEntry deployment)
    {
        try
        {
            return DeployedPackage.Load(location, deployment).Resources.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (PacksterException)
        {
            return [];
        }
    }

    /// <summary>
    /// SIGTERM to the service's process group, up to <paramref name="timeout"/> for every process of it to end, then
    /// SIGKILL to the group; returns once no process of it is left, a zombie not yet reaped included. Called once
    /// <see cref="Alive"/> proved the group the service's: while a process of it is left, the system gives its id to no
    /// other process or group, so each later signal still reaches the service's own. Without a group of its own (no
    /// <c>setsid</c>: macOS), the service is the process started, and that is what is signalled and waited for.
    /// </summary>
    private static void End(RunningProcess running, TimeSpan timeout)
    {
        if (!running.Group || !LibC.CanSignalGroups)
        {
            Signal(running.Pid, running.Group, SigTerm);
            var waited = Stopwatch.StartNew();
            while (StartedProcessAlive(running) && waited.Elapsed < timeout) Thread.Sleep(50);
            if (StartedProcessAlive(running)) Signal(running.Pid, running.Group, SigKill);
            while (StartedProcessAlive(running)) Thread.Sleep(20);
            return;
        }
        LibC.KillGroup(running.Pid, SigTerm);
        var deadline = Stopwatch.StartNew();
        while (GroupLeft(running.Pid) && deadline.Elapsed < timeout) Thread.Sleep(50);
        if (GroupLeft(running.Pid)) LibC.KillGroup(running.Pid, SigKill);
        AwaitKilled(running.Pid);
    }

    /// <summary>
    /// Waits, after SIGKILL to <paramref name="group"/>, until no process of it is left. SIGKILL cannot be ignored: what
    /// is left is zombies, and a reaper that never reaps (an init of a container that does not) would keep them forever.
    /// They are waited for <see cref="ZombieGrace"/>, not forever; a live process, always.
    /// </summary>
    private static void AwaitKilled(int group)
    {
        var reaping = Stopwatch.StartNew();
        while (GroupLeft(group) && (reaping.Elapsed < ZombieGrace || GroupHasLiveProcess(group))) Thread.Sleep(20);
    }

    private static bool GroupHasLiveProcess(int group) => !LibC.CanReap || ProcessTable.Read().Any(e => e.Group == group && !e.IsZombie);

    /// <summary>How long <see cref="AwaitKilled"/> waits for the zombies of a killed group to be reaped by their parent.</summary>
    private static readonly TimeSpan ZombieGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether a process of <paramref name="group"/> is left, alive or a zombie its parent has not reaped yet
    /// (<c>kill(-group, 0)</c> finds both): a zombie still holds its pid, and a caller told the service is stopped may
    /// look for it. Linux: first reaps the group's zombies that are packster's own children — orphans of the service
    /// given to packster as the child subreaper it becomes once it ran a handler, which nobody else would reap. Not the
    /// process packster started (its pid is the group's): that one is .NET's child, and .NET reaps it.
    /// </summary>
    private static bool GroupLeft(int group)
    {
        if (!LibC.GroupExists(group)) return false;
        if (!LibC.CanReap) return true;
        foreach (var entry in ProcessTable.Read())
        {
            if (entry.Group == group && entry.IsZombie && entry.Parent == Environment.ProcessId && entry.Pid != group) LibC.TryReap(entry.Pid);
        }
        return LibC.GroupExists(group);
    }

    /// <param name="Token">The run token of <see cref="RunVariable"/>; null in a record of an earlier packster.</param>
    private sealed record RunningProcess(int Pid, DateTimeOffset Since, bool Group, string? Deployment, string? Token);

    /// <summary>The recorded service when it still runs (<see cref="Alive"/>: its group, proven its own), else null.</summary>
    private RunningProcess? Running(string package, string name)
    {
        var running = Read(StateFile(package, name));
        return running is not null && Alive(running) ? running : null;
    }

    private static RunningProcess? Read(string file)
    {
        if (!File.Exists(file)) return null;
        try
        {
            var record = StrictJson.Parse(File.ReadAllText(file))!.AsObject();
            return new RunningProcess(record["pid"]!.GetValue<int>(), new DateTimeOffset(record["started"]!.GetValue<long>(), TimeSpan.Zero),
                record["group"]?.GetValue<bool>() ?? false, record["deployment"]?.GetValue<string>(), record["token"]?.GetValue<string>());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return null;
        }
    }

    /// <summary>When the process started; null when it has already exited (and been reaped).</summary>
    private static DateTimeOffset? StartTime(Process process)
    {
        try
        {
            return process.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the service runs: a process of its group does. Only a group proven the service's counts, since the system
    /// may give the recorded pid, and so the group id, to another process once every process of the group is gone: the
    /// process packster started still runs (same pid, same start time: it leads the group), or — that one exited — a live
    /// process of the group carries the token of this start (Linux). A group none of whose processes can be proven the
    /// service's (each cleared its environment, or the record is an earlier packster's) is not signalled.
    /// </summary>
    private static bool Alive(RunningProcess running) => StartedProcessAlive(running) || GroupCarriesToken(running);

    /// <summary>Whether a live process of the recorded group carries the record's run token in its environment.</summary>
    private static bool GroupCarriesToken(RunningProcess running)
    {
        if (!running.Group || running.Token is not { } token || !HandlerRunProcesses.IsToken(token) || !LibC.GroupExists(running.Pid)) return false;
        var word = Encoding.ASCII.GetBytes(token);
        return ProcessTable.Read().Any(e => e.Group == running.Pid && !e.IsZombie && ProcessTable.EnvironmentHolds(e.Pid, RunVariablePrefix, word));
    }

    /// <summary>Whether the process packster started runs: that pid with the recorded start time (not a recycled pid).</summary>
    private static bool StartedProcessAlive(RunningProcess running)
    {
        try
        {
            using var process = Process.GetProcessById(running.Pid);
            // A pid the system gave to another process since: a different start time.
            return !process.HasExited && Math.Abs((process.StartTime.ToUniversalTime() - running.Since).TotalSeconds) < 1;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return false;
        }
    }

    private static void Signal(int pid, bool group, int signal)
    {
        if (group && LibC.KillGroup(pid, signal)) return;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (signal == SigKill) process.Kill(entireProcessTree: true);
            else process.Kill(entireProcessTree: false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
        }
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync("127.0.0.1", port).Wait(TimeSpan.FromMilliseconds(200)) && client.Connected;
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    }

    /// <summary>": &lt;the last lines of the log&gt;" for a message, or "" when it is empty.</summary>
    private static string Tail(string log)
    {
        if (!File.Exists(log)) return "";
        var lines = File.ReadAllLines(log).TakeLast(5).ToList();
        return lines.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; the end of its log:\n  {string.Join("\n  ", lines)}");
    }
}
