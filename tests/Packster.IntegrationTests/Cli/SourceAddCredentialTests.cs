using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>spec/sources.md §1: <c>source add</c> stores credential variable NAMES and never echoes a pasted secret.</summary>
public sealed class SourceAddCredentialTests : IDisposable
{
    private readonly TempDirectory _home = new("packster-it");
    private readonly PacksterProcess _packster;

    public SourceAddCredentialTests() => _packster = new PacksterProcess(_home);

    public void Dispose() => _home.Dispose();

    /// <summary>
    /// spec/sources.md §Credentials: <c>--token-env</c> and <c>--password-env</c> take a variable NAME; a value that
    /// looks like a token is refused without being echoed, and nothing is written.
    /// </summary>
    [Theory]
    [InlineData("--token-env", "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB")]
    [InlineData("--token-env", "glpat-AbCdEfGhIjKlMnOpQrSt")]
    [InlineData("--token-env", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("--token-env", "my_token")]
    [InlineData("--password-env", "S3cr3t!pass")]
    [InlineData("--password-env", "A_VERY_LONG_NAME_THAT_IS_MORE_THAN_SIXTY_FOUR_CHARACTERS_LONG_XYZ")]
    public void Source_add_refuses_a_credential_value_given_where_a_variable_name_belongs_without_echoing_it(string option, string value)
    {
        var config = _packster.Home["config.toml"];
        var before = File.Exists(config) ? File.ReadAllText(config) : null;
        string[] user = option == "--password-env" ? ["--user", "deploy"] : [];

        var r = _packster.Run(["source", "add", "corp", "--type", "http", "--url", "https://packages.example/", .. user, option, value]);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"error[PST1001]: {option} must be the NAME of an environment variable", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(value, r.Stderr + r.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, File.Exists(config) ? File.ReadAllText(config) : null);
    }

    [Fact]
    public void Source_add_accepts_a_variable_name()
    {
        var r = _packster.Run("source", "add", "corp", "--type", "http", "--url", "https://packages.example/", "--token-env", "CORP_TOKEN_2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("CORP_TOKEN_2", File.ReadAllText(_packster.Home["config.toml"]), StringComparison.Ordinal);
    }
}
