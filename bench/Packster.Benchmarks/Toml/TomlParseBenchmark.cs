using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Packster.Toml;

namespace Packster.Benchmarks.Toml;

/// <summary>Parses a generated ~8 MB document from UTF-8 bytes and from a string; reports MB/s.</summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class TomlParseBenchmark
{
    internal const int DocumentBytes = 8 * 1024 * 1024;

    private static readonly Lazy<int> DocumentUtf8Bytes = new(() => Encoding.UTF8.GetByteCount(TomlCorpus.Generate(DocumentBytes)));

    private byte[] _utf8 = [];
    private string _text = "";

    [GlobalSetup]
    public void Setup()
    {
        _text = TomlCorpus.Generate(DocumentBytes);
        _utf8 = Encoding.UTF8.GetBytes(_text);
    }

    [Benchmark(Baseline = true)]
    public TomlTable ParseUtf8() => TomlDocument.Parse(_utf8);

    [Benchmark]
    public TomlTable ParseString() => TomlDocument.Parse(_text);

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new MegabytesPerSecondColumn());
    }

    /// <summary>Document size divided by the mean time.</summary>
    private sealed class MegabytesPerSecondColumn : IColumn
    {
        public string Id => "MBps";
        public string ColumnName => "MB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "UTF-8 megabytes (10^6 bytes) parsed per second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats)
            {
                return "-";
            }

            return (DocumentUtf8Bytes.Value / (stats.Mean / 1e9) / 1e6).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }
}
