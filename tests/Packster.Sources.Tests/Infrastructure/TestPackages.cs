using System.IO.Compression;
using Packster.Model;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>Makes small valid package files: a zip with packster-manifest.toml first, named {id}-{version}-{sha256}.packster.</summary>
public static class TestPackages
{
    public static string Create(string directory, string id, string version, string payload = "hello", string manifestExtra = "")
    {
        Directory.CreateDirectory(directory);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var manifest = zip.CreateEntry("packster-manifest.toml", CompressionLevel.Optimal);
            manifest.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using (var writer = new StreamWriter(manifest.Open()))
            {
                writer.Write($"id = \"{id}\"\nversion = \"{version}\"\ndescription = \"test package\"\n{manifestExtra}");
            }
            var file = zip.CreateEntry("bin/payload.txt", CompressionLevel.Optimal);
            file.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using (var writer = new StreamWriter(file.Open()))
            {
                writer.Write(payload);
            }
        }
        var bytes = buffer.ToArray();
        var name = new PackageFileName(PackageId.Parse(id), PackageVersion.Parse(version), Sha256Digest.Compute(bytes));
        var path = Path.Combine(directory, name.FileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static PackageFileName NameOf(string path) => PackageFileName.Parse(Path.GetFileName(path));
}
