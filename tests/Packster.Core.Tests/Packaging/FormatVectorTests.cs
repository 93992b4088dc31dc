using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// spec/package-format.md §8 "Test vectors": a tree whose entries are all stored (deflate would not save 3%), so its
/// bytes depend on the format alone, not on the zlib build. Another implementation must produce the same hash.
/// </summary>
public sealed class FormatVectorTests
{
    public const string VectorSha256 = "17dfebc45dbae93de3ad05900d79272fd5c1307148286ce748c7efa6836dc4f3";

    [Fact]
    public void Stored_only_tree_packs_to_the_published_vector()
    {
        if (OperatingSystem.IsWindows()) return; // the vector has an executable file, which Windows cannot express
        using var temp = new TempDirectory("packster-vector");
        temp.Write("src/packster-manifest.toml", "id = \"demo\"\n");
        var hello = temp.Write("src/bin/hello", "#!/bin/sh\n");
        File.SetUnixFileMode(hello, (UnixFileMode)0x1ED);
        temp.Write("src/readme.txt", "hi\n");
        Directory.CreateDirectory(temp["src/data"]);

        var result = Packer.Pack(temp["src"], temp["out"], PackageId.Parse("demo"), PackageVersion.Parse("1.2.0"), null, CancellationToken.None);

        Assert.Equal(443, result.Size);
        Assert.Equal(VectorSha256, result.FileName.Sha256.Hex);
        Assert.Equal($"demo-1.2.0-{VectorSha256}.packster", Path.GetFileName(result.Path));
    }
}
