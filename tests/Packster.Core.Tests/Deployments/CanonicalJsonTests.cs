using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Packster.Deployments;

namespace Packster.Core.Tests.Deployments;

/// <summary>spec/parameters.md §Canonical JSON (RFC 8785 style).</summary>
public sealed class CanonicalJsonTests
{
    private static string C(string json) => CanonicalJson.Serialize(JsonDocument.Parse(json).RootElement);

    [Theory]
    [InlineData("1.0", "1")]
    [InlineData("-0", "0")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("123e-20", "1.23e-18")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("0.0000001", "1e-7")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("1.25e2", "125")]
    [InlineData("4.35", "4.35")]
    [InlineData("0.1", "0.1")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("1E400", null)]
    public void Numbers_print_as_ECMAScript_does(string json, string? expected)
    {
        if (expected is null)
        {
            Assert.Throws<ArgumentException>(() => C(json));
            return;
        }
        Assert.Equal(expected, C(json));
    }

    [Theory]
    [InlineData("\"\\u00e9\"", "\"é\"")]
    [InlineData("\"\\/\"", "\"/\"")]
    [InlineData("\"\\u001f\\u0000\"", "\"\\u001f\\u0000\"")]
    [InlineData("\"\\t\\n\\r\\b\\f\"", "\"\\t\\n\\r\\b\\f\"")]
    [InlineData("\"<>&'\"", "\"<>&'\"")]
    [InlineData("\"\\ud83d\\ude00\"", "\"😀\"")]
    public void Strings_use_minimal_escaping(string json, string expected) => Assert.Equal(expected, C(json));

    [Fact]
    public void Lone_surrogates_have_no_canonical_form() => Assert.ThrowsAny<Exception>(() => C("\"\\ud800\""));

    [Fact]
    public void Duplicate_member_names_have_no_canonical_form() => Assert.Throws<ArgumentException>(() => C("{\"a\":1,\"a\":2}"));

    [Fact]
    public void Members_sort_by_UTF16_code_units() =>
        Assert.Equal("{\"A\":1,\"a\":2,\"é\":3,\"😀\":4,\"\uffff\":5}", C("{\"\uffff\":5,\"😀\":4,\"é\":3,\"a\":2,\"A\":1}"));

    [Fact]
    public void JsonNode_and_JsonElement_agree()
    {
        var node = JsonNode.Parse("{\"b\":[1.0,{\"d\":null,\"c\":\"x\"}],\"a\":true}");
        Assert.Equal("{\"a\":true,\"b\":[1,{\"c\":\"x\",\"d\":null}]}", CanonicalJson.Serialize(node));
        Assert.Equal("null", CanonicalJson.Serialize((JsonNode?)null));
    }

    /// <summary>Every finite double prints digits that parse back to the same double, and re-canonicalising changes nothing.</summary>
    [Property]
    public Property Number_text_round_trips_for_any_double() =>
        Prop.ForAll(ArbMap.Default.ArbFor<double>().Filter(double.IsFinite), d =>
        {
            var text = CanonicalJson.FormatNumber(d);
            var back = double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            return back == d && C(text) == text;
        });

    [Property]
    public Property Number_text_matches_the_shortest_round_trip_of_dotnet() =>
        Prop.ForAll(ArbMap.Default.ArbFor<NormalFloat>(), f =>
        {
            var d = f.Get;
            var text = CanonicalJson.FormatNumber(d);
            // Same significant digits as .NET's shortest round-trip "R" (exponent layout aside).
            static string Digits(string s) => new string(s.Split('e', 'E')[0].Where(char.IsAsciiDigit).ToArray()).Trim('0');
            return Digits(text) == Digits(Math.Abs(d).ToString("R", System.Globalization.CultureInfo.InvariantCulture)) || d == 0;
        });
}
