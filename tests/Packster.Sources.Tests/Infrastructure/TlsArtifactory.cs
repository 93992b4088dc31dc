using Packster.Testing;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>
/// What the command-line tests against Artifactory start from: a temp home, a private CA, and the loopback
/// Artifactory serving TLS with a certificate of that CA and accepting one token (as user "ci").
/// </summary>
public sealed class TlsArtifactory : IAsyncDisposable
{
    private TlsArtifactory(TempDirectory temp, TestPki pki, ArtifactoryTestServer server)
    {
        Temp = temp;
        Pki = pki;
        Server = server;
    }

    public TempDirectory Temp { get; }
    public TestPki Pki { get; }
    public ArtifactoryTestServer Server { get; }

    public static async Task<TlsArtifactory> StartAsync(string tempPrefix, string token)
    {
        var temp = new TempDirectory(tempPrefix);
        var pki = TestPki.Create();
        var server = await ArtifactoryTestServer.StartAsync(pki.Server);
        server.Tokens[token] = "ci";
        return new TlsArtifactory(temp, pki, server);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Pki.Dispose();
        Temp.Dispose();
    }
}
