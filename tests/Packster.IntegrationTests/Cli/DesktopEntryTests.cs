using System.Diagnostics;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/activation.md § Desktop entries through the real executable, with samples/hello-gui: an active deployment's
/// [[desktop]] entry is a .desktop file in the location's applications/ folder that Debian's desktop-file-validate
/// accepts, mirrored into the user's applications folder while the location is enabled, and gone with the deployment.
/// </summary>
public sealed class DesktopEntryTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Entry => Path.Combine(_f.LocationPath, "applications", "packster-dev-hello-gui-hello-gui.desktop");

    [Fact]
    public void An_active_gui_has_a_valid_menu_entry_that_goes_with_it()
    {
        if (OperatingSystem.IsWindows()) return;
        _f.Packster.Ok("install-file", _f.PackSample("hello-gui"), "--location", "dev", "-p", "greeting=Grüß \"Gott\" 100% $HOME");
        var text = File.ReadAllText(Entry);
        var deployment = Path.GetDirectoryName(Path.GetDirectoryName(text.Split('\n').Single(l => l.StartsWith("TryExec=", StringComparison.Ordinal))[8..]))!;
        Assert.Contains("Name=Hello GUI\n", text, StringComparison.Ordinal);
        Assert.Contains($"Exec=\"{deployment}/bin/hello-gui\" \"--greeting\" \"Grüß \\\\\"Gott\\\\\" 100%% \\\\$HOME\"\n", text, StringComparison.Ordinal);
        Assert.Contains($"Icon={deployment}/share/icons/hello-gui.svg\n", text, StringComparison.Ordinal);
        Assert.Contains("Categories=Utility;\n", text, StringComparison.Ordinal);

        // Not a skip: CI installs it (.ci/install-desktop-utils.sh, Debian's desktop-file-utils).
        Assert.True(Tools.OnPath("desktop-file-validate"), "desktop-file-validate is not installed: .ci/install-desktop-utils.sh installs it");
        using (var p = Process.Start(new ProcessStartInfo("desktop-file-validate", [Entry]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0 && output.Trim().Length == 0, $"desktop-file-validate: {output}");
        }

        _f.Packster.Ok("uninstall", "hello-gui", "--location", "dev");
        Assert.False(File.Exists(Entry));
    }

    [Fact]
    public void A_location_enabled_for_the_user_puts_its_entries_in_the_users_menu_until_disabled()
    {
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()) return;
        var data = _f.Temp["xdg data"];
        var packster = _f.Packster.With("XDG_DATA_HOME", data);
        File.WriteAllText(Path.Combine(_f.Packster.Home.Path, ".bashrc"), "# the user's own\n");
        packster.Ok("install-file", _f.PackSample("hello-gui"), "--location", "dev");
        var user = Path.Combine(data, "applications", Path.GetFileName(Entry));
        Assert.False(File.Exists(user));

        packster.Ok("location", "enable", "dev", "--user");
        Assert.Equal(File.ReadAllText(Entry), File.ReadAllText(user));
        File.WriteAllText(Path.Combine(data, "applications", "someone-else.desktop"), "[Desktop Entry]\n");

        packster.Ok("use", "hello-gui", "--location", "dev");
        packster.Ok("uninstall", "hello-gui", "--location", "dev");
        Assert.False(File.Exists(user));
        packster.Ok("install-file", _f.PackSample("hello-gui"), "--location", "dev");
        Assert.True(File.Exists(user));

        packster.Ok("location", "disable", "dev");
        Assert.False(File.Exists(user));
        Assert.True(File.Exists(Path.Combine(data, "applications", "someone-else.desktop")), "a file that is not packster's was touched");
    }
}
