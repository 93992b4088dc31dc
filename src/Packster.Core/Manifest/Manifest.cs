using Packster.Model;

namespace Packster.Manifest;

/// <summary>
/// A validated <c>packster-manifest.toml</c> (spec/manifest.md). Immutable; every path stays inside the package,
/// every template references declared parameters, every default matches its declared type.
/// Code in other <c>Packster.*</c> namespaces should alias it (<c>using PackageManifest = Packster.Manifest.Manifest;</c>)
/// because the bare name <c>Manifest</c> there binds to this namespace.
/// </summary>
public sealed class Manifest
{
    public const string FileName = "packster-manifest.toml";

    internal Manifest(
        string file,
        PackageId id,
        PackageVersion version,
        string? description,
        string? license,
        IReadOnlyList<string> authors,
        Uri? homepage,
        PlatformConstraint platform,
        IReadOnlyDictionary<string, ParameterDeclaration> parameters,
        IReadOnlyDictionary<HandlerAction, HandlerSpec> handlers,
        IReadOnlyDictionary<string, ShimSpec> shims,
        ProvidedResources provides,
        IReadOnlyList<PackageRequirement> dependencies,
        IReadOnlyList<PackageRequirement> packLocation,
        IReadOnlyList<BundleRequirement> installBundle,
        IReadOnlyDictionary<string, LocatorPattern> locators)
    {
        File = file;
        Id = id;
        Version = version;
        Description = description;
        License = license;
        Authors = authors.ToList().AsReadOnly();
        Homepage = homepage;
        Platform = platform;
        Parameters = Frozen(parameters);
        Handlers = Frozen(handlers);
        Shims = Frozen(shims);
        Provides = provides;
        Dependencies = dependencies.ToList().AsReadOnly();
        PackLocation = packLocation.ToList().AsReadOnly();
        InstallBundle = installBundle.ToList().AsReadOnly();
        Locators = Frozen(locators);
    }

    /// <summary>A read-only copy that keeps the manifest's order (callers cannot cast back and mutate it).</summary>
    private static System.Collections.ObjectModel.ReadOnlyDictionary<TKey, TValue> Frozen<TKey, TValue>(IReadOnlyDictionary<TKey, TValue> source)
        where TKey : notnull =>
        new(source.ToDictionary(p => p.Key, p => p.Value));

    /// <summary>The file it was read from (as given to the reader; used in messages).</summary>
    public string File { get; }

    public PackageId Id { get; }
    public PackageVersion Version { get; }
    public string? Description { get; }
    public string? License { get; }
    public IReadOnlyList<string> Authors { get; }
    public Uri? Homepage { get; }
    public PlatformConstraint Platform { get; }

    /// <summary>Declared parameters by name, in manifest order.</summary>
    public IReadOnlyDictionary<string, ParameterDeclaration> Parameters { get; }

    public IReadOnlyDictionary<HandlerAction, HandlerSpec> Handlers { get; }

    /// <summary>Shims by name, in manifest order.</summary>
    public IReadOnlyDictionary<string, ShimSpec> Shims { get; }

    public ProvidedResources Provides { get; }
    public IReadOnlyList<PackageRequirement> Dependencies { get; }
    public IReadOnlyList<PackageRequirement> PackLocation { get; }
    public IReadOnlyList<BundleRequirement> InstallBundle { get; }

    /// <summary><c>[locator]</c>: named paths or globs inside the deployment, for <c>packster locate id:name</c>.</summary>
    public IReadOnlyDictionary<string, LocatorPattern> Locators { get; }

    /// <summary>The <c>[[desktop]]</c> entries: application menu entries activation installs (spec/manifest.md § [[desktop]]).</summary>
    public IReadOnlyList<DesktopSpec> Desktop { get; init; } = [];

    /// <summary>The <c>[[service]]</c> processes <c>packster service</c> runs (spec/manifest.md § [[service]]).</summary>
    public IReadOnlyList<ServiceSpec> Services { get; init; } = [];

    /// <summary>The handler for an action, or null when the manifest declares none.</summary>
    public HandlerSpec? HandlerFor(HandlerAction action) => Handlers.TryGetValue(action, out var h) ? h : null;

    public override string ToString() => $"{Id}@{Version}";
}
