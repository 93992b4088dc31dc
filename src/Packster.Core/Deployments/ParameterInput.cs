using System.Globalization;
using System.Text.Json;
using Packster.Manifest;

namespace Packster.Deployments;

/// <summary>Turns what users type (<c>--parameters</c> JSON, <c>-p key=value</c>) into JSON, typed by the declarations.</summary>
public static class ParameterInput
{
    /// <summary>
    /// How many arrays and objects one parameter value may nest (spec/parameters.md § Limits). Parameters are stored
    /// inside the lockfile, deployment records and bundle entries, a few levels down, and every JSON reader stops at 64.
    /// </summary>
    public const int MaxValueDepth = 32;

    private static readonly JsonDocumentOptions Strict = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    /// <summary>The most a parameters file may hold (spec/parameters.md): far more than any real parameter set.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>
    /// Reads and parses a <c>--parameters-file</c>: at most <see cref="MaxFileBytes"/> are read, so an endless source
    /// (<c>/dev/zero</c>, a pipe that never ends) is refused instead of read until memory runs out. Pipes and process
    /// substitutions (<c>&lt;(vault read …)</c>) are read like files.
    /// </summary>
    public static JsonElement ReadFile(string path)
    {
        var bytes = SmallFile.ReadGiven(path, MaxFileBytes, _ => ParameterErrors.FileTooLarge(path)).AsSpan();
        if (bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        return ParseJson(System.Text.Encoding.UTF8.GetString(bytes), path);
    }

    /// <summary>
    /// Parses JSON parameter text; malformed JSON is <see cref="ErrorCode.ParametersInvalidJson"/> with the line and byte
    /// position, a value nested too deep <see cref="ErrorCode.ParameterTooDeep"/>, and a string that is not Unicode
    /// (a lone UTF-16 surrogate written as an escape) <see cref="ErrorCode.ParameterInvalidUnicode"/>.
    /// </summary>
    public static JsonElement ParseJson(string text, string source = "--parameters")
    {
        ArgumentNullException.ThrowIfNull(text);
        var depth = Depth(text);
        if (depth > MaxValueDepth + 1) throw ParameterErrors.TooDeep(source, depth - 1);
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text, Strict);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            throw ParameterErrors.InvalidJson($"{source} is not valid JSON{where}");
        }
        RequireUnicode(root, source);
        return root;
    }

    /// <summary>
    /// How deep <paramref name="text"/> nests arrays and objects, read without building anything (so without the
    /// 64-level limit of a document); stops counting once past the limit and at the first syntax error.
    /// </summary>
    private static int Depth(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = int.MaxValue });
        var deepest = 0;
        try
        {
            while (deepest <= MaxValueDepth + 1 && reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) deepest = Math.Max(deepest, reader.CurrentDepth + 1);
            }
        }
        catch (JsonException)
        {
            // Malformed: the real parse reports where.
        }
        return deepest;
    }

    /// <summary>Every name and string must be Unicode text: an escaped lone surrogate cannot become a file, a variable or a script.</summary>
    private static void RequireUnicode(JsonElement element, string source)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        throw ParameterErrors.InvalidUnicode(source, "a member name");
                    }
                    RequireUnicode(property.Value, $"{source}: '{name}'");
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) RequireUnicode(item, source);
                break;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw ParameterErrors.InvalidUnicode(source, "a string value");
                }
                break;
        }
    }

    /// <summary>
    /// Parses one <c>name=value</c>: strings verbatim, integers, numbers and booleans parsed, arrays and objects as JSON.
    /// The name must be declared (<see cref="ErrorCode.ParameterUnknown"/>); a value of the wrong form is <see cref="ErrorCode.ParameterWrongType"/>.
    /// </summary>
    public static KeyValuePair<string, JsonElement> ParseKeyValue(string pair, IReadOnlyDictionary<string, ParameterDeclaration> declarations)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(declarations);
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw ParameterErrors.InvalidJson($"'{pair}' is not name=value");
        var name = pair[..eq];
        var text = pair[(eq + 1)..];
        if (!declarations.TryGetValue(name, out var declaration)) throw ParameterErrors.Unknown(name, declarations.Keys);
        return new KeyValuePair<string, JsonElement>(name, declaration.Type switch
        {
            ParameterType.String => JsonSerializer.SerializeToElement(text, ParameterInputContext.Default.String),
            ParameterType.Integer => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? JsonSerializer.SerializeToElement(l, ParameterInputContext.Default.Int64)
                : throw ParameterErrors.WrongType(declaration, text, ""),
            ParameterType.Number => double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                ? ParseJsonOf(text, declaration)
                : throw ParameterErrors.WrongType(declaration, text, ""),
            ParameterType.Boolean => text switch
            {
                "true" => JsonSerializer.SerializeToElement(true, ParameterInputContext.Default.Boolean),
                "false" => JsonSerializer.SerializeToElement(false, ParameterInputContext.Default.Boolean),
                _ => throw ParameterErrors.WrongType(declaration, text, " (write true or false)"),
            },
            _ => ParseJsonOf(text, declaration),
        });
    }

    /// <summary>Combines several <c>name=value</c> pairs into one JSON object (a later pair for the same name wins).</summary>
    public static JsonElement FromKeyValues(IEnumerable<string> pairs, IReadOnlyDictionary<string, ParameterDeclaration> declarations)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var (name, value) = ParseKeyValue(pair, declarations);
            values[name] = value;
        }
        return JsonSerializer.SerializeToElement(values, EffectiveParametersContext.Default.DictionaryStringJsonElement);
    }

    private static JsonElement ParseJsonOf(string text, ParameterDeclaration declaration)
    {
        var depth = Depth(text);
        if (depth > MaxValueDepth) throw ParameterErrors.TooDeep($"parameter '{declaration.Name}'", depth);
        JsonElement value;
        try
        {
            using var doc = JsonDocument.Parse(text, Strict);
            value = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ParameterErrors.WrongType(declaration, text, ", which is not valid JSON");
        }
        RequireUnicode(value, $"parameter '{declaration.Name}'");
        return declaration.Accepts(value) ? value : throw ParameterErrors.WrongType(declaration, value);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
internal sealed partial class ParameterInputContext : System.Text.Json.Serialization.JsonSerializerContext;
