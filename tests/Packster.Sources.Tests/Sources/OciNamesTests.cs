using System.Net.Http.Headers;
using Packster.Model;
using Packster.Sources.Oci;

namespace Packster.Sources.Tests.Sources;

/// <summary>spec/sources.md §10.1 names and §10.2 challenges, without a registry.</summary>
public sealed class OciNamesTests
{
    // §10.1: "a repository component is [a-z0-9]+ joined by '.', '_', '__' or '-' runs" (distribution spec 1.1).
    [Theory]
    [InlineData("acme", true)]
    [InlineData("acme.tools", true)]
    [InlineData("acme__tools", true)]
    [InlineData("acme---tools", true)]
    [InlineData("acme..tools", false)]
    [InlineData("acme___tools", false)]
    [InlineData("acme._tools", false)]
    [InlineData("acme-", false)]
    [InlineData("_acme", false)]
    [InlineData("Acme", false)]
    [InlineData("", false)]
    public void Repository_components_follow_the_distribution_grammar(string component, bool valid) =>
        Assert.Equal(valid, OciNames.IsComponent(component));

    [Theory]
    [InlineData("org/packster", true)]
    [InlineData("packster", true)]
    [InlineData("org//packster", false)]
    [InlineData("/org", false)]
    [InlineData("org/Packster", false)]
    public void A_repo_prefix_is_components_separated_by_slashes(string path, bool valid) =>
        Assert.Equal(valid, OciNames.IsRepositoryPath(path));

    // §10.1: "the tag is the version with '+' written '_'"; every version round-trips, other tags are not versions.
    [Theory]
    [InlineData("1.0.0", "1.0.0")]
    [InlineData("1.2.0+build.7", "1.2.0_build.7")]
    [InlineData("2.0.0-rc.1+sha.abc", "2.0.0-rc.1_sha.abc")]
    public void A_tag_is_the_version_and_reads_back(string version, string tag)
    {
        Assert.Equal(tag, OciNames.TagOf(PackageVersion.Parse(version)));
        Assert.Equal(PackageVersion.Parse(version), OciNames.VersionOfTag(tag));
    }

    [Theory]
    [InlineData("main")]
    [InlineData("v1.0.0")]
    [InlineData("sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")]
    [InlineData("1.0.0_a_b")]
    public void Tags_that_are_not_versions_are_ignored(string tag) => Assert.Null(OciNames.VersionOfTag(tag));

    // "latest" is itself a Packster version (spec/manifest.md), so its tag is read as that version.
    [Fact]
    public void The_latest_tag_is_the_latest_version() => Assert.True(OciNames.VersionOfTag("latest")!.IsLatest);

    [Fact]
    public void An_id_that_cannot_be_a_component_is_PST8020()
    {
        var e = Assert.Throws<PacksterException>(() => OciNames.RepositoryOf("reg", "org", PackageId.Parse("a..b")));
        Assert.Equal(ErrorCode.OciNameInvalid, e.Code);
        Assert.Equal("org/acme", OciNames.RepositoryOf("reg", "org", PackageId.Parse("acme")));
    }

    // §10.2: the challenge's quoted values may hold commas (a scope with two actions).
    [Fact]
    public void A_bearer_challenge_is_parsed_with_quoted_commas()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer",
            "realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:org/x:pull,push\",error=\"insufficient_scope\""));
        var challenge = OciChallenge.From(response.Headers)!;
        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.example/token", challenge["realm"]);
        Assert.Equal("registry.example", challenge["SERVICE"]);
        Assert.Equal("repository:org/x:pull,push", challenge["scope"]);
        Assert.Equal("insufficient_scope", challenge["error"]);
    }

    [Fact]
    public void Package_manifests_are_deterministic_and_read_back()
    {
        var file = new PackageFileName(PackageId.Parse("acme"), PackageVersion.Parse("1.0.0"), Sha256Digest.Compute("x"u8));
        var bytes = OciManifest.ForPackage(file, 1).Serialize();
        Assert.Equal(bytes, OciManifest.ForPackage(file, 1).Serialize());
        var manifest = OciManifest.Parse(bytes)!;
        Assert.Equal(OciManifest.PackageArtifactType, manifest.EffectiveArtifactType);
        Assert.Equal(file.Sha256, Assert.Single(manifest.Layers).Digest);
        Assert.Null(OciManifest.Parse("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"u8));
    }
}
