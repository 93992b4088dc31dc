using System.Diagnostics.CodeAnalysis;

namespace Packster.Manifest;

/// <summary>
/// A shim's name: one safe file-name component on every OS — 1–64 characters, no '/', '\\', ':', control
/// characters or characters Windows forbids, not '.' or '..', no trailing '.' or space, not a reserved Windows
/// device name (CON, NUL, COM1 …, with or without extension).
/// </summary>
public readonly record struct ShimName : IComparable<ShimName>
{
    public const int MaxLength = 64;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    private readonly string? _value;

    private ShimName(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("default ShimName");

    public static ShimName Parse(string text) =>
        TryParse(text, out var name, out var why) ? name
            : throw new PacksterException(ErrorCode.InvalidShimName, $"invalid shim name '{text}': {why}");

    public static bool TryParse(string? text, out ShimName name, [NotNullWhen(false)] out string? why)
    {
        name = default;
        why = Validate(text);
        if (why is not null) return false;
        name = new ShimName(text!);
        return true;
    }

    private static string? Validate(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "it is empty";
        if (text.Length > MaxLength) return $"it is longer than {MaxLength} characters";
        if (text is "." or "..") return "it must be a file name, not '.' or '..'";
        foreach (var c in text)
        {
            if (char.IsControl(c)) return "it contains a control character";
            if (c is '/' or '\\') return "it must be one path component (no '/' or '\\')";
            if (c is ':' or '*' or '?' or '"' or '<' or '>' or '|') return $"character '{c}' is not allowed in file names on Windows";
        }
        if (text.Contains("..", StringComparison.Ordinal)) return "it must not contain '..'";
        if (text[^1] is '.' or ' ') return "it must not end with '.' or a space";
        if (char.IsWhiteSpace(text[0])) return "it must not start with a space";
        var stem = text.Split('.')[0];
        if (Reserved.Contains(stem)) return $"'{stem}' is a reserved device name on Windows";
        return null;
    }

    public int CompareTo(ShimName other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
