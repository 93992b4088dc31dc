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

    private string Entry => Path.Combine(_f.LocationPath, "applications", "packster-dev+hello-gui+hello-gui.desktop");

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
    /// <summary>A copy of samples/hello-gui packed as <paramref name="id"/> (its shim too), its menu entry's id <paramref name="entryId"/>.</summary>
    private string PackGui(string id, string entryId)
    {
        var source = _f.Temp[$"src-{id}"];
        foreach (var file in Directory.EnumerateFiles(RepoFiles.Sample("hello-gui"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(source, Path.GetRelativePath(RepoFiles.Sample("hello-gui"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
        var manifest = Path.Combine(source, "packster-manifest.toml");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("id = \"hello-gui\"", $"id = \"{id}\"", StringComparison.Ordinal)
            .Replace("hello-gui = \"bin/hello-gui\"", $"{id} = \"bin/hello-gui\"", StringComparison.Ordinal)
            .Replace("[[desktop]]\n", $"[[desktop]]\nid = \"{entryId}\"\n", StringComparison.Ordinal));
        return _f.Pack(source);
    }

    [Fact]
    public void A_location_whose_id_extends_another_keeps_its_entries_when_the_other_changes()
    {
        // spec/activation.md § Desktop entries: "Only files named `packster-<location>+…` are ever written or removed
        // there" — location dev's files are never dev-tools's; an earlier-named file goes only when its
        // X-Packster-Location line names the location.
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()) return;
        var data = _f.Temp["xdg data"];
        var packster = _f.Packster.With("XDG_DATA_HOME", data);
        packster.Ok("location", "create", _f.Temp["tools"], "--id", "dev-tools");
        packster.Ok("install-file", _f.PackSample("hello-gui"), "--location", "dev-tools");
        packster.Ok("location", "enable", "dev-tools", "--user");
        var apps = Path.Combine(data, "applications");
        var tools = Path.Combine(apps, "packster-dev-tools+hello-gui+hello-gui.desktop");
        Assert.True(File.Exists(tools));
        var oldDev = Path.Combine(apps, "packster-dev-old-x.desktop");
        var oldTools = Path.Combine(apps, "packster-dev-tools-old-x.desktop");
        File.WriteAllText(oldDev, "[Desktop Entry]\nX-Packster-Location=dev\nX-Packster-Package=old\n");
        File.WriteAllText(oldTools, "[Desktop Entry]\nX-Packster-Location=dev-tools\nX-Packster-Package=old\n");

        packster.Ok("location", "enable", "dev", "--user");
        Assert.True(File.Exists(tools), "enabling dev removed dev-tools's menu entry");
        Assert.False(File.Exists(oldDev), "dev's earlier-named entry was left behind");
        Assert.True(File.Exists(oldTools), "dev removed an earlier-named entry of dev-tools");

        packster.Ok("install-file", PackGui("gui-two", "hello-gui"), "--location", "dev");
        Assert.True(File.Exists(Path.Combine(apps, "packster-dev+gui-two+hello-gui.desktop")));
        packster.Ok("uninstall", "gui-two", "--location", "dev");
        packster.Ok("location", "disable", "dev");
        Assert.True(File.Exists(tools), "dev's install, uninstall or disable removed dev-tools's menu entry");
        Assert.Contains("X-Packster-Location=dev-tools\n", File.ReadAllText(tools), StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_that_join_to_the_same_text_name_two_files()
    {
        // spec/activation.md § Desktop entries: "location `ga` with package `x-y` never shares a name with location
        // `ga-x` with package `y`".
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()) return;
        var data = _f.Temp["xdg data"];
        var packster = _f.Packster.With("XDG_DATA_HOME", data);
        packster.Ok("location", "create", _f.Temp["ga"], "--id", "ga");
        packster.Ok("location", "create", _f.Temp["ga-x"], "--id", "ga-x");
        packster.Ok("install-file", PackGui("x-y", "z"), "--location", "ga");
        packster.Ok("install-file", PackGui("y", "z"), "--location", "ga-x");
        packster.Ok("location", "enable", "ga", "--user");
        packster.Ok("location", "enable", "ga-x", "--user");

        var apps = Path.Combine(data, "applications");
        var first = Path.Combine(apps, "packster-ga+x-y+z.desktop");
        var second = Path.Combine(apps, "packster-ga-x+y+z.desktop");
        Assert.Contains("X-Packster-Location=ga\nX-Packster-Package=x-y\n", File.ReadAllText(first), StringComparison.Ordinal);
        Assert.Contains("X-Packster-Location=ga-x\nX-Packster-Package=y\n", File.ReadAllText(second), StringComparison.Ordinal);

        packster.Ok("location", "disable", "ga");
        Assert.False(File.Exists(first));
        Assert.True(File.Exists(second), "disabling ga removed ga-x's menu entry");
    }
}
