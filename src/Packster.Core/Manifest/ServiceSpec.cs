namespace Packster.Manifest;

/// <summary>
/// One <c>[[service]]</c> (spec/manifest.md § [[service]]): a long-running process of the package that
/// <c>packster service start|stop|status</c> runs for the location, healthy once each of its ports accepts connections.
/// </summary>
public sealed record ServiceSpec(string Name, PackagePath Exec, IReadOnlyList<Template> Args, IReadOnlyList<Template> Ports);
