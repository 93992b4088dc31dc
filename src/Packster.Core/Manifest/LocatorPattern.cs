using System.Diagnostics.CodeAnalysis;

namespace Packster.Manifest;

/// <summary>
/// A <c>[locator]</c> entry's path inside a deployment (spec/manifest.md § [locator]): <c>.</c> (the deployment itself),
/// or a relative, '/'-separated path whose segments may hold the globs <c>*</c> and <c>?</c>, or be <c>**</c> (any number
/// of directories). No empty, '.' or '..' segment, no '\', ':' or control character: it can never name a path outside.
/// </summary>
public readonly record struct LocatorPattern
{
    private readonly string? _value;

    private LocatorPattern(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("default LocatorPattern");

    /// <summary>The pattern's segments; empty for <c>.</c>.</summary>
    public IReadOnlyList<string> Segments => Value == "." ? [] : Value.Split('/');

    public static bool TryParse(string? text, out LocatorPattern pattern, [NotNullWhen(false)] out string? why)
    {
        pattern = default;
        why = Validate(text);
        if (why is not null) return false;
        pattern = new LocatorPattern(text!);
        return true;
    }

    private static string? Validate(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "it is empty";
        if (text == ".") return null;
        if (text.Contains('\\', StringComparison.Ordinal)) return "use '/' as the separator, not '\\'";
        if (text[0] == '/') return "it must be relative to the deployment, not absolute";
        foreach (var c in text)
        {
            if (char.IsControl(c)) return "it contains a control character";
            if (c == ':') return "':' is not allowed in paths inside a deployment";
            if (c is '[' or ']' or '{' or '}') return $"'{c}' is not a glob here; patterns use '*', '?' and '**' only";
        }
        foreach (var segment in text.Split('/'))
        {
            if (segment.Length == 0) return "it has an empty segment ('//' or a trailing '/')";
            if (segment == ".") return "it has a '.' segment ('.' alone names the deployment itself)";
            if (segment == "..") return "'..' would leave the deployment";
            if (segment.Contains("**", StringComparison.Ordinal) && segment != "**") return $"'**' must be a whole segment, not part of '{segment}'";
        }
        return null;
    }

    public override string ToString() => Value;
}

/// <summary>The rules for a <c>[locator]</c> key: ASCII letters, digits, '-' and '_'.</summary>
public static class LocatorName
{
    /// <summary>Why <paramref name="name"/> cannot be a locator name, or null when it can.</summary>
    public static string? Why(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0) return "a locator name must not be empty";
        if (name.Length > 64) return $"'{name[..20]}…' is {name.Length} characters long; a locator name has at most 64";
        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null
            : $"'{name}' is not a locator name: use ASCII letters, digits, '-' and '_'";
    }
}
