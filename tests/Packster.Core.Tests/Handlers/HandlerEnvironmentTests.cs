using System.Text.Json;
using Packster.Deployments;
using Packster.Handlers;
using Packster.Model;
using Packster.Testing;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Core.Tests.Handlers;

/// <summary>spec/handlers.md §Environment: what a handler is told, and how parameters become variables.</summary>
public sealed class HandlerEnvironmentTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-handler-env");

    private HandlerContext Context(string parameters, HandlerAction action = HandlerAction.Install, PackageVersion? previous = null, string? previousPath = null) =>
        new(action, PackageId.Parse("hello"), PackageVersion.Parse("1.2.0"), _temp["deploy"], _temp["loc"],
            JsonDocument.Parse(parameters).RootElement.Clone(), previous, previousPath);

    [Theory]
    [InlineData("port", "PACKSTER_PARAM_PORT")]
    [InlineData("log-level", "PACKSTER_PARAM_LOG_LEVEL")]
    [InlineData("a.b c", "PACKSTER_PARAM_A_B_C")]
    [InlineData("Größe", "PACKSTER_PARAM_GR__E")]
    [InlineData("x9", "PACKSTER_PARAM_X9")]
    public void Parameter_names_are_upper_cased_with_non_alphanumerics_as_underscores(string name, string variable)
    {
        Assert.Equal(variable, HandlerEnvironment.ParameterVariable(name));
    }

    [Fact]
    public void Scalars_become_variables_as_documented_and_structures_only_go_to_the_file()
    {
        const string parameters = """{"name":"a \"b\" $(c)","port":8081,"ratio":1.50,"huge":123456789012345678901234567890,"on":true,"off":false,"tags":["x"],"nested":{"a":1},"none":null}""";
        var environment = HandlerEnvironment.Build(Context(parameters), _temp["p.json"], new Dictionary<string, string>());

        Assert.Equal("a \"b\" $(c)", environment["PACKSTER_PARAM_NAME"]);
        Assert.Equal("8081", environment["PACKSTER_PARAM_PORT"]);
        Assert.Equal("1.5", environment["PACKSTER_PARAM_RATIO"]);
        Assert.Equal("1.2345678901234568e+29", environment["PACKSTER_PARAM_HUGE"]);
        Assert.Equal("true", environment["PACKSTER_PARAM_ON"]);
        Assert.Equal("false", environment["PACKSTER_PARAM_OFF"]);
        Assert.False(environment.ContainsKey("PACKSTER_PARAM_TAGS"));
        Assert.False(environment.ContainsKey("PACKSTER_PARAM_NESTED"));
        Assert.False(environment.ContainsKey("PACKSTER_PARAM_NONE"));

        var text = File.ReadAllText(environment["PACKSTER_PARAMETERS_FILE"]);
        using var written = JsonDocument.Parse(text);
        using var given = JsonDocument.Parse(parameters);
        // The same values, every number in its canonical text (spec/handlers.md § Environment: 1.50 is written 1.5).
        Assert.Equal(Packster.Deployments.CanonicalJson.Serialize(given.RootElement), Packster.Deployments.CanonicalJson.Serialize(written.RootElement));
        Assert.Contains("\"ratio\": 1.5,", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// spec/handlers.md § Environment: a number is its canonical text, so a handler sees the same value whether it runs
    /// on the parameters as given (install) or as the lockfile records them, canonical (uninstall, test), and a secret
    /// number is masked by the text it is printed as. Given as <c>1.50</c>, the install handler saw <c>1.50</c>.
    /// </summary>
    [Theory]
    [InlineData("1.50", "1.5")]
    [InlineData("1e3", "1000")]
    [InlineData("-0", "0")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("123456789012345678901234567890", "1.2345678901234568e+29")]
    public void A_number_is_the_same_text_as_given_and_as_recorded(string given, string canonical)
    {
        var asGiven = HandlerEnvironment.ScalarVariables(JsonDocument.Parse($"{{\"x\":{given}}}").RootElement);
        var asRecorded = HandlerEnvironment.ScalarVariables(JsonDocument.Parse($"{{\"x\":{canonical}}}").RootElement);

        Assert.Equal(canonical, Assert.Single(asGiven).Value);
        Assert.Equal(asRecorded, asGiven);
        Assert.Equal(canonical, EffectiveParameters.ScalarText(JsonDocument.Parse(given).RootElement));
    }

    [Fact]
    public void The_package_paths_and_action_are_given()
    {
        var environment = HandlerEnvironment.Build(Context("{}"), _temp["p.json"], new Dictionary<string, string>());
        Assert.Equal("install", environment["PACKSTER_ACTION"]);
        Assert.Equal("hello", environment["PACKSTER_PACKAGE_ID"]);
        Assert.Equal("1.2.0", environment["PACKSTER_PACKAGE_VERSION"]);
        Assert.Equal(_temp["deploy"], environment["PACKSTER_DEPLOYMENT_PATH"]);
        Assert.Equal(_temp["loc"], environment["PACKSTER_LOCATION_PATH"]);
        Assert.Equal(_temp["p.json"], environment["PACKSTER_PARAMETERS_FILE"]);
        Assert.False(environment.ContainsKey("PACKSTER_PREVIOUS_VERSION"));
        Assert.False(environment.ContainsKey("PACKSTER_PREVIOUS_PATH"));
    }

    [Fact]
    public void Upgrades_also_get_the_previous_version_and_path()
    {
        var environment = HandlerEnvironment.Build(
            Context("{}", HandlerAction.Upgrade, PackageVersion.Parse("1.1.0"), _temp["old"]), _temp["p.json"], new Dictionary<string, string>());
        Assert.Equal("upgrade", environment["PACKSTER_ACTION"]);
        Assert.Equal("1.1.0", environment["PACKSTER_PREVIOUS_VERSION"]);
        Assert.Equal(_temp["old"], environment["PACKSTER_PREVIOUS_PATH"]);
    }

    [Fact]
    public void The_base_environment_passes_through_but_inherited_handler_variables_do_not()
    {
        var inherited = new Dictionary<string, string>
        {
            ["PATH"] = "/opt/tools/bin:/usr/bin",
            ["HOME"] = "/home/ada",
            ["PACKSTER_PARAM_SECRET"] = "from the parent handler",
            ["PACKSTER_PREVIOUS_VERSION"] = "0.1.0",
            ["PACKSTER_LOCATION"] = "dev",
        };
        var environment = HandlerEnvironment.Build(Context("""{"port":1}"""), _temp["p.json"], inherited);
        Assert.Equal("/opt/tools/bin:/usr/bin", environment["PATH"]);
        Assert.Equal("/home/ada", environment["HOME"]);
        // PACKSTER_LOCATION is user configuration, not a handler variable: it passes through.
        Assert.Equal("dev", environment["PACKSTER_LOCATION"]);
        Assert.False(environment.ContainsKey("PACKSTER_PARAM_SECRET"));
        Assert.False(environment.ContainsKey("PACKSTER_PREVIOUS_VERSION"));
        Assert.Equal("1", environment["PACKSTER_PARAM_PORT"]);
    }

    [Fact]
    public void Two_parameters_that_map_to_one_variable_are_refused()
    {
        var e = Assert.Throws<PacksterException>(() =>
            HandlerEnvironment.Build(Context("""{"log-level":"a","log_level":"b"}"""), _temp["p.json"], new Dictionary<string, string>()));
        Assert.Equal(ErrorCode.HandlerParameterInvalid, e.Code);
        Assert.Equal("parameters 'log-level' and 'log_level' both map to environment variable PACKSTER_PARAM_LOG_LEVEL", e.Message);
    }

    [Fact]
    public void A_value_an_environment_cannot_hold_is_refused_by_name()
    {
        var e = Assert.Throws<PacksterException>(() =>
            HandlerEnvironment.Build(Context("""{"token":"a\u0000b"}"""), _temp["p.json"], new Dictionary<string, string>()));
        Assert.Equal(ErrorCode.HandlerParameterInvalid, e.Code);
        Assert.Contains("'token'", e.Message, StringComparison.Ordinal);
    }

    [PosixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_parameters_file_is_readable_only_by_its_owner()
    {
        HandlerEnvironment.Build(Context("""{"token":"s3cret"}"""), _temp["p.json"], new Dictionary<string, string>());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_temp["p.json"]));
    }

    public void Dispose() => _temp.Dispose();
}
