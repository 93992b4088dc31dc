using System.Text.Json;
using Packster.Core.Tests.Manifest;
using Packster.Deployments;
using Packster.Model;

namespace Packster.Core.Tests.Deployments;

/// <summary>spec/vectors/: every vector file is loaded and every entry checked.</summary>
public sealed class VectorTests
{
    private static JsonElement Load(string name)
    {
        var path = Path.Combine(ManifestTestSupport.RepositoryRoot(), "spec", "vectors", name);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// spec/history.md § Replay: "replaying the commit lines from an empty location gives the lockfile byte for byte",
    /// on a history a real run wrote; a torn last line changes nothing.
    /// </summary>
    [Fact]
    public void History_replay_vector()
    {
        var vector = Load("history-replay.json");
        using var bed = new Packster.Core.Tests.Locations.LocationTestBed();
        var location = bed.CreateLocation("replay", vector.GetProperty("location").GetString());
        var lines = vector.GetProperty("history").EnumerateArray().Select(l => l.GetString()!).ToList();
        var expected = System.Text.Encoding.UTF8.GetBytes(vector.GetProperty("lockfile").GetString()!);
        Assert.Equal(vector.GetProperty("lockfile-sha256").GetString(), Sha256Digest.Compute(expected).Hex);
        foreach (var history in new[] { string.Join("\n", lines) + "\n", string.Join("\n", lines) + "\n{\"time\":\"2026-12-04T01:07:30Z\",\"action\":\"com" })
        {
            File.WriteAllText(Packster.Deployments.History.PathOf(location), history);
            var replay = Packster.Deployments.HistoryReplay.Replay(location);
            Assert.Null(replay.Divergence);
            Assert.Equal(lines.Count(l => l.Contains("\"action\":\"commit\"", StringComparison.Ordinal)), replay.Commits);
            Assert.Equal(expected, replay.Lockfile);
        }
    }

    /// <summary>spec/parameters.md §Canonical JSON.</summary>
    [Fact]
    public void Canonical_parameter_vectors()
    {
        var vectors = Load("canonical-parameters.json").EnumerateArray().ToList();
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var input = ParameterInput.ParseJson(v.GetProperty("input").GetString()!);
            Assert.True(v.GetProperty("canonical").GetString() == CanonicalJson.Serialize(input), v.GetProperty("name").GetString());
        }
    }

    /// <summary>spec/parameters.md §Deployment hash.</summary>
    [Fact]
    public void Deployment_hash_vectors()
    {
        var vectors = Load("deployment-hash.json").EnumerateArray().ToList();
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            var canonical = CanonicalJson.Serialize(ParameterInput.ParseJson(v.GetProperty("parameters").GetString()!));
            Assert.Equal(v.GetProperty("canonical").GetString(), canonical);
            var hash = DeploymentHash.Compute(Sha256Digest.Parse(v.GetProperty("package").GetString()!), canonical);
            Assert.Equal(v.GetProperty("hash").GetString(), hash.Hex);
        }
    }

    /// <summary>spec/package-format.md §File name: <c>{id}-{version}-{sha256}.packster</c> splits one way only.</summary>
    [Fact]
    public void Package_file_name_vectors()
    {
        var root = Load("package-file-names.json");
        var valid = root.GetProperty("valid").EnumerateArray().ToList();
        var invalid = root.GetProperty("invalid").EnumerateArray().ToList();
        Assert.NotEmpty(valid);
        Assert.NotEmpty(invalid);
        foreach (var v in valid)
        {
            var name = PackageFileName.Parse(v.GetProperty("name").GetString()!);
            Assert.Equal(v.GetProperty("id").GetString(), name.Id.Value);
            Assert.Equal(v.GetProperty("version").GetString(), name.Version.ToString());
            Assert.Equal(v.GetProperty("sha256").GetString(), name.Sha256.Hex);
        }
        foreach (var v in invalid)
        {
            Assert.False(PackageFileName.TryParse(v.GetProperty("name").GetString(), out _), v.GetProperty("why").GetString());
        }
    }
}
