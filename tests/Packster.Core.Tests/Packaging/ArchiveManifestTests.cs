using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>spec/pack-from.md §Manifest: the manifest <c>pack --from</c> adds from <c>--manifest FILE</c>.</summary>
public sealed class ArchiveManifestTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-archive-manifest");

    public void Dispose() => _temp.Dispose();

    // spec/errors.md: "PST1002 PathNotFound: a file or folder named on the command line does not exist"; "A file named on
    // the command line that is a folder is PST1001". Before, a missing --manifest was PST2001 with the hint "a package
    // source folder must contain packster-manifest.toml at its root", and a folder PST4005, a package entry's code.
    [Fact]
    public void A_manifest_file_that_is_missing_or_a_folder_is_refused_as_a_command_line_file()
    {
        var missing = _temp["nope.toml"];
        var e = Assert.Throws<PacksterException>(() => ArchiveManifest.FromRequest(new ArchivePackRequest { ManifestFile = missing }));
        Assert.Equal(ErrorCode.PathNotFound, e.Code);
        Assert.Equal($"--manifest '{missing}' does not exist", e.Message);

        var folder = Directory.CreateDirectory(_temp["folder"]).FullName;
        e = Assert.Throws<PacksterException>(() => ArchiveManifest.FromRequest(new ArchivePackRequest { ManifestFile = folder }));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Equal($"--manifest '{folder}' is a folder, not a file", e.Message);

        var file = _temp.Write("m.toml", "id = \"tool\"\nversion = \"1.0.0\"\n");
        Assert.Equal(File.ReadAllBytes(file), ArchiveManifest.FromRequest(new ArchivePackRequest { ManifestFile = file }));
    }
}
