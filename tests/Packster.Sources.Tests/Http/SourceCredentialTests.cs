using Packster.Sources.Config;
using Packster.Sources.Http;

namespace Packster.Sources.Tests.Http;

/// <summary>spec/sources.md § Credentials: a credential never reaches what packster prints, however a server spells it.</summary>
public sealed class SourceCredentialTests
{
    private const string Token = "s3cr3t/+=&tok en";

    private static SourceCredential Credential(string? user = null)
    {
        var definition = new SourceDefinition { Name = "corp", Kind = SourceKind.Artifactory, Url = "https://art.example/artifactory/", Repo = "r", TokenEnv = "ART_TOKEN", User = user };
        var context = new SourceContext(new Dictionary<string, string> { ["ART_TOKEN"] = Token }, TextWriter.Null, Path.GetTempPath());
        return SourceCredential.From(definition, context);
    }

    // A server that echoes the query of the URL it was asked (or a redirect that carried the token there) writes it
    // percent-encoded, in upper- or lower-case hex; each spelling is redacted, the raw and the Basic one as before.
    [Theory]
    [InlineData(null)]
    [InlineData("ci")]
    public void A_token_is_redacted_raw_percent_encoded_in_either_case_and_in_its_basic_encoding(string? user)
    {
        var credential = Credential(user);
        var escaped = Uri.EscapeDataString(Token);
        Assert.NotEqual(Token, escaped);
        var lower = escaped.Replace("%2F", "%2f", StringComparison.Ordinal).Replace("%2B", "%2b", StringComparison.Ordinal)
            .Replace("%3D", "%3d", StringComparison.Ordinal).Replace("%26", "%26", StringComparison.Ordinal);
        var echoed = $"403 for /api?token={escaped} (also {lower}); raw {Token}; header {credential.Header?.Parameter}";

        var shown = credential.Redact(echoed);
        Assert.DoesNotContain(Token, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(escaped, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(lower, shown, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", shown, StringComparison.Ordinal);
        if (credential.Header?.Parameter is { } parameter) Assert.DoesNotContain(parameter, shown, StringComparison.Ordinal);
        Assert.StartsWith("403 for /api?token=*** (also ***); raw ***; header ***", shown, StringComparison.Ordinal);
    }
}
