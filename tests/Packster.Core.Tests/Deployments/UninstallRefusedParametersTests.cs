using Packster.Core.Tests.Locations;
using Packster.Deployments;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/handlers.md (uninstall): a deployment whose recorded parameters are refused, with an uninstall handler that
/// would need them. Removed together with others (a bundle's removal, which has no --force), the refusal names the
/// command that can remove it; nothing is removed.
/// </summary>
public sealed class UninstallRefusedParametersTests : IDisposable
{
    private readonly LocationTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public async Task Removing_it_together_with_others_names_the_uninstall_that_can()
    {
        var location = _bed.CreateLocation();
        var entry = LocationTestBed.Install(location, "un", "1.0.0", new Dictionary<string, string>
        {
            ["packster-manifest.toml"] = "id = \"un\"\nversion = \"1.0.0\"\n[parameters.port]\ntype = \"integer\"\n[parameters.name]\ntype = \"string\"\ndefault = \"x\"\n[handlers]\nuninstall = \"scripts/u.sh\"\n",
            ["scripts/u.sh"] = "#!/bin/sh\nexit 0\n",
        });
        // Not active: an active deployment recording such a value breaks § Invariants rule 4 and the file is not read at all.
        var text = File.ReadAllText(location.LockfilePath);
        var edited = text.Replace("\"port\": 8080", "\"name\": \"Z\\ud800z\", \"port\": 8080", StringComparison.Ordinal)
            .Replace("\"active\": true", "\"active\": false", StringComparison.Ordinal);
        Assert.NotEqual(text, edited);
        File.WriteAllText(location.LockfilePath, edited);
        var before = File.ReadAllBytes(location.LockfilePath);

        var e = await Assert.ThrowsAsync<PacksterException>(() =>
            new Uninstaller(location, new InstallerOptions()).UninstallTogetherAsync(_ => [entry.Hash], _ => { }));

        Assert.Equal(ErrorCode.ParameterValueInvalid, e.Code);
        Assert.StartsWith($"un 1.0.0 ({entry.Hash.Hex[..12]}): its uninstall handlers cannot be given its recorded parameters: ", e.Message, StringComparison.Ordinal);
        Assert.Equal($"'packster uninstall {entry.Hash.Hex[..12]} --force' removes it without running them; then run this again", e.Hint);
        Assert.Equal(before, File.ReadAllBytes(location.LockfilePath));
        Assert.True(Directory.Exists(location.DeploymentDirectory(entry.Hash)));
    }
}
