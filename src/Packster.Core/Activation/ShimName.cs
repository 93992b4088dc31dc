namespace Packster.Activation;

/// <summary>
/// A shim name is one safe path component on every OS (spec/activation.md §1): 1–64 characters, no '/', '\',
/// control characters or <c>&lt;&gt;:"|?*</c>, not '.' or '..', no trailing '.' or space, no reserved Windows
/// device name (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with or without an extension).
/// </summary>
public static class ShimName
{
    public const int MaxLength = 64;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    public static bool IsValid(string? name) => Why(name) is null;

    public static void Validate(string? name)
    {
        var why = Why(name);
        if (why is not null)
        {
            throw new PacksterException(ErrorCode.ShimNameInvalid, $"invalid shim name '{Printable(name)}': {why}",
                "a shim name is one file name: letters, digits, '.', '_' and '-' are always safe");
        }
    }

    /// <summary>What is wrong with <paramref name="name"/> as a shim name, or null when it is valid. The manifest uses the same rules.</summary>
    public static string? Problem(string? name) => Why(name);

    private static string? Why(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "it is empty";
        if (name.Length > MaxLength) return $"it is longer than {MaxLength} characters";
        if (name is "." or "..") return "it must be a file name, not '.' or '..'";
        foreach (var c in name)
        {
            if (char.IsControl(c)) return "it contains a control character";
            if (c is '/' or '\\') return "it must be one path component (no '/' or '\\')";
            if (c is '<' or '>' or ':' or '"' or '|' or '?' or '*') return $"character '{c}' is not allowed in file names on Windows";
        }
        if (name.Contains("..", StringComparison.Ordinal)) return "it must not contain '..'";
        if (name[^1] is '.' or ' ') return "it must not end with '.' or a space";
        if (char.IsWhiteSpace(name[0])) return "it must not start with a space";
        var stem = name.Split('.')[0].TrimEnd(' ');
        if (Reserved.Contains(stem)) return $"'{stem}' is a reserved device name on Windows";
        return null;
    }

    private static string Printable(string? name) =>
        name is null ? "" : string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
