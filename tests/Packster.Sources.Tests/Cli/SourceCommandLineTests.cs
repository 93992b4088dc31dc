using System.Text.Json;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>
/// The real `packster` process against the loopback Artifactory over TLS with a private CA: source add, publish,
/// search, and a rejected token that appears nowhere (spec/sources.md §1, §6, §7; docs/ci.md).
/// </summary>
public sealed class SourceCommandLineTests : IAsyncLifetime
{
    private const string Token = "cli-token-7Hq2-correct";
    private TlsArtifactory _tls = null!;

    private TempDirectory Temp => _tls.Temp;
    private TestPki Pki => _tls.Pki;
    private ArtifactoryTestServer Server => _tls.Server;

    public async Task InitializeAsync() => _tls = await TlsArtifactory.StartAsync("packster-cli", Token);

    public async Task DisposeAsync() => await _tls.DisposeAsync();

    private Task<(int Exit, string Out, string Err)> RunAsync(string token, params string[] args) => CliProcess.RunAsync(Temp.Path, new Dictionary<string, string>
    {
        ["PACKSTER_CONFIG"] = Temp["config/config.toml"],
        ["PACKSTER_CACHE"] = Temp["cache"],
        ["ART_TOKEN"] = token,
    }, args);

    [Fact]
    public async Task Add_publish_search_and_a_rejected_token_that_leaks_nowhere()
    {
        var ca = Pki.WriteAuthorityPem(Temp.Path);
        var add = await RunAsync(Token, "source", "add", "corp", "--type", "artifactory", "--url", Server.BaseUrl, "--repo", "pk-local",
            "--token-env", "ART_TOKEN", "--ca-file", ca, "--priority", "5");
        Assert.True(add.Exit == 0, add.Err);
        var config = File.ReadAllText(Temp["config/config.toml"]);
        Assert.Contains("token-env = \"ART_TOKEN\"", config);
        Assert.DoesNotContain(Token, config);

        var package = TestPackages.Create(Temp["dist"], "acme", "1.4.2");
        var publish = await RunAsync(Token, "publish", package, "--source", "corp", "--json");
        Assert.True(publish.Exit == 0, publish.Err);
        Assert.Equal("published", JsonDocument.Parse(publish.Out).RootElement[0].GetProperty("status").GetString());
        var again = await RunAsync(Token, "publish", package, "--source", "corp", "--json");
        Assert.Equal("unchanged", JsonDocument.Parse(again.Out).RootElement[0].GetProperty("status").GetString());

        var search = await RunAsync(Token, "search", "acm", "--json");
        Assert.True(search.Exit == 0, search.Err);
        var row = JsonDocument.Parse(search.Out).RootElement.EnumerateArray().Single();
        Assert.Equal("acme", row.GetProperty("id").GetString());
        Assert.Equal(["1.4.2"], row.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("corp", row.GetProperty("source").GetString());

        const string wrong = "leaky-WRONG-token-5521";
        Server.EchoCredentialsInErrors = true;
        var refused = await RunAsync(wrong, "search", "acme", "--verbose");
        Assert.Equal(ExitCodes.For(ErrorCode.SourceUnauthorized) & 0xFF, refused.Exit);
        Assert.StartsWith("error[PST8002]: source 'corp' rejected the token in $ART_TOKEN", refused.Err);
        Assert.DoesNotContain(wrong, refused.Err + refused.Out);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(wrong)), refused.Err + refused.Out);
        Assert.DoesNotContain(wrong, File.ReadAllText(Temp["config/config.toml"]));

        var list = await RunAsync(Token, "source", "list", "--json");
        Assert.Equal("ART_TOKEN", JsonDocument.Parse(list.Out).RootElement[0].GetProperty("token-env").GetString());
    }
}
