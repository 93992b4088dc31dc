using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Packster.Locations;

/// <summary>
/// A location id: 1–100 of lowercase ASCII letters, digits, '.', '_' and '-', starting with a letter or digit and not
/// ending with '.' or '-'. It names a file in the registry, so Windows device names (con, nul, com1…) are refused too.
/// </summary>
public readonly record struct LocationId : IComparable<LocationId>
{
    public const int MaxLength = 100;

    /// <summary>The id of the default user location that <c>packster location setup</c> creates.</summary>
    public static readonly LocationId Default = new("default");

    private static readonly string[] WindowsDeviceNames =
    [
        "con", "prn", "aux", "nul",
        "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
        "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];

    private readonly string? _value;

    private LocationId(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("default LocationId");

    public static LocationId Parse(string text) =>
        TryParse(text, out var id, out var why) ? id : throw LocationErrors.InvalidId(text, why);

    public static bool TryParse(string? text, out LocationId id) => TryParse(text, out id, out _);

    public static bool TryParse(string? text, out LocationId id, [NotNullWhen(false)] out string? why)
    {
        id = default;
        why = Validate(text);
        if (why is not null) return false;
        id = new LocationId(text!);
        return true;
    }

    /// <summary>
    /// Turns a directory name into a valid id: lowercase, runs of other characters become one '-', trimmed;
    /// "location" when nothing is left. <c>My Env (2)</c> → <c>my-env-2</c>.
    /// </summary>
    public static LocationId Slug(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var ch in name)
        {
            var c = char.ToLowerInvariant(ch);
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_')
            {
                sb.Append(c);
            }
            else if (sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }
        }
        var text = sb.ToString();
        if (text.Length > MaxLength) text = text[..MaxLength];
        text = text.TrimStart('.', '_', '-').TrimEnd('.', '-');
        if (TryParse(text, out var id)) return id;
        // Only an empty or reserved name gets here: a fixed prefix makes it valid and keeps it recognisable.
        return text.Length == 0 ? new LocationId("location") : new LocationId("location-" + text);
    }

    private static string? Validate(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "it is empty";
        if (text.Length > MaxLength) return $"it is longer than {MaxLength} characters";
        if (!IsLowerAlnum(text[0])) return "it must start with a lowercase letter or digit";
        foreach (var c in text)
        {
            if (!(IsLowerAlnum(c) || c is '.' or '_' or '-')) return $"character '{c}' is not allowed";
        }
        if (text[^1] is '-' or '.') return "it may not end with '-' or '.'";
        var stem = text.Split('.')[0];
        if (Array.IndexOf(WindowsDeviceNames, stem) >= 0) return $"'{stem}' is a reserved device name on Windows";
        return null;
    }

    private static bool IsLowerAlnum(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    public int CompareTo(LocationId other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
