using System.Runtime.InteropServices;
using System.Text.Json;
using Packster.Manifest;

namespace Packster.Deployments;

/// <summary>
/// The parameters a deployment runs with: the given values checked against the declarations, defaults applied.
/// Guarantees every member is declared and has its declared type and enum value, every required parameter is
/// present, and <see cref="Canonical"/> is the canonical JSON used for the deployment hash (spec/parameters.md).
/// </summary>
public sealed class EffectiveParameters
{
    private EffectiveParameters(IReadOnlyDictionary<string, JsonElement> values, IReadOnlyDictionary<string, ParameterDeclaration> declarations)
    {
        Values = values;
        Declarations = declarations;
        foreach (var name in values.Keys)
        {
            if (declarations.TryGetValue(name, out var d) && d.Secret) HasSecrets = true;
        }
    }

    /// <summary>
    /// <see cref="Json"/> and <see cref="Canonical"/>, made when first asked for: a listing loads every deployment's
    /// parameters and asks for neither, an install asks for both.
    /// </summary>
    private sealed record Forms(JsonElement Json, string Canonical);

    private Forms? _forms;

    private Forms Made => _forms ??= Make();

    private Forms Make()
    {
        // In the order the manifest declares them (Values holds the given ones first, then defaults).
        var ordered = new Dictionary<string, JsonElement>(Values.Count, StringComparer.Ordinal);
        foreach (var name in Declarations.Keys)
        {
            if (Values.TryGetValue(name, out var value)) ordered.Add(name, value);
        }
        var json = JsonSerializer.SerializeToElement(ordered, EffectiveParametersContext.Default.DictionaryStringJsonElement);
        var open = Values.Where(p => !(Declarations.TryGetValue(p.Key, out var d) && d.Secret)).ToDictionary(p => p.Key, p => p.Value);
        return new Forms(json, CanonicalJson.Serialize(JsonSerializer.SerializeToElement(open, EffectiveParametersContext.Default.DictionaryStringJsonElement)));
    }

    /// <summary>Whether a secret parameter has a value here (given, or its default).</summary>
    public bool HasSecrets { get; }

    /// <summary>The text of each secret value (a string as it is, anything else as canonical JSON): what handler output masks.</summary>
    public IReadOnlyList<string> SecretTexts =>
        [.. Values.Where(p => Declarations.TryGetValue(p.Key, out var d) && d.Secret).Select(p => ScalarText(p.Value) ?? CanonicalJson.Serialize(p.Value))];

    /// <summary>
    /// The effective values by name (given or default; optional parameters without a default are absent): the given ones in
    /// the order given, then the defaults. <see cref="Json"/> has them in the order the manifest declares them.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> Values { get; }

    public IReadOnlyDictionary<string, ParameterDeclaration> Declarations { get; }

    /// <summary>The effective parameters as one JSON object, secrets included: for handlers only.</summary>
    public JsonElement Json => Made.Json;

    /// <summary>
    /// The canonical JSON text of <see cref="Json"/> without secret parameters: what the deployment hash covers and
    /// what the lockfile and the deployment record hold (spec/parameters.md § Secret parameters).
    /// </summary>
    public string Canonical => Made.Canonical;

    /// <summary>
    /// Validates <paramref name="given"/> (null = no parameters) in the order of spec/parameters.md §Validation:
    /// a JSON object without duplicate names → every name declared → each value's type → enum → required present; then defaults.
    /// </summary>
    public static EffectiveParameters Resolve(IReadOnlyDictionary<string, ParameterDeclaration> declarations, JsonElement? given) =>
        Resolve(declarations, given, stored: false);

    /// <summary>
    /// Resolves the parameters a lockfile entry recorded: secrets were never recorded, so every secret is left out,
    /// its default too, and a required one is not refused (its handlers get no value for it: spec/parameters.md § Secret parameters).
    /// </summary>
    public static EffectiveParameters ResolveStored(IReadOnlyDictionary<string, ParameterDeclaration> declarations, JsonElement? recorded) =>
        Resolve(declarations, recorded, stored: true);

    private static EffectiveParameters Resolve(IReadOnlyDictionary<string, ParameterDeclaration> declarations, JsonElement? given, bool stored)
    {
        ArgumentNullException.ThrowIfNull(declarations);
        // One table: the given values, then the defaults of the rest (a listing resolves every deployment's).
        var values = new Dictionary<string, JsonElement>(declarations.Count, StringComparer.Ordinal);
        if (given is { } json && json.ValueKind != JsonValueKind.Undefined && json.ValueKind != JsonValueKind.Null)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                throw ParameterErrors.InvalidJson($"expected a JSON object, found {TypeNames.Describe(json)}");
            }
            foreach (var member in json.EnumerateObject())
            {
                var memberName = StrictJson.Name(member) ?? throw ParameterErrors.InvalidJson("a parameter name holds a lone surrogate, which has no UTF-8 form");
                if (values.ContainsKey(memberName)) throw ParameterErrors.InvalidJson($"'{memberName}' is given twice");
                // Values a lockfile recorded belong to a document nobody disposes; the caller's may be disposed.
                values.Add(memberName, stored ? member.Value : member.Value.Clone());
            }
        }
        foreach (var name in values.Keys)
        {
            if (!declarations.ContainsKey(name)) throw ParameterErrors.Unknown(name, declarations.Keys);
        }
        foreach (var (name, value) in values)
        {
            var declaration = declarations[name];
            // Before anything prints or hashes the value: a lone surrogate (JSON allows "\ud800") has no UTF-8 form.
            if (StrictJson.HasLoneSurrogate(value)) throw ParameterErrors.ValueInvalid(name, "it holds a lone surrogate, which has no UTF-8 form");
            // A number out of range or a duplicate member has no canonical form (a string's one reason, a lone
            // surrogate, was refused just above). A number is judged before its type: 1e400 is PST3000 for any
            // parameter, an integer one too (§Validation step 3), not "expected an integer".
            if (value.ValueKind == JsonValueKind.Number) CheckCanonical(name, value);
            if (!declaration.Accepts(value)) throw ParameterErrors.WrongType(declaration, value);
            if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number)) CheckCanonical(name, value);
            // Every string parameter becomes an environment variable for handlers (spec/parameters.md). Only an escape
            // can put U+0000 or a lone surrogate into it (JSON text is UTF-8 without control characters): a string
            // without one is not decoded here.
            if (value.ValueKind == JsonValueKind.String && JsonMarshal.GetRawUtf8Value(value).Contains((byte)'\\')
                && ValueRules.WhyNotSystemText(value.GetString()!) is { } why)
            {
                throw ParameterErrors.ValueInvalid(name, why);
            }
        }
        foreach (var (name, value) in values)
        {
            var declaration = declarations[name];
            if (declaration.Enum is { } allowed && !allowed.Any(a => CanonicalJson.Serialize(a) == CanonicalJson.Serialize(value)))
            {
                throw ParameterErrors.NotInEnum(declaration, value);
            }
        }
        foreach (var (name, declaration) in declarations)
        {
            if (values.ContainsKey(name)) continue;
            // A lockfile never holds a secret, so its default stands in for nothing: a handler that runs from the
            // record would get the default while the deployment runs with the value given at install.
            if (stored && declaration.Secret) continue;
            if (declaration.Default is { } d) values.Add(name, d);
            else if (declaration.Required && !(stored && declaration.Secret)) throw ParameterErrors.Missing(declaration);
        }
        return new EffectiveParameters(values, declarations);
    }

    /// <summary>
    /// Values for <see cref="Template.Expand"/>: "deployment", "location" and "param.NAME" for every scalar
    /// parameter (the same text as its environment variable); array/object parameters expand to canonical JSON.
    /// The text of a scalar parameter is <c>values[PlaceholderOf(name)]</c>: whoever judges it takes it from there
    /// (a listing of 1,000 deployments made each text twice, or kept a table of them per deployment).
    /// </summary>
    public IReadOnlyDictionary<string, string> TemplateValues(string deploymentPath, string locationPath)
    {
        var values = new Dictionary<string, string>(Values.Count + 2, StringComparer.Ordinal)
        {
            [Template.Deployment] = deploymentPath,
            [Template.Location] = locationPath,
        };
        foreach (var (name, value) in Values)
        {
            values[PlaceholderOf(name)] = ScalarText(value) ?? CanonicalJson.Serialize(value);
        }
        return values;
    }

    /// <summary>"param.NAME", made once per name: a listing makes the values of every deployment.</summary>
    internal static string PlaceholderOf(string name) => Placeholders.GetOrAdd(name, static n => Template.ParamPrefix + n);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Placeholders = new(StringComparer.Ordinal);

    /// <summary>The text of a scalar as handlers and templates see it; null for arrays, objects and null.</summary>
    public static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => CanonicalJson.Serialize(value),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>Whether <paramref name="value"/> has a <see cref="ScalarText"/>.</summary>
    public static bool IsScalar(JsonElement value) =>
        value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    public override string ToString() => Canonical;

    /// <summary>PST3000 naming the parameter when <paramref name="value"/> has no canonical form (spec/parameters.md §Canonical JSON).</summary>
    private static void CheckCanonical(string name, JsonElement value)
    {
        try
        {
            CanonicalJson.Check(value);
        }
        catch (ArgumentException e)
        {
            throw ParameterErrors.InvalidJson($"parameter '{name}': {e.Message}");
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
internal sealed partial class EffectiveParametersContext : System.Text.Json.Serialization.JsonSerializerContext;
