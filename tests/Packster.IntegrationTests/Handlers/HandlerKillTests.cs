using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Packster.IntegrationTests.Handlers;

/// <summary>
/// spec/handlers.md §Processes, "When packster itself dies": a handler of a packster killed with SIGKILL, and what it
/// started, are killed by the next packster that takes the location's lock, before its recovery cleans, found by the
/// dead holder's token that <c>lock.holder</c> recorded.
/// </summary>
public sealed class HandlerKillTests : IDisposable
{
    private const int SigKill = 9;

    private readonly HandlerWorld _w = new();

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int KillSyscall(int pid, int signal);

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    private const int WriteOnlyNonBlocking = 0x1 | 0x800; // O_WRONLY | O_NONBLOCK (Linux)

    /// <summary>
    /// The handler starts a child that waits on a FIFO and then writes into the staging directory, writes both pids
    /// and a marker, and waits for the child.
    /// </summary>
    private const string Handler = """
        #!/bin/sh
        evidence="$PACKSTER_LOCATION_PATH/.."
        ( read line < "$evidence/release"; mkdir -p "$PACKSTER_DEPLOYMENT_PATH/written-after-packster-died"; touch "$evidence/written" ) &
        printf '%s\n%s\n' "$$" "$!" > "$evidence/pids.tmp"
        mv "$evidence/pids.tmp" "$evidence/pids"
        wait

        """;

    public void Dispose()
    {
        // Whatever this test found running is not left behind, pass or fail.
        if (File.Exists(_w.Evidence("pids")))
        {
            foreach (var pid in _w.Pids("pids")) _ = KillSyscall(pid, SigKill);
        }
        _w.Dispose();
    }

    // spec/handlers.md §Processes: "the next packster that takes the location's lock and finds the previous holder died
    // … first, before anything else under the lock, sends SIGKILL to every process whose environment carries the dead
    // holder's token among the words of PACKSTER_HANDLER_RUN … and to every descendant of such a process"; spec/lockfile.md
    // § Recovery, step 0. Before, the handler and its child ran on, re-parented, and wrote into the staging area after
    // the next command had recovered it.
    [Fact]
    public async Task The_handlers_of_a_killed_packster_are_killed_by_the_next_holder_before_it_recovers()
    {
        if (!OperatingSystem.IsLinux()) return;
        var package = _w.Pack(_w.Source("orphaned", "id = \"orphaned\"\nversion = \"1.0.0\"\n[handlers]\ninstall = \"scripts/install.sh\"\n",
            ("scripts/install.sh", Handler)));
        var release = _w.Evidence("release");
        Assert.Equal(0, MkFifo(release, 0b110_000_000));

        using var install = Process.Start(_w.Packster.StartInfo(["install-file", package, "--location", "dev"]))!;
        install.StandardInput.Close();
        var stdout = install.StandardOutput.ReadToEndAsync();
        var stderr = install.StandardError.ReadToEndAsync();
        Assert.True(SpinWait.SpinUntil(() => File.Exists(_w.Evidence("pids")) || install.HasExited, TimeSpan.FromMinutes(2)));
        if (!File.Exists(_w.Evidence("pids"))) Assert.Fail($"the handler never started: {await stdout} {await stderr}");
        var pids = _w.Pids("pids");

        Assert.Equal(0, KillSyscall(install.Id, SigKill));
        await install.WaitForExitAsync();
        // Packster is gone; its handler and the handler's child are not: nothing else would ever stop them.
        Assert.All(pids, pid => Assert.True(HandlerWorld.IsRunning(pid), $"process {pid} of the handler ended with packster"));
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));

        _w.InstallOk(_w.F.PackSample("hello"));

        Assert.All(pids, pid => Assert.False(HandlerWorld.IsRunning(pid), $"process {pid} of the killed packster's handler still runs"));
        // Nothing can write any more: no process has the FIFO open to read (opening it to write fails, ENXIO).
        var fd = Open(release, WriteOnlyNonBlocking);
        if (fd >= 0) _ = Close(fd);
        Assert.True(fd < 0, "a process of the killed packster's handler still waits to write into the location");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));
        Assert.False(File.Exists(_w.Evidence("written")));
    }
}
