using Packster.Manifest;
using static Packster.Core.Tests.Manifest.ManifestTestSupport;

namespace Packster.Core.Tests.Manifest;

/// <summary>
/// spec/manifest.md §Errors: every error is <c>{file}:{line}:{column}: {key}: {what is wrong}</c>; unknown keys
/// suggest the nearest known key.
/// </summary>
public sealed class ManifestErrorTests
{
    [Fact]
    public void Unknown_top_level_key_suggests_the_nearest()
    {
        var e = Fail("id = \"hello\"\nverison = \"1.0.0\"\n");
        AssertError(e, ErrorCode.ManifestUnknownKey, 2, 1, "verison", "unknown key; did you mean 'version'?");
        Assert.Equal("pkg/packster-manifest.toml:2:1: verison: unknown key; did you mean 'version'?", e.Message);
    }

    // spec/manifest.md §Errors: the message names what is wrong; a value holding control characters (a terminal escape
    // such as ESC [31m) is shown escaped, never sent raw to the terminal.
    [Theory]
    [InlineData("id = \"a\\u001b[31mRED\"\nversion = \"1.0.0\"\n")]
    [InlineData("id = \"hello\"\nversion = \"1.0.0\\u001b[2J\"\n")]
    public void Control_characters_in_the_id_or_version_are_shown_escaped(string toml)
    {
        var e = Fail(toml);
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.Contains("\\u001b[", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_package_file_name_with_control_characters_is_shown_escaped()
    {
        var e = Assert.Throws<PacksterException>(() => Packster.Model.PackageFileName.Parse("evil\u001b]0;title\u0007.packster"));
        Assert.Equal(ErrorCode.PackageFileNameInvalid, e.Code);
        Assert.Equal("'evil\\u001b]0;title\\u0007.packster' is not a package file name", e.Message);
    }

    [Fact]
    public void Unknown_key_without_a_near_match_has_no_suggestion()
    {
        var e = Fail(Head + "colour = \"red\"\n");
        AssertError(e, ErrorCode.ManifestUnknownKey, 3, 1, "colour", "unknown key");
        Assert.DoesNotContain("did you mean", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_nested_key_names_the_dotted_path()
    {
        var e = Fail(Head + "[parameters.port]\ntype = \"integer\"\ndefualt = 1\n");
        AssertError(e, ErrorCode.ManifestUnknownKey, 5, 1, "parameters.port.defualt", "did you mean 'default'?");
    }

    [Fact]
    public void Unknown_section_suggests_the_section()
    {
        AssertError(Fail(Head + "[handler]\ninstall = \"a.sh\"\n"), ErrorCode.ManifestUnknownKey, 3, 2, "handler", "did you mean 'handlers'?");
        AssertError(Fail(Head + "[handlers]\ninstal = \"a.sh\"\n"), ErrorCode.ManifestUnknownKey, 4, 1, "handlers.instal", "did you mean 'install'?");
        AssertError(Fail(Head + "[provides]\nport = [1]\n"), ErrorCode.ManifestUnknownKey, 4, 1, "provides.port", "did you mean 'ports'?");
    }

    [Fact]
    public void Missing_id_and_version_are_reported()
    {
        AssertError(Fail("version = \"1.0.0\"\n"), ErrorCode.ManifestInvalid, 1, 1, "id", "required key is missing");
        AssertError(Fail("id = \"hello\"\n"), ErrorCode.ManifestInvalid, 1, 1, "version", "required key is missing");
    }

    [Fact]
    public void Wrong_types_name_expected_and_found()
    {
        AssertError(Fail("id = \"hello\"\nversion = 1\n"), ErrorCode.ManifestWrongType, 2, 11, "version", "expected a string, found an integer");
        AssertError(Fail(Head + "authors = \"Ada\"\n"), ErrorCode.ManifestWrongType, 3, 11, "authors", "expected an array of strings, found a string");
        AssertError(Fail(Head + "authors = [\"Ada\", 2]\n"), ErrorCode.ManifestWrongType, 3, 19, "authors[1]", "expected a string, found an integer");
        AssertError(Fail(Head + "platform = 3\n"), ErrorCode.ManifestWrongType, 3, 12, "platform", "expected a table, found an integer");
    }

    [Theory]
    [InlineData("Hello", "must start with a lowercase letter")]
    [InlineData("hello!", "character '!'")]
    [InlineData("my-2tool", "'-' may not be followed by a digit")]
    [InlineData("", "it is empty")]
    public void Invalid_ids_are_reported_at_the_value(string id, string why)
    {
        AssertError(Fail($"id = \"{id}\"\nversion = \"1.0.0\"\n"), ErrorCode.InvalidPackageId, 1, 6, "id", why);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("v1.0.0")]
    [InlineData("01.0.0")]
    [InlineData("Latest")]
    public void Invalid_versions_are_reported_at_the_value(string version)
    {
        AssertError(Fail($"id = \"hello\"\nversion = \"{version}\"\n"), ErrorCode.InvalidVersion, 2, 11, "version", $"'{version}' is not strict SemVer 2.0");
    }

    [Fact]
    public void Homepage_must_be_an_http_url() =>
        AssertError(Fail(Head + "homepage = \"example.org\"\n"), ErrorCode.ManifestInvalid, 3, 12, "homepage", "absolute http(s) URL");

    // spec/bom.md: the homepage is written as "a URL a schema's iri-reference accepts"; spec/manifest.md: an IPv6 host
    // with a zone id is PST2002, since RFC 3986 has no zone id and no escape makes one a URL.
    [Theory]
    [InlineData("https://[::1%25eth0]/")]
    [InlineData("https://[fe80::1%25en0]:8080/docs")]
    public void Homepage_with_an_IPv6_zone_id_is_refused(string url) =>
        AssertError(Fail(Head + $"homepage = \"{url}\"\n"), ErrorCode.ManifestInvalid, 3, 12, "homepage", $"'{url}' is not an absolute http(s) URL: its IPv6 host has a zone id");

    [Fact]
    public void Homepage_with_an_IPv6_host_and_escapes_after_it_is_taken() =>
        Assert.NotNull(Parse(Head + "homepage = \"https://[::1]:8080/a%20b\"\n").Homepage);

    [Fact]
    public void Platform_values_are_checked_with_a_suggestion()
    {
        AssertError(Fail(Head + "[platform]\nos = [\"linux\", \"linx\"]\n"), ErrorCode.ManifestInvalid, 4, 16, "platform.os", "did you mean 'linux'?");
        AssertError(Fail(Head + "[platform]\narch = [\"x64\", \"x64\"]\n"), ErrorCode.ManifestInvalid, 4, 16, "platform.arch", "listed twice");
    }

    [Fact]
    public void Platform_allows_only_the_listed_systems()
    {
        var m = Parse(Head + "[platform]\nos = [\"linux\"]\n");
        Assert.True(m.Platform.Allows("linux", "arm64"));
        Assert.False(m.Platform.Allows("windows", "x64"));
        Assert.Equal(PlatformConstraint.CurrentOs == "linux", m.Platform.AllowsCurrentMachine());
        Assert.True(PlatformConstraint.Any.AllowsCurrentMachine());
    }

    // ---- parameters ----

    [Fact]
    public void Parameter_type_is_required_and_checked()
    {
        AssertError(Fail(Head + "[parameters.port]\ndefault = 1\n"), ErrorCode.ManifestInvalid, 3, 1, "parameters.port.type", "required key is missing");
        AssertError(Fail(Head + "[parameters.port]\ntype = \"integr\"\n"), ErrorCode.ManifestInvalid, 4, 8, "parameters.port.type", "did you mean 'integer'?");
    }

    [Theory]
    [InlineData("integer", "\"8080\"", "expected an integer (the declared type), found a string")]
    [InlineData("integer", "80.5", "expected an integer (the declared type), found a float")]
    [InlineData("string", "8080", "expected a string (the declared type), found an integer")]
    [InlineData("boolean", "\"yes\"", "expected a boolean (the declared type), found a string")]
    [InlineData("array", "{ a = 1 }", "expected an array (the declared type), found a table")]
    [InlineData("object", "[1]", "expected an object (the declared type), found an array")]
    public void Default_must_match_the_declared_type(string type, string value, string what)
    {
        var e = Fail(Head + $"[parameters.p]\ntype = \"{type}\"\ndefault = {value}\n");
        AssertError(e, ErrorCode.ManifestWrongType, 5, 11, "parameters.p.default", what);
    }

    [Fact]
    public void Number_parameters_accept_integers_and_floats()
    {
        var m = Parse(Head + "[parameters.ratio]\ntype = \"number\"\ndefault = 1\nenum = [1, 2.5]\n");
        Assert.Equal(ParameterType.Number, m.Parameters["ratio"].Type);
    }

    [Fact]
    public void Default_must_be_an_enum_value()
    {
        var e = Fail(Head + "[parameters.port]\ntype = \"integer\"\ndefault = 80\nenum = [8080, 8081]\n");
        AssertError(e, ErrorCode.ManifestInvalid, 5, 11, "parameters.port.default", "default 80 is not one of the enum values 8080, 8081");
    }

    [Fact]
    public void Enum_values_must_match_the_type_and_be_distinct()
    {
        AssertError(Fail(Head + "[parameters.p]\ntype = \"string\"\nenum = [\"a\", 1]\n"), ErrorCode.ManifestWrongType, 5, 14, "parameters.p.enum[1]", "expected a string");
        AssertError(Fail(Head + "[parameters.p]\ntype = \"string\"\nenum = [\"a\", \"a\"]\n"), ErrorCode.ManifestInvalid, 5, 14, "parameters.p.enum[1]", "listed twice");
        AssertError(Fail(Head + "[parameters.p]\ntype = \"string\"\nenum = []\n"), ErrorCode.ManifestInvalid, 5, 8, "parameters.p.enum", "at least one value");
    }

    [Fact]
    public void Parameter_names_are_checked()
    {
        AssertError(Fail(Head + "[parameters.\"my port\"]\ntype = \"integer\"\n"), ErrorCode.ManifestInvalid, 3, 13, "parameters.\"my port\"", "character ' '");
        AssertError(Fail(Head + "[parameters.a-b]\ntype = \"string\"\n[parameters.a_b]\ntype = \"string\"\n"),
            ErrorCode.ManifestInvalid, 5, 13, "parameters.a_b", "would both be passed to handlers as PACKSTER_PARAM_A_B");
    }

    [Fact]
    public void Nan_cannot_be_a_default() =>
        AssertError(Fail(Head + "[parameters.x]\ntype = \"number\"\ndefault = nan\n"), ErrorCode.ManifestInvalid, 5, 11, "parameters.x.default", "nan and inf");

    // ---- handlers ----

    [Theory]
    [InlineData("../outside.sh", "'..' would leave the package")]
    [InlineData("/etc/passwd", "must be relative")]
    [InlineData("scripts\\\\install.sh", "use '/'")]
    [InlineData("scripts//install.sh", "empty segment")]
    [InlineData("scripts/", "empty segment")]
    [InlineData("./install.sh", "'.' segment")]
    [InlineData("C:/install.sh", "drive letter")]
    [InlineData("scripts/a.sh:stream", "':' is not allowed")]
    [InlineData("", "it is empty")]
    public void Handler_scripts_must_stay_inside_the_package(string script, string why)
    {
        AssertError(Fail(Head + $"[handlers]\ninstall = \"{script}\"\n"), ErrorCode.InvalidPath, 4, 11, "handlers.install", why);
        AssertError(Fail(Head + $"[handlers]\ninstall = {{ script = \"{script}\" }}\n"), ErrorCode.InvalidPath, 4, 22, "handlers.install.script", why);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1500ms", 1.5)]
    public void Handler_timeouts_parse(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Parse(Head + $"[handlers]\nany = {{ script = \"a.sh\", timeout = \"{text}\" }}\n").Handlers[HandlerAction.Any].Timeout);

    [Theory]
    [InlineData("5 minutes")]
    [InlineData("0s")]
    [InlineData("5")]
    [InlineData("-5s")]
    public void Bad_handler_timeouts_are_reported(string text) =>
        AssertError(Fail(Head + $"[handlers]\nany = {{ script = \"a.sh\", timeout = \"{text}\" }}\n"), ErrorCode.ManifestInvalid, 4, 36, "handlers.any.timeout", "");

    [Fact]
    public void Handler_tables_are_checked()
    {
        AssertError(Fail(Head + "[handlers]\nany = { timeout = \"5m\" }\n"), ErrorCode.ManifestInvalid, 4, 7, "handlers.any.script", "required key is missing");
        AssertError(Fail(Head + "[handlers]\nany = { script = \"a.sh\", executor = [] }\n"), ErrorCode.ManifestInvalid, 4, 37, "handlers.any.executor", "at least the program");
        AssertError(Fail(Head + "[handlers]\nany = { script = \"a.sh\", exec = [\"sh\"] }\n"), ErrorCode.ManifestUnknownKey, 4, 26, "handlers.any.exec", "did you mean 'executor'?");
        AssertError(Fail(Head + "[handlers]\nany = 1\n"), ErrorCode.ManifestWrongType, 4, 7, "handlers.any", "expected a script path or a table");
    }

    // spec/manifest.md § [handlers]: the program of an executor is a name on PATH, a full path, or a relative '/' path
    // inside the package, judged by the rule install applies (PST2008): manifest check and pack refuse what every
    // install of the package would.
    [Theory]
    [InlineData("../bin/sh", "has a '..' component")]
    [InlineData("./sh", "has a '.' component")]
    [InlineData("bin/", "has an empty component")]
    [InlineData("bin//sh", "has an empty component")]
    public void An_executor_path_inside_the_package_is_judged_as_install_judges_it(string program, string why) =>
        AssertError(Fail(Head + $"[handlers]\nany = {{ script = \"a.sh\", executor = [\"{program}\"] }}\n"), ErrorCode.InvalidPath, 4, 38, "handlers.any.executor[0]", $"'{program}' {why}");

    // ---- shims ----

    [Theory]
    [InlineData("\"a/b\"", "one path component")]
    [InlineData("\"a\\\\b\"", "one path component")]
    [InlineData("\"..\"", "not '.' or '..'")]
    [InlineData("\"a..b\"", "must not contain '..'")]
    [InlineData("CON", "reserved device name")]
    [InlineData("\"nul.txt\"", "reserved device name")]
    [InlineData("com1", "reserved device name")]
    [InlineData("\"tool.\"", "must not end with '.'")]
    [InlineData("\"a:b\"", "not allowed in file names on Windows")]
    [InlineData("\"a\\u0001\"", "control character")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "longer than 64")]
    public void Shim_names_must_be_one_safe_path_component(string key, string why) =>
        AssertError(Fail(Head + $"[shims]\n{key} = \"bin/tool\"\n"), ErrorCode.InvalidShimName, 4, 1, "shims." + key, why);

    [Fact]
    public void Shim_names_differing_only_in_case_collide() =>
        AssertError(Fail(Head + "[shims]\ntool = \"bin/a\"\nTool = \"bin/b\"\n"), ErrorCode.InvalidShimName, 5, 1, "shims.Tool", "only in case");

    [Fact]
    public void Shim_targets_must_stay_inside_the_package()
    {
        AssertError(Fail(Head + "[shims]\ntool = \"../bin/tool\"\n"), ErrorCode.InvalidPath, 4, 8, "shims.tool", "'..' would leave");
        AssertError(Fail(Head + "[shims]\ntool = { target = \"/usr/bin/env\" }\n"), ErrorCode.InvalidPath, 4, 19, "shims.tool.target", "must be relative");
        AssertError(Fail(Head + "[shims]\ntool = { args = [\"-v\"] }\n"), ErrorCode.ManifestInvalid, 4, 8, "shims.tool.target", "required key is missing");
    }

    [Fact]
    public void Shim_names_of_64_characters_are_allowed() =>
        Assert.Single(Parse(Head + $"[shims]\n{new string('a', 64)} = \"bin/tool\"\n").Shims);
}

/// <summary>spec/parameters.md § What a value may hold, applied by the manifest reader to defaults, enum values and literal text.</summary>
public sealed class ManifestValueRuleTests
{
    [Fact]
    public void A_control_character_in_a_default_that_reaches_a_script_is_refused_at_the_default()
    {
        var e = Fail(Head + "[parameters.g]\ntype = \"string\"\ndefault = \"x\\u001ay\"\n[provides]\nenv = { G = \"{param.g}\" }\n");
        AssertError(e, ErrorCode.ManifestInvalid, 5, 11, "parameters.g.default", "U+001A");
        Assert.Contains("provides.env.G", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_control_character_is_allowed_in_a_default_only_handlers_see()
    {
        var m = ManifestReader.Parse(Head + "[parameters.g]\ntype = \"string\"\ndefault = \"line one\\nline two\"\n", "pkg/packster-manifest.toml");
        Assert.Equal("line one\nline two", m.Parameters["g"].Default!.Value.GetString());
    }

    [Fact]
    public void A_NUL_enum_value_is_refused_wherever_it_would_go()
    {
        var e = Fail(Head + "[parameters.g]\ntype = \"string\"\nenum = [\"a\", \"b\\u0000\"]\n");
        AssertError(e, ErrorCode.ManifestInvalid, 5, 14, "parameters.g.enum[1]", "U+0000 (NUL)");
    }

    [Fact]
    public void A_control_character_in_the_literal_text_of_a_shim_argument_is_refused()
    {
        var e = Fail(Head + "[shims.t]\ntarget = \"bin/t\"\nargs = [\"a\\rb\"]\n");
        AssertError(e, ErrorCode.ManifestInvalid, 5, 9, "shims.t.args[0]", "U+000D");
    }
}
