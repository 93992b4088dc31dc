using Packster.Manifest;
using Packster.Model;
using Packster.Sources.Installation;

namespace Packster.Sources.Tests.Installation;

/// <summary>A repository in memory for the resolver: packages, versions and their dependencies, counting what was asked.</summary>
internal sealed class InMemoryCatalogue : IResolverCatalogue
{
    private readonly Dictionary<PackageId, Dictionary<PackageVersion, List<PackageRequirement>>> _packages = [];

    /// <summary>How many times each package's versions were listed.</summary>
    public Dictionary<PackageId, int> Listings { get; } = [];

    /// <summary>Every version whose dependencies were asked for (the manifests a real source would fetch).</summary>
    public List<string> Fetched { get; } = [];

    /// <summary>Adds <c>id version</c> with dependencies written <c>"lib ^1.0"</c>.</summary>
    public InMemoryCatalogue Add(string id, string version, params string[] dependencies)
    {
        var versions = _packages.TryGetValue(PackageId.Parse(id), out var known) ? known : _packages[PackageId.Parse(id)] = [];
        versions[PackageVersion.Parse(version)] = [.. dependencies.Select(Requirement)];
        return this;
    }

    public static PackageRequirement Requirement(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return new PackageRequirement(PackageId.Parse(text[..space]), VersionRange.Parse(text[(space + 1)..]));
    }

    public Task<IReadOnlyList<PackageVersion>> VersionsAsync(PackageId id, CancellationToken cancellationToken)
    {
        Listings[id] = Listings.GetValueOrDefault(id) + 1;
        if (!_packages.TryGetValue(id, out var versions)) throw SourceErrors.PackageNotFound(id, ["memory"]);
        return Task.FromResult<IReadOnlyList<PackageVersion>>([.. versions.Keys]);
    }

    public Task<IReadOnlyList<PackageRequirement>> DependenciesAsync(PackageId id, PackageVersion version, CancellationToken cancellationToken)
    {
        Fetched.Add($"{id} {version}");
        return Task.FromResult<IReadOnlyList<PackageRequirement>>(_packages[id][version]);
    }

    /// <summary>Resolves the dependencies of a root package <c>id 1.0.0</c> that are not in the catalogue.</summary>
    public Task<Resolution> ResolveAsync(string root, string[] dependencies, Deny.DenyList? deny = null,
        IReadOnlyDictionary<PackageId, IReadOnlyList<PackageVersion>>? preferred = null) =>
        PubGrubResolver.ResolveAsync(new ResolutionRequest(PackageId.Parse(root), PackageVersion.Parse("1.0.0"), [.. dependencies.Select(Requirement)])
        {
            Deny = deny ?? Deny.DenyList.None,
            Preferred = preferred ?? new Dictionary<PackageId, IReadOnlyList<PackageVersion>>(),
        }, this);
}

internal static class ResolutionAssertions
{
    /// <summary>The solution as <c>"id version"</c> lines, sorted.</summary>
    public static string[] Lines(this Resolution resolution) =>
        [.. resolution.Versions.Select(p => $"{p.Key} {p.Value}").Order(StringComparer.Ordinal)];
}
