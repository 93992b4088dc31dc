using Packster.Core.Tests.Locations;
using Packster.Deployments;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Core.Tests.Deployments;

/// <summary>
/// spec/package-format.md §1: "what is verified is what is installed" — the bytes the installer extracts are the
/// bytes whose SHA-256 matched the file name, however the file at that path changes between the check and the
/// extraction (the check happens before the location lock, which may be waited for up to a minute).
/// </summary>
public sealed class VerifiedBytesTests : IDisposable
{
    private readonly LocationTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private string PackWith(string folder, string payload)
    {
        var source = Directory.CreateDirectory(_bed[folder]).FullName;
        File.WriteAllText(Path.Combine(source, "packster-manifest.toml"), "id = \"swapped\"\nversion = \"1.0.0\"\n");
        File.WriteAllText(Path.Combine(source, "payload.txt"), payload);
        return Packer.Pack(source, _bed[folder + "-out"], PackageId.Parse("swapped"), PackageVersion.Parse("1.0.0"), null, CancellationToken.None).Path;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_package_file_changed_after_it_was_verified_is_not_installed(bool renamedOver)
    {
        var genuine = PackWith("genuine", "genuine");
        var impostor = PackWith("impostor", "IMPOSTOR");
        var location = _bed.CreateLocation();

        var package = PackageFile.Open(genuine);
        // The swap: a rename over the path, or a rewrite of the same file in place (what `cp` does).
        if (renamedOver) File.Move(impostor, genuine, overwrite: true);
        else File.WriteAllBytes(genuine, File.ReadAllBytes(impostor));

        var installer = new Installer(location, new InstallerOptions());
        var e = await Assert.ThrowsAsync<PacksterException>(() => installer.InstallAsync(package, new InstallRequest(genuine)));
        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
        Assert.Contains(package.Name.Sha256.Hex, e.Message, StringComparison.Ordinal);
        Assert.Empty(location.ReadState().Deployments);
        var written = Directory.EnumerateFiles(location.Path, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".packster", StringComparison.Ordinal));
        Assert.DoesNotContain(written, f => File.ReadAllText(f).Contains("IMPOSTOR", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(location.DeploymentsDirectory));
    }
}
