using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// spec/package-format.md § Reading: an archive is hostile until proven otherwise, and its author names it after its own
/// digest, so the checksum proves nothing about its shape. Whatever random corruption makes of a package packster wrote
/// (bytes changed, cut, repeated, moved; deflate and zstd), extracting it either succeeds inside the staging directory or
/// fails with a PST4xxx error that leaves the staging directory empty, and nothing appears beside it.
/// </summary>
public sealed class CorruptArchiveTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-corrupt");

    public void Dispose() => _temp.Dispose();

    private byte[] Package(PackCompression compression)
    {
        var source = _temp[$"src-{compression}"];
        Directory.CreateDirectory(Path.Combine(source, "bin"));
        Directory.CreateDirectory(Path.Combine(source, "share", "doc"));
        File.WriteAllText(Path.Combine(source, Packer.ManifestFileName), "id = \"demo\"\nversion = \"1.2.0\"\n");
        File.WriteAllText(Path.Combine(source, "bin", "demo"), "#!/bin/sh\necho demo\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(source, "bin", "demo"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(source, "share", "doc", "a.txt"), string.Concat(Enumerable.Repeat("the same line again\n", 200)));
        File.WriteAllText(Path.Combine(source, "share", "doc", "b.txt"), string.Concat(Enumerable.Repeat("the same line again\n", 200)));
        File.WriteAllBytes(Path.Combine(source, "share", "noise.bin"), [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919 % 251))]);
        var packed = Packer.Pack(source, _temp[$"out-{compression}"], PackageId.Parse("demo"), PackageVersion.Parse("1.2.0"),
            PackOptions.Default with { Compression = compression }, null, CancellationToken.None);
        return File.ReadAllBytes(packed.Path);
    }

    /// <summary>Every regular file under <paramref name="root"/>, by relative path, with its bytes as text.</summary>
    private static SortedDictionary<string, string> Files(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(File.ReadAllBytes(f))), StringComparer.Ordinal);

    private static byte[] Corrupt(byte[] bytes, Random random)
    {
        var data = bytes.ToList();
        for (var edits = 1 + random.Next(4); edits > 0 && data.Count > 0; edits--)
        {
            var at = random.Next(data.Count);
            switch (random.Next(5))
            {
                case 0:
                    data[at] = (byte)random.Next(256);
                    break;
                case 1:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64)));
                    break;
                case 3:
                    var from = random.Next(data.Count);
                    data.InsertRange(at, data.GetRange(from, Math.Min(data.Count - from, 1 + random.Next(64))));
                    break;
                default:
                    // A field's worth of bytes set to an extreme: sizes, offsets, counts.
                    var value = random.Next(3) switch { 0 => (byte)0xff, 1 => (byte)0, _ => (byte)0x7f };
                    for (var i = at; i < Math.Min(data.Count, at + 1 + random.Next(8)); i++) data[i] = value;
                    break;
            }
        }
        return [.. data];
    }

    [Theory]
    [InlineData(PackCompression.Zstd)]
    [InlineData(PackCompression.Deflate)]
    public void A_corrupted_package_extracts_inside_staging_or_fails_in_words_leaving_nothing(PackCompression compression)
    {
        var original = Package(compression);
        var source = _temp[$"src-{compression}"];
        var root = _temp[$"runs-{compression}"];
        Directory.CreateDirectory(root);
        var (extracted, refused) = (0, 0);
        for (var seed = 0; seed < 1_500; seed++)
        {
            var archive = Path.Combine(root, "corrupt.packster");
            var staging = Path.Combine(root, "staging");
            File.WriteAllBytes(archive, Corrupt(original, new Random(seed)));
            Directory.CreateDirectory(staging);
            try
            {
                SafeExtractor.Extract(archive, staging, ExtractionLimits.Default, null, CancellationToken.None);
                extracted++;
                Assert.All(Directory.EnumerateFileSystemEntries(staging, "*", SearchOption.AllDirectories),
                    entry => Assert.StartsWith(staging + Path.DirectorySeparatorChar, Path.GetFullPath(entry), StringComparison.Ordinal));
                // What extracts is what was packed, byte for byte: a corruption is refused, never taken for other content.
                // (A name is another matter: a zstd twin's is written once, in the central directory, so a changed byte
                // there is another name the reader cannot tell from the author's; the digest the file is named after is
                // what catches a corrupted download, and an author chooses every name anyway.)
                var packed = Files(source);
                var got = Files(staging);
                Assert.Equal(packed.Count, got.Count);
                Assert.Equal(packed.Values.Order(StringComparer.Ordinal), got.Values.Order(StringComparer.Ordinal));
            }
            catch (PacksterException e) when ((int)e.Code / 1000 == 4)
            {
                refused++;
                Assert.True(!Directory.EnumerateFileSystemEntries(staging).Any(), $"seed {seed}: {e.Code} left files in staging");
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"seed {seed}: {e.GetType().Name}: {e.Message}", e);
            }
            Assert.Equal(["corrupt.packster", "staging"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Directory.Delete(staging, recursive: true);
        }
        // Both outcomes happen, or one of the two paths went untried.
        Assert.InRange(refused, 100, 1_499);
        Assert.InRange(extracted, 1, 1_400);
    }
}
