using System.Text;
using Packster.Sources.Installation;

namespace Packster.Sources.Tests.Installation;

/// <summary>spec/export.md: what an environment file may carry into a location's packster-policy.toml.</summary>
public sealed class EnvironmentFileTests
{
    // spec/export.md: "Unknown keys (in `[policy.trust]` and `[policy.licenses]` too: only the keys of the policy file's
    // `[trust]` and `[licenses]` tables, since import writes them there) ...: PST8017 `FILE:LINE:COL: …`, nothing changed."
    [Theory]
    [InlineData("[policy.trust]\nsignature = \"require\"\n", "3:1: unknown key 'signature' in [policy.trust]; did you mean 'signatures'?")]
    [InlineData("[policy.licenses]\nalow = [\"MIT\"]\n", "3:1: unknown key 'alow' in [policy.licenses]; did you mean 'allow'?")]
    public void A_policy_table_with_an_unknown_key_is_refused(string policy, string where)
    {
        var e = Assert.Throws<PacksterException>(() => EnvironmentFile.Parse(Encoding.UTF8.GetBytes("format = 1\n" + policy), "env.packster-lock.toml"));
        Assert.Equal(ErrorCode.EnvironmentFileInvalid, e.Code);
        Assert.Equal($"env.packster-lock.toml:{where}", e.Message);
        Assert.Single(EnvironmentFile.Parse(Encoding.UTF8.GetBytes("format = 1\n[policy.trust]\nsignatures = \"require\"\n"), "env.packster-lock.toml").Policy);
    }

    private const string Sha = "50ebc66e6f555cc0fd4be6cf2c02a7962a4937ea0838a6de88089a435ead3105";
    private const string Tool = "tool-1.0.0-" + Sha + ".packster";
    private const string Deployment = "4bc0b91ac211379a63e3afa8687bdc256785d2ea71317418dc4122f5d103bf19";
    private const string Other = "1111111111111111111111111111111111111111111111111111111111111111";

    private static string WithDeployment(string deployment = Deployment, bool active = true) =>
        $"\n[[deployments]]\npackage = \"{Tool}\"\ndeployment = \"{deployment}\"\nactive = {(active ? "true" : "false")}\n";

    private static PacksterException Refused(string text)
    {
        var e = Assert.Throws<PacksterException>(() => EnvironmentFile.Parse(Encoding.UTF8.GetBytes(text), "env.packster-lock.toml"));
        Assert.Equal(ErrorCode.EnvironmentFileInvalid, e.Code);
        return e;
    }

    // spec/export.md: "A bundle entry's `package` and `deployment` … must agree with the rest of the file: the package is
    // of the entry's id … and its version is within the entry's `version` range, and the deployment is one the file's
    // `[[deployments]]` lists with that `package`. Anything else is PST8017 `FILE:LINE:COL: …` naming the key".
    [Theory]
    [InlineData("ghost", "^1", Deployment, "10:11: 'bundle.ghost.package' is " + Tool + ", a package of another id than 'ghost'")]
    [InlineData("tool", "^2", Deployment, "10:11: 'bundle.tool.package' is version 1.0.0, outside its range '^2'")]
    [InlineData("tool", "^1", Other, "11:14: 'bundle.tool.deployment' " + Other + " is no deployment of " + Tool + " the file lists")]
    public void A_bundle_resolution_that_disagrees_with_the_file_is_refused(string id, string range, string deployment, string where)
    {
        var text = "format = 1\n" + WithDeployment() + $"\n[bundle.{id}]\nversion = \"{range}\"\npackage = \"{Tool}\"\ndeployment = \"{deployment}\"\n";
        Assert.Equal($"env.packster-lock.toml:{where}", Refused(text).Message);
        var agreeing = "format = 1\n" + WithDeployment() + $"\n[bundle.tool]\nversion = \"^1\"\npackage = \"{Tool}\"\ndeployment = \"{Deployment}\"\n";
        Assert.Single(EnvironmentFile.Parse(Encoding.UTF8.GetBytes(agreeing), "env.packster-lock.toml").Bundle);
    }

    // spec/errors.md: text a user or a file wrote is shown with its control characters escaped; a deployment's id,
    // version or package that holds ESC is quoted as \u001b in the PST8017 message, never raw.
    [Theory]
    [InlineData("id = \"a\\u001b[2Jb\"\n", "'deployments[0].id' is 'a\\u001b[2Jb' but its package is " + Tool)]
    [InlineData("version = \"a\\u001b[2Jb\"\n", "'deployments[0].version' is 'a\\u001b[2Jb' but its package is " + Tool)]
    public void A_deployment_key_with_a_control_character_is_quoted_escaped(string key, string message)
    {
        var e = Refused("format = 1\n" + WithDeployment() + key);
        Assert.EndsWith(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', e.Message);
        var package = Refused($"format = 1\n\n[[deployments]]\npackage = \"a\\u001b[2Jb\"\ndeployment = \"{Deployment}\"\n");
        Assert.Contains("'deployments[0].package' = \"a\\u001b[2Jb\" is not a package file name", package.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', package.Message);
    }

    // spec/export.md: "a deployment listed twice, two active deployments of one package, …: PST8017 `FILE:LINE:COL: …`"
    // — the line and column of the entry that makes it so, not the start of the file.
    [Fact]
    public void A_deployment_listed_twice_or_a_second_active_one_is_named_where_it_is()
    {
        Assert.Equal($"env.packster-lock.toml:10:14: deployment {Deployment} is listed twice (deployments[1] and deployments[0])",
            Refused("format = 1\n" + WithDeployment() + WithDeployment(active: false)).Message);
        Assert.Equal("env.packster-lock.toml:11:10: 'tool' has 2 active deployments (deployments[1] and deployments[0]); a package has at most one",
            Refused("format = 1\n" + WithDeployment() + WithDeployment(Other)).Message);
    }

    // spec/export.md: "format = 2  # required, the integer 1 or 2 (not 2.0); anything else is refused (PST8017)", at FILE:LINE:COL.
    [Fact]
    public void A_format_that_is_not_an_integer_is_named_where_it_is()
    {
        Assert.Equal("env.packster-lock.toml:1:10: 'format' must be the integer 1 or 2, found float", Refused("format = 1.0\n").Message);
        Assert.Equal("env.packster-lock.toml:1:1: 'format' is required: 1, or 2 for a file with [policy] deny", Refused("location = \"x\"\n").Message);
    }
}
