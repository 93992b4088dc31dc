using System.Net;
using Packster.Model;
using Packster.Sources.Config;
using Packster.Sources.Http;

namespace Packster.Sources;

/// <summary>
/// A static HTTP(S) folder with an <c>index.json</c> (written by <c>packster source index</c>); read-only. The index is
/// fetched once per instance.
/// </summary>
public sealed class HttpSource : IPackageSource, IDisposable
{
    private readonly SourceHttpClient _http;
    /// <summary>The index, fetched once however many resolutions ask for it at once; a failed fetch is tried again by the next.</summary>
    private Task<IReadOnlyList<HttpIndex.Item>>? _index;
    private readonly Lock _indexLock = new();

    public HttpSource(SourceDefinition definition, SourceContext context)
        : this(definition, new SourceHttpClient(definition, context))
    {
    }

    internal HttpSource(SourceDefinition definition, SourceHttpClient http)
    {
        Name = definition.Name;
        Priority = definition.Priority;
        SignatureRules = definition.TrustRules();
        _http = http;
    }

    public string Name { get; }
    public int Priority { get; }
    public IReadOnlyList<Trust.TrustRules> SignatureRules { get; }
    public bool CanPublish => false;

    public async Task<IReadOnlyList<PackageEntry>> SearchAsync(string pattern, CancellationToken cancellationToken = default)
    {
        var match = new IdPattern(pattern);
        return [.. (await IndexAsync(cancellationToken)).Where(i => match.Matches(i.File.Id)).Select(ToEntry)];
    }

    public async Task<IReadOnlyList<PackageEntry>> ListVersionsAsync(PackageId id, CancellationToken cancellationToken = default) =>
        [.. (await IndexAsync(cancellationToken)).Where(i => i.File.Id == id).Select(ToEntry)];

    public async Task FetchAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default)
    {
        var item = await ItemAsync(file, cancellationToken);
        await _http.DownloadAsync(_http.Resolve(SourceHttpClient.EscapePath(item.Path)), destination, null, item.Size >= 0 ? item.Size : null, cancellationToken);
    }

    public async Task<bool> FetchRangesAsync(PackageFileName file, Cache.PartialDownload target, CancellationToken cancellationToken = default)
    {
        var item = await ItemAsync(file, cancellationToken);
        return await _http.DownloadRangesAsync(_http.Resolve(SourceHttpClient.EscapePath(item.Path)), target, null, item.Size >= 0 ? item.Size : null, cancellationToken);
    }

    private async Task<HttpIndex.Item> ItemAsync(PackageFileName file, CancellationToken cancellationToken) =>
        (await IndexAsync(cancellationToken)).FirstOrDefault(i => i.File == file) ?? throw SourceErrors.PackageFileNotFound(Name, file.FileName);

    public async Task<bool> FetchSignatureAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default)
    {
        var item = (await IndexAsync(cancellationToken)).FirstOrDefault(i => i.File == file);
        if (item?.Signature is not { } signature) return false;
        try
        {
            await _http.DownloadAsync(_http.Resolve(SourceHttpClient.EscapePath(signature)), destination, null, Trust.PackageSignature.MaxSize, cancellationToken);
        }
        catch (PacksterException e) when (e.Code == ErrorCode.PackageNotFound && destination.Position == 0)
        {
            // Listed but gone (404): no signature, as for a source that lists none; the trust policy judges it unsigned.
            return false;
        }
        return true;
    }

    public Task<PublishResult> PublishAsync(string path, CancellationToken cancellationToken = default) =>
        throw SourceErrors.PublishNotSupported(Name);

    private PackageEntry ToEntry(HttpIndex.Item item) => new(item.File, item.Size >= 0 ? item.Size : null, Name);

    private Task<IReadOnlyList<HttpIndex.Item>> IndexAsync(CancellationToken cancellationToken)
    {
        lock (_indexLock)
        {
            if (_index is null || _index.IsFaulted || _index.IsCanceled) _index = FetchIndexAsync(cancellationToken);
            return _index;
        }
    }

    private async Task<IReadOnlyList<HttpIndex.Item>> FetchIndexAsync(CancellationToken cancellationToken)
    {
        var uri = _http.Resolve(HttpIndex.FileName);
        using var response = await _http.SendAsync(HttpMethod.Get, uri, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK) throw await _http.FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
        using var json = await _http.ReadJsonAsync(response, HttpMethod.Get, uri, cancellationToken);
        return HttpIndex.Parse(json, Name);
    }

    public void Dispose() => _http.Dispose();
}
