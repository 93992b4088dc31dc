using System.Text;

namespace Packster.Activation;

/// <summary>
/// Persistent activation on POSIX (spec/activation.md §6): a marked block in a shell profile that sources the
/// location's static script. Enable and Disable are idempotent, keep every byte outside the block, and replace the
/// file atomically (through a symlinked profile to its real file, keeping its mode).
/// </summary>
public static class ProfileSnippet
{
    public static string BeginMarker(string locationId) => $"# >>> packster location {locationId} >>>";

    public static string EndMarker(string locationId) => $"# <<< packster location {locationId} <<<";

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
    /// rewrites it in place when present. Returns false when the file already held exactly this block.
    /// </summary>
    public static bool Enable(string profilePath, string locationId, string activationScriptPath)
    {
        var block = Block(locationId, activationScriptPath);
        var target = RealPath(profilePath);
        var text = File.Exists(target) ? File.ReadAllText(target) : null;
        string updated;
        if (text is not null && Find(text, target, locationId) is var (start, end))
        {
            updated = string.Concat(text.AsSpan(0, start), block, text.AsSpan(end));
        }
        else
        {
            var prefix = text ?? "";
            updated = prefix.Length == 0 || prefix.EndsWith('\n') ? prefix + block : prefix + "\n" + block;
        }
        if (updated == text) return false;
        Replace(target, updated);
        return true;
    }

    /// <summary>Removes the block for <paramref name="locationId"/>; false when there was none (or no file).</summary>
    public static bool Disable(string profilePath, string locationId)
    {
        ActivationId.Validate(locationId);
        var target = RealPath(profilePath);
        if (!File.Exists(target)) return false;
        var text = File.ReadAllText(target);
        if (Find(text, target, locationId) is not var (start, end)) return false;
        Replace(target, string.Concat(text.AsSpan(0, start), text.AsSpan(end)));
        return true;
    }

    /// <summary>True when the profile holds a block for <paramref name="locationId"/>.</summary>
    public static bool IsEnabled(string profilePath, string locationId)
    {
        ActivationId.Validate(locationId);
        var target = RealPath(profilePath);
        return File.Exists(target) && Find(File.ReadAllText(target), target, locationId) is not null;
    }

    /// <summary>The fish profile for a location: <c>~/.config/fish/conf.d/packster-&lt;id&gt;.fish</c>.</summary>
    public static string FishConfPath(string home, string locationId)
    {
        ActivationId.Validate(locationId);
        return Path.Combine(home, ".config", "fish", "conf.d", $"packster-{locationId}.fish");
    }

    // The block spans from the start of its begin-marker line to just after its end-marker line (and its newline).
    private static (int Start, int End)? Find(string text, string path, string locationId)
    {
        var begin = BeginMarker(locationId);
        var endMarker = EndMarker(locationId);
        int? start = null;
        var lineNo = 0;
        var pos = 0;
        while (pos < text.Length)
        {
            lineNo++;
            var newline = text.IndexOf('\n', pos);
            var lineEnd = newline < 0 ? text.Length : newline + 1;
            var line = text.AsSpan(pos, (newline < 0 ? text.Length : newline) - pos).TrimEnd('\r');
            if (line.SequenceEqual(begin))
            {
                if (start is not null) throw Corrupt(path, lineNo, $"a second '{begin}' before '{endMarker}'");
                start = pos;
            }
            else if (line.SequenceEqual(endMarker))
            {
                if (start is null) throw Corrupt(path, lineNo, $"'{endMarker}' without '{begin}'");
                return (start.Value, lineEnd);
            }
            pos = lineEnd;
        }
        return start is null ? null : throw Corrupt(path, lineNo, $"'{begin}' is never closed by '{endMarker}'");
    }

    private static PacksterException Corrupt(string path, int line, string why) =>
        new(ErrorCode.ProfileSnippetCorrupt, $"{path}:{line}: packster block markers are unbalanced: {why}",
            "fix or remove the packster block by hand, then run the command again");

    private static string RealPath(string profilePath)
    {
        var full = Path.GetFullPath(profilePath);
        // Dotfile managers symlink profiles; replacing the link with a file would silently detach it.
        var info = new FileInfo(full);
        return info.LinkTarget is null ? full : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
    }

    private static void Replace(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        UnixFileMode? mode = !OperatingSystem.IsWindows() && File.Exists(path) ? File.GetUnixFileMode(path) : null;
        AtomicFile.WriteAllText(path, text, mode);
    }
}
