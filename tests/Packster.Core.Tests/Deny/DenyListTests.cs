using Packster.Core.Tests.Locations;
using Packster.Deny;
using Packster.Deployments;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Core.Tests.Deny;

/// <summary>spec/resolver.md § Deny list: the top-level <c>deny</c> array of config.toml and packster-policy.toml, obeyed by every install.</summary>
public sealed class DenyListTests : IDisposable
{
    private readonly LocationTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private string Write(string name, string toml)
    {
        var path = _bed[name];
        File.WriteAllText(path, toml);
        return path;
    }

    [Fact]
    public void Entries_are_an_id_or_an_id_at_a_range_and_remember_their_file()
    {
        var path = Write("config.toml", "deny = [\"tool@1.4.2\", \"tool@>=2.0 <2.1\", \"evil\"]\n[sources.local]\ntype = \"folder\"\nurl = \"/srv\"\n");
        var list = new DenyList(DenyRule.Read(path, RulesFileKind.UserConfig));
        Assert.Equal(3, list.Rules.Count);
        Assert.All(list.Rules, r => Assert.Equal(path, r.Origin));
        var tool = PackageId.Parse("tool");
        Assert.Equal("tool@1.4.2", list.Rule(tool, PackageVersion.Parse("1.4.2"))?.Text);
        Assert.Null(list.Rule(tool, PackageVersion.Parse("1.4.3")));
        Assert.Equal("tool@>=2.0 <2.1", list.Rule(tool, PackageVersion.Parse("2.0.7"))?.Text);
        Assert.Null(list.Rule(tool, PackageVersion.Parse("2.1.0")));
        Assert.Equal("evil", list.Rule(PackageId.Parse("evil"), PackageVersion.Parse("0.0.1"))?.Text);
        Assert.Empty(DenyRule.Read(_bed["absent.toml"], RulesFileKind.UserConfig));
        Assert.Empty(DenyRule.Read(Write("other.toml", "[licenses]\ndeny = [\"copyleft\"]\n"), RulesFileKind.LocationPolicy));
    }

    [Theory]
    [InlineData("deny = \"tool@1.0.0\"", "1:8", "must be an array of strings")]
    [InlineData("deny = [\"tool@1.0.0\",\n  \"Tool!@1\"]", "2:3", "'Tool!' is not a package id")]
    [InlineData("deny = [\"tool@not a range\"]", "1:9", "'not a range' is not a version range")]
    public void A_malformed_entry_is_refused_with_its_position(string toml, string position, string why)
    {
        var path = Write("bad.toml", toml + "\n");
        var e = Assert.Throws<PacksterException>(() => DenyRule.Read(path, RulesFileKind.UserConfig));
        Assert.Equal(ErrorCode.DenyRuleInvalid, e.Code);
        Assert.Contains($"{path}:{position}", e.Message, StringComparison.Ordinal);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    private string Pack(string version)
    {
        var source = Directory.CreateDirectory(_bed["src-" + version]).FullName;
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), $"id = \"tool\"\nversion = \"{version}\"\n");
        File.WriteAllText(Path.Combine(source, "payload.txt"), version);
        return Packer.Pack(source, _bed["out"], PackageId.Parse("tool"), PackageVersion.Parse(version), null, CancellationToken.None).Path;
    }

    [Fact]
    public async Task Install_file_of_a_denied_version_is_refused_before_anything_changes()
    {
        // spec/errors.md PST4060: the user's rules (InstallerOptions) and the location's packster-policy.toml both apply.
        var location = _bed.CreateLocation();
        var config = Write("config.toml", "deny = [\"tool@>=2.0 <2.1\"]\n");
        var installer = new Installer(location, new InstallerOptions { DenyRules = DenyRule.Read(config, RulesFileKind.UserConfig) });
        var denied = Pack("2.0.1");
        var before = Directory.EnumerateFileSystemEntries(location.Path, "*", SearchOption.AllDirectories).Order().ToList();

        var e = await Assert.ThrowsAsync<PacksterException>(() => installer.InstallAsync(new InstallRequest(denied)));
        Assert.Equal(ErrorCode.PackageDenied, e.Code);
        Assert.Equal($"tool 2.0.1 is denied by 'tool@>=2.0 <2.1' ({config})", e.Message);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(location.Path, "*", SearchOption.AllDirectories).Order().ToList());

        File.WriteAllText(location.PolicyPath, "deny = [\"tool@1.4.2\"]\n");
        var e2 = await Assert.ThrowsAsync<PacksterException>(() => installer.InstallAsync(new InstallRequest(Pack("1.4.2"))));
        Assert.Equal(ErrorCode.PackageDenied, e2.Code);
        Assert.Contains(location.PolicyPath, e2.Message, StringComparison.Ordinal);
        Assert.Empty(location.ReadState().Deployments);

        var allowed = await installer.InstallAsync(new InstallRequest(Pack("2.1.0")));
        Assert.Equal(InstallStatus.Installed, allowed.Status);
    }
}
