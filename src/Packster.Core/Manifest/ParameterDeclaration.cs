using System.Text.Json;

namespace Packster.Manifest;

/// <summary>The JSON type a parameter must have.</summary>
public enum ParameterType
{
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

/// <summary>
/// A declared parameter (<c>[parameters.NAME]</c>). Guarantees: <see cref="Default"/> and every <see cref="Enum"/>
/// value have <see cref="Type"/>; the default is one of the enum values when both are given.
/// </summary>
public sealed record ParameterDeclaration(
    string Name,
    ParameterType Type,
    JsonElement? Default,
    bool Required,
    string? Description,
    IReadOnlyList<JsonElement>? Enum)
{
    /// <summary>The lower-case type name used in the manifest and in messages.</summary>
    public string TypeName => TypeNames.Of(Type);

    /// <summary>True when a caller must supply a value (required and without a default).</summary>
    public bool MustBeGiven => Required && Default is null;

    /// <summary>
    /// <c>secret = true</c>: the value reaches handlers only; it is never written to the lockfile, records, history,
    /// logs or output, and is not part of the deployment hash (spec/parameters.md § Secret parameters).
    /// </summary>
    public bool Secret { get; init; }

    /// <summary>True when <paramref name="value"/> has this declaration's type (integers are numbers with no fraction).</summary>
    public bool Accepts(JsonElement value) => TypeNames.Matches(Type, value);
}

/// <summary>The spelling of <see cref="ParameterType"/> values and the JSON type test behind them.</summary>
public static class TypeNames
{
    public static readonly IReadOnlyList<string> All = ["string", "integer", "number", "boolean", "array", "object"];

    public static string Of(ParameterType type) => All[(int)type];

    public static bool TryParse(string text, out ParameterType type)
    {
        var i = All.ToList().IndexOf(text);
        type = i < 0 ? default : (ParameterType)i;
        return i >= 0;
    }

    public static bool Matches(ParameterType type, JsonElement value) => type switch
    {
        ParameterType.String => value.ValueKind == JsonValueKind.String,
        ParameterType.Integer => value.ValueKind == JsonValueKind.Number && IsInteger(value),
        ParameterType.Number => value.ValueKind == JsonValueKind.Number,
        ParameterType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        ParameterType.Array => value.ValueKind == JsonValueKind.Array,
        _ => value.ValueKind == JsonValueKind.Object,
    };

    /// <summary>The JSON type of a value as users read it in messages ("integer" for whole numbers).</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => IsInteger(value) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>
    /// Whole numbers in the 64-bit range count as integers (so 8080.0 is an integer, as in JSON Schema), judged on the
    /// number as a double — what its canonical form keeps (spec/parameters.md § Canonical JSON) — so that a value and
    /// its canonical form are integers alike: 9223372036854775807 is 2^63 as a double, beyond the range, and refused at
    /// once rather than recorded as a value no later check accepts.
    /// </summary>
    public static bool IsInteger(JsonElement value) =>
        value.TryGetDouble(out var d) && double.IsFinite(d) && Math.Floor(d) == d && IsInIntegerRange(d);

    /// <summary>−2^63 ≤ <paramref name="d"/> &lt; 2^63.</summary>
    internal static bool IsInIntegerRange(double d) => d is >= -9223372036854775808.0 and < 9223372036854775808.0;
}
