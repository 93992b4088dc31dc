using System.Text.Json;
using Packster.Deployments;
using Packster.Manifest;

namespace Packster.Core.Tests.Deployments;

/// <summary>spec/parameters.md §Giving parameters: <c>--parameters</c> JSON and <c>-p name=value</c>.</summary>
public sealed class ParameterInputTests
{
    private static readonly IReadOnlyDictionary<string, ParameterDeclaration> Declared = ManifestReader.Parse("""
        id = "svc"
        version = "1.0.0"
        [parameters.port]
        type = "integer"
        [parameters.name]
        type = "string"
        [parameters.ratio]
        type = "number"
        [parameters.loud]
        type = "boolean"
        [parameters.tags]
        type = "array"
        [parameters.extra]
        type = "object"
        """, "svc.toml").Parameters;

    private static string Canon(string pair) => CanonicalJson.Serialize(ParameterInput.ParseKeyValue(pair, Declared).Value);

    [Theory]
    [InlineData("port=8081", "8081")]
    [InlineData("port=-1", "-1")]
    [InlineData("name=8081", "\"8081\"")]
    [InlineData("name=a=b", "\"a=b\"")]
    [InlineData("name=", "\"\"")]
    [InlineData("name= spaced \"quoted\" ", "\" spaced \\\"quoted\\\" \"")]
    [InlineData("ratio=0.5", "0.5")]
    [InlineData("ratio=1e3", "1000")]
    [InlineData("loud=true", "true")]
    [InlineData("loud=false", "false")]
    [InlineData("tags=[\"a\", 1]", "[\"a\",1]")]
    [InlineData("extra={\"b\":1,\"a\":[]}", "{\"a\":[],\"b\":1}")]
    public void Values_are_typed_by_the_declaration(string pair, string canonical) => Assert.Equal(canonical, Canon(pair));

    [Theory]
    [InlineData("port=80.5", "parameter 'port': expected an integer, found '80.5'")]
    [InlineData("port=abc", "parameter 'port': expected an integer, found 'abc'")]
    [InlineData("ratio=NaN", "parameter 'ratio': expected a number, found 'NaN'")]
    [InlineData("loud=yes", "parameter 'loud': expected a boolean, found 'yes' (write true or false)")]
    [InlineData("tags={}", "parameter 'tags': expected an array, found an object ({})")]
    [InlineData("extra=[", "parameter 'extra': expected an object, found '[', which is not valid JSON")]
    public void Malformed_values_name_the_parameter(string pair, string message)
    {
        var e = Assert.Throws<PacksterException>(() => ParameterInput.ParseKeyValue(pair, Declared));
        Assert.Equal(ErrorCode.ParameterWrongType, e.Code);
        Assert.Equal(message, e.Message);
    }

    private static readonly IReadOnlyDictionary<string, ParameterDeclaration> Secrets = ManifestReader.Parse("""
        id = "svc"
        version = "1.0.0"
        [parameters.pin]
        type = "integer"
        secret = true
        [parameters.flag]
        type = "boolean"
        secret = true
        [parameters.list]
        type = "array"
        secret = true
        """, "svc.toml").Parameters;

    /// <summary>spec/parameters.md § Secret parameters: "An error about a secret value names the parameter and shows *** for the value".</summary>
    [Theory]
    [InlineData("pin=notanumbersecret", "parameter 'pin': expected an integer, found '***'")]
    [InlineData("flag=yessecret", "parameter 'flag': expected a boolean, found '***' (write true or false)")]
    [InlineData("list=[unquotedsecret", "parameter 'list': expected an array, found '***', which is not valid JSON")]
    public void A_malformed_secret_value_is_not_shown(string pair, string message)
    {
        var e = Assert.Throws<PacksterException>(() => ParameterInput.ParseKeyValue(pair, Secrets));
        Assert.Equal(ErrorCode.ParameterWrongType, e.Code);
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain("secret", e.Message + e.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_names_and_missing_equals_are_errors()
    {
        Assert.Equal(ErrorCode.ParameterUnknown, Assert.Throws<PacksterException>(() => ParameterInput.ParseKeyValue("prot=1", Declared)).Code);
        Assert.Equal(ErrorCode.ParametersInvalidJson, Assert.Throws<PacksterException>(() => ParameterInput.ParseKeyValue("port", Declared)).Code);
        Assert.Equal(ErrorCode.ParametersInvalidJson, Assert.Throws<PacksterException>(() => ParameterInput.ParseKeyValue("=1", Declared)).Code);
    }

    [Fact]
    public void Pairs_combine_into_one_object_where_the_last_wins() =>
        Assert.Equal("{\"name\":\"b\",\"port\":1}", CanonicalJson.Serialize(ParameterInput.FromKeyValues(["name=a", "port=1", "name=b"], Declared)));

    [Theory]
    [InlineData("{\"a\":1,}", "line 1")]
    [InlineData("{\n\"a\": tru}", "line 2")]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"a\":1} // c", "not valid JSON")]
    public void Malformed_JSON_is_reported_with_its_position(string text, string where)
    {
        var e = Assert.Throws<PacksterException>(() => ParameterInput.ParseJson(text));
        Assert.Equal(ErrorCode.ParametersInvalidJson, e.Code);
        Assert.Contains(where, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Well_formed_JSON_parses() =>
        Assert.Equal(JsonValueKind.Object, ParameterInput.ParseJson("{\"port\": 8081}").ValueKind);
}
