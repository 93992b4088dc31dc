using Packster.Manifest;
using static Packster.Core.Tests.Manifest.ManifestTestSupport;

namespace Packster.Core.Tests.Manifest;

/// <summary>spec/manifest.md §Templates, §[provides], §[dependencies], §[pack-location], §[install-bundle].</summary>
public sealed class TemplateAndResourceTests
{
    private const string PortParam = "[parameters.port]\ntype = \"integer\"\ndefault = 8080\n[parameters.name]\ntype = \"string\"\ndefault = \"x\"\n";

    [Fact]
    public void Templates_expand_every_placeholder_and_escape()
    {
        var t = Template.Parse("{{{deployment}}}/{location}:{param.port}-{param.my_name}}}");
        Assert.Equal(["deployment", "location", "param.port", "param.my_name"], t.Placeholders);
        Assert.Equal(["port", "my_name"], t.ParameterNames);
        var values = new Dictionary<string, string> { ["deployment"] = "/d", ["location"] = "/l", ["param.port"] = "80", ["param.my_name"] = "n" };
        Assert.Equal("{/d}//l:80-n}", t.Expand(values));
    }

    /// <summary>
    /// Without a value for {deployment} or {location} is a programming error; without one for a parameter, the parameter
    /// had none (spec/parameters.md § Defaults), which is PST3004.
    /// </summary>
    [Fact]
    public void Expanding_without_a_value_is_a_programming_error_unless_a_parameter_has_none()
    {
        Assert.Throws<InvalidOperationException>(() => Template.Parse("{deployment}/x").Expand(new Dictionary<string, string>()));
        Assert.Equal(ErrorCode.ParameterMissing, Assert.Throws<PacksterException>(() => Template.Parse("{param.x}").Expand(new Dictionary<string, string>())).Code);
    }

    [Fact]
    public void Literal_templates_round_trip_braces()
    {
        var t = Template.Literal("a{b}c");
        Assert.Equal("a{{b}}c", t.Text);
        Assert.Equal("a{b}c", t.Expand(new Dictionary<string, string>()));
        Assert.Equal(t, Template.Parse(t.Text));
    }

    [Theory]
    [InlineData("{deploy}", "unknown placeholder '{deploy}'")]
    [InlineData("{param.}", "unknown placeholder '{param.}'")]
    [InlineData("{param.a b}", "unknown placeholder")]
    [InlineData("{}", "unknown placeholder '{}'")]
    [InlineData("a{", "unclosed '{'")]
    [InlineData("a}b", "unmatched '}'")]
    [InlineData("{env.HOME}", "unknown placeholder")]
    public void Bad_templates_are_rejected(string text, string why)
    {
        Assert.False(Template.TryParse(text, out _, out var message));
        Assert.Contains(why, message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidTemplate, Assert.Throws<PacksterException>(() => Template.Parse(text)).Code);
        AssertError(Fail(Head + $"[provides]\nenv = {{ X = \"{text}\" }}\n"), ErrorCode.InvalidTemplate, 4, 13, "provides.env.X", why);
    }

    [Fact]
    public void Templates_may_only_reference_declared_parameters() =>
        AssertError(Fail(Head + PortParam + "[provides]\nenv = { P = \"{param.prot}\" }\n"), ErrorCode.InvalidTemplate, 10, 13, "provides.env.P",
            "'{param.prot}' refers to an undeclared parameter; did you mean 'param.port'?");

    /// <summary>
    /// spec/parameters.md § Defaults: a parameter with neither a value nor a default is absent; a template that names it
    /// is then PST3004 naming the parameter and the template (an install that did not give it was PST0001).
    /// </summary>
    [Fact]
    public void A_template_naming_a_parameter_without_a_value_is_refused_in_words()
    {
        var manifest = ManifestReader.Parse(Head + "[parameters.greeting]\ntype = \"string\"\n[provides]\nenv = { G = \"<{param.greeting}>\" }\n", "m.toml");

        var e = Assert.Throws<PacksterException>(() =>
            Packster.Deployments.DeploymentResources.For(manifest, Packster.Deployments.EffectiveParameters.Resolve(manifest.Parameters, null), "/d/x", "/d"));

        Assert.Equal(ErrorCode.ParameterMissing, e.Code);
        Assert.Equal("parameter 'greeting' has no value (it was not given and has no default), and '<{param.greeting}>' needs one", e.Message);
        var given = System.Text.Json.JsonDocument.Parse("{\"greeting\": \"hi\"}").RootElement;
        var resources = Packster.Deployments.DeploymentResources.For(manifest, Packster.Deployments.EffectiveParameters.Resolve(manifest.Parameters, given), "/d/x", "/d");
        Assert.Equal("<hi>", resources.Env["G"]);
    }

    [Fact]
    public void Templates_are_checked_in_shims_and_shared_paths()
    {
        AssertError(Fail(Head + "[shims]\nt = { target = \"bin/t\", args = [\"{nope}\"] }\n"), ErrorCode.InvalidTemplate, 4, 33, "shims.t.args[0]", "unknown placeholder");
        AssertError(Fail(Head + "[shims]\nt = { target = \"bin/t\", env = { A = \"{param.x}\" } }\n"), ErrorCode.InvalidTemplate, 4, 37, "shims.t.env.A", "undeclared parameter");
        AssertError(Fail(Head + "[provides]\nshared-files = [\"{location}/a\", \"{loc}/b\"]\n"), ErrorCode.InvalidTemplate, 4, 33, "provides.shared-files[1]", "'{loc}'");
        AssertError(Fail(Head + "[provides]\nshared-dirs = [1]\n"), ErrorCode.ManifestWrongType, 4, 16, "provides.shared-dirs[0]", "expected a string");
    }

    [Fact]
    public void Env_keys_must_be_variable_names()
    {
        AssertError(Fail(Head + "[provides]\nenv = { \"1X\" = \"a\" }\n"), ErrorCode.ManifestInvalid, 4, 9, "provides.env.1X", "environment variable name");
        AssertError(Fail(Head + "[provides]\nenv = { \"A-B\" = \"a\" }\n"), ErrorCode.ManifestInvalid, 4, 9, "provides.env.A-B", "environment variable name");
    }

    [Fact]
    public void Ports_are_numbers_or_an_integer_parameter()
    {
        var m = Parse(Head + PortParam + "[provides]\nports = [9000, \"{param.port}\"]\n");
        Assert.Equal([9000, 8080], m.Provides.ExpandPorts(new Dictionary<string, string> { ["param.port"] = "8080" }));
        AssertError(Fail(Head + "[provides]\nports = [70000]\n"), ErrorCode.ManifestInvalid, 4, 10, "provides.ports[0]", "not a port number");
        AssertError(Fail(Head + "[provides]\nports = [0]\n"), ErrorCode.ManifestInvalid, 4, 10, "provides.ports[0]", "not a port number");
        AssertError(Fail(Head + PortParam + "[provides]\nports = [\"{param.name}\"]\n"), ErrorCode.InvalidTemplate, 10, 10, "provides.ports[0]", "a port must come from an integer parameter");
        AssertError(Fail(Head + PortParam + "[provides]\nports = [\"port {param.port}\"]\n"), ErrorCode.InvalidTemplate, 10, 10, "provides.ports[0]", "exactly \"{param.NAME}\"");
        AssertError(Fail(Head + "[provides]\nports = [1.5]\n"), ErrorCode.ManifestWrongType, 4, 10, "provides.ports[0]", "expected a port number");
        AssertError(Fail(Head + "[provides]\nports = [80, 80]\n"), ErrorCode.ManifestInvalid, 4, 14, "provides.ports[1]", "listed twice");
    }

    [Fact]
    public void Expanded_ports_outside_the_range_are_errors()
    {
        var m = Parse(Head + PortParam + "[provides]\nports = [\"{param.port}\"]\n");
        var e = Assert.Throws<PacksterException>(() => m.Provides.ExpandPorts(new Dictionary<string, string> { ["param.port"] = "70000" }));
        Assert.Contains("70000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Requirements_are_ids_with_ranges()
    {
        var m = Parse(Head + "[dependencies]\nzlib = \"^1.2\"\n\"my.lib\" = \"[1.0,2.0)\"\n[pack-location]\ndotnet-sdk = \"latest\"\n");
        Assert.Equal(["zlib@^1.2", "my.lib@[1.0,2.0)"], m.Dependencies.Select(d => d.ToString()));
        Assert.True(m.PackLocation[0].Range.IsLatest);
        AssertError(Fail(Head + "[dependencies]\nzlib = \"^x\"\n"), ErrorCode.InvalidVersionRange, 4, 8, "dependencies.zlib", "'^x' is not a version range");
        AssertError(Fail(Head + "[dependencies]\nZlib = \"^1\"\n"), ErrorCode.InvalidPackageId, 4, 1, "dependencies.Zlib", "is not a package id");
        AssertError(Fail(Head + "[pack-location]\nsdk = 10\n"), ErrorCode.ManifestWrongType, 4, 7, "pack-location.sdk", "expected a version range string");
    }

    [Fact]
    public void Install_bundle_entries_are_ranges_or_tables()
    {
        var m = Parse(Head + "[install-bundle]\nredis = { version = \"^7.2\", parameters = { port = 6380, tags = [\"a\"] } }\njq = \"1.*\"\n");
        Assert.Equal("{\"port\":6380,\"tags\":[\"a\"]}", Packster.Deployments.CanonicalJson.Serialize(m.InstallBundle[0].Parameters!.Value));
        Assert.Null(m.InstallBundle[1].Parameters);
        AssertError(Fail(Head + "[install-bundle]\nredis = { parameters = {} }\n"), ErrorCode.ManifestInvalid, 4, 9, "install-bundle.redis.version", "required key is missing");
        AssertError(Fail(Head + "[install-bundle]\nredis = { version = \"^7\", params = {} }\n"), ErrorCode.ManifestUnknownKey, 4, 27, "install-bundle.redis.params", "did you mean 'parameters'?");
        AssertError(Fail(Head + "[install-bundle]\nredis = { version = \"^7\", parameters = 1 }\n"), ErrorCode.ManifestWrongType, 4, 40, "install-bundle.redis.parameters", "expected a table");
    }

    [Fact]
    public void Toml_syntax_errors_keep_the_parser_position()
    {
        var e = Fail("id = \"hello\"\nversion = \"1.0.0\"\nid = \"again\"\n");
        Assert.Equal(ErrorCode.TomlSyntax, e.Code);
        Assert.Equal(3, e.Position.Line);
        Assert.Null(e.Key);
        Assert.StartsWith($"{ManifestTestSupport.File}:3:", e.Message, StringComparison.Ordinal);
    }
}
