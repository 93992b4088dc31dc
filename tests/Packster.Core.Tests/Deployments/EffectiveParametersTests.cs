using System.Text.Json;
using Packster.Deployments;
using Packster.Handlers;
using Packster.Manifest;
using Packster.Model;

namespace Packster.Core.Tests.Deployments;

/// <summary>spec/parameters.md §Validation, §Defaults, §Environment projection.</summary>
public sealed class EffectiveParametersTests
{
    private static readonly IReadOnlyDictionary<string, ParameterDeclaration> Declared = ManifestReader.Parse("""
        id = "svc"
        version = "1.0.0"
        [parameters.port]
        type = "integer"
        default = 8080
        [parameters.greeting]
        type = "string"
        default = "Hello"
        enum = ["Hello", "Hi"]
        [parameters.ratio]
        type = "number"
        [parameters.loud]
        type = "boolean"
        default = false
        [parameters.tags]
        type = "array"
        default = []
        [parameters.extra]
        type = "object"
        [parameters.api-key]
        type = "string"
        required = true
        """, "svc.toml").Parameters;

    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement;

    private static PacksterException Fails(string json) =>
        Assert.Throws<PacksterException>(() => EffectiveParameters.Resolve(Declared, J(json)));

    // § What a value may hold: "a string parameter may not hold NUL or a lone surrogate", anywhere in the value.
    [Theory]
    [InlineData("{\"api-key\":\"a\\u0000b\"}", "api-key", "U+0000")]
    [InlineData("{\"api-key\":\"\\ud800\"}", "api-key", "lone surrogate")]
    [InlineData("{\"api-key\":\"k\",\"tags\":[\"\\udc00\"]}", "tags", "lone surrogate")]
    public void Values_no_environment_variable_can_carry_are_refused_naming_the_parameter(string json, string name, string why)
    {
        var e = Fails(json);
        Assert.Equal(ErrorCode.ParameterValueInvalid, e.Code);
        Assert.StartsWith($"parameter '{name}': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    // §Canonical JSON: a value with no canonical form (a number beyond the double range, an object naming a member
    // twice) is refused before anything hashes it, naming the parameter. §Validation step 3: "Numbers outside the
    // IEEE-754 double range are PST3000", for an integer parameter too. The words are packster's own, without .NET's
    // "(Parameter 'value')" (spec/errors.md).
    [Theory]
    [InlineData("{\"api-key\":\"k\",\"ratio\":1e400}", "ratio", "outside the IEEE-754 double range")]
    [InlineData("{\"api-key\":\"k\",\"port\":1e400}", "port", "number 1e400 is outside the IEEE-754 double range")]
    [InlineData("{\"api-key\":\"k\",\"extra\":{\"n\":-1e999}}", "extra", "outside the IEEE-754 double range")]
    [InlineData("{\"api-key\":\"k\",\"extra\":{\"a\":1,\"a\":2}}", "extra", "duplicate member name 'a'")]
    public void Values_without_a_canonical_form_are_refused(string json, string name, string why)
    {
        var e = Fails(json);
        Assert.Equal(ErrorCode.ParametersInvalidJson, e.Code);
        Assert.StartsWith($"parameters: parameter '{name}': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_applied_and_optional_parameters_without_default_stay_absent()
    {
        var p = EffectiveParameters.Resolve(Declared, J("{\"api-key\":\"k\"}"));
        Assert.Equal("{\"api-key\":\"k\",\"greeting\":\"Hello\",\"loud\":false,\"port\":8080,\"tags\":[]}", p.Canonical);
        Assert.False(p.Values.ContainsKey("ratio"));
    }

    [Fact]
    public void Given_values_win_over_defaults()
    {
        var p = EffectiveParameters.Resolve(Declared, J("{\"port\":8081,\"api-key\":\"k\",\"ratio\":0.5,\"extra\":{\"b\":1,\"a\":2}}"));
        Assert.Equal("{\"api-key\":\"k\",\"extra\":{\"a\":2,\"b\":1},\"greeting\":\"Hello\",\"loud\":false,\"port\":8081,\"ratio\":0.5,\"tags\":[]}", p.Canonical);
    }

    /// <summary>
    /// spec/handlers.md, <c>PACKSTER_PARAMETERS_FILE</c>: "the effective parameters (defaults applied), members in the
    /// order the manifest declares them", whatever order they were given in and whichever came from defaults.
    /// </summary>
    [Fact]
    public void Handlers_get_the_parameters_in_the_declared_order()
    {
        var p = EffectiveParameters.Resolve(Declared, J("""{"ratio":0.5,"api-key":"k","port":8081}"""));
        Assert.Equal(["port", "greeting", "ratio", "loud", "tags", "api-key"], p.Json.EnumerateObject().Select(m => m.Name));
        Assert.Equal(6, p.Values.Count);
    }

    /// <summary>Same package + same effective parameters ⇒ same deployment, however the parameters were spelt.</summary>
    [Fact]
    public void Spelling_defaults_out_gives_the_same_deployment_hash()
    {
        var sha = Sha256Digest.Compute("package"u8);
        var implicitDefaults = EffectiveParameters.Resolve(Declared, J("{\"api-key\":\"k\"}"));
        var explicitDefaults = EffectiveParameters.Resolve(Declared, J("{ \"port\": 8080.0, \"greeting\": \"Hello\", \"api-key\": \"k\", \"loud\": false }"));
        var other = EffectiveParameters.Resolve(Declared, J("{\"api-key\":\"k\",\"port\":8081}"));
        Assert.Equal(DeploymentHash.Compute(sha, implicitDefaults), DeploymentHash.Compute(sha, explicitDefaults));
        Assert.NotEqual(DeploymentHash.Compute(sha, implicitDefaults), DeploymentHash.Compute(sha, other));
        Assert.NotEqual(DeploymentHash.Compute(sha, implicitDefaults), DeploymentHash.Compute(Sha256Digest.Compute("other"u8), implicitDefaults));
    }

    [Theory]
    [InlineData("[1]", "expected a JSON object, found array")]
    [InlineData("\"x\"", "expected a JSON object, found string")]
    [InlineData("{\"port\":1,\"port\":2}", "'port' is given twice")]
    public void Parameters_must_be_one_JSON_object(string json, string why)
    {
        var e = Fails(json);
        Assert.Equal(ErrorCode.ParametersInvalidJson, e.Code);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_parameters_suggest_the_nearest()
    {
        var e = Fails("{\"prot\":1,\"api-key\":\"k\"}");
        Assert.Equal(ErrorCode.ParameterUnknown, e.Code);
        Assert.Equal("parameter 'prot' is not declared by the package; did you mean 'port'?", e.Message);
        Assert.Contains("api-key", e.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"port\":\"8081\"}", "parameter 'port': expected an integer, found a string (\"8081\")")]
    [InlineData("{\"port\":80.5}", "parameter 'port': expected an integer, found a number (80.5)")]
    [InlineData("{\"port\":null}", "parameter 'port': expected an integer, found a null (null)")]
    [InlineData("{\"greeting\":1}", "parameter 'greeting': expected a string, found an integer (1)")]
    [InlineData("{\"loud\":\"true\"}", "parameter 'loud': expected a boolean, found a string (\"true\")")]
    [InlineData("{\"ratio\":\"0.5\"}", "parameter 'ratio': expected a number, found a string (\"0.5\")")]
    [InlineData("{\"tags\":{}}", "parameter 'tags': expected an array, found an object ({})")]
    [InlineData("{\"extra\":[]}", "parameter 'extra': expected an object, found an array ([])")]
    public void Wrong_types_name_the_parameter_expected_and_found(string json, string message)
    {
        var e = Fails(json);
        Assert.Equal(ErrorCode.ParameterWrongType, e.Code);
        Assert.Equal(message, e.Message);
    }

    // spec/parameters.md § Validation, step 3: an integer is judged as the double its canonical form keeps, so what is
    // recorded is an integer when it is read again. Before, 9223372036854775807 passed (it fits a long) and was
    // recorded as 9223372036854776000 (2^63), which every later check refused: the deployment could be installed
    // inactive but never activated, and an export of it never imported.
    [Theory]
    [InlineData("9223372036854775807")]
    [InlineData("9223372036854775296")]
    [InlineData("-9223372036854777856")]
    public void An_integer_beyond_the_range_of_its_canonical_form_is_refused_at_once(string number)
    {
        var e = Fails($"{{\"port\":{number},\"api-key\":\"k\"}}");
        Assert.Equal(ErrorCode.ParameterWrongType, e.Code);
        Assert.EndsWith(", whole but beyond the 64-bit integers once read as a JSON number (a double, -2^63 up to 2^63)", e.Message, StringComparison.Ordinal);
    }

    // The largest and smallest integers whose canonical form is an integer again are accepted, and so is that form.
    [Theory]
    [InlineData("9223372036854774784")]
    [InlineData("9.21e18")]
    [InlineData("-9223372036854775808")]
    public void An_integer_at_the_edge_of_the_range_is_recorded_as_one(string number)
    {
        var resolved = EffectiveParameters.Resolve(Declared, J($"{{\"port\":{number},\"api-key\":\"k\"}}")).Values["port"];
        var canonical = CanonicalJson.Serialize(resolved);
        Assert.Equal(resolved.GetDouble(), EffectiveParameters.Resolve(Declared, J($"{{\"port\":{canonical},\"api-key\":\"k\"}}")).Values["port"].GetDouble());
    }

    [Fact]
    public void Integers_may_be_written_with_a_zero_fraction() =>
        Assert.Equal(8081, EffectiveParameters.Resolve(Declared, J("{\"port\":8081.0,\"api-key\":\"k\"}")).Values["port"].GetDouble());

    [Fact]
    public void Enum_values_are_enforced()
    {
        var e = Fails("{\"greeting\":\"Yo\",\"api-key\":\"k\"}");
        Assert.Equal(ErrorCode.ParameterNotInEnum, e.Code);
        Assert.Equal("parameter 'greeting': \"Yo\" is not one of \"Hello\", \"Hi\"", e.Message);
    }

    [Fact]
    public void Required_parameters_must_be_given()
    {
        var e = Assert.Throws<PacksterException>(() => EffectiveParameters.Resolve(Declared, null));
        Assert.Equal(ErrorCode.ParameterMissing, e.Code);
        Assert.Equal("parameter 'api-key' is required and has no default", e.Message);
    }

    /// <summary>spec/parameters.md §Validation order: unknown before type before enum before missing.</summary>
    [Fact]
    public void Checks_run_in_the_documented_order()
    {
        Assert.Equal(ErrorCode.ParameterUnknown, Fails("{\"port\":\"x\",\"nope\":1}").Code);
        Assert.Equal(ErrorCode.ParameterWrongType, Fails("{\"greeting\":\"Yo\",\"port\":\"x\"}").Code);
        Assert.Equal(ErrorCode.ParameterNotInEnum, Fails("{\"greeting\":\"Yo\"}").Code);
    }

    [Fact]
    public void No_declarations_accept_only_no_parameters()
    {
        var none = new Dictionary<string, ParameterDeclaration>();
        Assert.Equal("{}", EffectiveParameters.Resolve(none, null).Canonical);
        Assert.Equal("{}", EffectiveParameters.Resolve(none, J("{}")).Canonical);
        Assert.Equal("this package declares no parameters", Assert.Throws<PacksterException>(() => EffectiveParameters.Resolve(none, J("{\"a\":1}"))).Hint);
    }

    [Fact]
    public void Scalars_are_projected_to_environment_variables()
    {
        var p = EffectiveParameters.Resolve(Declared, J("{\"api-key\":\"s3 cr;t\",\"ratio\":1.50,\"extra\":{}}"));
        var env = HandlerEnvironment.ScalarVariables(p.Json).ToDictionary();
        Assert.Equal("s3 cr;t", env["PACKSTER_PARAM_API_KEY"]);
        Assert.Equal("8080", env["PACKSTER_PARAM_PORT"]);
        Assert.Equal("1.5", env["PACKSTER_PARAM_RATIO"]);
        Assert.Equal("false", env["PACKSTER_PARAM_LOUD"]);
        Assert.Equal("Hello", env["PACKSTER_PARAM_GREETING"]);
        Assert.False(env.ContainsKey("PACKSTER_PARAM_TAGS"));
        Assert.False(env.ContainsKey("PACKSTER_PARAM_EXTRA"));
    }

    [Theory]
    [InlineData("port", "PACKSTER_PARAM_PORT")]
    [InlineData("api-key", "PACKSTER_PARAM_API_KEY")]
    [InlineData("myValue2", "PACKSTER_PARAM_MYVALUE2")]
    [InlineData("_x", "PACKSTER_PARAM__X")]
    public void Environment_names_upper_case_and_replace_non_alphanumerics(string name, string env) =>
        Assert.Equal(env, ParameterName.EnvironmentVariable(name));

    [Fact]
    public void Template_values_cover_locations_and_parameters()
    {
        var p = EffectiveParameters.Resolve(Declared, J("{\"api-key\":\"k\",\"extra\":{\"b\":1}}"));
        var values = p.TemplateValues("/l/d", "/l");
        Assert.Equal("/l/d", values["deployment"]);
        Assert.Equal("/l", values["location"]);
        Assert.Equal("8080", values["param.port"]);
        Assert.Equal("{\"b\":1}", values["param.extra"]);
        Assert.Equal("[]", values["param.tags"]);
    }

    private static readonly IReadOnlyDictionary<string, ParameterDeclaration> WithSecretDefault = ManifestReader.Parse("""
        id = "svc"
        version = "1.0.0"
        [parameters.token]
        type = "string"
        secret = true
        default = "defaultsecretvalue"
        [parameters.port]
        type = "integer"
        default = 8080
        """, "svc.toml").Parameters;

    /// <summary>
    /// spec/parameters.md § Secret parameters: "Handlers that run from what the lockfile recorded (uninstall, packster
    /// test) do not get it: neither the value given at install nor the manifest's default."
    /// </summary>
    [Fact]
    public void Recorded_parameters_hold_no_secret_not_even_its_default()
    {
        var stored = EffectiveParameters.ResolveStored(WithSecretDefault, J("""{"port":8080}"""));

        Assert.False(stored.Values.ContainsKey("token"));
        Assert.False(stored.HasSecrets);
        Assert.DoesNotContain("defaultsecretvalue", stored.Json.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("8080", stored.Values["port"].GetRawText());
    }

    /// <summary>spec/parameters.md § Secret parameters: a secret's default, where it is given, is masked as a given value is.</summary>
    [Fact]
    public void At_install_a_secret_default_is_given_and_is_one_of_the_texts_to_mask()
    {
        var given = EffectiveParameters.Resolve(WithSecretDefault, J("{}"));

        Assert.Equal("defaultsecretvalue", given.Values["token"].GetString());
        Assert.Equal(["defaultsecretvalue"], given.SecretTexts);
        Assert.DoesNotContain("defaultsecretvalue", given.Canonical, StringComparison.Ordinal);
    }
}
