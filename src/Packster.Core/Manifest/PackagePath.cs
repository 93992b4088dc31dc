using System.Diagnostics.CodeAnalysis;

namespace Packster.Manifest;

/// <summary>
/// A path inside a package: relative, '/'-separated, no empty, '.' or '..' segments, no backslash, no drive
/// letter and no control characters, so joining it to a deployment directory can never leave that directory.
/// </summary>
public readonly record struct PackagePath
{
    private readonly string? _value;

    private PackagePath(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("default PackagePath");

    public static PackagePath Parse(string text) =>
        TryParse(text, out var path, out var why) ? path
            : throw new PacksterException(ErrorCode.InvalidPath, $"invalid package path '{text}': {why}");

    public static bool TryParse(string? text, out PackagePath path, [NotNullWhen(false)] out string? why)
    {
        path = default;
        why = Validate(text);
        if (why is not null) return false;
        path = new PackagePath(text!);
        return true;
    }

    private static string? Validate(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "it is empty";
        if (text.Contains('\\', StringComparison.Ordinal)) return "use '/' as the separator, not '\\'";
        if (text[0] == '/') return "it must be relative to the package root, not absolute";
        if (text.Length >= 2 && char.IsAsciiLetter(text[0]) && text[1] == ':') return "it must not start with a drive letter";
        foreach (var c in text)
        {
            if (char.IsControl(c)) return "it contains a control character";
        }
        foreach (var segment in text.Split('/'))
        {
            if (segment.Length == 0) return "it has an empty segment ('//' or a trailing '/')";
            if (segment == ".") return "it has a '.' segment";
            if (segment == "..") return "'..' would leave the package";
        }
        return null;
    }

    /// <summary>The absolute path of this file under <paramref name="root"/>, with the platform's separator.</summary>
    public string Under(string root) => Path.Join(root, Value.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The file extension including the dot, lower-cased ('' when none).</summary>
    public string Extension
    {
        get
        {
            var name = Value[(Value.LastIndexOf('/') + 1)..];
            var dot = name.LastIndexOf('.');
            return dot <= 0 ? "" : name[dot..].ToLowerInvariant();
        }
    }

    public override string ToString() => Value;
}
