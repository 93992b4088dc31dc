using System.Diagnostics;
using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>A fact that only means something where .NET's FileShare.None is an flock visible to python3's fcntl.flock.</summary>
public sealed class PosixFactAttribute : FactAttribute
{
    public PosixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "uses python3's fcntl.flock as the other process; Windows sharing locks are not flock";
    }
}

/// <summary>spec/lockfile.md § Lock: an OS lock that dies with the process; a second writer waits with a message, then fails.</summary>
public sealed class LocationLockTests
{
    private const string TryFlock = """
        import fcntl, sys
        f = open(sys.argv[1], 'r+')
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            print('acquired')
        except BlockingIOError:
            print('busy')
        """;

    private const string HoldFlock = """
        import fcntl, sys
        f = open(sys.argv[1], 'a+')
        fcntl.flock(f, fcntl.LOCK_EX)
        print('locked', flush=True)
        sys.stdin.read()
        """;

    private static Process StartPython(string script, string file)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(file);
        return Process.Start(info)!;
    }

    private static string RunPython(string script, string file)
    {
        using var p = StartPython(script, file);
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    [PosixFact]
    public void A_held_lock_is_seen_by_another_process_and_freed_on_dispose()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        using (LocationLock.Acquire(location, TimeSpan.Zero))
        {
            Assert.Equal("busy", RunPython(TryFlock, location.LockPath));
        }
        Assert.Equal("acquired", RunPython(TryFlock, location.LockPath));
    }

    [PosixFact]
    public void A_lock_held_by_another_process_blocks_us_and_dies_with_that_process()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        Directory.CreateDirectory(location.InternalDirectory);
        using var holder = StartPython(HoldFlock, location.LockPath);
        try
        {
            Assert.Equal("locked", holder.StandardOutput.ReadLine());
            Assert.Null(LocationLock.TryAcquire(location));
            var e = Assert.Throws<PacksterException>(() => LocationLock.Acquire(location, TimeSpan.Zero));
            Assert.Equal(ErrorCode.LockTimeout, e.Code);
        }
        finally
        {
            holder.Kill(entireProcessTree: true); // SIGKILL: the holder gets no chance to unlock
            holder.WaitForExit();
        }
        using var mine = LocationLock.Acquire(location, TimeSpan.Zero);
        Assert.True(mine.IsHeldFor(location));
    }

    [Fact]
    public async Task A_second_writer_says_once_whom_it_waits_for_and_proceeds_when_released()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var first = LocationLock.Acquire(location, TimeSpan.Zero);
        var sink = new SignallingWriter();
        var second = Task.Run(() => LocationLock.Acquire(location, TimeSpan.FromMinutes(5), sink));

        Assert.True(sink.Written.Wait(TimeSpan.FromMinutes(2)), "the waiting message was never written");
        Assert.False(second.IsCompleted);
        first.Dispose();
        using var acquired = await second;

        Assert.True(acquired.IsHeldFor(location));
        var line = Assert.Single(sink.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"waiting for another packster process (pid {Environment.ProcessId}) to release location dev…", line.TrimEnd('\r'));
    }

    [Fact]
    public void Waiting_past_the_timeout_fails_with_LockTimeout_naming_the_holder()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        using var first = LocationLock.Acquire(location, TimeSpan.Zero);
        var sink = new StringWriter();
        var e = Assert.Throws<PacksterException>(() => LocationLock.Acquire(location, TimeSpan.FromMilliseconds(50), sink));
        Assert.Equal(ErrorCode.LockTimeout, e.Code);
        Assert.Contains($"pid {Environment.ProcessId}", e.Message, StringComparison.Ordinal);
        Assert.Contains("'dev'", e.Message, StringComparison.Ordinal);
        Assert.Contains("PACKSTER_LOCK_TIMEOUT", e.Hint, StringComparison.Ordinal);
        Assert.Single(sink.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Cancellation_stops_the_wait()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        using var first = LocationLock.Acquire(location, TimeSpan.Zero);
        using var cts = new CancellationTokenSource();
        var sink = new SignallingWriter();
        var waiter = Task.Run(() => LocationLock.Acquire(location, TimeSpan.FromMinutes(5), sink, cts.Token));
        Assert.True(sink.Written.Wait(TimeSpan.FromMinutes(2)));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
    }

    [Theory]
    [InlineData(null, 60_000)]
    [InlineData("0", 0)]
    [InlineData("2.5", 2_500)]
    public void The_timeout_comes_from_PACKSTER_LOCK_TIMEOUT_in_seconds(string? value, int expectedMs)
    {
        var env = new Dictionary<string, string>();
        if (value is not null) env["PACKSTER_LOCK_TIMEOUT"] = value;
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), LocationLock.TimeoutFrom(new PacksterPaths(env, false, "/")));
    }

    [Fact]
    public void A_malformed_PACKSTER_LOCK_TIMEOUT_names_the_variable()
    {
        var env = new Dictionary<string, string> { ["PACKSTER_LOCK_TIMEOUT"] = "soon" };
        var e = Assert.Throws<PacksterException>(() => LocationLock.TimeoutFrom(new PacksterPaths(env, false, "/")));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("PACKSTER_LOCK_TIMEOUT='soon'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutations_require_the_lock_to_be_held()
    {
        using var bed = new LocationTestBed();
        var location = bed.CreateLocation();
        var released = LocationLock.Acquire(location, TimeSpan.Zero);
        released.Dispose();
        var staging = location.CreateStaging();
        Assert.Throws<InvalidOperationException>(() => location.PublishDeployment(staging, LocationTestBed.Hash("x"), released));
        Assert.Throws<InvalidOperationException>(() => location.Commit(location.ReadState(), released));
        Assert.Throws<InvalidOperationException>(() => Recovery.Run(location, released));
    }

    /// <summary>A writer that signals its first write, so a test waits for the waiting message without sleeping.</summary>
    private sealed class SignallingWriter : StringWriter
    {
        public ManualResetEventSlim Written { get; } = new();

        public override void WriteLine(string? value)
        {
            lock (this) base.WriteLine(value);
            Written.Set();
        }

        public override string ToString()
        {
            lock (this) return base.ToString();
        }
    }
}
