using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/activation.md § Services through the real executable, with samples/web-service (Python's HTTP server on a
/// loopback port): started in the background, probed on its port, seen by status, stopped; and the ways it fails.
/// </summary>
public sealed class ServiceTests : IDisposable
{
    private readonly LocationFixture _f = new();
    private readonly int _port = FreePort();

    public void Dispose()
    {
        // Never leave a process behind, whatever a test did.
        foreach (var name in new[] { "web", "quits", "mute", "svu", "app/x-web", "app-x/web", "svc/web", "big" }) _f.Packster.Run("service", "stop", name, "--location", "dev", "--timeout", "2s");
        _f.Dispose();
    }

    /// <summary>
    /// A port free now, below Linux's ephemeral range (32768 and up): a port the kernel hands out for a bind to port 0
    /// could be given again to another test's server between this choice and the service's start, which `service start`
    /// would then rightly refuse (PST6008).
    /// </summary>
    internal static int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20000, 32768);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: another one.
            }
        }
    }

    private JsonElement Status(string name)
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("service", "status", name, "--location", "dev", "--json"));
        return doc.RootElement[0].Clone();
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_service_starts_in_the_background_serves_on_its_port_and_stops()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", _f.PackSample("web-service"), "--location", "dev", "-p", $"port={_port}");
        Assert.Equal("stopped", Status("web").GetProperty("state").GetString());

        var started = _f.Packster.Ok("service", "start", "web", "--location", "dev");
        Assert.StartsWith($"started: web-service/web pid ", started, StringComparison.Ordinal);
        var status = Status("web");
        var pid = status.GetProperty("pid").GetInt32();
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal([_port], status.GetProperty("listening").EnumerateArray().Select(p => p.GetInt32()));
        // The packster command has ended; the service goes on, with the location active in its environment.
        Assert.True(Alive(pid));
        var environ = File.ReadAllText($"/proc/{pid}/environ");
        Assert.Contains("_PACKSTER_ACTIVE=dev\0", environ, StringComparison.Ordinal);
        using (var http = new HttpClient())
        {
            var page = await http.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/"));
            Assert.Contains("served by packster", page, StringComparison.Ordinal);
        }
        Assert.StartsWith($"already running: web-service/web pid {pid}", _f.Packster.Ok("service", "start", "web", "--location", "dev"), StringComparison.Ordinal);
        Assert.Equal(pid, Status("web").GetProperty("pid").GetInt32());

        Assert.Equal("stopped service web-service/web\n", _f.Packster.Ok("service", "stop", "web", "--location", "dev"));
        Assert.False(Alive(pid));
        Assert.Equal("stopped", Status("web").GetProperty("state").GetString());
        Assert.Contains("GET / HTTP", File.ReadAllText(Path.Combine(_f.LocationPath, "logs", "service-web-service+web.log")), StringComparison.Ordinal);
        Assert.Equal("service web was not running\n", _f.Packster.Ok("service", "stop", "web", "--location", "dev"));
    }

    // spec/activation.md § Services: a service starts "with the environment of the command — less every variable a
    // configured source reads a credential from (`token-env`, `password-env`: spec/sources.md §7)". Before, a token
    // exported when `service start` ran reached the service, and so anything it logs.
    [Fact]
    public void A_service_never_gets_a_variable_a_source_reads_its_credential_from()
    {
        if (OperatingSystem.IsWindows()) return;
        const string Secret = "tok-service-never-sees-it-42";
        _f.Packster.Ok("source", "add", "corp", "--type", "artifactory", "--url", "https://art.example/artifactory", "--repo", "tools", "--token-env", "PACKSTER_ART_TOKEN");
        _f.Packster.Ok("install-file", _f.PackSample("web-service"), "--location", "dev", "-p", $"port={_port}");

        var r = _f.Packster.Run(["service", "start", "web", "--location", "dev"], new Dictionary<string, string> { ["PACKSTER_ART_TOKEN"] = Secret, ["PACKSTER_VISIBLE"] = "yes" });

        Assert.True(r.ExitCode == 0, r.ToString());
        var pid = Status("web").GetProperty("pid").GetInt32();
        var environ = File.ReadAllText($"/proc/{pid}/environ");
        Assert.DoesNotContain(Secret, environ, StringComparison.Ordinal);
        Assert.DoesNotContain("PACKSTER_ART_TOKEN=", environ, StringComparison.Ordinal);
        Assert.Contains("PACKSTER_VISIBLE=yes\0", environ, StringComparison.Ordinal);
        _f.Packster.Ok("service", "stop", "web", "--location", "dev");
    }

    private string Broken(string name, string script) => ServicePackage(_f, _port, name, script);

    /// <summary>A package <paramref name="name"/> whose one service runs <paramref name="script"/> and claims <paramref name="port"/>.</summary>
    internal static string ServicePackage(LocationFixture f, int port, string name, string script)
    {
        var dir = f.Temp[name];
        f.Temp.Write($"{name}/bin/run", script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(dir, "bin", "run"), (UnixFileMode)0b111_101_101);
        f.Temp.Write($"{name}/packster-manifest.toml",
            $"id = \"{name}\"\nversion = \"1.0.0\"\n[provides]\nports = [{port}]\n[[service]]\nname = \"{name}\"\nexec = \"bin/run\"\nports = [{port}]\n");
        return f.Pack(dir);
    }

    [Fact]
    public void A_service_that_exits_or_never_listens_fails_its_start_and_leaves_nothing_running()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", Broken("quits", "#!/bin/sh\necho 'cannot open config' >&2\nexit 3\n"), "--location", "dev");
        var quits = _f.Packster.Run("service", "start", "quits", "--location", "dev");
        Assert.Equal(7, quits.ExitCode);
        Assert.StartsWith("error[PST7013]: service quits/quits exited (status 3) before its ports accepted connections; the end of its log:\n  cannot open config", quits.Stderr, StringComparison.Ordinal);
        Assert.Equal("stopped", Status("quits").GetProperty("state").GetString());

        _f.Packster.Ok("uninstall", "quits", "--location", "dev"); // the guard holds the port for one deployment
        _f.Packster.Ok("install-file", Broken("mute", "#!/bin/sh\necho $$ > \"$PACKSTER_SERVICE_LOG.pid\"\nexec sleep 600\n"), "--location", "dev");
        var mute = _f.Packster.Run("service", "start", "mute", "--location", "dev", "--timeout", "1s");
        Assert.Equal(7, mute.ExitCode);
        Assert.StartsWith($"error[PST7014]: service mute/mute did not accept connections on port {_port} within 1s; it was stopped", mute.Stderr, StringComparison.Ordinal);
        var pid = int.Parse(File.ReadAllText(Path.Combine(_f.LocationPath, "logs", "service-mute+mute.log.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Alive(pid), "the service that never listened is still running");
    }

    // spec/activation.md § Services: "When the system refuses to start it with that environment (E2BIG: … all of them
    // together larger than the system passes to a program), `start` fails as `packster shell` does, with PST3006 and
    // nothing started". Each value fits one variable; sixty of them are more than Linux passes to a program even with
    // no stack limit (6 MiB). Before, the start ended in PST0001 with the raw "Argument list too long".
    [Fact]
    public void A_service_the_activated_environment_is_too_large_for_is_refused_as_the_shell_is()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = _f.Temp["big"];
        _f.Temp.Write("big/bin/run", "#!/bin/sh\nexec sleep 600\n");
        File.SetUnixFileMode(Path.Combine(dir, "bin", "run"), (UnixFileMode)0b111_101_101);
        _f.Temp.Write("big/packster-manifest.toml",
            $"id = \"big\"\nversion = \"1.0.0\"\n[parameters.v]\ntype = \"string\"\ndefault = \"x\"\n[[service]]\nname = \"big\"\nexec = \"bin/run\"\nports = [{_port}]\n"
            + $"[provides]\nports = [{_port}]\n[provides.env]\n" + string.Concat(Enumerable.Range(1, 60).Select(i => $"BIG_{i} = \"{{param.v}}\"\n")));
        _f.Packster.Ok("install-file", _f.Pack(dir), "--location", "dev", "-p", $"v={new string('b', 120_000)}");

        var start = _f.Packster.Run("service", "start", "big", "--location", "dev");

        Assert.True(start.ExitCode == 3, start.ToString());
        Assert.StartsWith("error[PST3006]: cannot start service big/big with location dev active: its environment and arguments together are larger than the system passes to a program (E2BIG)",
            start.Stderr, StringComparison.Ordinal);
        Assert.Equal("stopped", Status("big").GetProperty("state").GetString());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, ".packster", "services")));
    }

    // spec/activation.md § Services: "`install` … and `upgrade` that make another deployment of the package active
    // print the same note". Before, only `use` and `rollback` said the service still ran from the deployment it was
    // started from.
    [Fact]
    public void An_install_that_makes_another_deployment_active_says_the_service_runs_from_the_old_one()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("web-service");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", $"port={_port}");
        _f.Packster.Ok("service", "start", "web", "--location", "dev");
        var pid = Status("web").GetProperty("pid").GetInt32();

        var installed = _f.Packster.Run("install-file", package, "--location", "dev", "-p", $"port={FreePort()}");

        Assert.True(installed.ExitCode == 0, installed.ToString());
        Assert.Contains("note: service web-service/web still runs from the deployment it was started from; 'packster service stop web-service/web' and 'service start web-service/web' run it from 1.0.0",
            installed.Stderr, StringComparison.Ordinal);
        Assert.True(Alive(pid));
    }

    // spec/activation.md § Services: "A port of the service that already accepts a connection on 127.0.0.1 before the
    // start belongs to another process …: `start` refuses with PST6008 naming the port and starts nothing".
    [Fact]
    public void A_port_another_process_listens_on_refuses_the_start_and_starts_nothing()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", _f.PackSample("web-service"), "--location", "dev", "-p", $"port={_port}");
        using var other = new TcpListener(IPAddress.Loopback, _port);
        other.Start();

        var start = _f.Packster.Run("service", "start", "web", "--location", "dev");
        Assert.Equal(6, start.ExitCode);
        Assert.StartsWith($"error[PST6008]: service web-service/web was not started: port {_port} already accepts connections on 127.0.0.1, so another process holds it",
            start.Stderr, StringComparison.Ordinal);
        Assert.Equal("stopped", Status("web").GetProperty("state").GetString());
        // Nothing ran: no record of a process, no log written by one.
        Assert.False(File.Exists(Path.Combine(_f.LocationPath, "logs", "service-web-service+web.log")));
        Assert.False(Directory.Exists(Path.Combine(_f.LocationPath, ".packster", "services"))
            && Directory.EnumerateFiles(Path.Combine(_f.LocationPath, ".packster", "services")).Any());

        other.Stop();
        Assert.StartsWith("started: web-service/web pid ", _f.Packster.Ok("service", "start", "web", "--location", "dev"), StringComparison.Ordinal);
    }

    // spec/activation.md § Services: "a port that accepts while the service runs but that another process listens on
    // (it took the port after the check and before the service's bind, which then cannot bind it) is not the service
    // started: on Linux, where the listener's process can be told, its process group is killed and PST6008 names the
    // port". The start is held (test seam PACKSTER_PAUSE_AT=service.started) right after the service was launched, and
    // the test listens on the port then; the service itself never listens. Before, that start said "started".
    [Fact]
    public async Task A_port_taken_after_the_check_by_another_process_is_not_the_service_started()
    {
        if (!OperatingSystem.IsLinux()) return;
        _f.Packster.Ok("install-file", Broken("mute", "#!/bin/sh\necho $$ > \"$PACKSTER_SERVICE_LOG.pid\"\nexec sleep 600\n"), "--location", "dev");
        var signal = _f.Temp["paused"];
        var pause = new Dictionary<string, string> { ["PACKSTER_PAUSE_AT"] = "service.started", ["PACKSTER_PAUSE_FILE"] = signal };
        using var start = Process.Start(_f.Packster.StartInfo(["service", "start", "mute", "--location", "dev", "--timeout", "2m"], pause))!;
        start.StandardInput.Close();
        var stdout = start.StandardOutput.ReadToEndAsync();
        var stderr = start.StandardError.ReadToEndAsync();
        Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || start.HasExited, TimeSpan.FromMinutes(2)));
        if (!File.Exists(signal)) Assert.Fail($"the start never reached the pause point: {await stderr}");

        using var other = new TcpListener(IPAddress.Loopback, _port);
        other.Start();
        File.Delete(signal);
        Assert.True(start.WaitForExit(TimeSpan.FromMinutes(2)));

        Assert.True(start.ExitCode == 6, $"{await stdout}{await stderr}");
        Assert.StartsWith($"error[PST6008]: service mute/mute was stopped: another process listens on port {_port}, which it took after packster found it free and before the service bound it",
            await stderr, StringComparison.Ordinal);
        var pid = int.Parse(File.ReadAllText(Path.Combine(_f.LocationPath, "logs", "service-mute+mute.log.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Alive(pid), "the service that never listened is still running");
        Assert.Equal("stopped", Status("mute").GetProperty("state").GetString());
    }

    // spec/activation.md § Services: "SIGINT or SIGTERM while `start` waits for the ports stops the service's process
    // group and is the interrupt (PST0002, exit 130 or 143), not PST7014: no timeout elapsed".
    [Theory]
    [InlineData(2, 130)]
    [InlineData(15, 143)]
    public async Task An_interrupt_while_waiting_for_the_ports_stops_the_service_and_is_reported_as_an_interrupt(int signal, int exit)
    {
        if (OperatingSystem.IsWindows()) return;
        var script = "#!/bin/sh\necho $$ > \"$PACKSTER_SERVICE_LOG.tmp\" && mv \"$PACKSTER_SERVICE_LOG.tmp\" \"$PACKSTER_SERVICE_LOG.pid\"\nexec sleep 600\n";
        _f.Packster.Ok("install-file", Broken("mute", script), "--location", "dev");
        var pidFile = Path.Combine(_f.LocationPath, "logs", "service-mute+mute.log.pid");

        using var process = Process.Start(_f.Packster.InterruptibleStartInfo(["service", "start", "mute", "--location", "dev", "--timeout", "1h"]))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        // The service has written its pid: packster has started it and waits for its port.
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            while (!File.Exists(pidFile)) await Task.Delay(20, limit.Token);
        }
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, KillSyscall(process.Id, signal));
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await process.WaitForExitAsync(limit.Token);
        }
        var err = await stderr;
        await stdout;

        Assert.True(process.ExitCode == exit, $"exit {process.ExitCode}: {err}");
        Assert.StartsWith("error[PST0002]: interrupted by SIG", err, StringComparison.Ordinal);
        Assert.DoesNotContain("within", err, StringComparison.Ordinal);
        Assert.False(Alive(pid), "the service is still running after the interrupted start");
        Assert.Equal("stopped", Status("mute").GetProperty("state").GetString());
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int KillSyscall(int pid, int signal);

    [Fact]
    public void An_unknown_service_is_named_with_the_ones_there_are_and_a_port_must_be_claimed()
    {
        _f.Packster.Ok("install-file", _f.PackSample("web-service"), "--location", "dev", "-p", $"port={_port}");
        var unknown = _f.Packster.Run("service", "start", "db", "--location", "dev");
        Assert.Equal(5, unknown.ExitCode);
        Assert.StartsWith("error[PST5020]: no active deployment in location dev declares service 'db' (services: web-service/web)", unknown.Stderr, StringComparison.Ordinal);

        _f.Temp.Write("unclaimed/packster-manifest.toml", "id = \"unclaimed\"\nversion = \"1.0.0\"\n[[service]]\nname = \"s\"\nexec = \"bin/s\"\nports = [8080]\n");
        var check = _f.Packster.Run("manifest", "check", _f.Temp["unclaimed"]);
        Assert.Equal(3, check.ExitCode);
        Assert.Contains("port 8080 is not in [provides] ports", check.Stderr, StringComparison.Ordinal);
    }

    // § Services: no service outlives the files it runs from: uninstall stops it first.
    // spec/activation.md § Services: the status of a service is that of the process that runs, which listens on the
    // ports of the deployment it was started from — also once 'use' has made another deployment active.
    [Fact]
    public void A_service_started_before_use_reports_the_ports_it_was_started_with()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("web-service");
        var other = FreePort();
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", $"port={_port}");
        var inactive = _f.InstallJson(package, "-p", $"port={other}", "--inactive").GetProperty("deployment").GetString()!;
        _f.Packster.Ok("service", "start", "web", "--location", "dev");
        var used = _f.Packster.Run("use", inactive, "--location", "dev");
        Assert.True(used.ExitCode == 0, used.ToString());
        Assert.Contains("note: service web-service/web still runs from the deployment it was started from", used.Stderr, StringComparison.Ordinal);

        var status = Status("web");
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal([_port], status.GetProperty("ports").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal([_port], status.GetProperty("listening").EnumerateArray().Select(p => p.GetInt32()));
    }

    // spec/activation.md § Services: "When the uninstall then fails (a handler, an interrupt, the commit) and the
    // deployment stays, the services it stopped are started again from it, and it says so".
    [Fact]
    public void A_failed_uninstall_starts_again_the_service_it_stopped()
    {
        if (OperatingSystem.IsWindows()) return;
        var dir = _f.Temp["svu"];
        _f.Temp.Write("svu/bin/run", "#!/bin/sh\nexec python3 -m http.server \"$1\" --bind 127.0.0.1\n");
        _f.Temp.Write("svu/scripts/uninstall.sh", "#!/bin/sh\necho 'refusing to go' >&2\nexit 4\n");
        File.SetUnixFileMode(Path.Combine(dir, "bin", "run"), (UnixFileMode)0b111_101_101);
        _f.Temp.Write("svu/packster-manifest.toml",
            $"id = \"svu\"\nversion = \"1.0.0\"\n[provides]\nports = [{_port}]\n[[service]]\nname = \"svu\"\nexec = \"bin/run\"\nargs = [\"{_port}\"]\nports = [{_port}]\n"
            + "[handlers]\nuninstall = \"scripts/uninstall.sh\"\n");
        _f.Packster.Ok("install-file", _f.Pack(dir), "--location", "dev");
        _f.Packster.Ok("service", "start", "svu", "--location", "dev");
        var before = Status("svu").GetProperty("pid").GetInt32();

        var failed = _f.Packster.Run("uninstall", "svu", "--location", "dev");
        Assert.Equal(7, failed.ExitCode);
        Assert.Contains("error[PST7000]: uninstall handler", failed.Stderr, StringComparison.Ordinal);
        Assert.Contains("stopped 1 running service of svu 1.0.0", failed.Stderr, StringComparison.Ordinal);
        Assert.Contains("started service svu/svu again (pid ", failed.Stderr, StringComparison.Ordinal);
        Assert.False(Alive(before));
        var after = Status("svu");
        Assert.Equal("running", after.GetProperty("state").GetString());
        Assert.Equal([_port], after.GetProperty("listening").EnumerateArray().Select(p => p.GetInt32()));
        Assert.True(Alive(after.GetProperty("pid").GetInt32()));
    }

    [Fact]
    public void Uninstall_stops_the_running_services_of_the_deployment()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", _f.PackSample("web-service"), "--location", "dev", "-p", $"port={_port}");
        _f.Packster.Ok("service", "start", "web", "--location", "dev");
        var pid = Status("web").GetProperty("pid").GetInt32();
        var removed = _f.Packster.Run("uninstall", "web-service", "--location", "dev");
        Assert.Equal(0, removed.ExitCode);
        Assert.Contains("stopped 1 running service of web-service 1.0.0", removed.Stdout + removed.Stderr, StringComparison.Ordinal);
        Assert.False(Alive(pid));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, ".packster", "services")));
    }

    /// <summary>A copy of samples/web-service as package <paramref name="id"/> with one service <paramref name="name"/> on <paramref name="port"/>.</summary>
    private string WebService(string id, string name, int port)
    {
        var dir = _f.Temp[$"{id}-src"];
        _f.Temp.Write($"{id}-src/bin/serve", File.ReadAllText(Path.Combine(RepoFiles.Sample("web-service"), "bin", "serve")));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(dir, "bin", "serve"), (UnixFileMode)0b111_101_101);
        _f.Temp.Write($"{id}-src/www/index.html", "served by packster\n");
        _f.Temp.Write($"{id}-src/packster-manifest.toml",
            $"id = \"{id}\"\nversion = \"1.0.0\"\n[provides]\nports = [{port}]\n[[service]]\nname = \"{name}\"\nexec = \"bin/serve\"\n"
            + $"args = [\"{port}\", \"{{deployment}}/www\"]\nports = [{port}]\n");
        return _f.Pack(dir);
    }

    // spec/activation.md § Services: "`+` can be in neither a package id nor a service name, so no two services share
    // a record or a log (`app/x-web` and `app-x/web` did, when earlier versions joined them with `-`)". Before, the
    // second start said "already running" with the first one's pid, and stopping it stopped the first.
    [Fact]
    public void Services_whose_package_and_name_join_to_the_same_text_are_two_services()
    {
        if (OperatingSystem.IsWindows()) return;
        var other = FreePort();
        _f.Packster.Ok("install-file", WebService("app", "x-web", _port), "--location", "dev");
        _f.Packster.Ok("install-file", WebService("app-x", "web", other), "--location", "dev");

        Assert.StartsWith("started: app/x-web pid ", _f.Packster.Ok("service", "start", "app/x-web", "--location", "dev"), StringComparison.Ordinal);
        Assert.StartsWith("started: app-x/web pid ", _f.Packster.Ok("service", "start", "app-x/web", "--location", "dev"), StringComparison.Ordinal);
        var first = Status("app/x-web");
        var second = Status("app-x/web");
        Assert.NotEqual(first.GetProperty("pid").GetInt32(), second.GetProperty("pid").GetInt32());
        Assert.Equal([other], second.GetProperty("listening").EnumerateArray().Select(p => p.GetInt32()));
        Assert.NotEqual(first.GetProperty("log").GetString(), second.GetProperty("log").GetString());

        Assert.Equal("stopped service app-x/web\n", _f.Packster.Ok("service", "stop", "app-x/web", "--location", "dev"));
        Assert.False(Alive(second.GetProperty("pid").GetInt32()));
        Assert.True(Alive(first.GetProperty("pid").GetInt32()), "stopping app-x/web stopped app/x-web");
        Assert.Equal("running", Status("app/x-web").GetProperty("state").GetString());
    }

    // spec/activation.md § Services: "A record of an earlier version (`.packster/services/<package>-<name>.json`) is
    // renamed to its `+` name, its log with it … So a service an earlier version started is still found by `status`
    // and stopped by `stop`". The earlier version's files are made by renaming those of a service started now.
    [Fact]
    public void A_service_recorded_under_the_earlier_name_is_still_found_and_stopped()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", WebService("app-x", "web", _port), "--location", "dev");
        _f.Packster.Ok("service", "start", "app-x/web", "--location", "dev");
        var pid = Status("app-x/web").GetProperty("pid").GetInt32();
        var services = Path.Combine(_f.LocationPath, ".packster", "services");
        var logs = Path.Combine(_f.LocationPath, "logs");
        File.Move(Path.Combine(services, "app-x+web.json"), Path.Combine(services, "app-x-web.json"));
        File.Move(Path.Combine(logs, "service-app-x+web.log"), Path.Combine(logs, "service-app-x-web.log"));

        var status = Status("app-x/web");
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal(pid, status.GetProperty("pid").GetInt32());
        Assert.Equal(Path.Combine(logs, "service-app-x+web.log"), status.GetProperty("log").GetString());
        Assert.True(File.Exists(Path.Combine(services, "app-x+web.json")));
        Assert.False(File.Exists(Path.Combine(logs, "service-app-x-web.log")));

        Assert.Equal("stopped service app-x/web\n", _f.Packster.Ok("service", "stop", "app-x/web", "--location", "dev"));
        Assert.False(Alive(pid));
    }

    // spec/activation.md § Services: "So does `install --force`, whose rebuild replaces the deployment's directory …:
    // the running services of the deployment it replaces are stopped before that directory is moved". Before, the
    // service kept running from a directory moved to the trash and deleted.
    [Fact]
    public void A_forced_reinstall_stops_the_services_of_the_deployment_it_replaces()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("web-service");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", $"port={_port}");
        _f.Packster.Ok("service", "start", "web", "--location", "dev");
        var pid = Status("web").GetProperty("pid").GetInt32();

        var forced = _f.Packster.Run("install-file", package, "--location", "dev", "-p", $"port={_port}", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("stopped service web-service/web: --force replaces the deployment it runs from; 'packster service start web-service/web' starts it from the new one",
            forced.Stderr, StringComparison.Ordinal);
        Assert.False(Alive(pid), "the service still runs from the replaced deployment");
        Assert.Equal("stopped", Status("web").GetProperty("state").GetString());
        Assert.StartsWith("started: web-service/web pid ", _f.Packster.Ok("service", "start", "web", "--location", "dev"), StringComparison.Ordinal);
    }

    // spec/lockfile.md § Transactions, reinstall the same hash (`--force`): "A failure there … puts the old directory
    // back under its name and starts the services it stopped again, before the command fails: the location is as it
    // was". Before, a single install lost the deployment: its directory stayed in the trash, the next command dropped it
    // from the lockfile, and the service it had stopped could not be started again.
    [Fact]
    public void A_forced_reinstall_that_fails_puts_the_deployment_back_and_starts_its_services_again()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("web-service");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", $"port={_port}");
        _f.Packster.Ok("service", "start", "web", "--location", "dev");
        var pid = Status("web").GetProperty("pid").GetInt32();
        var lockfile = File.ReadAllBytes(_f.LockfilePath);
        var deployment = Directory.GetDirectories(Path.Combine(_f.LocationPath, "deployments")).Single();
        var inode = Tools.Run("/", "stat", "-c", "%i", deployment);

        var forced = _f.Packster.Run(["install-file", package, "--location", "dev", "-p", $"port={_port}", "--force"],
            new Dictionary<string, string> { [CrashPoint.FailVariable] = "install.published" });

        Assert.NotEqual(0, forced.ExitCode);
        Assert.Contains("injected failure at 'install.published'", forced.Stderr, StringComparison.Ordinal);
        Assert.False(Alive(pid), "the service still runs from the replaced deployment");
        Assert.Equal(lockfile, File.ReadAllBytes(_f.LockfilePath));
        // The very directory it had, not the rebuild that failed.
        Assert.Equal(inode, Tools.Run("/", "stat", "-c", "%i", deployment));
        var status = Status("web");
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal([_port], status.GetProperty("listening").EnumerateArray().Select(p => p.GetInt32()));
        var verified = _f.Packster.Run("verify", "--location", "dev");
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.DoesNotContain("dropped", verified.Stderr, StringComparison.Ordinal);
        Assert.Single(_f.List().EnumerateArray());
    }

    // spec/activation.md § Services: "`rollback` does the same [as `use`] for a package it switches to another
    // deployment that declares a service of that name (the same note). A running service of a package whose active
    // deployment the rollback changed, which no active deployment of its package declares any more … is stopped once
    // the rollback is committed". Before, the rollback said nothing, and after the second one the service ran on
    // while `status` said there were no services.
    [Fact]
    public void A_rollback_keeps_a_service_its_package_still_declares_and_stops_one_it_does_not()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("web-service");
        var other = FreePort();
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", $"port={_port}");
        _f.Packster.Ok("install-file", package, "--location", "dev", "-p", $"port={other}");
        _f.Packster.Ok("service", "start", "web", "--location", "dev");
        var pid = Status("web").GetProperty("pid").GetInt32();

        var back = _f.Packster.Run("rollback", "--location", "dev");
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Contains("note: service web-service/web still runs from the deployment it was started from", back.Stderr, StringComparison.Ordinal);
        Assert.True(Alive(pid));
        var status = Status("web");
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal([other], status.GetProperty("ports").EnumerateArray().Select(p => p.GetInt32()));

        var empty = _f.Packster.Run("rollback", "--location", "dev", "--to", "1");
        Assert.True(empty.ExitCode == 0, empty.ToString());
        Assert.Contains("stopped service web-service/web: after the rollback no active deployment of its package declares it", empty.Stderr, StringComparison.Ordinal);
        Assert.False(Alive(pid), "the service runs on unseen after the rollback");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, ".packster", "services")));
    }

    // spec/activation.md § Services: "`use` stops, the same way, a running service of the package that the deployment
    // it switches to does not declare". Before, it ran on while `status` said there were no services, on a port the
    // guard had given back.
    [Fact]
    public void Use_of_a_deployment_without_the_service_stops_it()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", WebService("svc", "web", _port), "--location", "dev");
        _f.Temp.Write("svc2/packster-manifest.toml", "id = \"svc\"\nversion = \"2.0.0\"\n");
        _f.Packster.Ok("install-file", _f.Pack(_f.Temp["svc2"]), "--location", "dev", "--inactive");
        _f.Packster.Ok("service", "start", "svc/web", "--location", "dev");
        var pid = Status("svc/web").GetProperty("pid").GetInt32();

        var use = _f.Packster.Run("use", "svc@2.0.0", "--location", "dev");

        Assert.True(use.ExitCode == 0, use.ToString());
        Assert.Contains("stopped service svc/web: svc 2.0.0 does not declare it", use.Stderr, StringComparison.Ordinal);
        Assert.False(Alive(pid), "the service runs on unseen after use");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_f.LocationPath, ".packster", "services")));
    }
}
