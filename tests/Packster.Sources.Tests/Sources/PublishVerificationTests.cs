using Packster.Model;
using Packster.Sources.Config;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Sources;

/// <summary>
/// spec/sources.md, the publish rows: "verify name and bytes locally" — every kind of source opens the file as a
/// package, as <c>install-file</c> does, before anything is written or sent.
/// </summary>
public sealed class PublishVerificationTests : IAsyncLifetime
{
    private const string Token = "tok-publish-verification";
    private readonly TempDirectory _temp = new("packster-publish-verify");
    private ArtifactoryTestServer _server = null!;
    private readonly TestContext _test = new();

    public async Task InitializeAsync()
    {
        _server = await ArtifactoryTestServer.StartAsync();
        _server.Tokens[Token] = "ci";
        _test.Environment["PK_TOKEN"] = Token;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    /// <summary>A package's bytes under the name of another id and version: its sha256 matches, its manifest does not.</summary>
    private string Renamed()
    {
        var real = TestPackages.Create(_temp["dist"], "alpha", "1.0.0");
        var renamed = Path.Combine(_temp["bad"], $"zeta-9.9.9-{TestPackages.NameOf(real).Sha256}.packster");
        Directory.CreateDirectory(_temp["bad"]);
        File.Copy(real, renamed);
        return renamed;
    }

    /// <summary>Bytes that are no package at all, correctly named by their sha256.</summary>
    private string Junk()
    {
        var bytes = new byte[500];
        new Random(7).NextBytes(bytes);
        Directory.CreateDirectory(_temp["bad"]);
        var path = Path.Combine(_temp["bad"], $"junk-1.0.0-{Sha256Digest.Compute(new MemoryStream(bytes))}.packster");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private IPackageSource Open(SourceKind kind) => SourceFactory.Open(kind switch
    {
        SourceKind.Folder => new SourceDefinition { Name = "local", Kind = kind, Url = _temp["repo"] },
        SourceKind.Artifactory => new SourceDefinition
            { Name = "corp", Kind = kind, Url = _server.BaseUrl, Repo = "pk-local", TokenEnv = "PK_TOKEN", Insecure = true },
        // Nothing listens there: a check that is not local would fail as unreachable (PST8001) instead.
        _ => new SourceDefinition { Name = "registry", Kind = kind, Url = "https://127.0.0.1:9", Repo = "packages" },
    }, _test.Context);

    [Theory]
    [InlineData(SourceKind.Folder)]
    [InlineData(SourceKind.Artifactory)]
    [InlineData(SourceKind.Oci)]
    public async Task A_file_named_for_another_package_or_no_package_at_all_is_refused_before_anything_is_sent(SourceKind kind)
    {
        var source = Open(kind);
        try
        {
            var renamed = await Assert.ThrowsAsync<PacksterException>(() => source.PublishAsync(Renamed()));
            Assert.Equal(ErrorCode.PackageFileNameInvalid, renamed.Code);
            Assert.Contains("is named zeta 9.9.9 but its manifest says alpha 1.0.0", renamed.Message, StringComparison.Ordinal);

            var junk = await Assert.ThrowsAsync<PacksterException>(() => source.PublishAsync(Junk()));
            Assert.Equal(4, ExitCodes.For(junk.Code));
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
        Assert.False(Directory.Exists(_temp["repo"]) && Directory.EnumerateFileSystemEntries(_temp["repo"]).Any());
        Assert.Empty(_server.Requests);
    }
}
