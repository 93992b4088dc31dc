using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/activation.md § Services, on Linux through the real executable: a service is its whole process group — the
/// children its script starts count while they run, and <c>stop</c> and <c>uninstall</c> end every one of them, the
/// one that ignores SIGTERM too. Each test reads the group from <c>/proc</c> itself.
/// </summary>
public sealed class ServiceProcessGroupTests : IDisposable
{
    private readonly LocationFixture _f = new();
    private readonly int _port = ServiceTests.FreePort();
    private readonly List<int> _groups = [];

    public void Dispose()
    {
        // Never leave a process behind, whatever a test (or the code it tests) did.
        foreach (var name in new[] { "outlives", "stubborn", "silent" }) _f.Packster.Run("service", "stop", name, "--location", "dev", "--timeout", "1s");
        foreach (var group in _groups) _ = Kill(-group, 9);
        _f.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>A package <paramref name="name"/> whose service runs <paramref name="script"/> and claims the test's port.</summary>
    private string Package(string name, string script) => ServiceTests.ServicePackage(_f, _port, name, script);

    /// <summary>A listener on the port in the background, then the script's own process sleeps: the group has two members.</summary>
    private string Listener => $"python3 -m http.server {_port} --bind 127.0.0.1 &\nexec sleep 1000\n";

    /// <summary>The service leads its group: starts it and returns its pid, which is also the group's id.</summary>
    private int Start(string name)
    {
        _f.Packster.Ok("service", "start", name, "--location", "dev");
        var group = Status(name).GetProperty("pid").GetInt32();
        _groups.Add(group);
        return group;
    }

    private JsonElement Status(string name)
    {
        using var doc = JsonDocument.Parse(_f.Packster.Ok("service", "status", name, "--location", "dev", "--json"));
        return doc.RootElement[0].Clone();
    }

    /// <summary>The pids whose <c>/proc/&lt;pid&gt;/stat</c> names <paramref name="group"/> as their process group, zombies included.</summary>
    private static List<int> Members(int group)
    {
        var members = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            // "pid (comm) state ppid pgrp …": the fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[2], CultureInfo.InvariantCulture) == group) members.Add(pid);
        }
        return members;
    }

    /// <summary>Neither <c>kill(-group, 0)</c> (which also finds a zombie not yet reaped) nor <c>/proc</c> finds a process of the group.</summary>
    private static void AssertGroupGone(int group)
    {
        var members = Members(group);
        Assert.True(members.Count == 0, $"process group {group} still has {string.Join(", ", members)}");
        Assert.Equal(-1, Kill(-group, 0));
    }

    // spec/activation.md § Services: "The service is its **process group** […] a child in the background, one that
    // outlives its parent. It runs while a process of the group runs" and "`stop` sends SIGTERM to the process group,
    // waits up to `--timeout` until no process of the group is left". Before, only the started process counted: once it
    // had exited, `status` said stopped and `stop` said it was not running, and the child serving its port ran on.
    [Fact]
    public async Task A_child_that_outlives_the_started_process_is_the_running_service_until_stop_ends_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        _f.Packster.Ok("install-file", Package("outlives", "#!/bin/sh\n" + Listener), "--location", "dev");
        var group = Start("outlives");
        Assert.True(Members(group).Count == 2, $"the service's group is {string.Join(", ", Members(group))}");

        // The started process exits (here: is ended by the test); its child, still in the group, serves on.
        Assert.Equal(0, Kill(group, 15));
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (Directory.Exists($"/proc/{group}")) await Task.Delay(20, limit.Token);
        }
        Assert.Single(Members(group));
        var status = Status("outlives");
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal([_port], status.GetProperty("listening").EnumerateArray().Select(p => p.GetInt32()));

        Assert.Equal("stopped service outlives/outlives\n", _f.Packster.Ok("service", "stop", "outlives", "--location", "dev"));
        AssertGroupGone(group);
        Assert.Equal("stopped", Status("outlives").GetProperty("state").GetString());
    }

    // spec/activation.md § Services: "`stop` […] then sends SIGKILL to the group when one is (one that ignores SIGTERM),
    // and waits until none is left; a zombie not yet reaped counts as left". Before, stop returned once the started
    // process had ended, and a child ignoring SIGTERM ran on.
    [Fact]
    public void Stop_kills_a_child_that_ignores_SIGTERM_once_the_timeout_has_passed()
    {
        if (!OperatingSystem.IsLinux()) return;
        _f.Packster.Ok("install-file", Package("stubborn", "#!/bin/sh\n(trap '' TERM; exec sleep 1000) &\n" + Listener), "--location", "dev");
        var group = Start("stubborn");
        Assert.True(Members(group).Count == 3, $"the service's group is {string.Join(", ", Members(group))}");

        Assert.Equal("stopped service stubborn/stubborn\n", _f.Packster.Ok("service", "stop", "stubborn", "--location", "dev", "--timeout", "1s"));

        AssertGroupGone(group);
        Assert.Equal("stopped", Status("stubborn").GetProperty("state").GetString());
    }

    // spec/activation.md § Services: "If the ports are not accepting within `--timeout` […]: its process group is
    // killed, waited for as `stop` waits after SIGKILL". Before, a start that gave up waited for the process it started
    // only, and returned while the rest of its group (here a child that ignores SIGTERM) was still there.
    [Fact]
    public void A_start_that_gives_up_leaves_no_process_of_its_group()
    {
        if (!OperatingSystem.IsLinux()) return;
        var pidFile = _f.Temp["silent.pid"];
        _f.Packster.Ok("install-file", Package("silent", $"#!/bin/sh\necho $$ > '{pidFile}'\n(trap '' TERM; exec sleep 1000) &\nexec sleep 1000\n"), "--location", "dev");
        var r = _f.Packster.Run("service", "start", "silent", "--location", "dev", "--timeout", "1s");
        Assert.True(r.ExitCode != 0 && r.Stderr.Contains("error[PST7014]", StringComparison.Ordinal), r.ToString());
        var group = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        _groups.Add(group);
        AssertGroupGone(group);
    }

    // spec/activation.md § Services: "`uninstall` stops the running services of the deployment it removes first, as
    // `stop` does, with a timeout of 10 s (every process of each group: no service outlives its files)". Before, the
    // child ignoring SIGTERM outlived the uninstall and went on running from a deployment directory that was gone.
    [Fact]
    public void Uninstall_ends_every_process_of_the_service_group()
    {
        if (!OperatingSystem.IsLinux()) return;
        _f.Packster.Ok("install-file", Package("stubborn", "#!/bin/sh\n(trap '' TERM; exec sleep 1000) &\n" + Listener), "--location", "dev");
        var group = Start("stubborn");
        Assert.True(Members(group).Count == 3, $"the service's group is {string.Join(", ", Members(group))}");

        var removed = _f.Packster.Run("uninstall", "stubborn", "--location", "dev");

        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Contains("stopped 1 running service of stubborn 1.0.0", removed.Stdout + removed.Stderr, StringComparison.Ordinal);
        AssertGroupGone(group);
    }
}
