using System.Text;

namespace Packster.Packaging;

/// <summary>
/// The path half of the extraction filter (spec/package-format.md §Extraction filter): a name must be a relative,
/// '/'-separated path that every supported OS writes to exactly one place inside the target. The packer applies the
/// same rules, so a package it writes always extracts.
/// </summary>
public static class EntryPathRules
{
    public const int MaxPathBytes = 1024;
    public const int MaxComponentBytes = 255;
    public const string DeploymentRecordName = "packster-deployment.json";
    public const string ReservedPrefix = ".packster-";

    private static readonly HashSet<string> WindowsDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
        "COM\u00B9", "COM\u00B2", "COM\u00B3", "LPT\u00B9", "LPT\u00B2", "LPT\u00B3",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> WindowsDeviceNamesBySpan = WindowsDeviceNames.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Throws the 4xxx error for the first rule <paramref name="path"/> breaks (a normalised entry path).</summary>
    internal static void Check(string archive, string path, bool invalidUtf8 = false)
    {
        var why = UnsafeReason(path, invalidUtf8);
        if (why is not null) throw ArchiveErrors.UnsafePath(archive, path, why);
        var reserved = ReservedReason(path);
        if (reserved is not null) throw ArchiveErrors.Reserved(archive, path, reserved);
    }

    /// <summary>Why <paramref name="path"/> is unsafe, or null when it is a clean relative path.</summary>
    public static string? UnsafeReason(string path, bool invalidUtf8 = false)
    {
        if (invalidUtf8) return "the name is not valid UTF-8";
        if (path.Length == 0) return "the name is empty";
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes) return $"the path is longer than {MaxPathBytes} bytes";
        foreach (var c in path)
        {
            if (char.IsControl(c)) return $"it contains the control character U+{(int)c:X4}";
        }
        if (path.StartsWith("//", StringComparison.Ordinal) || path.StartsWith(@"\\", StringComparison.Ordinal)) return "it is a UNC path";
        if (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':') return "it starts with a drive letter";
        if (path[0] == '/') return "it is absolute";
        if (path.Contains('\\', StringComparison.Ordinal)) return "it contains a backslash";
        if (path.Contains(':', StringComparison.Ordinal)) return "it contains ':' (a drive or an NTFS stream on Windows)";
        // Components as spans: every entry of every package passes here, and splitting allocated a string per component.
        foreach (var range in path.AsSpan().Split('/'))
        {
            var component = path.AsSpan()[range];
            if (component.Length == 0) return "it has an empty component";
            if (component is ".") return "it has a '.' component";
            if (component is "..") return "it has a '..' component";
            if (Encoding.UTF8.GetByteCount(component) > MaxComponentBytes) return $"the component '{component[..16]}…' is longer than {MaxComponentBytes} bytes";
            if (component[^1] is '.' or ' ') return $"the component '{component}' ends with a dot or space, which Windows drops";
        }
        return null;
    }

    /// <summary>Why <paramref name="path"/> is a reserved name (Windows devices, Packster's own files), or null.</summary>
    public static string? ReservedReason(string path)
    {
        if (string.Equals(path, DeploymentRecordName, StringComparison.OrdinalIgnoreCase)) return $"'{DeploymentRecordName}' belongs to Packster";
        foreach (var range in path.AsSpan().Split('/'))
        {
            var component = path.AsSpan()[range];
            if (component.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase)) return $"names starting with '{ReservedPrefix}' belong to Packster";
            var dot = component.IndexOf('.');
            var stem = (dot < 0 ? component : component[..dot]).TrimEnd(' ');
            if (WindowsDeviceNamesBySpan.Contains(stem)) return $"'{component}' is a Windows device name";
        }
        return null;
    }

    /// <summary>
    /// The key under which two names land on the same file on a case-insensitive or normalising file system
    /// (NTFS, APFS, HFS+): canonically decomposed (NFD), then case folded both ways so 'ß'/'SS'-style and Kelvin-sign pairs meet.
    /// </summary>
    public static string CollisionKey(string path)
    {
        // string.Normalize is a no-op under invariant globalization, so decompose with our own table.
        var normalised = IsAscii(path) ? path : UnicodeDecompositions.Decompose(path);
        return normalised.ToUpperInvariant().ToLowerInvariant();
    }

    private static bool IsAscii(string s)
    {
        foreach (var c in s)
        {
            if (c > 0x7F) return false;
        }
        return true;
    }
}
