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
}
