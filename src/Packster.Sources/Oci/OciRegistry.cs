using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Packster.Sources.Config;
using Packster.Sources.Http;

namespace Packster.Sources.Oci;

/// <summary>
/// The HTTP side of an OCI registry: requests under <c>/v2/</c> with the authentication registries use
/// (spec/sources.md §10.2). A request goes out with the bearer token already obtained for its scopes, else with the
/// configured credential (Basic for a user, Bearer for a token alone, nothing when anonymous). A 401 carrying
/// <c>WWW-Authenticate: Bearer realm=…,service=…,scope=…</c> is answered by fetching a token from the realm — with
/// the Basic credential when a user is configured, anonymously otherwise — and the request is sent once more with it.
/// </summary>
internal sealed class OciRegistry : IDisposable
{
    /// <summary>The largest manifest, index or tag list read (the distribution spec's 4 MiB manifest limit).</summary>
    public const int MaxDocumentBytes = 4 << 20;

    /// <summary>The most names one paginated list (<c>tags/list</c>, <c>_catalog</c>) may hold, over all its pages.</summary>
    public const int MaxListedNames = 100_000;

    private readonly SourceDefinition _source;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);

    public OciRegistry(SourceDefinition source, SourceContext context, HttpMessageHandler? handler = null)
    {
        _source = source;
        Http = new SourceHttpClient(source, context, handler);
    }

    public SourceHttpClient Http { get; }

    public string Host => Http.BaseUri.Authority;

    public Uri Api(string relative) => Http.Resolve("v2/" + relative);

    public static IReadOnlyList<string> Pull(string repository) => [$"repository:{repository}:pull"];

    public static IReadOnlyList<string> Push(string repository) => [$"repository:{repository}:pull,push"];

    /// <summary>What to send to the registry's own origin for <paramref name="scopes"/>; nothing anywhere else (a blob redirected to storage).</summary>
    public Func<Uri, AuthenticationHeaderValue?> AuthorizeFor(IReadOnlyList<string> scopes)
    {
        var header = HeaderFor(scopes);
        return uri => SourceHttpClient.SameOrigin(uri, Http.BaseUri) ? header : null;
    }

    private AuthenticationHeaderValue? HeaderFor(IReadOnlyList<string> scopes) =>
        _tokens.TryGetValue(Key(scopes), out var token) && token.Expires > DateTimeOffset.UtcNow
            ? new AuthenticationHeaderValue("Bearer", token.Token)
            : Http.Credential.Header;

    private static string Key(IReadOnlyList<string> scopes) => string.Join(' ', scopes);

    /// <summary>Sends the request, obtaining a bearer token first when the registry asks for one (at most once per call).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, IReadOnlyList<string> scopes, CancellationToken cancellationToken,
        Func<HttpContent?>? content = null, Action<HttpRequestHeaders>? headers = null)
    {
        var response = await Http.SendAsync(method, uri, cancellationToken, content, headers, authorize: AuthorizeFor(scopes));
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        var challenge = OciChallenge.From(response.Headers);
        // A token given alone is the registry's own bearer token: it is sent, never exchanged.
        var bareToken = Http.Credential.Header?.Scheme == "Bearer";
        if (challenge is not { IsBearer: true } || challenge["realm"] is not { } realm || bareToken) return response;
        response.Dispose();
        await FetchTokenAsync(realm, challenge, scopes, cancellationToken);
        return await Http.SendAsync(method, uri, cancellationToken, content, headers, authorize: AuthorizeFor(scopes));
    }

    /// <summary>The token dance of the distribution spec's token authentication: GET realm?service=…&amp;scope=….</summary>
    private async Task FetchTokenAsync(string realm, OciChallenge challenge, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || (realmUri.Scheme != Uri.UriSchemeHttps && realmUri.Scheme != Uri.UriSchemeHttp))
            throw SourceErrors.Protocol(_source.Name, "authentication", $"the registry named token realm '{realm}', which is not an http(s) URL");
        if (realmUri.Scheme == Uri.UriSchemeHttp && !_source.Insecure)
            throw SourceErrors.Insecure(_source.Name, SourceHttpClient.StripQuery(realmUri));
        var query = new List<string>();
        if (challenge["service"] is { } service) query.Add("service=" + Uri.EscapeDataString(service));
        var wanted = scopes.ToList();
        if (challenge["scope"] is { } asked && !wanted.Contains(asked, StringComparer.Ordinal)) wanted.Add(asked);
        query.AddRange(wanted.Select(s => "scope=" + Uri.EscapeDataString(s)));
        var builder = new UriBuilder(realmUri);
        var existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', existing.Length > 0 ? [existing, .. query] : query);
        var tokenUri = builder.Uri;

        // The user's credential goes only to the realm the registry named, as Basic; a bare token never leaves for it.
        var basic = Http.Credential.Header is { Scheme: "Basic" } header ? header : null;
        using var response = await Http.SendAsync(HttpMethod.Get, tokenUri, cancellationToken,
            authorize: uri => SourceHttpClient.SameOrigin(uri, tokenUri) ? basic : null);
        if (response.StatusCode != HttpStatusCode.OK) throw await Http.FailureAsync(response, HttpMethod.Get, tokenUri, cancellationToken);
        using var json = await Http.ReadJsonAsync(response, HttpMethod.Get, tokenUri, cancellationToken);
        var root = json.RootElement;
        string? token = null;
        if (root.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            foreach (var name in (ReadOnlySpan<string>)["token", "access_token"])
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    token = text;
                    break;
                }
            }
        }
        if (token is null) throw SourceErrors.Protocol(_source.Name, SourceHttpClient.Describe(HttpMethod.Get, tokenUri), "the token answer holds no 'token'");
        // The spec's default lifetime is 60 seconds; a token is dropped 5 seconds before it ends.
        var seconds = root.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var s) && s > 0 ? s : 60;
        _tokens[Key(scopes)] = (token, DateTimeOffset.UtcNow.AddSeconds(Math.Max(1, seconds - 5)));
    }

    /// <summary>
    /// Every page of a paginated list (<c>tags/list</c>, <c>_catalog</c>): follows <c>Link: &lt;…&gt;; rel="next"</c>.
    /// Returns null when the first page answers 404 (the repository does not exist). A next page that was already read
    /// (a registry whose list goes round in a circle) and a list of more than <see cref="MaxListedNames"/> names are
    /// PST8008: each page's names were kept, so either would otherwise hold the command and its memory without end.
    /// </summary>
    public async Task<List<string>?> ListAsync(Uri first, string property, IReadOnlyList<string> scopes, CancellationToken cancellationToken,
        Func<HttpResponseMessage, Task<PacksterException>>? refused = null)
    {
        var items = new List<string>();
        var uri = first;
        var read = new HashSet<string>(StringComparer.Ordinal);
        for (var page = 0; page < 10_000; page++)
        {
            using var response = await SendAsync(HttpMethod.Get, uri, scopes, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound && page == 0 && refused is null) return null;
            if (response.StatusCode != HttpStatusCode.OK)
                throw refused is not null ? await refused(response) : await Http.FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
            var bytes = await Http.ReadBoundedAsync(response, MaxDocumentBytes, HttpMethod.Get, uri, cancellationToken);
            var action = SourceHttpClient.Describe(HttpMethod.Get, uri);
            read.Add(uri.AbsoluteUri);
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(bytes);
                if (json.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
                    throw SourceErrors.Protocol(_source.Name, action, "the answer is not a JSON object");
                // An empty repository answers "tags": null.
                if (json.RootElement.TryGetProperty(property, out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array)
                {
                    foreach (var item in list.EnumerateArray())
                    {
                        if (item.ValueKind != System.Text.Json.JsonValueKind.String) continue;
                        if (items.Count == MaxListedNames)
                            throw SourceErrors.Protocol(_source.Name, SourceHttpClient.Describe(HttpMethod.Get, first), $"the list holds more than {MaxListedNames.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} names; refused");
                        items.Add(item.GetString()!);
                    }
                }
            }
            catch (System.Text.Json.JsonException e)
            {
                throw SourceErrors.Protocol(_source.Name, action, $"the answer is not valid JSON ({StrictJson.Reason(e)})");
            }
            if (NextPage(response, uri) is not { } next) return items;
            if (!SourceHttpClient.SameOrigin(next, Http.BaseUri))
                throw SourceErrors.Protocol(_source.Name, action, "the next page of the list is on another server");
            if (read.Contains(next.AbsoluteUri))
                throw SourceErrors.Protocol(_source.Name, action, "the next page of the list is a page already read: the list goes round in a circle");
            uri = next;
        }
        throw SourceErrors.Protocol(_source.Name, SourceHttpClient.Describe(HttpMethod.Get, first), "the list has more than 10,000 pages");
    }

    private static Uri? NextPage(HttpResponseMessage response, Uri current)
    {
        if (!response.Headers.TryGetValues("Link", out var links)) return null;
        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var open = link.IndexOf('<', StringComparison.Ordinal);
            var close = link.IndexOf('>', StringComparison.Ordinal);
            if (open < 0 || close < open || !link[close..].Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase)) continue;
            return new Uri(current, link[(open + 1)..close]);
        }
        return null;
    }

    public void Dispose() => Http.Dispose();
}
