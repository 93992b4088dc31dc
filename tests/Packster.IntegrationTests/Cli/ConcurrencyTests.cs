using System.Diagnostics;

namespace Packster.IntegrationTests.Cli;

/// <summary>spec/lockfile.md § Lock: concurrent writers take turns; six installs started together all land in the lockfile.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Six_concurrent_installs_all_land_in_the_lockfile()
    {
        var package = _f.PackSample("hello");
        var processes = Enumerable.Range(1, 6)
            .Select(i => Process.Start(_f.Packster.StartInfo(["install-file", package, "--location", "dev", "-p", $"port={9100 + i}", "--json"]))!)
            .ToList();
        var results = processes.Select(p =>
        {
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
        }).ToList();
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));

        var list = _f.List();
        Assert.Equal(6, list.GetArrayLength());
        var ports = list.EnumerateArray().Select(d => d.GetProperty("parameters").GetProperty("port").GetInt32()).Order();
        Assert.Equal(Enumerable.Range(9101, 6), ports);
        Assert.Single(list.EnumerateArray(), d => d.GetProperty("active").GetBoolean());
        foreach (var p in processes) p.Dispose();
    }
}
