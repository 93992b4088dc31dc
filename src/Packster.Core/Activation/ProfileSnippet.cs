using System.Text;
using Packster.Locations;

namespace Packster.Activation;

/// <summary>
/// Persistent activation on POSIX (spec/activation.md §6): a marked block in a shell profile that sources the
/// location's static script. Enable and Disable are idempotent, splice raw bytes (a BOM or bytes that are not UTF-8
/// stay as they are), take the profile's <see cref="ProfileLock"/>, and replace the file atomically (through a
/// symlinked profile to its real file, keeping its mode).
/// </summary>
public static class ProfileSnippet
{
    public static string BeginMarker(string locationId) => $"# >>> packster location {locationId} >>>";

    public static string EndMarker(string locationId) => $"# <<< packster location {locationId} <<<";

    /// <summary>Where the profile locks of <paramref name="paths"/> live (Packster's data home, not the user's home).</summary>
    public static string LockDirectory(PacksterPaths paths) => ProfileLock.Directory(paths);

    /// <summary>The block itself, ending with a newline; fish syntax when the script is <c>.fish</c>.</summary>
    public static string Block(string locationId, string activationScriptPath)
    {
        ActivationId.Validate(locationId);
        if (activationScriptPath.AsSpan().IndexOfAny('\0', '\n', '\r') >= 0 || !Path.IsPathFullyQualified(activationScriptPath))
        {
            throw new PacksterException(ErrorCode.ActivationEnvInvalid, $"invalid activation script path '{activationScriptPath}': expected an absolute path without line breaks");
        }
        var body = activationScriptPath.EndsWith(".fish", StringComparison.Ordinal)
            ? $"if test -r {ShellQuoting.Fish(activationScriptPath)}; source {ShellQuoting.Fish(activationScriptPath)}; end"
            : $"if [ -r {ShellQuoting.Posix(activationScriptPath)} ]; then . {ShellQuoting.Posix(activationScriptPath)}; fi";
        return BeginMarker(locationId) + "\n"
            + $"# Managed by packster: 'packster location disable {locationId}' removes this block.\n"
            + body + "\n"
            + EndMarker(locationId) + "\n";
    }

    /// <summary>
    /// Adds the block for <paramref name="locationId"/> (appended, after a newline if the file lacks a final one), or
    /// rewrites it in place when present. Returns false when the file already held exactly this block. The file is
    /// edited as bytes under its <see cref="ProfileLock"/> in <paramref name="lockDirectory"/>.
    /// </summary>
    public static bool Enable(string profilePath, string locationId, string activationScriptPath, string lockDirectory,
        TimeSpan? lockTimeout = null, TextWriter? waiting = null)
    {
        using var edit = PrepareEnable(profilePath, locationId, activationScriptPath, lockDirectory, lockTimeout, waiting);
        edit.Write();
        return edit.Changes;
    }

    /// <summary>
    /// <see cref="Enable"/> judged and prepared, not written: the profile's lock is taken and held by the result, the
    /// profile read (refused unopened when it is not a regular file) and its markers checked, so that every failure
    /// but the write's own comes before anything is written (spec/activation.md §6).
    /// </summary>
    public static ProfileEdit PrepareEnable(string profilePath, string locationId, string activationScriptPath, string lockDirectory,
        TimeSpan? lockTimeout = null, TextWriter? waiting = null)
    {
        var block = Encoding.UTF8.GetBytes(Block(locationId, activationScriptPath));
        var target = RealPath(profilePath);
        var held = ProfileLock.Acquire(target, lockDirectory, lockTimeout ?? LocationLock.DefaultTimeout, waiting);
        try
        {
            var bytes = Read(target);
            PausePoint.Hit("profile.read");
            byte[] updated;
            if (bytes is not null && Find(bytes, target, locationId) is var (start, end))
            {
                updated = [.. bytes.AsSpan(0, start), .. block, .. bytes.AsSpan(end)];
            }
            else
            {
                var prefix = bytes ?? [];
                updated = prefix.Length == 0 || prefix[^1] == (byte)'\n' ? [.. prefix, .. block] : [.. prefix, (byte)'\n', .. block];
            }
            return new ProfileEdit(profilePath, target, bytes, bytes is not null && updated.AsSpan().SequenceEqual(bytes) ? null : updated, held);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Removes the block for <paramref name="locationId"/>; false when there was none (or no file).</summary>
    public static bool Disable(string profilePath, string locationId, string lockDirectory, TimeSpan? lockTimeout = null, TextWriter? waiting = null)
    {
        using var edit = PrepareDisable(profilePath, locationId, lockDirectory, lockTimeout, waiting);
        edit.Write();
        return edit.Changes;
    }

    /// <summary>
    /// <see cref="Disable"/> judged and prepared, not written, as <see cref="PrepareEnable"/>. With
    /// <paramref name="deleteWhenEmpty"/> (fish's conf.d file, packster's own) a file that is empty without the block is
    /// deleted by the write.
    /// </summary>
    public static ProfileEdit PrepareDisable(string profilePath, string locationId, string lockDirectory, TimeSpan? lockTimeout = null,
        TextWriter? waiting = null, bool deleteWhenEmpty = false)
    {
        ActivationId.Validate(locationId);
        var target = RealPath(profilePath);
        if (Read(target) is null) return new ProfileEdit(profilePath, target, null, null, null);
        var held = ProfileLock.Acquire(target, lockDirectory, lockTimeout ?? LocationLock.DefaultTimeout, waiting);
        try
        {
            var bytes = Read(target);
            if (bytes is null) return new ProfileEdit(profilePath, target, null, null, held);
            byte[]? updated = Find(bytes, target, locationId) is var (start, end) ? [.. bytes.AsSpan(0, start), .. bytes.AsSpan(end)] : null;
            var delete = deleteWhenEmpty && (updated ?? bytes).Length == 0;
            return new ProfileEdit(profilePath, target, bytes, updated, held, delete);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>True when the profile holds a block for <paramref name="locationId"/>.</summary>
    public static bool IsEnabled(string profilePath, string locationId)
    {
        ActivationId.Validate(locationId);
        var target = RealPath(profilePath);
        return Read(target) is { } bytes && Find(bytes, target, locationId) is not null;
    }

    /// <summary>
    /// The bytes of the profile <paramref name="target"/>, null when there is none. Anything but a regular file there —
    /// a FIFO, whose open would wait for a writer, a device, a socket, a folder — is refused unopened, naming the
    /// file (PST9005, as every file packster reads that may be anything).
    /// </summary>
    private static byte[]? Read(string target)
    {
        const string Doing = "cannot edit the shell profile";
        const string Hint = "a shell profile is a regular file: remove or replace what is there, then run the command again";
        return FileSystemErrors.FileExists(target, Doing, Hint) ? FileSystemErrors.ReadFile(target, Doing, Hint) : null;
    }

    /// <summary>The fish profile for a location: <c>~/.config/fish/conf.d/packster-&lt;id&gt;.fish</c>.</summary>
    public static string FishConfPath(string home, string locationId)
    {
        ActivationId.Validate(locationId);
        return Path.Combine(home, ".config", "fish", "conf.d", $"packster-{locationId}.fish");
    }

    /// <summary>
    /// Where fish reads its configuration, as fish itself finds it: <c>$XDG_CONFIG_HOME/fish</c> when XDG_CONFIG_HOME is
    /// set to an absolute path, else <c>~/.config/fish</c>.
    /// </summary>
    public static string FishConfigDirectory(PacksterPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return paths.Get("XDG_CONFIG_HOME") is { } config && Path.IsPathFullyQualified(config)
            ? Path.Combine(config, "fish")
            : Path.Combine(paths.Home, ".config", "fish");
    }

    /// <summary>The fish profile for a location: <c>conf.d/packster-&lt;id&gt;.fish</c> in <see cref="FishConfigDirectory"/>.</summary>
    public static string FishConfPath(PacksterPaths paths, string locationId)
    {
        ActivationId.Validate(locationId);
        return Path.Combine(FishConfigDirectory(paths), "conf.d", $"packster-{locationId}.fish");
    }

    // The block spans from the start of its begin-marker line to just after its end-marker line (and its newline).
    // Markers are ASCII, so they are found in the raw bytes: nothing outside the block is ever decoded.
    private static (int Start, int End)? Find(byte[] bytes, string path, string locationId)
    {
        var begin = Encoding.ASCII.GetBytes(BeginMarker(locationId));
        var endMarker = Encoding.ASCII.GetBytes(EndMarker(locationId));
        int? start = null;
        var startLine = 0;
        var lineNo = 0;
        var pos = 0;
        while (pos < bytes.Length)
        {
            lineNo++;
            var newline = Array.IndexOf(bytes, (byte)'\n', pos);
            var lineEnd = newline < 0 ? bytes.Length : newline + 1;
            var line = bytes.AsSpan(pos, (newline < 0 ? bytes.Length : newline) - pos).TrimEnd((byte)'\r');
            if (line.SequenceEqual(begin))
            {
                if (start is not null) throw Corrupt(path, lineNo, $"a second '{BeginMarker(locationId)}' before '{EndMarker(locationId)}'");
                start = pos;
                startLine = lineNo;
            }
            else if (line.SequenceEqual(endMarker))
            {
                if (start is null) throw Corrupt(path, lineNo, $"'{EndMarker(locationId)}' without '{BeginMarker(locationId)}'");
                return (start.Value, lineEnd);
            }
            pos = lineEnd;
        }
        // The line to look at is the marker's own, not the file's last.
        return start is null ? null : throw Corrupt(path, startLine, $"'{BeginMarker(locationId)}' is never closed by '{EndMarker(locationId)}'");
    }

    private static PacksterException Corrupt(string path, int line, string why) =>
        new(ErrorCode.ProfileSnippetCorrupt, $"{path}:{line}: packster block markers are unbalanced: {why}",
            "fix or remove the packster block by hand, then run the command again");

    internal static string RealPath(string profilePath)
    {
        var full = Path.GetFullPath(profilePath);
        // Dotfile managers symlink profiles; replacing the link with a file would silently detach it.
        var info = new FileInfo(full);
        return info.LinkTarget is null ? full : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
    }

    /// <summary>Temp file, fsync, rename: the profile is the old or the new bytes, never a mix; its mode is kept.</summary>
    internal static void Replace(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        UnixFileMode? mode = !OperatingSystem.IsWindows() && File.Exists(path) ? File.GetUnixFileMode(path) : null;
        AtomicFile.Write(path, bytes, mode);
    }
}
