using Packster.Toml;

namespace Packster.Manifest;

/// <summary>
/// A manifest that cannot be used. The message is always <c>{file}:{line}:{column}: {key}: {what is wrong}</c>
/// (the key is the dotted path from the document root, e.g. <c>parameters.port.default</c>). A manifest may come from a
/// hostile package: the key and the values quoted in it are shown with their control characters escaped
/// (<see cref="TerminalText.Printable"/>), so a message about them cannot write escape sequences to the terminal.
/// </summary>
public sealed class ManifestException : PacksterException
{
    private ManifestException(ErrorCode code, string file, TomlPosition position, string? key, string what, string? hint, Exception? inner = null)
        : base(code, Format(file, position, key, what), hint, inner)
    {
        File = file;
        Position = position;
        Key = key;
        What = TerminalText.Printable(what);
    }

    public ManifestException() : this(ErrorCode.ManifestInvalid, "<input>", new TomlPosition(1, 1), null, "invalid manifest", null) { }
    public ManifestException(string message) : this(ErrorCode.ManifestInvalid, "<input>", new TomlPosition(1, 1), null, message, null) { }
    public ManifestException(string message, Exception inner) : this(ErrorCode.ManifestInvalid, "<input>", new TomlPosition(1, 1), null, message, null, inner) { }

    public string File { get; }
    public TomlPosition Position { get; }

    /// <summary>The dotted key path the error is about; null for TOML syntax errors.</summary>
    public string? Key { get; }

    /// <summary>The message without the location and key prefix.</summary>
    public string What { get; }

    private static string Format(string file, TomlPosition position, string? key, string what) => TerminalText.Printable(
        key is null ? $"{file}:{position.Line}:{position.Column}: {what}" : $"{file}:{position.Line}:{position.Column}: {key}: {what}");

    public static ManifestException Invalid(ErrorCode code, string file, TomlPosition position, string key, string what, string? hint = null) =>
        new(code, file, position, key, what, hint, null);

    public static ManifestException UnknownKey(string file, TomlPosition position, string key, string? suggestion) =>
        new(ErrorCode.ManifestUnknownKey, file, position, key,
            suggestion is null ? "unknown key" : $"unknown key; did you mean '{suggestion}'?",
            "see spec/manifest.md for every key of packster-manifest.toml");

    public static ManifestException WrongType(string file, TomlNode node, string key, string expected) =>
        new(ErrorCode.ManifestWrongType, file, node.Position, key, $"expected {expected}, found {Article(node.TypeName)}", null);

    public static ManifestException MissingKey(string file, TomlPosition tablePosition, string key) =>
        new(ErrorCode.ManifestInvalid, file, tablePosition, key, "required key is missing", null);

    public static ManifestException Syntax(TomlException toml, string file) =>
        new(toml.IsNestingLimit ? ErrorCode.TomlTooDeep : ErrorCode.TomlSyntax, toml.File ?? file, toml.Position, null, toml.Reason, null, toml);

    internal static string Article(string typeName) =>
        typeName.Length > 0 && "aeiou".Contains(typeName[0], StringComparison.Ordinal) ? $"an {typeName}" : $"a {typeName}";
}
