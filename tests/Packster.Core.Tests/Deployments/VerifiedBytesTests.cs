using Packster.Locations;
using Packster.Core.Tests.Locations;
using Packster.Deployments;
using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

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

    /// <summary>A copy of the package at <paramref name="path"/> whose manifest is intact and whose last byte (the central directory's end) is not.</summary>
    private string DamagedCopy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x5a;
        var copy = Path.Combine(Directory.CreateDirectory(_bed["damaged"]).FullName, Path.GetFileName(path));
        File.WriteAllBytes(copy, bytes);
        return copy;
    }

    // §1: the installer reads only the manifest before the lock and leaves the hash to its copy under the lock; a file
    // never hashed before gets the plain checksum error, naming both hashes.
    [Fact]
    public async Task A_damaged_package_is_refused_by_its_copy_under_the_lock_with_the_plain_checksum_error()
    {
        var genuine = PackWith("genuine", "genuine");
        var damaged = DamagedCopy(genuine);
        var opened = PackageFile.Open(damaged, null, deferHash: true);
        Assert.Equal(PackageCheck.Deferred, opened.Checked);
        var location = _bed.CreateLocation();

        var e = await Assert.ThrowsAsync<PacksterException>(() => new Installer(location, new InstallerOptions()).InstallAsync(new InstallRequest(damaged)));
        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
        Assert.StartsWith($"checksum mismatch for '{opened.Name.FileName}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(Sha256Digest.ComputeFile(damaged).Hex, e.Message, StringComparison.Ordinal);
        Assert.Empty(location.ReadState().Deployments);
        Assert.Empty(Directory.EnumerateFileSystemEntries(location.DeploymentsDirectory));
    }

    // §1: when the install would fail for another reason too, the checksum error is the one reported.
    [Fact]
    public async Task The_checksum_error_wins_over_another_refusal()
    {
        var damaged = DamagedCopy(PackWith("genuine", "genuine"));
        var location = _bed.CreateLocation();
        var request = new InstallRequest(damaged) { ParameterPairs = ["undeclared=1"] };
        var e = await Assert.ThrowsAsync<PacksterException>(() => new Installer(location, new InstallerOptions()).InstallAsync(request));
        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
    }

    // §1: an install that changes nothing still proves the file (unless the store vouches for its manifest): a damaged
    // copy of an installed package is refused, not "unchanged".
    [Fact]
    public async Task A_damaged_copy_of_an_installed_package_is_refused_not_unchanged()
    {
        var genuine = PackWith("genuine", "genuine");
        var location = _bed.CreateLocation();
        var installed = await new Installer(location, new InstallerOptions()).InstallAsync(new InstallRequest(genuine));
        Assert.Equal(InstallStatus.Installed, installed.Status);
        // Without the store's index nothing vouches for the manifest (spec/lockfile.md § Extracted-file store).
        Directory.Delete(Path.Combine(ExtractedFileStore.Of(location).Root, "packages"), recursive: true);

        var e = await Assert.ThrowsAsync<PacksterException>(() => new Installer(location, new InstallerOptions()).InstallAsync(new InstallRequest(DamagedCopy(genuine))));
        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
        Assert.Single(location.ReadState().Deployments);
    }

    // §1: a dry run reads no copy, so it hashes the file before planning.
    [Fact]
    public async Task A_dry_run_hashes_the_file_before_planning()
    {
        var damaged = DamagedCopy(PackWith("genuine", "genuine"));
        var location = _bed.CreateLocation();
        var e = await Assert.ThrowsAsync<PacksterException>(() => new Installer(location, new InstallerOptions()).InstallAsync(new InstallRequest(damaged) { DryRun = true }));
        Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
    }

    // spec/package-format.md § Refusal rules: the central directory's packster-manifest.toml must be the one at the
    // start of the file, where pack writes it. Here the first local header holds one manifest and a second local header,
    // the only one the central directory lists, another with an install handler: a reader of the first local header and
    // a reader of the central directory would see two packages in one file whose hash is right.
    [Fact]
    public async Task A_package_whose_central_directory_names_a_second_manifest_is_refused_as_corrupt()
    {
        var zip = new HostileZipBuilder(withManifest: false)
            .Add(new HostileEntry { Name = "packster-manifest.toml", Data = "id = \"two\"\nversion = \"1.0.0\"\n"u8.ToArray(), LocalOnly = true })
            .File("packster-manifest.toml", "id = \"two\"\nversion = \"1.0.0\"\n[handlers]\ninstall = \"i.sh\"\n")
            .File("i.sh", "#!/bin/sh\ntouch \"$PACKSTER_DEPLOYMENT_PATH/../../ran\"\n", HostileZipBuilder.Executable);
        var bytes = zip.Build();
        var path = Path.Combine(Directory.CreateDirectory(_bed["two"]).FullName, $"two-1.0.0-{Sha256Digest.Compute(bytes).Hex}.packster");
        File.WriteAllBytes(path, bytes);
        var location = _bed.CreateLocation();

        // What a dry run and every hashed open read: the central directory.
        Assert.Equal(ErrorCode.ArchiveCorrupt, Assert.Throws<PacksterException>(() => PackageFile.Open(path)).Code);
        var dry = await Assert.ThrowsAsync<PacksterException>(() => new Installer(location, new InstallerOptions()).InstallAsync(new InstallRequest(path) { DryRun = true }));
        Assert.Equal(ErrorCode.ArchiveCorrupt, dry.Code);
        // The install reads the first local header before the lock, then its verified copy.
        var e = await Assert.ThrowsAsync<PacksterException>(() => new Installer(location, new InstallerOptions()).InstallAsync(new InstallRequest(path)));
        Assert.Equal(ErrorCode.ArchiveCorrupt, e.Code);
        Assert.Contains("packster-manifest.toml", e.Message, StringComparison.Ordinal);
        Assert.Empty(location.ReadState().Deployments);
        Assert.Empty(Directory.EnumerateFileSystemEntries(location.DeploymentsDirectory));
        Assert.False(File.Exists(Path.Combine(location.Path, "ran")));
    }
}
