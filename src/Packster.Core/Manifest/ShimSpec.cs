namespace Packster.Manifest;

/// <summary>A shim: a launcher named <see cref="Name"/> that runs <see cref="Target"/> with fixed args and env (both may use templates).</summary>
public sealed record ShimSpec(ShimName Name, PackagePath Target, IReadOnlyList<Template> Args, IReadOnlyDictionary<string, Template> Env);
