using Packster.Deny;
using Packster.Licensing;
using Packster.Testing;
using Packster.Trust;

namespace Packster.Core.Tests;

/// <summary>
/// The user's config.toml and a location's packster-policy.toml hold only keys packster reads: a misspelt key or table
/// is refused in words, naming the file, the position and the key meant, rather than turning the policy off
/// (spec/signing.md § Trust policy, spec/licenses.md § Policy, spec/resolver.md § Deny list, spec/errors.md PST2043).
/// </summary>
public sealed class RulesFileTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-rules");

    public void Dispose() => _temp.Dispose();

    private const string EveryTable = """
        deny = ["leftpad"]

        [trust]
        signatures = "require"
        trusted-keys = ["73e907e488c63ef9"]
        revoked-keys = ["0123456789abcdef"]

        [licenses]
        allow = ["MIT"]
        deny = ["copyleft"]

        """;

    [Theory]
    [InlineData(RulesFileKind.UserConfig)]
    [InlineData(RulesFileKind.LocationPolicy)]
    public void A_file_with_every_table_reads(RulesFileKind kind)
    {
        var path = _temp.Write("rules.toml", EveryTable);
        Assert.Equal(SignatureMode.Require, TrustRules.Read(path, kind).Mode);
        Assert.Equal(["MIT"], LicenseRules.Read(path, kind).Allow);
        Assert.Equal("leftpad", Assert.Single(DenyRule.Read(path, kind)).Text);
    }

    // spec/signing.md § Trust policy: "A `[trust]` table that is malformed or holds a key other than these three is PST2030
    // ... Every command that reads the policy ... stops there": the licence and deny readers of the file too.
    [Theory]
    [InlineData("[trust]\nsignature = \"require\"\n", "2:1: unknown key 'signature' in [trust]; did you mean 'signatures'?")]
    [InlineData("[trust]\nrevoked-key = [\"0123456789abcdef\"]\n", "2:1: unknown key 'revoked-key' in [trust]; did you mean 'revoked-keys'?")]
    [InlineData("[trust]\nsignatures = \"require\"\nrequire-all = true\n", "3:1: unknown key 'require-all' in [trust]")]
    public void An_unknown_key_in_trust_is_PST2030(string toml, string where)
    {
        foreach (var kind in new[] { RulesFileKind.UserConfig, RulesFileKind.LocationPolicy })
        {
            var path = _temp.Write("rules.toml", toml);
            foreach (var read in new Action[] { () => TrustRules.Read(path, kind), () => LicenseRules.Read(path, kind), () => DenyRule.Read(path, kind) })
            {
                var e = Assert.Throws<PacksterException>(read);
                Assert.Equal(ErrorCode.TrustPolicyInvalid, e.Code);
                Assert.StartsWith($"{path}:{where}", e.Message, StringComparison.Ordinal);
            }
        }
    }

    // spec/licenses.md § Policy: "Anything else in a table (not an array of strings, an unknown key or entry) is PST2041".
    [Fact]
    public void An_unknown_key_in_licenses_is_PST2041()
    {
        var path = _temp.Write("rules.toml", "[licenses]\nalow = [\"MIT\"]\n");
        foreach (var read in new Action[] { () => TrustRules.Read(path, RulesFileKind.UserConfig), () => LicenseRules.Read(path, RulesFileKind.UserConfig), () => DenyRule.Read(path, RulesFileKind.UserConfig) })
        {
            var e = Assert.Throws<PacksterException>(read);
            Assert.Equal(ErrorCode.LicensePolicyInvalid, e.Code);
            Assert.Equal($"{path}:2:1: unknown key 'alow' in [licenses]; did you mean 'allow'?", e.Message);
        }
    }

    // spec/errors.md PST2043: a top-level key a file does not define is refused by every reader of the file, with the
    // code of the table it was probably meant to be.
    [Theory]
    [InlineData(RulesFileKind.UserConfig, "[licences]\ndeny = [\"MIT\"]\n", ErrorCode.LicensePolicyInvalid, "1:2: unknown table [licences]; did you mean 'licenses'?")]
    [InlineData(RulesFileKind.LocationPolicy, "[licences]\ndeny = [\"MIT\"]\n", ErrorCode.LicensePolicyInvalid, "1:2: unknown table [licences]; did you mean 'licenses'?")]
    [InlineData(RulesFileKind.UserConfig, "dney = [\"tool\"]\n", ErrorCode.DenyRuleInvalid, "1:1: unknown key 'dney'; did you mean 'deny'?")]
    [InlineData(RulesFileKind.LocationPolicy, "[trusts]\nsignatures = \"require\"\n", ErrorCode.TrustPolicyInvalid, "1:2: unknown table [trusts]; did you mean 'trust'?")]
    [InlineData(RulesFileKind.UserConfig, "[source.corp]\ntype = \"folder\"\nurl = \"/srv\"\n", ErrorCode.SourceConfigInvalid, "1:2: unknown table [source]; did you mean 'sources'?")]
    [InlineData(RulesFileKind.UserConfig, "colour = false\n", ErrorCode.RulesFileUnknownKey, "1:1: unknown key 'colour'")]
    [InlineData(RulesFileKind.LocationPolicy, "[sources.corp]\ntype = \"folder\"\nurl = \"/srv\"\n", ErrorCode.RulesFileUnknownKey, "1:2: unknown table [sources]")]
    public void An_unknown_top_level_key_is_refused_by_every_reader(RulesFileKind kind, string toml, ErrorCode code, string where)
    {
        // A key goes before the tables (after them it would be a key of [licenses]); a table goes after them.
        var isTable = toml.StartsWith('[');
        var path = _temp.Write("rules.toml", isTable ? EveryTable + toml : toml + EveryTable);
        var line = isTable ? EveryTable.Count(c => c == '\n') : 0;
        var (at, rest) = (where[..where.IndexOf(':', StringComparison.Ordinal)], where[where.IndexOf(':', StringComparison.Ordinal)..]);
        var expected = $"{path}:{int.Parse(at, System.Globalization.CultureInfo.InvariantCulture) + line}{rest}";
        foreach (var read in new Action[] { () => TrustRules.Read(path, kind), () => LicenseRules.Read(path, kind), () => DenyRule.Read(path, kind) })
        {
            var e = Assert.Throws<PacksterException>(read);
            Assert.Equal(code, e.Code);
            Assert.Equal(expected, e.Message);
        }
    }

    [Fact]
    public void Sources_belong_to_the_user_config_not_to_a_location_policy()
    {
        var path = _temp.Write("rules.toml", "[sources.corp]\ntype = \"folder\"\nurl = \"/srv\"\n");
        Assert.Null(TrustRules.Read(path, RulesFileKind.UserConfig).Mode);
        var e = Assert.Throws<PacksterException>(() => TrustRules.Read(path, RulesFileKind.LocationPolicy));
        Assert.Contains("sources are configured in the user's config.toml", e.Hint, StringComparison.Ordinal);
    }
}
