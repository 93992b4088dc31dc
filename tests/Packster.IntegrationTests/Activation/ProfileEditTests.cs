using System.Diagnostics;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Activation;

/// <summary>
/// spec/activation.md §6 through the real CLI: "every other byte stays" — a profile is edited as bytes, never decoded
/// and re-encoded — and edits of one profile are serialised by a lock, so concurrent enables keep every block.
/// </summary>
public sealed class ProfileEditTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public ProfileEditTests()
    {
        _f.Packster.Ok("location", "create", _f.Temp["loc2"], "--id", "ops");
        Directory.CreateDirectory(Home);
    }

    public void Dispose() => _f.Dispose();

    private string Home => _f.Temp["home"];

    private string Bashrc => Path.Combine(Home, ".bashrc");

    private Dictionary<string, string> WithHome => new() { ["HOME"] = Home };

    // `printf '\xef\xbb\xbf#caf\xe9\nexport MINE=1\n'`: a BOM and a Latin-1 byte that is not UTF-8.
    private static readonly byte[] Original = [0xEF, 0xBB, 0xBF, .. "#caf"u8, 0xE9, .. "\nexport MINE=1\n"u8];

    [Fact]
    public void Enable_then_disable_gives_back_the_exact_bytes_and_mode()
    {
        if (OperatingSystem.IsWindows()) return;
        File.WriteAllBytes(Bashrc, Original);
        File.SetUnixFileMode(Bashrc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        _f.Packster.Run(["location", "enable", "dev", "--user"], WithHome).Also(r => Assert.True(r.ExitCode == 0, r.ToString()));
        var enabled = File.ReadAllBytes(Bashrc);
        Assert.Equal(Original, enabled[..Original.Length]);
        Assert.StartsWith("# >>> packster location dev >>>\n", System.Text.Encoding.UTF8.GetString(enabled[Original.Length..]), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Bashrc));

        _f.Packster.Run(["location", "disable", "dev"], WithHome).Also(r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(Original, File.ReadAllBytes(Bashrc));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Bashrc));
        Assert.Empty(Directory.EnumerateFiles(Home, "*.tmp"));
    }

    // The first enable is paused (test seam PACKSTER_PAUSE_AT=profile.read) between reading .bashrc and writing it;
    // the second runs in that moment. Without a lock the first then writes what it read and the second block is lost.
    [Fact]
    public async Task Two_concurrent_enables_for_two_locations_both_keep_their_blocks()
    {
        if (OperatingSystem.IsWindows()) return;
        File.WriteAllText(Bashrc, "# mine\n");
        var signal = _f.Temp["paused"];
        var pause = new Dictionary<string, string>(WithHome) { ["PACKSTER_PAUSE_AT"] = "profile.read", ["PACKSTER_PAUSE_FILE"] = signal };

        using var first = Start(["location", "enable", "dev", "--user"], pause);
        var firstOut = Task.Run(first.StandardOutput.ReadToEnd);
        var firstErr = Task.Run(first.StandardError.ReadToEnd);
        Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || first.HasExited, TimeSpan.FromMinutes(2)));
        if (!File.Exists(signal)) Assert.Fail($"the first enable never reached the pause point: {await firstErr}");

        using var second = Start(["location", "enable", "ops", "--user"], WithHome);
        var secondOut = Task.Run(second.StandardOutput.ReadToEnd);
        // Either the second finishes (no lock) or it says it waits for the first (lock): both are the moment to resume.
        var waitingLine = Task.Run(second.StandardError.ReadLine);
        await Task.WhenAny(Task.Run(() => second.WaitForExit()), waitingLine).WaitAsync(TimeSpan.FromMinutes(2));
        File.Delete(signal);

        Assert.True(first.WaitForExit(TimeSpan.FromMinutes(2)) && second.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.True(first.ExitCode == 0, $"first: {await firstOut} {await firstErr}");
        Assert.True(second.ExitCode == 0, $"second: {await secondOut} {await waitingLine}");
        var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(Bashrc));
        Assert.Contains("# >>> packster location dev >>>", text, StringComparison.Ordinal);
        Assert.Contains("# >>> packster location ops >>>", text, StringComparison.Ordinal);
        Assert.StartsWith("# mine\n", text, StringComparison.Ordinal);
    }

    private Process Start(string[] args, IReadOnlyDictionary<string, string> env)
    {
        var process = Process.Start(_f.Packster.StartInfo(args, env))!;
        process.StandardInput.Close();
        return process;
    }
}
