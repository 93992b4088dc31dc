using BenchmarkDotNet.Running;
using Packster.Benchmarks.Toml;

// `resolve [packages] [seed]` times one dependency resolution; `commit-line [deployments]` what a history commit line costs; `lockfile PATH` what reading and writing a lockfile cost; `toml-mbps [MB]` prints TOML parse throughput quickly; `toml-edit [toml-test dir]` what an edit costs; anything else goes to BenchmarkDotNet,
// which finds every benchmark class in this assembly (add classes, not switches).
if (args.Length > 0 && args[0] == "toml-mbps")
{
    return TomlThroughput.Run(args.Skip(1).ToArray(), Console.Out);
}
if (args.Length > 0 && args[0] == "resolve")
{
    return Packster.Benchmarks.Resolver.ResolverTiming.Run(args.Skip(1).ToArray(), Console.Out);
}
if (args.Length > 0 && args[0] == "commit-line")
{
    return Packster.Benchmarks.History.CommitLineTiming.Run(args.Skip(1).ToArray(), Console.Out);
}
if (args.Length > 0 && args[0] == "lockfile")
{
    return Packster.Benchmarks.Locations.LockfileTiming.Run(args.Skip(1).ToArray(), Console.Out);
}
if (args.Length > 0 && args[0] == "toml-edit")
{
    return TomlEditTiming.Run(args.Skip(1).ToArray(), Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Marker for <see cref="BenchmarkSwitcher"/>.</summary>
public partial class Program;
