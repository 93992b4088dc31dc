using System.Text;
using Packster.Locations;

namespace Packster.Activation;

/// <summary>One menu entry of an active deployment, every path absolute and every template expanded.</summary>
public sealed record DesktopEntry(string Id, string Name, string Exec, IReadOnlyList<string> Args, string? Icon, IReadOnlyList<string> Categories,
    string? Comment, bool Terminal);

/// <summary>
/// The freedesktop <c>.desktop</c> files of a location's active deployments (spec/activation.md § Desktop entries):
/// rendered with the other derived files, written to <c>&lt;location&gt;/applications/</c>, and — for a location enabled
/// for the user — mirrored into the user's applications folder (<c>$XDG_DATA_HOME/applications</c>), where a menu finds
/// them. Every file is named <c>packster-&lt;location&gt;+&lt;package&gt;+&lt;entry&gt;.desktop</c>: no id may hold a <c>+</c>,
/// so a name splits one way only and packster only ever touches its own location's files.
/// </summary>
public static class DesktopEntries
{
    public const string DirectoryName = "applications";

    /// <summary>
    /// What joins the location, package and entry ids in a file name: no id holds it (location and package ids are
    /// <c>a-z 0-9 . _ -</c>, entry ids <c>a-z 0-9 -</c>), so <c>dev</c>'s files are never <c>dev-tools</c>'s.
    /// </summary>
    public const char Separator = '+';

    /// <summary>The prefix of every file of <paramref name="locationId"/> in an applications folder.</summary>
    public static string Prefix(string locationId) => $"packster-{locationId}{Separator}";

    public static string FileName(string locationId, string packageId, string entryId) => $"{Prefix(locationId)}{packageId}{Separator}{entryId}.desktop";

    /// <summary>The Desktop Entry Specification text (Version=1.4: what Debian's desktop-file-validate 0.26 knows; nothing here is newer) of <paramref name="entry"/>.</summary>
    public static string Render(DesktopEntry entry, string locationId, string packageId)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sb = new StringBuilder("[Desktop Entry]\n")
            .Append("Type=Application\n")
            .Append("Version=1.4\n")
            .Append("Name=").Append(Text(entry.Name)).Append('\n');
        if (entry.Comment is { } comment) sb.Append("Comment=").Append(Text(comment)).Append('\n');
        sb.Append("Exec=").Append(Exec([entry.Exec, .. entry.Args])).Append('\n');
        sb.Append("TryExec=").Append(Text(entry.Exec)).Append('\n');
        if (entry.Icon is { } icon) sb.Append("Icon=").Append(Text(icon)).Append('\n');
        if (entry.Categories.Count > 0) sb.Append("Categories=").Append(string.Concat(entry.Categories.Select(c => c + ";"))).Append('\n');
        sb.Append("Terminal=").Append(entry.Terminal ? "true" : "false").Append('\n');
        sb.Append("X-Packster-Location=").Append(Text(locationId)).Append('\n');
        sb.Append("X-Packster-Package=").Append(Text(packageId)).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// The Exec value: every argument in double quotes with <c>"</c> <c>`</c> <c>$</c> <c>\</c> backslash-escaped (the
    /// quoting rule), then the string escape rule doubles every backslash, and a literal <c>%</c> is <c>%%</c> (not a field code).
    /// </summary>
    public static string Exec(IEnumerable<string> argv)
    {
        var sb = new StringBuilder();
        foreach (var arg in argv)
        {
            Refuse(arg);
            if (sb.Length > 0) sb.Append(' ');
            sb.Append('"');
            foreach (var c in arg)
            {
                if (c is '"' or '`' or '$' or '\\') sb.Append('\\');
                sb.Append(c);
            }
            sb.Append('"');
        }
        return sb.ToString().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "%%", StringComparison.Ordinal);
    }

    /// <summary>A string value: backslash escaped; a control character cannot be written (a line break would end the key).</summary>
    private static string Text(string value)
    {
        Refuse(value);
        return value.Replace("\\", "\\\\", StringComparison.Ordinal);
    }

    private static void Refuse(string value)
    {
        if (value.Any(char.IsControl))
        {
            throw new PacksterException(ErrorCode.ActivationEnvInvalid, $"'{TerminalText.Printable(value)}' holds a control character: it cannot be written into a .desktop file");
        }
    }

    /// <summary>
    /// Makes <paramref name="directory"/> hold exactly <paramref name="files"/> among this location's entries: each written
    /// atomically, the location's others removed. Files of other locations and anything not packster's stay. A file of
    /// the earlier naming (<c>packster-&lt;location&gt;-&lt;package&gt;-&lt;entry&gt;.desktop</c>, whose ids could not be
    /// told apart) is removed only when its own <c>X-Packster-Location</c> line names this location.
    /// </summary>
    public static void Sync(string directory, string locationId, IReadOnlyList<(string FileName, string Text)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0 && !Directory.Exists(directory)) return;
        Directory.CreateDirectory(directory);
        foreach (var (name, text) in files) AtomicFile.Write(Path.Combine(directory, name), Encoding.UTF8.GetBytes(text));
        var keep = files.Select(f => f.FileName).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.EnumerateFiles(directory, Prefix(locationId) + "*.desktop"))
        {
            if (!keep.Contains(Path.GetFileName(stale))) File.Delete(stale);
        }
        foreach (var old in Directory.EnumerateFiles(directory, $"packster-{locationId}-*.desktop"))
        {
            if (!Path.GetFileName(old).Contains(Separator, StringComparison.Ordinal) && EarlierNamedOf(old, locationId)) File.Delete(old);
        }
    }

    /// <summary>Whether <paramref name="path"/>, a file of the earlier naming, says it is <paramref name="locationId"/>'s (a regular file packster could have written, read no further than 64 KiB).</summary>
    private static bool EarlierNamedOf(string path, string locationId)
    {
        try
        {
            if (Packaging.FileKinds.Of(path) != Packaging.FileKind.Regular || new FileInfo(path).Length > 64 * 1024) return false;
            return File.ReadAllText(path, Encoding.UTF8).Split('\n').Contains($"X-Packster-Location={locationId}", StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Where a location keeps its Windows shortcuts: <c>&lt;location&gt;/applications/start-menu/</c>.</summary>
    public const string ShortcutDirectoryName = "start-menu";

    /// <summary>
    /// The Windows shortcuts of the entries, named after each entry (a name two entries share gets
    /// <c> (&lt;package&gt; &lt;entry&gt;)</c> appended), rendered on every OS so a value they cannot carry fails the same everywhere.
    /// </summary>
    public static IReadOnlyList<(string FileName, byte[] Bytes)> Shortcuts(IReadOnlyList<(string Package, DesktopEntry Entry)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var names = entries.GroupBy(e => WindowsShortcut.FileName(e.Entry), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
            .Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. entries.Select(e =>
        {
            var name = WindowsShortcut.FileName(e.Entry);
            if (names.Contains(name)) name = $"{name[..^4]} ({e.Package} {e.Entry.Id}).lnk";
            return (name, WindowsShortcut.Render(e.Entry));
        })];
    }

    /// <summary>The Start-menu folder of a location enabled for the user: <c>%APPDATA%\Microsoft\Windows\Start Menu\Programs\Packster (&lt;location&gt;)</c>.</summary>
    public static string StartMenuDirectory(PacksterPaths paths, string locationId)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var roaming = paths.Get("APPDATA") is { } appData && Path.IsPathFullyQualified(appData) ? appData : Path.Combine(paths.Home, "AppData", "Roaming");
        return Path.Combine(roaming, "Microsoft", "Windows", "Start Menu", "Programs", $"Packster ({locationId})");
    }

    /// <summary>
    /// Makes <paramref name="directory"/> — a folder that is packster's alone — hold exactly <paramref name="files"/>
    /// among its <c>.lnk</c> files; an emptied folder is removed, so the menu shows no empty group.
    /// </summary>
    public static void SyncShortcuts(string directory, IReadOnlyList<(string FileName, byte[] Bytes)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!Directory.Exists(directory))
        {
            if (files.Count == 0) return;
            Directory.CreateDirectory(directory);
        }
        foreach (var (name, bytes) in files) AtomicFile.Write(Path.Combine(directory, name), bytes);
        var keep = files.Select(f => f.FileName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var stale in Directory.EnumerateFiles(directory, "*.lnk"))
        {
            if (!keep.Contains(Path.GetFileName(stale))) File.Delete(stale);
        }
        if (files.Count == 0 && !Directory.EnumerateFileSystemEntries(directory).Any()) Directory.Delete(directory);
    }

    /// <summary>The user's applications folder: <c>$XDG_DATA_HOME/applications</c>, else <c>~/.local/share/applications</c>.</summary>
    public static string UserDirectory(PacksterPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Path.Combine(paths.Get("XDG_DATA_HOME") is { } data && Path.IsPathFullyQualified(data) ? data : Path.Combine(paths.Home, ".local", "share"), DirectoryName);
    }
}
