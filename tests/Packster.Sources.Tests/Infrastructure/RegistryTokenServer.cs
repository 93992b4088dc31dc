using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>
/// A token service for the registry's token authentication (the Docker/distribution token spec), on loopback Kestrel:
/// <c>GET /token?service=…&amp;scope=repository:NAME:ACTIONS</c> answers a JWT (ES256, its certificate in <c>x5c</c>)
/// that the registry verifies against <see cref="WriteCertificate"/>. Anonymous callers get <c>pull</c> only; the
/// one user, with the right password (Basic), gets what they ask; a wrong password is 401. Every request is recorded.
/// </summary>
public sealed class RegistryTokenServer : IAsyncDisposable
{
    public const string Service = "packster-test-registry";
    public const string Issuer = "packster-test-issuer";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;
    private readonly string _user;
    private readonly string _password;
    private LoopbackServer _server = null!;

    private RegistryTokenServer(string user, string password)
    {
        _user = user;
        _password = password;
        var request = new CertificateRequest("CN=packster test token issuer", _key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        _certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
    }

    /// <summary>What each token request asked and who asked: (user or null, scopes).</summary>
    public List<(string? User, string[] Scopes)> Requests { get; } = [];

    public string Realm => new Uri(_server.Address, "token").ToString();

    public static async Task<RegistryTokenServer> StartAsync(string user, string password)
    {
        var tokens = new RegistryTokenServer(user, password);
        tokens._server = await LoopbackServer.StartAsync(tokens.HandleAsync);
        return tokens;
    }

    public string WriteCertificate(string directory)
    {
        var path = Path.Combine(directory, "token-issuer.pem");
        File.WriteAllText(path, _certificate.ExportCertificatePem());
        return path;
    }

    private async Task HandleAsync(HttpContext context)
    {
        string? user = null;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..])).Split(':', 2);
            if (pair.Length != 2 || pair[0] != _user || pair[1] != _password)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"wrong user name or password\"}]}");
                return;
            }
            user = pair[0];
        }
        var scopes = context.Request.Query["scope"].Select(s => s ?? "").Where(s => s.Length > 0).ToArray();
        lock (Requests) Requests.Add((user, scopes));
        if (context.Request.Query["service"] != Service)
        {
            context.Response.StatusCode = 400;
            return;
        }
        var access = scopes.Select(Grant(user)).Where(a => a is not null).ToList();
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["token"] = Sign(user ?? "", access!),
            ["expires_in"] = 300,
        }));
    }

    private static Func<string, Dictionary<string, object>?> Grant(string? user) => scope =>
    {
        // repository:org/packster/acme:pull,push — the name may not hold ':', the actions are after the last one.
        var first = scope.IndexOf(':', StringComparison.Ordinal);
        var last = scope.LastIndexOf(':');
        if (first < 0 || last <= first) return null;
        var type = scope[..first];
        var name = scope[(first + 1)..last];
        var asked = scope[(last + 1)..].Split(',');
        var granted = user is null ? asked.Where(a => a == "pull").ToArray() : asked;
        return new Dictionary<string, object> { ["type"] = type, ["name"] = name, ["actions"] = granted };
    };

    private string Sign(string subject, List<Dictionary<string, object>> access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["typ"] = "JWT",
            ["alg"] = "ES256",
            ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) },
        });
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = Service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        });
        var signingInput = $"{Base64Url(header)}.{Base64Url(claims)}";
        // JWS ES256 is the raw r||s pair, which is .NET's IEEE P1363 format.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
    }
}
