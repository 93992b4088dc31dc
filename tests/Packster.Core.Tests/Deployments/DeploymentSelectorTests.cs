using System.Text.Json.Nodes;
using Packster.Core.Tests.Locations;
using Packster.Deployments;
using Packster.Locations;
using Packster.Model;

namespace Packster.Core.Tests.Deployments;

/// <summary>spec/errors.md PST5005: "hash prefix of at least 8 hex digits; fewer digits that a deployment's hash starts with get the hint …".</summary>
public sealed class DeploymentSelectorTests
{
    private static LocationState State(params string[] seeds)
    {
        var state = new LocationState(LocationId.Parse("dev"));
        state.Deployments.AddRange(seeds.Select(s => new DeploymentEntry(LocationTestBed.Package(s, "1.0.0"), LocationTestBed.Hash(s), new JsonObject())));
        return state;
    }

    [Fact]
    public void Too_few_hex_digits_of_a_hash_are_refused_with_a_hint_naming_the_rule_and_the_hash()
    {
        var state = State("a", "b");
        var hash = state.Deployments[0].Hash.Hex;
        Assert.Equal(state.Deployments[0], DeploymentSelector.Single(state, hash[..8], "dev"));

        var e = Assert.Throws<PacksterException>(() => DeploymentSelector.Single(state, hash[..6], "dev"));
        Assert.Equal(ErrorCode.DeploymentNotFound, e.Code);
        Assert.Equal($"a deployment hash is named by at least 8 of its hex digits: '{hash[..12]}'", e.Hint);
    }

    [Fact]
    public void Digits_no_hash_starts_with_keep_the_plain_hint()
    {
        var state = State("a");
        var other = state.Deployments[0].Hash.Hex[0] == '0' ? "ffff" : "0000";
        var e = Assert.Throws<PacksterException>(() => DeploymentSelector.Single(state, other, "dev"));
        Assert.Equal("run 'packster list' to see what is deployed", e.Hint);
    }

    private static DeploymentEntry Entry(string id, string version, string seed) =>
        new(LocationTestBed.Package(id, version), LocationTestBed.Hash(seed), new JsonObject());

    // spec/errors.md PST5006: "one version with two parameter sets" matches twice; naming it by id@version again cannot
    // tell the two apart, so the hint offers only the deployment hash.
    [Fact]
    public void One_version_deployed_twice_is_told_apart_only_by_its_hash()
    {
        var state = new LocationState(LocationId.Parse("dev"));
        state.Deployments.AddRange([Entry("hello", "1.0.0", "p1"), Entry("hello", "1.0.0", "p2")]);
        var example = state.Deployments[0].Hash.Hex[..12];
        foreach (var selector in new[] { "hello@1.0.0", "hello" })
        {
            var e = Assert.Throws<PacksterException>(() => DeploymentSelector.Single(state, selector, "dev"));
            Assert.Equal(ErrorCode.DeploymentAmbiguous, e.Code);
            Assert.Equal($"name one by its deployment hash, e.g. {example}", e.Hint);
        }
    }

    // Two versions of one id: a bare id may be narrowed by id@version, or by a hash.
    [Fact]
    public void Two_versions_named_by_their_id_are_told_apart_by_version_or_hash()
    {
        var state = new LocationState(LocationId.Parse("dev"));
        state.Deployments.AddRange([Entry("hello", "1.0.0", "v1"), Entry("hello", "2.0.0", "v2")]);
        var e = Assert.Throws<PacksterException>(() => DeploymentSelector.Single(state, "hello", "dev"));
        Assert.Equal(ErrorCode.DeploymentAmbiguous, e.Code);
        Assert.Equal($"name one by id@version or by its deployment hash, e.g. hello@1.0.0 or {state.Deployments[0].Hash.Hex[..12]}", e.Hint);
    }
}
