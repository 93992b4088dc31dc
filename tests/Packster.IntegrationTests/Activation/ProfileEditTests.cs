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

    // The XDG folders are the test's own, so no enable reaches the real user's fish or menu.
    private Dictionary<string, string> WithHome => new()
    {
        ["HOME"] = Home,
        ["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config"),
        ["XDG_DATA_HOME"] = Path.Combine(Home, ".local", "share"),
    };

    private string Zshrc => Path.Combine(Home, ".zshrc");

    private string EnabledRecord => Path.Combine(_f.Temp["data"], "enabled", "dev");

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

    // §6: "enable and disable change everything or nothing … A failure while preparing — unbalanced markers in any
    // profile (PST6005), a profile another process holds past the timeout (PST5004, "nothing was changed"), a profile
    // that is a symbolic link loop or not a regular file (PST9005) — comes before anything is written." .bashrc comes
    // first, so an enable that edits profiles one by one has written it when the later one fails.
    [Theory]
    [InlineData("stray-marker", 6, "PST6005")]
    [InlineData("locked", 5, "PST5004")]
    [InlineData("symlink-loop", 9, "PST9005")]
    [InlineData("fifo", 9, "PST9005")]
    public void A_failing_enable_leaves_every_profile_and_the_enabled_set_as_they_were(string trouble, int exit, string code)
    {
        if (OperatingSystem.IsWindows()) return;
        File.WriteAllText(Bashrc, "# my bashrc\n");
        var env = WithHome;
        FileStream? held = null;
        switch (trouble)
        {
            case "stray-marker":
                File.WriteAllText(Zshrc, "# my zshrc\n# >>> packster location dev >>>\n");
                break;
            case "locked":
                File.WriteAllText(Zshrc, "# my zshrc\n");
                Directory.CreateDirectory(_f.Temp["data/locks"]);
                // Held as packster holds it (an exclusive advisory lock): another editor of ~/.zshrc.
                held = new FileStream(Path.Combine(_f.Temp["data/locks"], $"profile-{Packster.Locations.FileLock.KeyOf(Zshrc)}.lock"),
                    FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                env["PACKSTER_LOCK_TIMEOUT"] = "1";
                break;
            case "symlink-loop":
                File.WriteAllText(Zshrc, "# my zshrc\n");
                File.CreateSymbolicLink(Path.Combine(Home, ".profile"), Path.Combine(Home, ".profile"));
                break;
            case "fifo":
                Assert.Equal(0, MakeFifo(Zshrc));
                break;
        }
        using (held)
        {
            var r = _f.Packster.Run(["location", "enable", "dev"], env);
            Assert.True(r.ExitCode == exit && r.Stderr.Contains(code, StringComparison.Ordinal), r.ToString());
            Assert.DoesNotContain("enabled location", r.Stdout, StringComparison.Ordinal);
            if (trouble == "fifo") Assert.Contains($"cannot edit the shell profile '{Zshrc}': it is a FIFO (named pipe), not a regular file", r.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal("# my bashrc\n", File.ReadAllText(Bashrc));
        Assert.False(File.Exists(EnabledRecord), "the location was recorded as enabled");
    }

    // §6: "A failure while writing puts back what was already written — each profile's old bytes …, the record as it
    // was, the menu entries as they were — … and nothing is printed as done." The menu folder cannot be made (a file
    // is where it belongs), which is found only once the profiles are written; the location has a GUI to put there.
    [Fact]
    public void An_enable_that_cannot_write_the_menu_puts_the_profiles_back()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", _f.PackSample("hello-gui"), "--location", "dev");
        File.WriteAllText(Bashrc, "# my bashrc\n");
        File.WriteAllText(Zshrc, "# my zshrc\n");
        Directory.CreateDirectory(Path.Combine(Home, ".local", "share"));
        File.WriteAllText(Path.Combine(Home, ".local", "share", "applications"), "not a folder\n");

        var r = _f.Packster.Run(["location", "enable", "dev"], WithHome);
        Assert.True(r.ExitCode == 9 && r.Stderr.Contains("PST9005", StringComparison.Ordinal), r.ToString());
        Assert.DoesNotContain("enabled location", r.Stdout, StringComparison.Ordinal);
        Assert.Equal("# my bashrc\n", File.ReadAllText(Bashrc));
        Assert.Equal("# my zshrc\n", File.ReadAllText(Zshrc));
        Assert.False(File.Exists(EnabledRecord), "the location was recorded as enabled");
    }

    // §6, the same for disable: a profile that cannot be edited (a stray marker, a FIFO) leaves the other profiles'
    // blocks and the record in place.
    [Theory]
    [InlineData("stray-marker", 6, "PST6005")]
    [InlineData("fifo", 9, "PST9005")]
    public void A_failing_disable_leaves_every_profile_and_the_enabled_set_as_they_were(string trouble, int exit, string code)
    {
        if (OperatingSystem.IsWindows()) return;
        File.WriteAllText(Bashrc, "# my bashrc\n");
        File.WriteAllText(Zshrc, "# my zshrc\n");
        _f.Packster.Run(["location", "enable", "dev"], WithHome).Also(r => Assert.True(r.ExitCode == 0, r.ToString()));
        var enabledBashrc = File.ReadAllBytes(Bashrc);
        File.Delete(Zshrc);
        if (trouble == "fifo") Assert.Equal(0, MakeFifo(Zshrc));
        else File.WriteAllText(Zshrc, "# my zshrc\n# <<< packster location dev <<<\n");

        var r = _f.Packster.Run(["location", "disable", "dev"], WithHome);
        Assert.True(r.ExitCode == exit && r.Stderr.Contains(code, StringComparison.Ordinal), r.ToString());
        Assert.DoesNotContain("disabled location", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(enabledBashrc, File.ReadAllBytes(Bashrc));
        Assert.True(File.Exists(EnabledRecord), "the location is no longer recorded as enabled");
    }

    // §6: fish's config folder is "where fish itself reads it: $XDG_CONFIG_HOME/fish when XDG_CONFIG_HOME is set to an
    // absolute path, else ~/.config/fish".
    [Fact]
    public void Fish_is_configured_where_XDG_CONFIG_HOME_says()
    {
        if (OperatingSystem.IsWindows()) return;
        var config = Path.Combine(Home, "xdg-config");
        Directory.CreateDirectory(Path.Combine(config, "fish"));
        var env = new Dictionary<string, string>(WithHome) { ["XDG_CONFIG_HOME"] = config };

        _f.Packster.Run(["location", "enable", "dev"], env).Also(r => Assert.True(r.ExitCode == 0, r.ToString()));
        var conf = Path.Combine(config, "fish", "conf.d", "packster-dev.fish");
        Assert.StartsWith("# >>> packster location dev >>>\n", File.ReadAllText(conf), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Home, ".config", "fish")));

        _f.Packster.Run(["location", "disable", "dev"], env).Also(r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.False(File.Exists(conf));
    }

    private static int MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        return mkfifo.ExitCode;
    }

    private Process Start(string[] args, IReadOnlyDictionary<string, string> env)
    {
        var process = Process.Start(_f.Packster.StartInfo(args, env))!;
        process.StandardInput.Close();
        return process;
    }
}
