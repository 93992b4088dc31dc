using System.Text.Json;
using Packster.Manifest;

namespace Packster.Deployments;

/// <summary>Named factories for parameter failures (PST3xxx); every message names the parameter.</summary>
public static class ParameterErrors
{
    /// <summary>Whether <paramref name="code"/> is one of these (PST3xxx): a deployment's parameters refused, not its files or the machine.</summary>
    public static bool IsParameterError(ErrorCode code) => (int)code / 1000 == 3;

    public static PacksterException InvalidJson(string what) =>
        new(ErrorCode.ParametersInvalidJson, $"parameters: {what}", "parameters are a JSON object, e.g. '{\"port\": 8081}'");

    public static PacksterException TooDeep(string what, int depth) =>
        new(ErrorCode.ParameterTooDeep, $"{what}: a value nests {depth} arrays or objects deep; parameter values nest at most {ParameterInput.MaxValueDepth}",
            "flatten the value, or pass a deep structure as a file path parameter instead");

    public static PacksterException InvalidUnicode(string what, string where) =>
        new(ErrorCode.ParameterInvalidUnicode, $"{what}: {where} holds a lone UTF-16 surrogate escape (\\uD800–\\uDFFF without its pair), which is not Unicode text",
            "write characters outside the Basic Multilingual Plane as a surrogate pair, e.g. \\uD83D\\uDE00, or as UTF-8");

    public static PacksterException FileTooLarge(string path) =>
        new(ErrorCode.ParametersFileTooLarge, $"parameters file '{path}' is larger than 1 MiB; it was not read further",
            "a parameters file holds one JSON object of parameters; large data belongs in a file the package reads itself");

    public static PacksterException Unknown(string name, IEnumerable<string> declared)
    {
        var names = declared.ToList();
        var suggestion = DidYouMean.Closest(name, names);
        // The name is the user's own text: shown with its control characters escaped (spec/errors.md).
        var what = $"parameter '{TerminalText.Printable(name)}' is not declared by the package" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?");
        return new PacksterException(ErrorCode.ParameterUnknown, what,
            names.Count == 0 ? "this package declares no parameters" : $"declared parameters: {string.Join(", ", names)}");
    }

    public static PacksterException WrongType(ParameterDeclaration declaration, string found) =>
        new(ErrorCode.ParameterWrongType, $"parameter '{declaration.Name}': expected {Article(declaration.TypeName)}, found {found}");

    /// <summary>A <c>-p name=text</c> that is not of the declared type; the text shows as <c>'***'</c> for a secret.</summary>
    public static PacksterException WrongType(ParameterDeclaration declaration, string text, string why) =>
        WrongType(declaration, $"'{(declaration.Secret ? "***" : TerminalText.Printable(text))}'{why}");

    public static PacksterException WrongType(ParameterDeclaration declaration, JsonElement value) =>
        WrongType(declaration, $"{Article(TypeNames.Describe(value))} ({Shown(declaration, value)})" + (BeyondIntegers(declaration, value) ? BeyondIntegersWhy : ""));

    /// <summary>A whole number an integer parameter refuses only for its size (spec/parameters.md § Validation, step 3).</summary>
    private static bool BeyondIntegers(ParameterDeclaration declaration, JsonElement value) =>
        declaration.Type == ParameterType.Integer && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d)
        && double.IsFinite(d) && Math.Floor(d) == d && !TypeNames.IsInIntegerRange(d);

    private const string BeyondIntegersWhy = ", whole but beyond the 64-bit integers once read as a JSON number (a double, -2^63 up to 2^63)";

    /// <summary>How a given value appears in a message: <c>***</c> for a secret (spec/parameters.md § Secret parameters).</summary>
    private static string Shown(ParameterDeclaration declaration, JsonElement value) =>
        declaration.Secret ? "***" : TerminalText.Printable(Abbreviate(CanonicalOrRaw(value)));

    public static PacksterException NotInEnum(ParameterDeclaration declaration, JsonElement value) =>
        new(ErrorCode.ParameterNotInEnum,
            $"parameter '{declaration.Name}': {Shown(declaration, value)} is not one of {string.Join(", ", declaration.Enum!.Select(CanonicalJson.Serialize))}");

    /// <summary>What <see cref="Missing"/> adds for a secret parameter: why it must be given again.</summary>
    public const string SecretNotKept = "; it is secret, so packster keeps no copy: give it on every install and upgrade";

    public static PacksterException Missing(ParameterDeclaration declaration) =>
        new(ErrorCode.ParameterMissing, $"parameter '{declaration.Name}' is required and has no default"
                + (declaration.Secret ? SecretNotKept : ""),
            $"give it with --parameters '{{\"{declaration.Name}\": …}}' or -p {declaration.Name}=…");

    public static PacksterException ValueInvalid(string name, string why) =>
        new(ErrorCode.ParameterValueInvalid, $"parameter '{name}': {why}",
            "give a value without NUL and, where it reaches a shim or an activation script, without control characters");

    /// <summary>PST3006 for a value too long for the environment variable it reaches (spec/parameters.md § Limits): what it holds is not at fault.</summary>
    public static PacksterException ValueTooLong(string name, string why) =>
        new(ErrorCode.ParameterValueInvalid, $"parameter '{name}': {why}",
            $"give a shorter value: one environment variable holds at most {(ValueRules.MaxEnvironmentEntryBytes - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} "
            + "bytes with its name; long data belongs in a file the package reads, with its path as the parameter");

    private static string Article(string typeName) =>
        typeName.Length > 0 && "aeiou".Contains(typeName[0], StringComparison.Ordinal) ? $"an {typeName}" : $"a {typeName}";

    private static string CanonicalOrRaw(JsonElement value)
    {
        try
        {
            return CanonicalJson.Serialize(value);
        }
        catch (ArgumentException)
        {
            return value.GetRawText();
        }
    }

    private static string Abbreviate(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
