namespace Packster.Resources;

/// <summary>
/// Environment keys a location may set: <c>[A-Za-z_][A-Za-z0-9_]*</c>, at most 128 characters, so every shell
/// can assign them without quoting (spec/resources.md §2). PATH and the <c>_PACKSTER_</c> prefix are reserved for activation.
/// </summary>
public static class EnvKeyName
{
    public const int MaxLength = 128;

    public static bool IsValid(string? key) => WhyNot(key) is null;

    /// <summary>Whether <paramref name="key"/> is a well-formed name that activation keeps for itself (PATH, <c>_PACKSTER_*</c>).</summary>
    public static bool IsReserved(string key) =>
        string.Equals(key, "PATH", StringComparison.OrdinalIgnoreCase) || key.StartsWith("_PACKSTER_", StringComparison.OrdinalIgnoreCase);

    public static void Validate(string? key)
    {
        var why = WhyNot(key);
        if (why is not null)
        {
            throw new PacksterException(ErrorCode.ResourceClaimInvalid, $"invalid environment variable '{key}': {why}",
                key is not null && IsReserved(key)
                    ? "PATH and _PACKSTER_* belong to activation: declare shims to put commands on PATH, and choose another name"
                    : "environment keys use letters, digits and '_', and do not start with a digit");
        }
    }

    /// <summary>Why <paramref name="key"/> may not be set by a location; null when it may.</summary>
    public static string? WhyNot(string? key)
    {
        if (string.IsNullOrEmpty(key)) return "it is empty";
        if (key.Length > MaxLength) return $"it is longer than {MaxLength} characters";
        if (char.IsAsciiDigit(key[0])) return "it starts with a digit";
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return $"character '{(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4") : c.ToString())}' is not allowed";
        }
        if (string.Equals(key, "PATH", StringComparison.OrdinalIgnoreCase)) return "PATH is managed by activation itself";
        if (IsReserved(key)) return "the _PACKSTER_ prefix is reserved";
        return null;
    }
}
