using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Packster.Model;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests.Packaging;

/// <summary>
/// spec/package-format.md §2–§5: for random valid trees, pack → extract gives back the same files, bytes, modes and
/// links, and packing twice gives the same package.
/// </summary>
public sealed class RoundTripProperties
{
    public sealed record TreeFile(string Path, byte[] Content, bool Executable);

    public sealed record Tree(IReadOnlyList<TreeFile> Files, IReadOnlyList<string> EmptyDirs, IReadOnlyList<(string Link, string Target)> Links);

    private static Gen<Tree> Trees()
    {
        var folder = Gen.Elements("", "a/", "b/", "a/c/", "b/d/e/", "\u00fc/");
        var content = Gen.OneOf(
            Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i)),
            Gen.Choose(0, 20_000).Select(n => System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("packster ", n / 9 + 1)))[..n]));
        var file = Gen.Zip(folder, Gen.Zip(content, Gen.Elements(true, false)));
        return Gen.Zip(Gen.ListOf(file), Gen.Zip(Gen.ListOf(Gen.Elements("x", "y/z", "w")), Gen.ListOf(Gen.Choose(0, 100))))
            .Select(t =>
            {
                var files = t.Item1.Select((f, i) => new TreeFile($"{f.Item1}f{i}.bin", f.Item2.Item1, f.Item2.Item2)).ToList();
                var empties = t.Item2.Item1.Distinct().Select(e => "empty-" + e).ToList();
                var links = new List<(string, string)>();
                if (!OperatingSystem.IsWindows() && files.Count > 0)
                {
                    foreach (var (pick, n) in t.Item2.Item2.Select((p, n) => (p, n)))
                    {
                        var target = files[pick % files.Count].Path;
                        links.Add(($"links/l{n}", "../" + target));
                    }
                }
                return new Tree(files, empties, links);
            });
    }

    [Property(MaxTest = 20)]
    public Property Pack_then_extract_returns_the_same_tree()
    {
        return Prop.ForAll(Trees().ToArbitrary(), tree =>
        {
            using var temp = new TempDirectory("packster-prop");
            var source = Directory.CreateDirectory(temp["src"]).FullName;
            File.WriteAllText(Path.Combine(source, Packer.ManifestFileName), "id = \"prop\"\n");
            foreach (var f in tree.Files)
            {
                var full = Path.Combine(source, f.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllBytes(full, f.Content);
                if (!OperatingSystem.IsWindows() && f.Executable) File.SetUnixFileMode(full, (UnixFileMode)0x1C0);
            }
            foreach (var e in tree.EmptyDirs) Directory.CreateDirectory(Path.Combine(source, e));
            foreach (var (link, target) in tree.Links)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, link))!);
                File.CreateSymbolicLink(Path.Combine(source, link), target);
            }

            var packed = Packer.Pack(source, temp["out"], PackageId.Parse("prop"), PackageVersion.Parse("1.0.0"), null, CancellationToken.None);
            var again = Packer.Pack(source, temp["out2"], PackageId.Parse("prop"), PackageVersion.Parse("1.0.0"), null, CancellationToken.None);
            var staging = Directory.CreateDirectory(temp["staging"]).FullName;
            var result = SafeExtractor.Extract(packed.Path, staging, ExtractionLimits.Default, null, CancellationToken.None);
            var byPath = result.Entries.ToDictionary(e => e.Path);

            var filesMatch = tree.Files.All(f =>
                File.ReadAllBytes(Path.Combine(staging, f.Path)).AsSpan().SequenceEqual(f.Content)
                && byPath[f.Path].Sha256 == Sha256Digest.Compute(f.Content)
                && byPath[f.Path].Mode == (f.Executable && !OperatingSystem.IsWindows() ? 0x1ED : 0x1A4)
                && (OperatingSystem.IsWindows() || File.GetUnixFileMode(Path.Combine(staging, f.Path)) == (UnixFileMode)byPath[f.Path].Mode));
            var emptiesMatch = tree.EmptyDirs.All(e => Directory.Exists(Path.Combine(staging, e)));
            var linksMatch = tree.Links.All(l => new FileInfo(Path.Combine(staging, l.Link)).LinkTarget == l.Target);
            var sameCount = byPath.Count == 1 + tree.Files.Count + tree.EmptyDirs.Count + tree.Links.Count;
            return filesMatch && emptiesMatch && linksMatch && sameCount && packed.FileName == again.FileName;
        });
    }
}
