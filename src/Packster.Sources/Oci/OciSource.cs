using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Packster.Model;
using Packster.Sources.Config;
using Packster.Sources.Http;

namespace Packster.Sources.Oci;

/// <summary>
/// An OCI distribution registry (spec/sources.md §10). The packages of id <c>x</c> live in repository
/// <c>{repo}/x</c>, one manifest per version tagged <see cref="OciNames.TagOf"/>, whose single layer is the
/// <c>.packster</c> file: the layer digest is the package's sha256, so a download is verified against the name.
/// A detached signature is a second manifest whose <c>subject</c> is the package manifest, found through the
/// referrers API where the registry has it and through the referrers tag <c>sha256-&lt;hex&gt;</c> where not.
/// Versions are immutable: identical bytes re-published are "unchanged", other bytes under a taken version a conflict.
/// </summary>
public sealed class OciSource : IPackageSource, IDisposable
{
    /// <summary>How many manifests a version listing reads at once.</summary>
    private const int ManifestReadsAtOnce = 8;

    private readonly OciRegistry _registry;
    private readonly SourceContext _context;
    private readonly string _prefix;
    // The manifest each listed file came from: a signature lookup needs its digest.
    private readonly ConcurrentDictionary<PackageFileName, OciDescriptor> _manifests = new();

    public OciSource(SourceDefinition definition, SourceContext context)
    {
        Name = definition.Name;
        Priority = definition.Priority;
        SignatureRules = definition.TrustRules();
        _prefix = definition.Repo ?? throw SourceErrors.ConfigInvalid($"source '{definition.Name}': oci sources need 'repo'");
        _context = context;
        _registry = new OciRegistry(definition, context);
    }

    public string Name { get; }
    public int Priority { get; }
    public bool CanPublish => true;
    public IReadOnlyList<Trust.TrustRules> SignatureRules { get; }

    /// <summary>
    /// Another repository of the same registry to mount blobs from instead of uploading them (cross-repository blob
    /// mount); set by <c>mirror</c> when both sources are the same registry.
    /// </summary>
    public Func<PackageFileName, string?>? MountFrom { get; set; }

    /// <summary>Whether <paramref name="other"/> is served by the same registry (so blobs can be mounted between them).</summary>
    public bool SameRegistry(OciSource other) => SourceHttpClient.SameOrigin(_registry.Http.BaseUri, other._registry.Http.BaseUri);

    /// <summary>The repository holding <paramref name="id"/>'s packages here.</summary>
    public string RepositoryOf(PackageId id) => OciNames.RepositoryOf(Name, _prefix, id);

    public async Task<IReadOnlyList<PackageEntry>> SearchAsync(string pattern, CancellationToken cancellationToken = default)
    {
        var match = new IdPattern(pattern);
        var ids = await CatalogIdsAsync(cancellationToken);
        if (ids is null)
        {
            // Without the catalog only an exact id can be looked up.
            if (pattern.IndexOfAny(['*', '?']) < 0 && PackageId.TryParse(pattern, out var exact)) return await ListVersionsAsync(exact, cancellationToken);
            throw new PacksterException(ErrorCode.SourceCannotList,
                $"source '{Name}': the registry does not let {_registry.Http.Credential.Description} list its repositories (GET /v2/_catalog), so '{pattern}' cannot be searched",
                "search for an exact package id, or name the ids (mirror --filter id@range)");
        }
        var lists = await Task.WhenAll(ids.Where(match.Matches).Select(id => ListVersionsAsync(id, cancellationToken)));
        return [.. lists.SelectMany(l => l)];
    }

    /// <summary>The ids under the prefix, from <c>GET /v2/_catalog</c>; null when the registry refuses the catalog (as GHCR does).</summary>
    private async Task<List<PackageId>?> CatalogIdsAsync(CancellationToken cancellationToken)
    {
        List<string>? repositories;
        try
        {
            repositories = await _registry.ListAsync(_registry.Api("_catalog?n=1000"), "repositories", ["registry:catalog:*"], cancellationToken,
                refused: response => Task.FromResult(new PacksterException(ErrorCode.SourceCannotList, $"catalog answered {(int)response.StatusCode}")));
        }
        catch (PacksterException e) when (e.Code == ErrorCode.SourceCannotList)
        {
            return null;
        }
        var start = _prefix + "/";
        return [.. repositories!.Where(r => r.StartsWith(start, StringComparison.Ordinal))
            .Select(r => r[start.Length..])
            .Where(rest => rest.IndexOf('/', StringComparison.Ordinal) < 0)
            .Select(rest => PackageId.TryParse(rest, out var id) ? id : (PackageId?)null)
            .OfType<PackageId>()];
    }

    public async Task<IReadOnlyList<PackageEntry>> ListVersionsAsync(PackageId id, CancellationToken cancellationToken = default)
    {
        if (!OciNames.IsComponent(id.Value)) return [];
        var repository = RepositoryOf(id);
        var tags = await _registry.ListAsync(_registry.Api($"{repository}/tags/list?n=1000"), "tags", OciRegistry.Pull(repository), cancellationToken);
        if (tags is null) return [];
        using var gate = new SemaphoreSlim(ManifestReadsAtOnce);
        var found = await Task.WhenAll(tags.Select(tag => (Tag: tag, Version: OciNames.VersionOfTag(tag))).Where(t => t.Version is not null).Select(async t =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await ReadPackageManifestAsync(repository, id, t.Version!, OciRegistry.Pull(repository), cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. found.OfType<(PackageFileName File, OciDescriptor Manifest, long Size)>()
            .OrderBy(f => f.File.Version)
            .Select(f => new PackageEntry(f.File, f.Size, Name))];
    }

    /// <summary>
    /// The package a version tag holds: its file name (the layer digest is the sha256), the manifest's descriptor and
    /// the layer size; null when the tag does not exist. A tag holding something else than a Packster package of that
    /// id and version is skipped with a warning.
    /// </summary>
    private async Task<(PackageFileName File, OciDescriptor Manifest, long Size)?> ReadPackageManifestAsync(string repository, PackageId id,
        PackageVersion version, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var tag = OciNames.TagOf(version);
        if (await GetManifestAsync(repository, tag, scopes, cancellationToken) is not { } got) return null;
        var (manifest, descriptor) = got;
        var layer = manifest?.Layers.Count == 1 ? manifest.Layers[0] : null;
        if (manifest?.EffectiveArtifactType != OciManifest.PackageArtifactType || layer?.MediaType != OciManifest.PackageLayerMediaType
            || (manifest.Annotations.TryGetValue(OciManifest.VersionAnnotation, out var annotated) && annotated != version.ToString()))
        {
            _context.Warnings.WriteLine($"warning: source '{Name}': {repository}:{tag} is not a Packster package of {id} {version}; skipped");
            return null;
        }
        var file = new PackageFileName(id, version, layer.Digest);
        _manifests[file] = descriptor;
        return (file, descriptor, layer.Size);
    }

    /// <summary>GET a manifest by tag or digest: the parsed manifest (null if the bytes are not one) and its descriptor; null on 404.</summary>
    private async Task<(OciManifest? Manifest, OciDescriptor Descriptor)?> GetManifestAsync(string repository, string reference, IReadOnlyList<string> scopes,
        CancellationToken cancellationToken, Sha256Digest? expected = null)
    {
        if (await GetDocumentAsync(repository, reference, OciManifest.ManifestMediaType, scopes, cancellationToken) is not { } bytes) return null;
        var digest = Sha256Digest.Compute(bytes);
        if (expected is { } wanted && wanted != digest)
            throw SourceErrors.ChecksumMismatch($"manifest {repository}@sha256:{wanted.Hex} on source '{Name}'", wanted, digest);
        return (OciManifest.Parse(bytes), new OciDescriptor(OciManifest.ManifestMediaType, digest, bytes.Length));
    }

    /// <summary>Downloads the layer blob; the registry's <c>Docker-Content-Digest</c> is checked first, the caller hashes what arrives.</summary>
    public async Task FetchAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default)
    {
        var (uri, size, authorize) = await PrepareBlobAsync(file, cancellationToken);
        await _registry.Http.DownloadAsync(uri, destination, response => CheckAnnounced(file, response), size, cancellationToken, authorize);
    }

    public async Task<bool> FetchRangesAsync(PackageFileName file, Cache.PartialDownload target, CancellationToken cancellationToken = default)
    {
        var (uri, size, authorize) = await PrepareBlobAsync(file, cancellationToken);
        return await _registry.Http.DownloadRangesAsync(uri, target, response => CheckAnnounced(file, response), size, cancellationToken, authorize);
    }

    /// <summary>A HEAD first: it obtains the token (a download cannot answer a challenge half-way) and the size.</summary>
    private async Task<(Uri Uri, long? Size, Func<Uri, AuthenticationHeaderValue?> Authorize)> PrepareBlobAsync(PackageFileName file, CancellationToken cancellationToken)
    {
        var repository = RepositoryOf(file.Id);
        var scopes = OciRegistry.Pull(repository);
        var uri = BlobUri(repository, file.Sha256);
        using var head = await _registry.SendAsync(HttpMethod.Head, uri, scopes, cancellationToken);
        if (head.StatusCode == HttpStatusCode.NotFound) throw SourceErrors.PackageFileNotFound(Name, file.FileName);
        if (head.StatusCode != HttpStatusCode.OK) throw await _registry.Http.FailureAsync(head, HttpMethod.Head, uri, cancellationToken);
        return (uri, head.Content.Headers.ContentLength, _registry.AuthorizeFor(scopes));
    }

    private void CheckAnnounced(PackageFileName file, HttpResponseMessage response)
    {
        if (AnnouncedDigest(response) is { } announced && announced != file.Sha256)
            throw SourceErrors.ChecksumMismatch($"{file.FileName} on source '{Name}' (Docker-Content-Digest)", file.Sha256, announced);
    }

    public async Task<bool> FetchSignatureAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default)
    {
        var repository = RepositoryOf(file.Id);
        var scopes = OciRegistry.Pull(repository);
        if (await PackageManifestAsync(repository, file, scopes, cancellationToken) is not { } subject) return false;
        var signatures = (await ReferrersAsync(repository, subject, scopes, cancellationToken))
            .Where(d => d.ArtifactType == OciManifest.SignatureArtifactType).ToList();
        if (signatures.Count == 0) return false;
        var chosen = signatures[^1];
        if (await GetManifestAsync(repository, chosen.DigestText, scopes, cancellationToken, chosen.Digest) is not ({ } manifest, _)
            || manifest.Layers.Count != 1 || manifest.Layers[0].MediaType != OciManifest.SignatureLayerMediaType)
            throw SourceErrors.Protocol(Name, $"signature of {file.FileName}", $"{repository}@{chosen.DigestText} is not a Packster signature manifest");
        var layer = manifest.Layers[0];
        if (layer.Size > Trust.PackageSignature.MaxSize)
            throw SourceErrors.Protocol(Name, $"signature of {file.FileName}", $"the signature layer has {layer.Size} bytes; a signature is at most {Trust.PackageSignature.MaxSize}");
        using var buffer = new MemoryStream();
        var uri = BlobUri(repository, layer.Digest);
        if (!await _registry.Http.DownloadSmallAsync(uri, buffer, Trust.PackageSignature.MaxSize, cancellationToken, _registry.AuthorizeFor(scopes)))
            throw SourceErrors.PackageFileNotFound(Name, file.FileName + Trust.PackageSignature.Extension);
        var actual = Sha256Digest.Compute(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (actual != layer.Digest) throw SourceErrors.ChecksumMismatch($"the signature of {file.FileName} on source '{Name}'", layer.Digest, actual);
        buffer.Position = 0;
        await buffer.CopyToAsync(destination, cancellationToken);
        return true;
    }

    /// <summary>The descriptor of the manifest holding <paramref name="file"/>: remembered from a listing, else read by its version tag.</summary>
    private async Task<OciDescriptor?> PackageManifestAsync(string repository, PackageFileName file, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        if (_manifests.TryGetValue(file, out var known)) return known;
        var found = await ReadPackageManifestAsync(repository, file.Id, file.Version, scopes, cancellationToken);
        return found is { } f && f.File == file ? f.Manifest : null;
    }

    /// <summary>
    /// The manifests that refer to <paramref name="subject"/>: the referrers API where the registry offers it (OCI
    /// distribution 1.1), else the referrers tag <c>sha256-&lt;hex&gt;</c> (the spec's fallback, which ORAS also uses).
    /// </summary>
    private async Task<List<OciDescriptor>> ReferrersAsync(string repository, OciDescriptor subject, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var uri = _registry.Api($"{repository}/referrers/{subject.DigestText}?artifactType={Uri.EscapeDataString(OciManifest.SignatureArtifactType)}");
        using (var response = await _registry.SendAsync(HttpMethod.Get, uri, scopes, cancellationToken,
            headers: h => h.Accept.Add(new MediaTypeWithQualityHeaderValue(OciManifest.IndexMediaType))))
        {
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var bytes = await _registry.Http.ReadBoundedAsync(response, OciRegistry.MaxDocumentBytes, HttpMethod.Get, uri, cancellationToken);
                return OciManifest.ParseIndex(bytes) ?? throw SourceErrors.Protocol(Name, SourceHttpClient.Describe(HttpMethod.Get, uri), "the referrers answer is not an image index");
            }
            if (response.StatusCode != HttpStatusCode.NotFound) throw await _registry.Http.FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
        }
        return (await ReferrersTagAsync(repository, subject, scopes, cancellationToken)) ?? [];
    }

    private static string ReferrersTag(OciDescriptor subject) => "sha256-" + subject.Digest.Hex;

    private async Task<List<OciDescriptor>?> ReferrersTagAsync(string repository, OciDescriptor subject, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var tag = ReferrersTag(subject);
        if (await GetDocumentAsync(repository, tag, OciManifest.IndexMediaType, scopes, cancellationToken) is not { } bytes) return null;
        return OciManifest.ParseIndex(bytes) ?? throw SourceErrors.Protocol(Name, $"GET {repository}:{tag}", "the referrers tag is not an image index");
    }

    /// <summary>GET <c>/v2/{repository}/manifests/{reference}</c> accepting <paramref name="mediaType"/>: the exact bytes, or null on 404.</summary>
    private async Task<byte[]?> GetDocumentAsync(string repository, string reference, string mediaType, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var uri = _registry.Api($"{repository}/manifests/{reference}");
        using var response = await _registry.SendAsync(HttpMethod.Get, uri, scopes, cancellationToken,
            headers: h => h.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType)));
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (response.StatusCode != HttpStatusCode.OK) throw await _registry.Http.FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
        return await _registry.Http.ReadBoundedAsync(response, OciRegistry.MaxDocumentBytes, HttpMethod.Get, uri, cancellationToken);
    }

    public Task<PublishResult> PublishAsync(string path, CancellationToken cancellationToken = default) =>
        PublishAsync(path, PackageFileCheck.VerifyPackage(path, sha1AndMd5: false), cancellationToken);

    Task<PublishResult> IPackageSource.PublishVerifiedAsync(string path, PackageFileCheck verified, CancellationToken cancellationToken) =>
        PublishAsync(path, verified, cancellationToken);

    private async Task<PublishResult> PublishAsync(string path, PackageFileCheck check, CancellationToken cancellationToken)
    {
        var signature = Trust.PackageSignature.ReadBeside(path, check.Name);
        var repository = RepositoryOf(check.Name.Id);
        var scopes = OciRegistry.Push(repository);
        var tag = OciNames.TagOf(check.Name.Version);
        var location = $"{_registry.Host}/{repository}:{tag}";

        var status = PublishStatus.Unchanged;
        var manifest = await ExistingAsync(repository, check, scopes, cancellationToken);
        if (manifest is null)
        {
            await PushBlobAsync(repository, OciManifest.EmptyConfigDigest, OciManifest.EmptyConfig.Length, () => new ReadOnlyMemoryContent(OciManifest.EmptyConfig), null, cancellationToken);
            await PushBlobAsync(repository, check.Sha256, check.Size, () => FileContent(path, check.Size), MountFrom?.Invoke(check.Name), cancellationToken);
            var bytes = OciManifest.ForPackage(check.Name, check.Size).Serialize();
            PausePoint.Hit("oci-publish.before-manifest");
            // Registries have no conditional tag write: looking once more just before the write leaves the smallest window.
            manifest = await ExistingAsync(repository, check, scopes, cancellationToken);
            if (manifest is null)
            {
                manifest = await PutManifestAsync(repository, tag, bytes, OciManifest.ManifestMediaType, scopes, cancellationToken);
                status = PublishStatus.Published;
            }
        }
        _manifests[check.Name] = manifest;
        if (signature is null) return new PublishResult(check.Name, status, location);
        await PublishSignatureAsync(repository, check.Name, manifest, signature, scopes, cancellationToken);
        return new PublishResult(check.Name, status, location) { Signed = true };
    }

    /// <summary>Null when the version's tag is free; the manifest when it holds these bytes; a conflict when it holds others.</summary>
    private async Task<OciDescriptor?> ExistingAsync(string repository, PackageFileCheck check, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var tag = OciNames.TagOf(check.Name.Version);
        if (await GetManifestAsync(repository, tag, scopes, cancellationToken) is not ({ } manifest, var descriptor))
        {
            await RequireNoEqualVersionAsync(repository, check, scopes, cancellationToken);
            return null;
        }
        var layer = manifest.Layers.Count == 1 ? manifest.Layers[0] : null;
        if (manifest.EffectiveArtifactType != OciManifest.PackageArtifactType || layer is null)
            throw SourceErrors.PublishConflict(Name, check.Name.FileName, $"{repository}:{tag} already holds something that is not a Packster package");
        if (layer.Digest != check.Sha256)
            throw SourceErrors.PublishConflict(Name, check.Name.FileName, $"{check.Name.Id} {check.Name.Version} is already published with sha256 {layer.Digest}");
        return descriptor;
    }

    /// <summary>
    /// A version that differs from this one only by build metadata (<c>1.0.0+build.7</c> for <c>1.0.0+build.8</c>) is
    /// the same version (SemVer precedence; spec/sources.md §10.3), though its tag is another: a conflict, as on a folder
    /// source, never a second package that a fetch of either name could give.
    /// </summary>
    private async Task RequireNoEqualVersionAsync(string repository, PackageFileCheck check, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var tag = OciNames.TagOf(check.Name.Version);
        var tags = await _registry.ListAsync(_registry.Api($"{repository}/tags/list?n=1000"), "tags", scopes, cancellationToken);
        foreach (var other in tags ?? [])
        {
            if (other == tag || OciNames.VersionOfTag(other) is not { } version || version != check.Name.Version) continue;
            var published = await ReadPackageManifestAsync(repository, check.Name.Id, version, scopes, cancellationToken);
            throw SourceErrors.PublishConflict(Name, check.Name.FileName, published is { } found
                ? $"{check.Name.Id} {check.Name.Version} is already published as {found.File.FileName}"
                : $"{check.Name.Id} {check.Name.Version} is already published under the tag {repository}:{other}");
        }
    }

    private static StreamContent FileContent(string path, long size)
    {
        var content = new StreamContent(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = size;
        return content;
    }

    private Uri BlobUri(string repository, Sha256Digest digest) => _registry.Api($"{repository}/blobs/sha256:{digest.Hex}");

    /// <summary>
    /// Makes sure the repository holds the blob: nothing to do when a HEAD finds it; else a cross-repository mount
    /// from <paramref name="mountFrom"/> when given (201: done), else (or when the registry declines the mount with
    /// 202) a monolithic upload: POST to open the session, PUT the bytes with <c>?digest=</c>, which the registry checks.
    /// </summary>
    private async Task PushBlobAsync(string repository, Sha256Digest digest, long size, Func<HttpContent> content, string? mountFrom, CancellationToken cancellationToken)
    {
        var scopes = OciRegistry.Push(repository);
        var blob = BlobUri(repository, digest);
        using (var head = await _registry.SendAsync(HttpMethod.Head, blob, scopes, cancellationToken))
        {
            if (head.StatusCode == HttpStatusCode.OK) return;
            if (head.StatusCode != HttpStatusCode.NotFound) throw await _registry.Http.FailureAsync(head, HttpMethod.Head, blob, cancellationToken);
        }
        var digestText = "sha256:" + digest.Hex;
        var mount = mountFrom is not null && mountFrom != repository;
        var start = _registry.Api(mount ? $"{repository}/blobs/uploads/?mount={digestText}&from={mountFrom}" : $"{repository}/blobs/uploads/");
        var startScopes = mount ? [.. scopes, .. OciRegistry.Pull(mountFrom!)] : scopes;
        Uri upload;
        using (var opened = await _registry.SendAsync(HttpMethod.Post, start, startScopes, cancellationToken, content: () => new ByteArrayContent([])))
        {
            if (opened.StatusCode == HttpStatusCode.Created && mount) return;
            if (opened.StatusCode != HttpStatusCode.Accepted || opened.Headers.Location is null)
                throw await UploadFailureAsync(opened, HttpMethod.Post, start, cancellationToken);
            upload = new Uri(start, opened.Headers.Location);
        }
        var put = new UriBuilder(upload);
        var query = put.Query.TrimStart('?');
        put.Query = (query.Length > 0 ? query + "&" : "") + "digest=" + Uri.EscapeDataString(digestText);
        using var stored = await _registry.SendAsync(HttpMethod.Put, put.Uri, scopes, cancellationToken, content: content);
        if (stored.StatusCode != HttpStatusCode.Created) throw await UploadFailureAsync(stored, HttpMethod.Put, upload, cancellationToken);
        if (AnnouncedDigest(stored) is { } announced && announced != digest)
            throw SourceErrors.ChecksumMismatch($"a blob as stored by source '{Name}'", digest, announced);
    }

    private async Task<PacksterException> UploadFailureAsync(HttpResponseMessage response, HttpMethod method, Uri uri, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var message = await _registry.Http.ReadErrorMessageAsync(response, cancellationToken);
            return new PacksterException(ErrorCode.ChecksumMismatch,
                $"source '{Name}' rejected an upload: {SourceHttpClient.Describe(method, uri)} answered 400 {message}".TrimEnd(),
                "the bytes it received do not match their digest, or the registry refused the blob; try again");
        }
        return await _registry.Http.FailureAsync(response, method, uri, cancellationToken);
    }

    private async Task<OciDescriptor> PutManifestAsync(string repository, string reference, byte[] bytes, string mediaType, IReadOnlyList<string> scopes,
        CancellationToken cancellationToken, Action<HttpResponseMessage>? answered = null)
    {
        var uri = _registry.Api($"{repository}/manifests/{reference}");
        using var response = await _registry.SendAsync(HttpMethod.Put, uri, scopes, cancellationToken, content: () =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return content;
        });
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                var message = await _registry.Http.ReadErrorMessageAsync(response, cancellationToken);
                throw SourceErrors.Protocol(Name, SourceHttpClient.Describe(HttpMethod.Put, uri), $"the registry refused the manifest: 400 {message}".TrimEnd());
            }
            throw await _registry.Http.FailureAsync(response, HttpMethod.Put, uri, cancellationToken);
        }
        var digest = Sha256Digest.Compute(bytes);
        if (AnnouncedDigest(response) is { } announced && announced != digest)
            throw SourceErrors.ChecksumMismatch($"the manifest as stored by source '{Name}'", digest, announced);
        answered?.Invoke(response);
        return new OciDescriptor(mediaType, digest, bytes.Length);
    }

    /// <summary>
    /// Pushes the signature as a manifest whose <c>subject</c> is the package manifest. A registry that answers with
    /// <c>OCI-Subject</c> indexes it itself (distribution 1.1); for any other the referrers tag is updated: the new
    /// signature replaces an earlier Packster signature there (a rotated key), other referrers are kept.
    /// </summary>
    private async Task PublishSignatureAsync(string repository, PackageFileName file, OciDescriptor subject, byte[] signature, IReadOnlyList<string> scopes,
        CancellationToken cancellationToken)
    {
        var manifest = OciManifest.ForSignature(file, signature, subject);
        await PushBlobAsync(repository, OciManifest.EmptyConfigDigest, OciManifest.EmptyConfig.Length, () => new ReadOnlyMemoryContent(OciManifest.EmptyConfig), null, cancellationToken);
        await PushBlobAsync(repository, manifest.Layers[0].Digest, signature.Length, () => new ByteArrayContent(signature), null, cancellationToken);
        var bytes = manifest.Serialize();
        var indexed = false;
        var pushed = await PutManifestAsync(repository, "sha256:" + Sha256Digest.Compute(bytes).Hex, bytes, OciManifest.ManifestMediaType, scopes, cancellationToken,
            response => indexed = response.Headers.Contains("OCI-Subject"));
        if (indexed) return;

        var entry = pushed with { ArtifactType = OciManifest.SignatureArtifactType };
        var existing = await ReferrersTagAsync(repository, subject, scopes, cancellationToken) ?? [];
        if (existing.Any(d => d.Digest == entry.Digest)) return;
        var index = existing.Where(d => d.ArtifactType != OciManifest.SignatureArtifactType).Append(entry);
        await PutManifestAsync(repository, ReferrersTag(subject), OciManifest.SerializeIndex(index), OciManifest.IndexMediaType, scopes, cancellationToken);
    }

    private static Sha256Digest? AnnouncedDigest(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } text
            && text.StartsWith("sha256:", StringComparison.Ordinal) && Sha256Digest.TryParse(text["sha256:".Length..], out var digest)
            ? digest : null;

    public void Dispose() => _registry.Dispose();
}
