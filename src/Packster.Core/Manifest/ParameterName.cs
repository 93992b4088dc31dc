namespace Packster.Manifest;

/// <summary>Parameter names: 1–64 ASCII letters, digits, '_' and '-', starting with a letter or '_'.</summary>
public static class ParameterName
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name) => Why(name) is null;

    /// <summary>Why <paramref name="name"/> is not a parameter name, or null when it is one.</summary>
    public static string? Why(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "a parameter name is empty";
        if (name.Length > MaxLength) return $"a parameter name is longer than {MaxLength} characters";
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_')) return "a parameter name must start with a letter or '_'";
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) return $"character '{c}' is not allowed in a parameter name (letters, digits, '_', '-')";
        }
        return null;
    }

    /// <summary>The environment variable a scalar parameter is projected to: <c>PACKSTER_PARAM_</c> + upper-cased name, non-alphanumerics as '_'.</summary>
    public static string EnvironmentVariable(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_').ToArray();
        return Handlers.HandlerEnvironment.ParameterPrefix + new string(chars);
    }
}
