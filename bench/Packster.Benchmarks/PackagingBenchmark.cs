using BenchmarkDotNet.Attributes;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Benchmarks;

/// <summary>
/// Pack and extract of a real tree (the .NET SDK folder by default, or PACKSTER_BENCH_TREE), for comparison with
/// <c>tar -czf</c> and <c>cp -a</c> on the same machine (bench/pack-install.sh runs those side by side).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class PackagingBenchmark
{
    private string _work = "";
    private string _tree = "";
    private string _package = "";
    private int _run;

    [Params(5)]
    public int CompressionLevel { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _work = Directory.CreateTempSubdirectory("packster-bench-").FullName;
        _tree = Path.Combine(_work, "tree");
        var source = Environment.GetEnvironmentVariable("PACKSTER_BENCH_TREE")
            ?? Directory.GetDirectories("/usr/share/dotnet/sdk").OrderBy(d => d, StringComparer.Ordinal).Last();
        CopyTree(source, _tree);
        File.WriteAllText(Path.Combine(_tree, Packer.ManifestFileName), "id = \"bench\"\nversion = \"1.0.0\"\n");
        _package = Pack();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_work, recursive: true);

    [Benchmark]
    public string Pack() =>
        Packer.Pack(_tree, Path.Combine(_work, "out"), PackageId.Parse("bench"), PackageVersion.Parse("1.0.0"),
            PackOptions.Default with { CompressionLevel = CompressionLevel }, null, CancellationToken.None).Path;

    [Benchmark]
    public int Extract()
    {
        var staging = Directory.CreateDirectory(Path.Combine(_work, "staging-" + _run++)).FullName;
        var result = SafeExtractor.Extract(_package, staging, ExtractionLimits.Default, null, CancellationToken.None);
        Directory.Delete(staging, recursive: true);
        return result.FileCount;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var info in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, info.Name);
            if (info.LinkTarget is not null) File.CreateSymbolicLink(target, info.LinkTarget);
            else if (info is DirectoryInfo) CopyTree(info.FullName, target);
            else File.Copy(info.FullName, target);
        }
    }
}
