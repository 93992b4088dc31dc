using Packster.Deny;
using Packster.Model;
using Packster.Sources.Installation;

namespace Packster.Sources.Tests.Installation;

/// <summary>
/// spec/resolver.md: one version per package for the whole graph, found with backtracking; failures explained as a
/// chain; deployed versions preferred; denied versions never chosen. The vectors of spec/resolver.md § Test vectors.
/// </summary>
public sealed class PubGrubResolverTests
{
    [Fact]
    public async Task Without_conflicts_the_highest_versions_are_chosen()
    {
        // spec/resolver.md § Test vectors 1.
        var repo = new InMemoryCatalogue()
            .Add("foo", "1.0.0", "bar ^1.0.0")
            .Add("bar", "1.0.0").Add("bar", "1.1.0").Add("bar", "2.0.0");
        var resolution = await repo.ResolveAsync("app", ["foo ^1.0.0"]);
        Assert.Equal(["bar 1.1.0", "foo 1.0.0"], resolution.Lines());
    }

    [Fact]
    public async Task A_version_whose_dependencies_cannot_be_met_is_passed_over_where_greedy_would_fail()
    {
        // spec/resolver.md § Test vectors 2: the highest foo needs bar ^2, the root needs bar ^1. Taking foo 1.1.0 first
        // (greedy, highest first) leaves no bar for both; the resolver settles on foo 1.0.0.
        var repo = new InMemoryCatalogue()
            .Add("foo", "1.0.0").Add("foo", "1.1.0", "bar ^2.0.0")
            .Add("bar", "1.0.0").Add("bar", "1.1.0").Add("bar", "2.0.0");
        var resolution = await repo.ResolveAsync("app", ["foo ^1.0.0", "bar ^1.0.0"]);
        Assert.Equal(["bar 1.1.0", "foo 1.0.0"], resolution.Lines());
    }

    [Fact]
    public async Task A_conflict_found_deep_in_the_graph_backjumps_and_learns()
    {
        // spec/resolver.md § Test vectors 3 (PubGrub's "conflict resolution with a partial satisfier"): foo 1.1.0 brings
        // left and right, which together force shared 1.0.0, which needs target ^1 against the root's target ^2.
        var repo = new InMemoryCatalogue()
            .Add("foo", "1.0.0").Add("foo", "1.1.0", "left ^1.0.0", "right ^1.0.0")
            .Add("left", "1.0.0", "shared >=1.0.0")
            .Add("right", "1.0.0", "shared <2.0.0")
            .Add("shared", "2.0.0").Add("shared", "1.0.0", "target ^1.0.0")
            .Add("target", "2.0.0").Add("target", "1.0.0");
        var resolution = await repo.ResolveAsync("app", ["foo ^1.0.0", "target ^2.0.0"]);
        Assert.Equal(["foo 1.0.0", "target 2.0.0"], resolution.Lines());
        Assert.True(resolution.Conflicts > 0);
    }

    [Fact]
    public async Task A_version_that_needs_an_older_version_of_its_dependant_is_dropped()
    {
        // spec/resolver.md § Test vectors 4 (PubGrub's "performing conflict resolution").
        var repo = new InMemoryCatalogue()
            .Add("foo", "1.0.0").Add("foo", "2.0.0", "bar ^1.0.0")
            .Add("bar", "1.0.0", "foo ^1.0.0");
        var resolution = await repo.ResolveAsync("app", ["foo >=1.0.0"]);
        Assert.Equal(["foo 1.0.0"], resolution.Lines());
    }

    [Fact]
    public async Task Two_requirements_that_cannot_both_hold_are_explained_as_a_chain()
    {
        // spec/resolver.md § Explanations, the first example.
        var repo = new InMemoryCatalogue()
            .Add("tool", "2.0.0", "lib ^1.0")
            .Add("other", "1.4.0", "lib ^2.0")
            .Add("lib", "1.0.0").Add("lib", "2.0.0");
        var e = await Assert.ThrowsAsync<PacksterException>(() => repo.ResolveAsync("app", ["tool ^2.0", "other ^1.4"]));
        Assert.Equal(ErrorCode.DependencyConflict, e.Code);
        Assert.Equal(
            "the dependencies of app 1.0.0 cannot be resolved: "
            + "tool 2.0.0 depends on lib@^1.0, other 1.4.0 depends on lib@^2.0, so tool 2.0.0 and other 1.4.0 cannot be used together; "
            + "app 1.0.0 depends on tool@^2.0, so other 1.4.0 cannot be used; "
            + "app 1.0.0 depends on other@^1.4, so app 1.0.0 cannot be installed",
            e.Message);
    }

    [Fact]
    public async Task A_transitive_conflict_is_explained_link_by_link()
    {
        // spec/resolver.md § Test vectors 5 (PubGrub's "linear error reporting").
        var repo = new InMemoryCatalogue()
            .Add("foo", "1.0.0", "bar ^2.0.0")
            .Add("bar", "2.0.0", "baz ^3.0.0")
            .Add("baz", "1.0.0").Add("baz", "3.0.0");
        var e = await Assert.ThrowsAsync<PacksterException>(() => repo.ResolveAsync("app", ["foo ^1.0.0", "baz ^1.0.0"]));
        Assert.Equal(ErrorCode.DependencyConflict, e.Code);
        Assert.Equal(
            "the dependencies of app 1.0.0 cannot be resolved: "
            + "foo 1.0.0 depends on bar@^2.0.0, bar 2.0.0 depends on baz@^3.0.0, so foo 1.0.0 needs baz 3.0.0; "
            + "app 1.0.0 depends on foo@^1.0.0, so app 1.0.0 needs baz 3.0.0; "
            + "app 1.0.0 depends on baz@^1.0.0, so app 1.0.0 cannot be installed",
            e.Message);
    }

    [Fact]
    public async Task A_missing_package_deep_in_the_graph_keeps_its_code_and_names_who_needs_it()
    {
        // spec/sources.md § install by id: "<package> <version> depends on <id>@<range>: …" with the cause's code.
        var repo = new InMemoryCatalogue()
            .Add("lib", "1.0.0")
            .Add("mid", "1.0.0", "lib ^1", "ghost ^3");
        var e = await Assert.ThrowsAsync<PacksterException>(() => repo.ResolveAsync("app", ["lib ^1", "mid ^1"]));
        Assert.Equal(ErrorCode.PackageNotFound, e.Code);
        Assert.Contains("mid 1.0.0 depends on ghost@^3: package 'ghost' was not found", e.Message, StringComparison.Ordinal);

        var none = new InMemoryCatalogue().Add("lib", "1.0.0");
        var e2 = await Assert.ThrowsAsync<PacksterException>(() => none.ResolveAsync("app", ["lib ^2"]));
        Assert.Equal(ErrorCode.NoMatchingVersion, e2.Code);
        Assert.StartsWith("app 1.0.0 depends on lib@^2: no version of 'lib' satisfies '^2'", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cycle_resolves_to_one_version_each_and_is_left_to_the_plan_to_refuse()
    {
        // spec/resolver.md § Cycles: the resolver chooses versions; the plan's order names the cycle (PST8010).
        var repo = new InMemoryCatalogue()
            .Add("b", "1.0.0", "c ^1")
            .Add("c", "1.0.0", "b ^1");
        var resolution = await repo.ResolveAsync("a", ["b ^1"]);
        Assert.Equal(["b 1.0.0", "c 1.0.0"], resolution.Lines());
    }

    [Fact]
    public async Task Versions_are_listed_once_per_package_and_only_tried_versions_are_fetched()
    {
        // spec/resolver.md § Sources: listing is cached; a manifest is fetched only for a version the resolver tries.
        var repo = new InMemoryCatalogue()
            .Add("foo", "1.0.0").Add("foo", "1.1.0", "bar ^2.0.0").Add("foo", "0.9.0")
            .Add("bar", "1.0.0").Add("bar", "1.1.0").Add("bar", "2.0.0");
        await repo.ResolveAsync("app", ["foo ^1.0.0", "bar ^1.0.0"]);
        Assert.All(repo.Listings.Values, n => Assert.Equal(1, n));
        Assert.DoesNotContain("foo 0.9.0", repo.Fetched);
        Assert.DoesNotContain("bar 2.0.0", repo.Fetched);
        Assert.Equal(repo.Fetched.Distinct().Count(), repo.Fetched.Count);
    }

    [Fact]
    public async Task A_deployed_version_is_preferred_whenever_the_ranges_allow_it()
    {
        // spec/resolver.md § Preferences: the location's deployments first (the active one, then the highest).
        var repo = new InMemoryCatalogue().Add("lib", "1.0.0").Add("lib", "1.2.0").Add("lib", "1.3.0").Add("lib", "2.0.0");
        var deployed = new Dictionary<PackageId, IReadOnlyList<PackageVersion>>
        {
            [PackageId.Parse("lib")] = [PackageVersion.Parse("2.0.0"), PackageVersion.Parse("1.2.0")],
        };
        Assert.Equal(["lib 1.2.0"], (await repo.ResolveAsync("app", ["lib ^1.0"], preferred: deployed)).Lines());
        Assert.Equal(["lib 1.3.0"], (await repo.ResolveAsync("app", ["lib ^1.3"], preferred: deployed)).Lines());
        Assert.Equal(["lib 2.0.0"], (await repo.ResolveAsync("app", ["lib >=1.0"], preferred: deployed)).Lines());
    }

    [Fact]
    public async Task A_denied_version_is_never_chosen()
    {
        // spec/resolver.md § Deny list: deny = ["tool@1.4.2", "tool@>=2.0 <2.1"].
        var repo = new InMemoryCatalogue().Add("tool", "1.4.1").Add("tool", "1.4.2").Add("tool", "2.0.5").Add("tool", "2.1.0");
        var deny = new DenyList([Rule("tool@1.4.2"), Rule("tool@>=2.0 <2.1")]);
        Assert.Equal(["tool 1.4.1"], (await repo.ResolveAsync("app", ["tool ^1.4"], deny)).Lines());
        Assert.Equal(["tool 2.1.0"], (await repo.ResolveAsync("app", ["tool >=1.0"], deny)).Lines());
        var deployed = new Dictionary<PackageId, IReadOnlyList<PackageVersion>> { [PackageId.Parse("tool")] = [PackageVersion.Parse("2.0.5")] };
        Assert.Equal(["tool 2.1.0"], (await repo.ResolveAsync("app", ["tool ^2.0"], deny, deployed)).Lines());
    }

    [Fact]
    public async Task A_requirement_only_denied_versions_satisfy_fails_naming_the_rule_and_its_file()
    {
        // spec/resolver.md § Deny list: the failure names the rule and the file it came from (PST4060).
        var repo = new InMemoryCatalogue().Add("tool", "1.4.2").Add("tool", "2.0.0").Add("helper", "1.0.0", "tool ~1.4.0");
        var deny = new DenyList([Rule("tool@1.4.2")]);
        var e = await Assert.ThrowsAsync<PacksterException>(() => repo.ResolveAsync("app", ["helper ^1"], deny));
        Assert.Equal(ErrorCode.PackageDenied, e.Code);
        Assert.Equal(
            "the dependencies of app 1.0.0 cannot be resolved: "
            + "helper 1.0.0 depends on tool@~1.4.0: every version that satisfies it is denied: 1.4.2 by 'tool@1.4.2' (/home/u/.config/packster/config.toml), "
            + "app 1.0.0 depends on helper@^1, so app 1.0.0 cannot be installed",
            e.Message);
    }

    [Fact]
    public async Task On_small_random_repositories_it_finds_a_valid_solution_exactly_when_one_exists()
    {
        // spec/resolver.md § 2: sound (every solution meets every requirement) and complete (a failure means no choice of
        // one version per package exists), checked against brute force over every choice.
        string[] ids = ["a", "b", "c", "d"];
        string[] versions = ["1.0.0", "1.1.0", "2.0.0"];
        string[] ranges = ["^1.0", "^2.0", ">=1.1", "1.0.0", "<2.0", ">=1.0"];
        for (var seed = 0; seed < 400; seed++)
        {
            var random = new Random(seed);
            var repo = new InMemoryCatalogue();
            var graph = new Dictionary<(string, string), string[]>();
            foreach (var id in ids)
            {
                foreach (var version in versions)
                {
                    string[] deps = [.. ids.Where(d => d != id && random.Next(0, 3) == 0).Select(d => $"{d} {ranges[random.Next(ranges.Length)]}")];
                    repo.Add(id, version, deps);
                    graph[(id, version)] = deps;
                }
            }
            string[] root = [.. ids.Where(_ => random.Next(0, 2) == 0).Select(d => $"{d} {ranges[random.Next(ranges.Length)]}")];
            var exists = Choices(ids, versions).Any(choice => Meets(choice, root, graph));
            try
            {
                var resolution = await repo.ResolveAsync("root", root);
                var choice = ids.ToDictionary(id => id, id => resolution.Versions.TryGetValue(PackageId.Parse(id), out var v) ? v.ToString() : null);
                Assert.True(Meets(choice, root, graph), $"seed {seed}: the solution {string.Join(", ", resolution.Lines())} breaks a requirement");
            }
            catch (PacksterException e)
            {
                Assert.False(exists, $"seed {seed}: failed although a solution exists: {e.Message}");
            }
        }
    }

    private static IEnumerable<Dictionary<string, string?>> Choices(string[] ids, string[] versions)
    {
        IEnumerable<Dictionary<string, string?>> choices = [[]];
        foreach (var id in ids)
        {
            choices = choices.SelectMany(c => versions.Append(null).Select(v => new Dictionary<string, string?>(c) { [id] = v }));
        }
        return choices;
    }

    private static bool Meets(Dictionary<string, string?> choice, string[] root, Dictionary<(string, string), string[]> graph)
    {
        var requirements = root.Concat(choice.Where(p => p.Value is not null).SelectMany(p => graph[(p.Key, p.Value!)]));
        return requirements.All(r =>
        {
            var requirement = InMemoryCatalogue.Requirement(r);
            return choice[requirement.Id.ToString()] is { } v && requirement.Range.Satisfies(PackageVersion.Parse(v));
        });
    }

    private static DenyRule Rule(string text) =>
        DenyRule.TryParse(text, "/home/u/.config/packster/config.toml", out var why) ?? throw new InvalidOperationException(why);
}
