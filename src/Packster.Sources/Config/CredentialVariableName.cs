namespace Packster.Sources.Config;

/// <summary>
/// What <c>source add --token-env</c> / <c>--password-env</c> accept (spec/sources.md §Credentials): the NAME of an
/// environment variable, <c>[A-Z_][A-Z0-9_]*</c>, at most 64 characters, and not shaped like a well-known token.
/// A refused value is never echoed: it is most likely the secret itself, pasted where its name belongs.
/// </summary>
public static class CredentialVariableName
{
    public const int MaxLength = 64;


    /// <summary>Throws PST1001 naming <paramref name="option"/> (not the value) unless <paramref name="value"/> is a plausible variable name.</summary>
    public static void Check(string option, string? value)
    {
        if (value is null || IsPlausible(value)) return;
        throw new PacksterException(ErrorCode.InvalidArgument,
            $"{option} must be the NAME of an environment variable ([A-Z_][A-Z0-9_]*, at most {MaxLength} characters); the value given is not one, and it was not stored or shown",
            $"credentials are never stored: export the secret in a variable (export CORP_TOKEN=…) and pass {option} CORP_TOKEN");
    }

    public static bool IsPlausible(string value) =>
        value.Length is > 0 and <= MaxLength
        && (char.IsAsciiLetterUpper(value[0]) || value[0] == '_')
        && value.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_')
        && !LooksLikeToken(value);

    /// <summary>
    /// Whether <paramref name="value"/> has the shape of a well-known credential rather than of a name: an AWS access
    /// key id, or a token with a vendor's prefix (GitHub <c>ghp_</c>, <c>gho_</c>, <c>ghu_</c>, <c>ghs_</c>, <c>ghr_</c>,
    /// <c>github_pat_</c>; npm <c>npm_</c>). Also asked of a hand-edited config, whose names may be lower case.
    /// </summary>
    public static bool LooksLikeToken(string value) =>
        IsAwsAccessKeyId(value) || (value.Length >= 20 && TokenPrefixes.Any(p => value.StartsWith(p, StringComparison.Ordinal)));

    private static readonly string[] TokenPrefixes = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "npm_"];

    /// <summary>
    /// The one common credential that is upper case and digits only: an AWS access key id (AKIA/ASIA + 16). Tokens of
    /// GitHub (<c>ghp_</c>…), GitLab (<c>glpat-</c>…), npm and Slack hold lower case letters or '-', so the name rule
    /// already refuses them.
    /// </summary>
    private static bool IsAwsAccessKeyId(string value) =>
        value.Length == 20 && (value.StartsWith("AKIA", StringComparison.Ordinal) || value.StartsWith("ASIA", StringComparison.Ordinal))
        && value.All(char.IsAsciiLetterOrDigit);
}
