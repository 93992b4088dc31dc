using System.Diagnostics.CodeAnalysis;

namespace Packster.Manifest;

/// <summary>
/// A shim's name: one safe file-name component on every OS — 1–64 characters, no '/', '\\', ':', control
/// characters or characters Windows forbids, not '.' or '..', no trailing '.' or space, not a reserved Windows
/// device name (CON, NUL, COM1 …, with or without extension).
/// </summary>
public readonly record struct ShimName : IComparable<ShimName>
{
    public const int MaxLength = Activation.ShimName.MaxLength;

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

    /// <summary>The rules are the activation layer's (spec/activation.md §1): a shim name must work as a file name on every OS.</summary>
    private static string? Validate(string? text) => Activation.ShimName.Problem(text);

    public int CompareTo(ShimName other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
