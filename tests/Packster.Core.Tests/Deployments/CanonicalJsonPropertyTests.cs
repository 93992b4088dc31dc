using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Packster.Deployments;
using Packster.Manifest;

namespace Packster.Core.Tests.Deployments;

/// <summary>spec/parameters.md §Canonical JSON: equal values give equal text, whatever the member order or spacing.</summary>
public sealed class CanonicalJsonPropertyTests
{
    private static readonly Gen<string> Names = Gen.Elements("a", "b", "B", "é", "😀", "port", "", "a b", "\"q\"", "\n");

    private static Gen<JsonNode?> Values(int depth)
    {
        var scalars = Gen.OneOf(
            Gen.Constant<JsonNode?>(null),
            ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)JsonValue.Create(b)),
            ArbMap.Default.GeneratorFor<int>().Select(i => (JsonNode?)JsonValue.Create(i)),
            ArbMap.Default.GeneratorFor<NormalFloat>().Select(f => (JsonNode?)JsonValue.Create(f.Get)),
            Gen.Elements("", "x", "h\u00e9", "\u0001\t\"\\", "😀", "\u2028").Select(s => (JsonNode?)JsonValue.Create(s)));
        if (depth == 0) return scalars;
        var children = Values(depth - 1);
        var arrays = children.ListOf().Select(items => (JsonNode?)new JsonArray(items.ToArray()));
        var objects = Gen.Zip(Names, children).ListOf().Select(pairs =>
        {
            var o = new JsonObject();
            foreach (var (name, value) in pairs) o[name] = value;
            return (JsonNode?)o;
        });
        return Gen.Frequency((3, scalars), (1, arrays), (1, objects));
    }

    private static JsonNode? Shuffled(JsonNode? node, Random random) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Shuffled(p.Value, random))).OrderBy(_ => random.Next()).ToList()),
        JsonArray a => new JsonArray(a.Select(i => Shuffled(i, random)).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    [Property]
    public Property Canonical_text_is_a_fixed_point_and_ignores_member_order_and_spacing() =>
        Prop.ForAll(Values(3).ToArbitrary(), ArbMap.Default.ArbFor<int>(), (value, seed) =>
        {
            var canonical = CanonicalJson.Serialize(value);
            var reparsed = CanonicalJson.Serialize(JsonDocument.Parse(canonical).RootElement);
            var shuffled = CanonicalJson.Serialize(Shuffled(value, new Random(seed)));
            var indented = CanonicalJson.Serialize(JsonDocument.Parse(value?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null").RootElement);
            return reparsed == canonical && shuffled == canonical && indented == canonical;
        });

    /// <summary>
    /// spec/parameters.md §Canonical JSON, numbers "as ECMAScript prints an IEEE-754 double": an integer written plainly is
    /// taken as its text; that text must be what printing its double gives, for every length up to the 15 digits taken
    /// so and past them, and for the texts that are not taken so (-0, exponents, fractions).
    /// </summary>
    [Property]
    public Property An_integer_taken_as_written_is_what_printing_its_double_gives() =>
        Prop.ForAll(ArbMap.Default.GeneratorFor<long>().Select(n => n % 10_000_000_000_000_000).ToArbitrary(), Gen.Choose(0, 17).ToArbitrary(), (n, digits) =>
        {
            var text = (n / (long)Math.Pow(10, digits % 17)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return CanonicalJson.Serialize(JsonDocument.Parse(text).RootElement) == CanonicalJson.FormatNumber(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        });

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("999999999999999", "999999999999999")]
    [InlineData("-999999999999999", "-999999999999999")]
    [InlineData("12345678901234567", "12345678901234568")]
    [InlineData("1e2", "100")]
    [InlineData("100.0", "100")]
    public void Numbers_print_as_their_double_whether_or_not_taken_as_written(string json, string canonical) =>
        Assert.Equal(canonical, CanonicalJson.Serialize(JsonDocument.Parse(json).RootElement));

    /// <summary>Resolving the effective parameters again gives the same parameters (defaults are idempotent).</summary>
    [Property]
    public Property Resolving_effective_parameters_again_changes_nothing()
    {
        var declared = ManifestReader.Parse("""
            id = "svc"
            version = "1.0.0"
            [parameters.port]
            type = "integer"
            default = 8080
            [parameters.name]
            type = "string"
            [parameters.extra]
            type = "object"
            default = { a = 1 }
            """, "svc.toml").Parameters;
        var given =
            from port in Gen.Choose(1, 65535)
            from name in Gen.Elements<string?>(null, "", "Ada", "😀")
            from withPort in ArbMap.Default.GeneratorFor<bool>()
            select (port, name, withPort);
        return Prop.ForAll(given.ToArbitrary(), t =>
        {
            var (port, name, withPort) = t;
            var o = new JsonObject();
            if (withPort) o["port"] = port;
            if (name is not null) o["name"] = name;
            var first = EffectiveParameters.Resolve(declared, JsonSerializer.SerializeToElement(o));
            var second = EffectiveParameters.Resolve(declared, first.Json);
            return first.Canonical == second.Canonical && first.Values["port"].GetInt32() == (withPort ? port : 8080);
        });
    }
}
