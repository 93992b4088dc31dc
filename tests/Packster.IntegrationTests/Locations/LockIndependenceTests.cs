using System.Diagnostics;
using Packster.IntegrationTests.Handlers;

namespace Packster.IntegrationTests.Locations;

/// <summary>
/// spec/lockfile.md § Lock: "the lock is an explicit flock(LOCK_EX|LOCK_NB) on .packster/lock, taken by packster
/// itself: DOTNET_SYSTEM_IO_DISABLEFILELOCKING does not turn it off". Real processes with that variable set.
/// </summary>
public sealed class LockIndependenceTests : IDisposable
{
    private const string Disable = "DOTNET_SYSTEM_IO_DISABLEFILELOCKING";

    private readonly HandlerWorld _w = new();

    public void Dispose() => _w.Dispose();

    [Fact]
    public void With_dotnet_file_locking_disabled_a_lock_held_by_another_process_is_still_seen()
    {
        if (OperatingSystem.IsWindows()) return; // a sharing lock there, not flock
        var hello = _w.F.PackSample("hello");
        Directory.CreateDirectory(Path.Combine(_w.F.LocationPath, ".packster"));
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import fcntl, sys\nf = open(sys.argv[1], 'a+')\nfcntl.flock(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\nsys.stdin.read()\n");
        info.ArgumentList.Add(Path.Combine(_w.F.LocationPath, ".packster", "lock"));
        using var holder = Process.Start(info)!;
        try
        {
            Assert.Equal("locked", holder.StandardOutput.ReadLine());
            var r = _w.Packster.Run(["install-file", hello, "--location", "dev"], new Dictionary<string, string> { [Disable] = "1", ["PACKSTER_LOCK_TIMEOUT"] = "0" });
            Assert.True(r.ExitCode == 5, r.ToString());
            Assert.StartsWith("error[PST5004]: ", r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            holder.StandardInput.Close();
            holder.WaitForExit();
        }
    }
}
