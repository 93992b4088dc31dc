using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Handlers;

/// <summary>
/// spec/handlers.md §Interrupts: SIGINT and SIGTERM, whenever they arrive, stop the handler's whole process tree,
/// roll back, print the error line and exit 130 / 143 — or, when the command had already finished, change nothing
/// about its outcome. And a blocking read never makes packster deaf to them.
/// </summary>
public sealed partial class InterruptTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int KillSyscall(int pid, int signal);

    /// <summary>Sends a signal; false when the target is already gone.</summary>
    private static bool Kill(int pid, int signal) => KillSyscall(pid, signal) == 0;

    private const string Manifest = """
        id = "interrupted"
        version = "1.0.0"

        [parameters.n]
        type = "integer"
        default = 0

        [handlers]
        install = "scripts/install.sh"

        """;

    /// <summary>A handler that leaves a background child (only its group finds it) and waits on a foreground one.</summary>
    private const string Handler = """
        #!/bin/sh
        touch "$PACKSTER_LOCATION_PATH/../handler-started"
        sleep 1000 &
        echo "started"
        sleep 0.3

        """;

    /// <summary>
    /// §Interrupts: 100 signals at random moments of an install whose handler has children. Each trial fails if any
    /// process of the handler's tree outlives packster, if the exit code is not 130 (SIGINT) / 143 (SIGTERM), or 0
    /// when the install had finished, if an interrupted run printed no error line, if the location holds staging
    /// leftovers or the lock holder file, or if the lockfile disagrees with the exit code. The random delay only
    /// picks the moment; nothing waits on time.
    /// </summary>
    [Fact]
    public void A_hundred_interrupts_at_random_moments_never_leave_a_process_staging_or_the_lock_behind()
    {
        const int Trials = 100;
        const int Workers = 8;
        var failures = new ConcurrentQueue<string>();
        var outcomes = new ConcurrentDictionary<int, int>();
        var worlds = new HandlerWorld[Workers];
        try
        {
            Parallel.For(0, Workers, w => worlds[w] = new HandlerWorld());
            var package = worlds[0].Pack(worlds[0].Source("interrupted", Manifest, ("scripts/install.sh", Handler)));
            // One uninterrupted run gives the scale of the random moments on this machine, whatever its load.
            var watch = Stopwatch.StartNew();
            var first = worlds[0].Install(package, "-p", "n=-1");
            var span = watch.Elapsed;
            Assert.True(first.ExitCode == 0, "uninterrupted install failed: " + first);
            var trial = -1;
            Parallel.For(0, Workers, new ParallelOptions { MaxDegreeOfParallelism = Workers }, w =>
            {
                var random = new Random();
                int i;
                while ((i = Interlocked.Increment(ref trial)) < Trials)
                {
                    var failure = RunTrial(worlds[w], package, i, random.Next(2) == 0 ? SigInt : SigTerm, random.Next(2) == 0,
                        TimeSpan.FromMilliseconds(random.NextDouble() * span.TotalMilliseconds * 1.2), outcomes);
                    if (failure is not null) failures.Enqueue($"trial {i}: {failure}");
                }
            });
        }
        finally
        {
            foreach (var world in worlds) world?.Dispose();
        }

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)) + $"\n({failures.Count} of {Trials} trials failed)");
        Assert.Equal(Trials, outcomes.Values.Sum());
    }

    private static string? RunTrial(HandlerWorld world, string package, int n, int signal, bool toGroup, TimeSpan moment, ConcurrentDictionary<int, int> outcomes)
    {
        var location = world.F.LocationPath;
        var lockfileBefore = File.ReadAllBytes(world.F.LockfilePath);
        File.Delete(world.Evidence("handler-started"));
        // setsid gives packster its own process group, as a shell does for a foreground job: a terminal's Ctrl-C (and
        // `timeout`) signal the whole group, which also reaches a handler that has not yet left it.
        using var process = Process.Start(world.Packster.InterruptibleStartInfo(["install-file", package, "--location", "dev", "-p", $"n={n}"]))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        Thread.Sleep(moment);
        Kill(toGroup ? -process.Id : process.Id, signal);
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            return $"packster did not exit within 2 minutes of signal {signal}";
        }
        var err = stderr.Result;
        _ = stdout.Result;
        var exit = process.ExitCode;
        outcomes.AddOrUpdate(exit, 1, (_, c) => c + 1);
        var what = $"signal {signal} to the {(toGroup ? "group" : "process")} after {moment.TotalMilliseconds:0}ms: exit {exit}";

        var survivors = ProcessesOf(location);
        if (survivors.Count > 0)
        {
            foreach (var pid in survivors) Kill(pid, 9);
            return $"{what}: processes of its handler outlived it: {string.Join(", ", survivors)}\n{err}";
        }
        var interrupted = signal == SigInt ? 130 : 143;
        if (exit != 0 && exit != interrupted) return $"{what}, expected {interrupted} or 0\n{err}";
        // A signal during the runtime's start-up, before packster's first instruction, gets the OS default: it ends the
        // process silently, before anything began. Once the handler had started, that is no excuse.
        var startedHandler = File.Exists(world.Evidence("handler-started"));
        if (exit == interrupted && !ErrorLine().IsMatch(err) && (startedHandler || err.Length > 0))
        {
            return $"{what} without an error line: '{err}'";
        }
        var staging = Path.Combine(location, ".packster", "staging");
        if (Directory.Exists(staging) && Directory.EnumerateFileSystemEntries(staging).Any())
        {
            return $"{what} left staging entries: {string.Join(", ", Directory.EnumerateFileSystemEntries(staging))}";
        }
        if (File.Exists(Path.Combine(location, ".packster", "lock.holder"))) return $"{what} left .packster/lock.holder";
        var changed = !File.ReadAllBytes(world.F.LockfilePath).AsSpan().SequenceEqual(lockfileBefore);
        if (exit == 0 && !changed) return $"{what} but the lockfile is unchanged";
        if (exit != 0 && changed) return $"{what} but the lockfile changed";
        return null;
    }

    /// <summary>
    /// Every live process whose environment names this location: the handler and all its descendants inherit
    /// PACKSTER_LOCATION_PATH, so nothing of the tree escapes, pid file or not. A process whose memory is gone
    /// (exiting, or a zombie) has no environment left and does not count.
    /// </summary>
    private static List<int> ProcessesOf(string location)
    {
        var marker = Encoding.UTF8.GetBytes("PACKSTER_LOCATION_PATH=" + location + "\0");
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllBytes(Path.Combine(dir, "environ")).AsSpan().IndexOf(marker) >= 0 && HandlerWorld.IsRunning(pid)) found.Add(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>
    /// §Interrupts: SIGTERM is honoured while packster is blocked reading input that never comes (a FIFO nobody writes
    /// as <c>--parameters-file</c>): it prints the error line and exits 143 instead of waiting forever.
    /// </summary>
    [Fact]
    public async Task Sigterm_during_a_blocking_read_exits_143_with_an_error_line()
    {
        using var world = new HandlerWorld();
        var before = world.Snapshot();
        var err = await InterruptBlockedRead(world, "interrupted", signals: 1);
        Assert.Matches(ErrorLine(), err);
        Assert.Equal(before, world.Snapshot());
    }

    /// <summary>
    /// §Interrupts, a second signal: "When no unfinished work is in progress and nothing was committed, there is no
    /// rollback to leave unfinished: the second signal ends packster at once with `interrupted by SIGTERM before
    /// anything was changed`" — as `timeout` sends (packster, then its process group). The second SIGTERM is sent once
    /// the first has left the process's pending set (/proc status), so the two are not merged into one. Before, it said
    /// "interrupted again …; stopped before the rollback finished", though nothing had begun.
    /// </summary>
    [Fact]
    public async Task Two_sigterms_during_a_blocking_read_say_nothing_was_changed()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var world = new HandlerWorld();
        var before = world.Snapshot();
        var err = await InterruptBlockedRead(world, "twice", signals: 2);
        Assert.Equal("error[PST0002]: interrupted by SIGTERM before anything was changed", err.Trim());
        Assert.Equal(before, world.Snapshot());
    }

    /// <summary>
    /// Installs a package with a FIFO nobody writes as <c>--parameters-file</c>, sends SIGTERM <paramref name="signals"/>
    /// times once packster is blocked reading it (each after the one before left the pending set), and returns its
    /// stderr once it exited 143.
    /// </summary>
    private static async Task<string> InterruptBlockedRead(HandlerWorld world, string id, int signals)
    {
        var package = world.Pack(world.Source(id, Manifest, ("scripts/install.sh", Handler)));
        var fifo = world.Evidence("parameters.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        using var process = Process.Start(world.Packster.StartInfo(["install-file", package, "--location", "dev", "--parameters-file", fifo]))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        // Opening the write end returns once packster has opened the read end; writing nothing keeps it blocked in read.
        var writer = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write));
        await using var held = await writer.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.False(process.HasExited, "packster exited before it read the FIFO");
        for (var i = 0; i < signals; i++)
        {
            if (i > 0) Assert.True(SpinWait.SpinUntil(() => process.HasExited || !Pending(process.Id), TimeSpan.FromMinutes(1)), "a SIGTERM stayed pending");
            Assert.True(Kill(process.Id, SigTerm) || process.HasExited);
        }
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("packster ignored SIGTERM while blocked reading its parameters file");
            }
        }
        var err = await stderr;
        await stdout;
        Assert.True(process.ExitCode == 143, $"exit {process.ExitCode}: {err}");
        return err;
    }

    /// <summary>Whether a signal is pending for the process (SigPnd or ShdPnd of /proc/PID/status not zero); false once it is gone.</summary>
    private static bool Pending(int pid)
    {
        try
        {
            return File.ReadAllLines($"/proc/{pid}/status")
                .Where(l => l.StartsWith("SigPnd:", StringComparison.Ordinal) || l.StartsWith("ShdPnd:", StringComparison.Ordinal))
                .Any(l => l.Split(':')[1].Trim().Trim('0').Length > 0);
        }
        catch (IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"(?m)^error\[PST\d{4}\]: \S")]
    private static partial Regex ErrorLine();
}
