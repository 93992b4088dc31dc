using System.Diagnostics;
using System.Globalization;
using Packster.Manifest;
using Packster.Model;
using Packster.Sources.Installation;

namespace Packster.Benchmarks.Resolver;

/// <summary>
/// Times one dependency resolution over a generated repository (spec/resolver.md § Performance): 5,000 packages × 20
/// versions, every version depending on up to 4 later packages with dense, overlapping ranges that sometimes clash, and a root needing 30 of the
/// first packages. Target: ≤ 1 s. Sources are in memory, so this measures the resolver, not the network.
/// </summary>
public static class ResolverTiming
{
    public static int Run(string[] args, TextWriter output)
    {
        var packages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000;
        var seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        var repository = GeneratedRepository.Create(packages, versionsPerPackage: 20, dependenciesPerVersion: 4, seed);
        output.WriteLine($"repository: {packages:N0} packages × 20 versions, {repository.Requirements:N0} requirements (seed {seed})");
        for (var run = 1; run <= 3; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            string outcome;
            Resolution? resolution = null;
            try
            {
                resolution = PubGrubResolver.ResolveAsync(repository.Request, repository).GetAwaiter().GetResult();
                outcome = $"{resolution.Versions.Count:N0} packages chosen, {resolution.Decisions:N0} decisions, {resolution.Conflicts:N0} conflicts";
            }
            catch (PacksterException e)
            {
                outcome = $"no solution ({ErrorCodeText(e)}), explanation of {e.Message.Length:N0} characters";
            }
            stopwatch.Stop();
            if (resolution is not null && repository.Violation(resolution) is { } violation)
            {
                output.WriteLine($"INVALID SOLUTION: {violation}");
                return 1;
            }
            output.WriteLine($"run {run}{(run == 1 ? " (cold: includes JIT)" : "")}: {stopwatch.Elapsed.TotalMilliseconds:N0} ms — {outcome}, {repository.Listings:N0} listings, {repository.Fetches:N0} manifests");
            repository.ResetCounters();
        }
        return 0;
    }

    private static string ErrorCodeText(PacksterException e) => $"PST{(int)e.Code:D4}";

    private sealed class GeneratedRepository : IResolverCatalogue
    {
        private readonly Dictionary<PackageId, PackageVersion[]> _versions = [];
        private readonly Dictionary<(PackageId, PackageVersion), PackageRequirement[]> _dependencies = [];

        public required ResolutionRequest Request { get; init; }

        /// <summary>A requirement of the root or of a chosen version that the chosen versions do not meet, or null.</summary>
        public string? Violation(Resolution resolution)
        {
            var pending = new List<(string Who, PackageRequirement Requirement)>([.. Request.RootDependencies.Select(r => ("root", r))]);
            foreach (var (id, version) in resolution.Versions)
            {
                pending.AddRange(_dependencies[(id, version)].Select(r => ($"{id} {version}", r)));
            }
            foreach (var (who, requirement) in pending)
            {
                if (!resolution.Versions.TryGetValue(requirement.Id, out var chosen) || !requirement.Range.Satisfies(chosen))
                    return $"{who} depends on {requirement} but {(chosen is null ? "nothing" : chosen.ToString())} was chosen";
            }
            return null;
        }

        public int Requirements => _dependencies.Values.Sum(d => d.Length);

        public int Listings { get; private set; }

        public int Fetches { get; private set; }

        public void ResetCounters() => (Listings, Fetches) = (0, 0);

        public static GeneratedRepository Create(int packages, int versionsPerPackage, int dependenciesPerVersion, int seed)
        {
            var random = new Random(seed);
            var ids = Enumerable.Range(0, packages).Select(i => PackageId.Parse($"pkg{i:D5}")).ToArray();
            // Versions 1.0.0 … 4.4.0: four majors of five minors, so ^M ranges and >= ranges overlap densely.
            var versions = Enumerable.Range(0, versionsPerPackage).Select(v => PackageVersion.Parse($"{1 + v / 5}.{v % 5}.0")).ToArray();
            var repository = new GeneratedRepository
            {
                Request = new ResolutionRequest(PackageId.Parse("root"), PackageVersion.Parse("1.0.0"),
                    [.. Enumerable.Range(0, 30).Select(_ => random.Next(0, Math.Min(200, packages))).Distinct().Select(i => new PackageRequirement(ids[i], Range(random, 4)))]),
            };
            for (var i = 0; i < packages; i++)
            {
                repository._versions[ids[i]] = versions;
                foreach (var version in versions)
                {
                    var targets = Enumerable.Range(0, dependenciesPerVersion)
                        .Select(_ => i + 1 + random.Next(0, 150)).Where(j => j < packages).Distinct();
                    repository._dependencies[(ids[i], version)] = [.. targets.Select(j => new PackageRequirement(ids[j], Range(random, version.SemVer!.Major)))];
                }
            }
            return repository;
        }

        /// <summary>
        /// Dense ranges that follow the depender's own major, as real ecosystems do: mostly open-ended (<c>&gt;=M-1.0</c>) or
        /// the same major (<c>^M</c>), and one in fifty capped below the depender's major (<c>&gt;=1.0 &lt;M.0</c>), which clashes
        /// with the <c>^M</c> requirements of others and forces backtracking.
        /// </summary>
        private static VersionRange Range(Random random, int major) => random.Next(0, 100) switch
        {
            < 60 => VersionRange.Parse($">={Math.Max(1, major - 1)}.0"),
            < 98 => VersionRange.Parse($"^{major}"),
            _ => major > 1 ? VersionRange.Parse($">=1.0 <{major}.0") : VersionRange.Parse("^1"),
        };

        public Task<IReadOnlyList<PackageVersion>> VersionsAsync(PackageId id, CancellationToken cancellationToken)
        {
            Listings++;
            return Task.FromResult<IReadOnlyList<PackageVersion>>(_versions[id]);
        }

        public Task<IReadOnlyList<PackageRequirement>> DependenciesAsync(PackageId id, PackageVersion version, CancellationToken cancellationToken)
        {
            Fetches++;
            return Task.FromResult<IReadOnlyList<PackageRequirement>>(_dependencies[(id, version)]);
        }
    }
}
