using System.Diagnostics.CodeAnalysis;

namespace Packster.Model;

/// <summary>
/// A package id: 1–100 of lowercase ASCII letters, digits, '.', '_' and '-', starting with a letter or digit,
/// never with '-' followed by a digit, so that <c>{id}-{version}-{sha256}.packster</c> splits one way only.
/// </summary>
public readonly record struct PackageId : IComparable<PackageId>
{
    public const int MaxLength = 100;

    private readonly string? _value;

    private PackageId(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("default PackageId");

    public static PackageId Parse(string text) =>
        TryParse(text, out var id, out var why) ? id : throw new PacksterException(ErrorCode.InvalidPackageId, $"invalid package id '{text}': {why}",
            "ids use lowercase letters, digits, '.', '_' and '-', and never '-' followed by a digit");

    public static bool TryParse(string? text, out PackageId id) => TryParse(text, out id, out _);

    public static bool TryParse(string? text, out PackageId id, [NotNullWhen(false)] out string? why)
    {
        id = default;
        why = Validate(text);
        if (why is not null)
        {
            return false;
        }
        id = new PackageId(text!);
        return true;
    }

    private static string? Validate(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "it is empty";
        if (text.Length > MaxLength) return $"it is longer than {MaxLength} characters";
        if (!IsLowerAlnum(text[0])) return "it must start with a lowercase letter or digit";
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!(IsLowerAlnum(c) || c is '.' or '_' or '-')) return $"character '{c}' is not allowed";
            if (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])) return "'-' may not be followed by a digit";
        }
        if (text[^1] is '-' or '.') return "it may not end with '-' or '.'";
        return null;
    }

    private static bool IsLowerAlnum(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    public int CompareTo(PackageId other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
