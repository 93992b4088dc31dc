using System.Text.Json;
using Packster.Deployments;
using Packster.Manifest;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/parameters.md § Limits: "Every scalar parameter reaches handlers as the environment string
/// PACKSTER_PARAM_&lt;NAME&gt;=&lt;value&gt;, which Linux passes to a program only up to 131,071 bytes … a longer value …
/// is PST3006 ParameterValueInvalid before anything changes". The same for a [provides] env value as expanded.
/// </summary>
public sealed class ParameterLengthTests
{
    private static readonly global::Packster.Manifest.Manifest Package = ManifestReader.Parse("""
        id = "big"
        version = "1.0.0"
        [parameters.blob]
        type = "string"
        default = ""
        [parameters.note]
        type = "string"
        default = ""
        [provides]
        env = { BIG_NOTE_WITH_A_LONGER_NAME = "prefix-{param.note}" }
        """, "big.toml");

    /// <summary>"PACKSTER_PARAM_BLOB=" takes 20 bytes; 131,071 in all is the most one variable holds.</summary>
    private const int LongestBlob = 131071 - 20;

    private static DeploymentResources For(string name, string value) =>
        DeploymentResources.For(Package,
            EffectiveParameters.Resolve(Package.Parameters, JsonSerializer.SerializeToElement(new Dictionary<string, string> { [name] = value })),
            "/srv/loc/deployments/0123", "/srv/loc");

    [Fact]
    public void A_value_that_fills_its_variable_exactly_is_accepted()
    {
        For("blob", new string('x', LongestBlob));
        // Three bytes of UTF-8 per character count as three.
        For("blob", new string('€', LongestBlob / 3));
    }

    [Fact]
    public void One_byte_more_is_refused_naming_the_parameter_and_the_limit_but_not_the_value()
    {
        var e = Assert.Throws<PacksterException>(() => For("blob", new string('x', LongestBlob + 1)));

        Assert.Equal(ErrorCode.ParameterValueInvalid, e.Code);
        Assert.Equal("parameter 'blob': it is 131052 bytes long, so PACKSTER_PARAM_BLOB=<value> would take 131072 bytes; an environment "
            + "variable holds at most 131071 bytes with its name (Linux's MAX_ARG_STRLEN)", e.Message);
        Assert.Equal(LengthHint, e.Hint);
    }

    /// <summary>
    /// § Limits: "Long data belongs in a file the package reads, with its path as the parameter". Before, a value refused
    /// for its length got the hint for what a value may hold: "give a value without NUL and … without control characters".
    /// </summary>
    private const string LengthHint = "give a shorter value: one environment variable holds at most 131071 bytes with its name; "
        + "long data belongs in a file the package reads, with its path as the parameter";

    [Fact]
    public void Characters_are_counted_in_utf8_bytes()
    {
        var e = Assert.Throws<PacksterException>(() => For("blob", new string('€', LongestBlob / 3 + 1)));

        Assert.Equal(ErrorCode.ParameterValueInvalid, e.Code);
    }

    [Fact]
    public void A_provides_env_value_made_too_long_by_a_parameter_is_refused_naming_the_key()
    {
        // Short enough for PACKSTER_PARAM_NOTE, too long once the longer key and the prefix are added.
        var note = new string('n', 131071 - 20);

        var e = Assert.Throws<PacksterException>(() => For("note", note));

        Assert.Equal(ErrorCode.ParameterValueInvalid, e.Code);
        Assert.StartsWith("parameter 'note': ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("and it is exported through provides.env.BIG_NOTE_WITH_A_LONGER_NAME", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nnnn", e.Message, StringComparison.Ordinal);
        Assert.Equal(LengthHint, e.Hint);
    }

    /// <summary>
    /// § Limits: "for a default or enum value PST2002 at manifest check/pack (at its file:line:column …); either names the
    /// parameter, its length and the limit".
    /// </summary>
    [Fact]
    public void A_default_too_long_is_the_manifest_readers_refusal_at_its_position()
    {
        var text = "id = \"big\"\nversion = \"1.0.0\"\n[parameters.blob]\ntype = \"string\"\ndefault = \"" + new string('x', LongestBlob + 1) + "\"\n";

        var e = Assert.Throws<ManifestException>(() => ManifestReader.Parse(text, "big.toml"));

        Assert.Equal(ErrorCode.ManifestInvalid, e.Code);
        Assert.StartsWith("big.toml:5:11: parameters.blob.default: it is 131052 bytes long, so PACKSTER_PARAM_BLOB=<value> would take 131072 bytes; "
            + "an environment variable holds at most 131071 bytes with its name", e.Message, StringComparison.Ordinal);
    }
}
