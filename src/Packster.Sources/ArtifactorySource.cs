using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Packster.Model;
using Packster.Sources.Config;
using Packster.Sources.Http;

namespace Packster.Sources;

/// <summary>
/// A JFrog Artifactory generic repository, spoken to as /work/shared/artifactory-api.md describes (spec/sources.md §6).
/// Packages live at <c>{repo}/{id}/{version}/{file}</c> with properties <c>packster.id</c> and <c>packster.version</c>.
/// Published versions are immutable: identical bytes re-published are a success, anything else is a conflict.
/// </summary>
public sealed class ArtifactorySource : IPackageSource, IDisposable
{
    public const string IdProperty = "packster.id";
    public const string VersionProperty = "packster.version";

    private readonly SourceHttpClient _http;
    private readonly SourceContext _context;
    private readonly string _repo;
    // Search results may find files outside the standard layout; remember where each name was seen, and its size.
    private readonly ConcurrentDictionary<PackageFileName, (string Path, long? Size)> _found = new();

    public ArtifactorySource(SourceDefinition definition, SourceContext context)
    {
        Name = definition.Name;
        Priority = definition.Priority;
        SignatureRules = definition.TrustRules();
        _repo = definition.Repo ?? throw SourceErrors.ConfigInvalid($"source '{definition.Name}': artifactory sources need 'repo'");
        _context = context;
        _http = new SourceHttpClient(definition, context);
    }

    public string Name { get; }
    public int Priority { get; }
    public bool CanPublish => true;
    public IReadOnlyList<Trust.TrustRules> SignatureRules { get; }

    /// <summary>Where Packster publishes a file inside the repository.</summary>
    public static string LayoutPath(PackageFileName file) => $"{file.Id}/{file.Version}/{file.FileName}";

    public async Task<IReadOnlyList<PackageEntry>> SearchAsync(string pattern, CancellationToken cancellationToken = default)
    {
        var match = new IdPattern(pattern);
        var found = await AqlAsync(match.AsNameGlob() + "*" + PackageFileName.Extension, cancellationToken)
            ?? await QuickSearchAsync(pattern.Replace("*", "", StringComparison.Ordinal).Replace("?", "", StringComparison.Ordinal), cancellationToken);
        return [.. found.Where(e => match.Matches(e.Id))];
    }

    public async Task<IReadOnlyList<PackageEntry>> ListVersionsAsync(PackageId id, CancellationToken cancellationToken = default)
    {
        var found = await AqlAsync($"{id}-*{PackageFileName.Extension}", cancellationToken) ?? await ListFolderAsync(id, cancellationToken);
        return [.. found.Where(e => e.Id == id)];
    }

    /// <summary>Downloads the file (resuming a broken transfer with a Range request, see <see cref="SourceHttpClient.DownloadAsync"/>).</summary>
    public Task FetchAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default)
    {
        var (path, size) = _found.TryGetValue(file, out var known) ? known : (LayoutPath(file), null);
        return _http.DownloadAsync(ArtifactUri(path), destination, response => CheckAnnounced(file, response), size, cancellationToken);
    }

    public Task<bool> FetchRangesAsync(PackageFileName file, Cache.PartialDownload target, CancellationToken cancellationToken = default)
    {
        var (path, size) = _found.TryGetValue(file, out var known) ? known : (LayoutPath(file), null);
        return _http.DownloadRangesAsync(ArtifactUri(path), target, response => CheckAnnounced(file, response), size, cancellationToken);
    }

    /// <summary>The server's own checksum is checked before a byte is written; the caller still hashes what arrives.</summary>
    private void CheckAnnounced(PackageFileName file, HttpResponseMessage response)
    {
        if (AnnouncedSha256(response) is { } announced && announced != file.Sha256)
            throw SourceErrors.ChecksumMismatch($"{file.FileName} on source '{Name}' (X-Checksum-Sha256)", file.Sha256, announced);
    }

    /// <summary>The detached signature is a sibling artifact, <c>&lt;file&gt;.sig</c> (spec/signing.md § Transport).</summary>
    public Task<bool> FetchSignatureAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default)
    {
        var path = _found.TryGetValue(file, out var known) ? known.Path : LayoutPath(file);
        return _http.DownloadSmallAsync(ArtifactUri(path + Trust.PackageSignature.Extension), destination, Trust.PackageSignature.MaxSize, cancellationToken);
    }

    public Task<PublishResult> PublishAsync(string path, CancellationToken cancellationToken = default) =>
        PublishAsync(path, PackageFileCheck.VerifyPackage(path), cancellationToken);

    bool IPackageSource.PublishesSha1AndMd5 => true;

    Task<PublishResult> IPackageSource.PublishVerifiedAsync(string path, PackageFileCheck verified, CancellationToken cancellationToken) =>
        PublishAsync(path, verified, cancellationToken);

    private async Task<PublishResult> PublishAsync(string path, PackageFileCheck check, CancellationToken cancellationToken)
    {
        var signature = Trust.PackageSignature.ReadBeside(path, check.Name);
        var result = await PublishPackageAsync(path, check, cancellationToken);
        if (signature is null) return result;
        await PublishSignatureAsync(LayoutPath(check.Name) + Trust.PackageSignature.Extension, signature, cancellationToken);
        return result with { Signed = true };
    }

    /// <summary>
    /// Deploys the signature beside the package. Unlike the package it may be replaced (a rotated key); the server
    /// decides whether this user may overwrite, and a refusal is reported as such.
    /// </summary>
    private async Task PublishSignatureAsync(string target, byte[] signature, CancellationToken cancellationToken)
    {
        var uri = ArtifactUri(target);
        using var response = await _http.SendAsync(HttpMethod.Put, uri, cancellationToken, content: () =>
        {
            var content = new ByteArrayContent(signature);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return content;
        }, headers: h => PackageFileCheck.AddChecksumHeaders(h, signature));
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK)) throw await _http.FailureAsync(response, HttpMethod.Put, uri, cancellationToken);
    }

    private async Task<PublishResult> PublishPackageAsync(string path, PackageFileCheck check, CancellationToken cancellationToken)
    {
        var target = LayoutPath(check.Name);
        var location = SourceHttpClient.StripQuery(ArtifactUri(target));

        if (await ExistingAsync(check, cancellationToken) == PublishStatus.Unchanged)
        {
            await SetPropertiesAsync(target, check.Name, cancellationToken);
            return new PublishResult(check.Name, PublishStatus.Unchanged, location);
        }
        var published = await DeployAsync(path, check, target, location, cancellationToken);
        // Artifactory has no conditional deploy: a publish of other bytes for this version at the same moment lands
        // beside this one (another file name). Looking afterwards, the later of the two sees both and says so.
        try
        {
            await ExistingAsync(check, cancellationToken);
        }
        catch (PacksterException e) when (e.Code == ErrorCode.PublishConflict)
        {
            throw SourceErrors.PublishConflict(Name, check.Name.FileName,
                $"another publish of {check.Name.Id} {check.Name.Version} landed at the same moment, so the repository now holds two files for one version ({e.Message}); delete the one that should not be there");
        }
        return published;
    }

    private async Task<PublishResult> DeployAsync(string path, PackageFileCheck check, string target, string location, CancellationToken cancellationToken)
    {
        PausePoint.Hit("artifactory-publish.before-deploy");
        // Looked at once more just before writing: a publish of the same file that finished meanwhile makes this one "unchanged".
        if (await ExistingAsync(check, cancellationToken) == PublishStatus.Unchanged)
        {
            await SetPropertiesAsync(target, check.Name, cancellationToken);
            return new PublishResult(check.Name, PublishStatus.Unchanged, location);
        }
        PausePoint.Hit("artifactory-publish.before-write");

        var deployUri = ArtifactUri(target, Matrix(check.Name));
        void ChecksumHeaders(HttpRequestHeaders h)
        {
            h.Add("X-Checksum-Sha256", check.Sha256.Hex);
            h.Add("X-Checksum-Sha1", check.Sha1 ?? throw new InvalidOperationException("the package's SHA-1 was not made"));
            h.Add("X-Checksum-Md5", check.Md5 ?? throw new InvalidOperationException("the package's MD5 was not made"));
        }

        // A checksum deploy costs no upload when the server already holds the bytes anywhere.
        using (var response = await _http.SendAsync(HttpMethod.Put, deployUri, cancellationToken,
            content: () => new ByteArrayContent([]), headers: h => { ChecksumHeaders(h); h.Add("X-Checksum-Deploy", "true"); }))
        {
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                await SetPropertiesAsync(target, check.Name, cancellationToken);
                return new PublishResult(check.Name, PublishStatus.Published, location);
            }
            if (response.StatusCode != HttpStatusCode.NotFound) throw await PublishFailureAsync(response, deployUri, check, cancellationToken);
        }

        using (var response = await _http.SendAsync(HttpMethod.Put, deployUri, cancellationToken,
            content: () => Upload(path, check.Size), headers: ChecksumHeaders))
        {
            if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
                throw await PublishFailureAsync(response, deployUri, check, cancellationToken);
            using var json = await _http.ReadJsonAsync(response, HttpMethod.Put, deployUri, cancellationToken);
            if (Checksum(json.RootElement, "sha256") is { } stored && stored != check.Sha256)
                throw SourceErrors.ChecksumMismatch($"{check.Name.FileName} as stored by source '{Name}'", check.Sha256, stored);
        }
        return new PublishResult(check.Name, PublishStatus.Published, location);
    }

    private static StreamContent Upload(string path, long size)
    {
        var content = new StreamContent(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = size;
        return content;
    }

    private async Task<PacksterException> PublishFailureAsync(HttpResponseMessage response, Uri uri, PackageFileCheck check, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            var message = await _http.ReadErrorMessageAsync(response, cancellationToken);
            return new PacksterException(ErrorCode.ChecksumMismatch,
                $"source '{Name}' rejected {check.Name.FileName}: the bytes it received do not match the checksums sent {message}".TrimEnd(),
                "the upload was altered in transit; try again");
        }
        if (response.StatusCode == HttpStatusCode.MethodNotAllowed)
            return SourceErrors.Protocol(Name, SourceHttpClient.Describe(HttpMethod.Put, uri), $"repository '{_repo}' does not accept deploys (a virtual repository without a deploy target?)");
        if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
            return SourceErrors.Protocol(Name, SourceHttpClient.Describe(HttpMethod.Put, uri), "413: the repository is over its quota or size limit");
        return await _http.FailureAsync(response, HttpMethod.Put, uri, cancellationToken);
    }

    /// <summary>
    /// Unchanged when the same name holds the same bytes; a conflict when the version is taken by other bytes — in its
    /// own folder or in the folder of a version that differs only by build metadata (<c>1.0.0+build.7</c> for
    /// <c>1.0.0+build.8</c>), which is the same version (spec/sources.md §6), as a folder source refuses it.
    /// </summary>
    private async Task<PublishStatus?> ExistingAsync(PackageFileCheck check, CancellationToken cancellationToken)
    {
        PublishStatus? status = null;
        foreach (var folder in await VersionFoldersAsync(check.Name, cancellationToken))
        {
            status = await ExistingInAsync(folder, check, cancellationToken) ?? status;
        }
        return status;
    }

    /// <summary>The folders under the id's folder named by a version equal to <paramref name="file"/>'s (none when the id has no folder).</summary>
    private async Task<IReadOnlyList<string>> VersionFoldersAsync(PackageFileName file, CancellationToken cancellationToken)
    {
        var uri = StorageUri(file.Id.Value);
        using var response = await _http.SendAsync(HttpMethod.Get, uri, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        if (response.StatusCode != HttpStatusCode.OK) throw await _http.FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
        using var json = await _http.ReadJsonAsync(response, HttpMethod.Get, uri, cancellationToken);
        var action = SourceHttpClient.Describe(HttpMethod.Get, uri);
        var folders = new List<string>();
        foreach (var child in Items(json.RootElement, "children", action, required: false))
        {
            if (!child.TryGetProperty("folder", out var isFolder) || isFolder.ValueKind != JsonValueKind.True) continue;
            var name = Uri.UnescapeDataString((Text(child, "uri", action) ?? "").TrimStart('/'));
            if (PackageVersion.TryParse(name, out var version) && version == file.Version) folders.Add($"{file.Id}/{name}");
        }
        return folders;
    }

    private async Task<PublishStatus?> ExistingInAsync(string folder, PackageFileCheck check, CancellationToken cancellationToken)
    {
        var uri = StorageUri(folder);
        using var response = await _http.SendAsync(HttpMethod.Get, uri, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (response.StatusCode != HttpStatusCode.OK) throw await _http.FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
        using var json = await _http.ReadJsonAsync(response, HttpMethod.Get, uri, cancellationToken);
        var action = SourceHttpClient.Describe(HttpMethod.Get, uri);
        // Every file of the version is looked at: another name beside this one is a conflict wherever it is listed.
        string? ours = null;
        foreach (var child in Items(json.RootElement, "children", action, required: false))
        {
            if (child.TryGetProperty("folder", out var isFolder) && isFolder.ValueKind == JsonValueKind.True) continue;
            var childName = (Text(child, "uri", action) ?? "").TrimStart('/');
            if (!PackageFileName.TryParse(childName, out var other) || other.Id != check.Name.Id || other.Version != check.Name.Version) continue;
            if (other != check.Name)
                throw SourceErrors.PublishConflict(Name, check.Name.FileName, $"{other.Id} {other.Version} is already published as {other.FileName}");
            ours = childName;
        }
        if (ours is null) return null;
        var held = await StoredSha256Async($"{folder}/{ours}", cancellationToken);
        if (held is { } sha && sha != check.Sha256)
            throw SourceErrors.PublishConflict(Name, check.Name.FileName, $"the repository already holds different bytes under that name (sha256 {sha})");
        return PublishStatus.Unchanged;
    }

    private async Task<Sha256Digest?> StoredSha256Async(string path, CancellationToken cancellationToken)
    {
        var uri = StorageUri(path);
        using var response = await _http.SendAsync(HttpMethod.Get, uri, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK) throw await _http.FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
        using var json = await _http.ReadJsonAsync(response, HttpMethod.Get, uri, cancellationToken);
        return Checksum(json.RootElement, "sha256");
    }

    /// <summary>
    /// The objects of the array <paramref name="key"/> of an answer. An answer of another shape (not an object, the array
    /// missing when <paramref name="required"/>, an element that is not an object) is a protocol error, never a crash.
    /// </summary>
    private IEnumerable<JsonElement> Items(JsonElement root, string key, string action, bool required)
    {
        if (root.ValueKind != JsonValueKind.Object) throw SourceErrors.Protocol(Name, action, $"the answer is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
        // Absent (or null) is an empty list where the contract allows it; anything but an array is another shape of
        // answer, never "nothing matches" (spec/sources.md §6).
        var present = root.TryGetProperty(key, out var array) && array.ValueKind != JsonValueKind.Null;
        if (present && array.ValueKind != JsonValueKind.Array)
            throw SourceErrors.Protocol(Name, action, $"\"{key}\" is a JSON {array.ValueKind.ToString().ToLowerInvariant()}, not an array");
        if (!present)
        {
            if (required) throw SourceErrors.Protocol(Name, action, $"the answer has no \"{key}\" array");
            return [];
        }
        return array.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.Object ? item
            : throw SourceErrors.Protocol(Name, action, $"an element of \"{key}\" is a JSON {item.ValueKind.ToString().ToLowerInvariant()}, not an object"));
    }

    /// <summary>A string field of an answer's object: null when absent or null, a protocol error when of another type.</summary>
    private string? Text(JsonElement item, string key, string action)
    {
        if (!item.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString()
            : throw SourceErrors.Protocol(Name, action, $"\"{key}\" is a JSON {value.ValueKind.ToString().ToLowerInvariant()}, not a string");
    }

    private async Task SetPropertiesAsync(string path, PackageFileName file, CancellationToken cancellationToken)
    {
        // Query values: '+' would read as a space, so every value is fully escaped here.
        var properties = $"{IdProperty}={Uri.EscapeDataString(file.Id.Value)};{VersionProperty}={Uri.EscapeDataString(file.Version.ToString())}";
        var uri = new Uri(StorageUri(path).AbsoluteUri + "?properties=" + properties);
        using var response = await _http.SendAsync(HttpMethod.Put, uri, cancellationToken);
        if (!response.IsSuccessStatusCode) throw await _http.FailureAsync(response, HttpMethod.Put, uri, cancellationToken);
    }

    /// <summary>AQL search; null when the server refuses AQL (anonymous, not permitted, not supported), so the caller falls back.</summary>
    private async Task<IReadOnlyList<PackageEntry>?> AqlAsync(string nameGlob, CancellationToken cancellationToken)
    {
        var query = BuildAql(_repo, nameGlob);
        var uri = _http.Resolve("api/search/aql");
        using var response = await _http.SendAsync(HttpMethod.Post, uri, cancellationToken,
            content: () => new StringContent(query, Encoding.UTF8, "text/plain"));
        if ((int)response.StatusCode is >= 400 and < 500 && response.StatusCode != HttpStatusCode.Unauthorized) return null;
        // Anonymous users may not run AQL at all; with a credential, a 401 means the credential is bad.
        if (response.StatusCode == HttpStatusCode.Unauthorized && _http.Credential.IsAnonymous) return null;
        if (response.StatusCode != HttpStatusCode.OK) throw await _http.FailureAsync(response, HttpMethod.Post, uri, cancellationToken);
        using var json = await _http.ReadJsonAsync(response, HttpMethod.Post, uri, cancellationToken);
        var action = SourceHttpClient.Describe(HttpMethod.Post, uri);
        var entries = new List<PackageEntry>();
        foreach (var r in Items(json.RootElement, "results", action, required: true))
        {
            var name = Text(r, "name", action);
            var folder = Text(r, "path", action);
            if (name is null || !PackageFileName.TryParse(name, out var file)) continue;
            // "." is the repository's root folder; any other folder must be a plain relative path (no '..' steering).
            var path = folder is null or "." ? name : $"{ServerPath.Check(folder, Name, action)}/{name}";
            var sha = Sha256Digest.TryParse(Text(r, "sha256", action), out var digest) ? digest : (Sha256Digest?)null;
            Add(entries, file, path, Size(r), sha);
        }
        return entries;
    }

    /// <summary>The query text; the file-name pattern goes through a JSON writer so quotes and backslashes stay data.</summary>
    internal static string BuildAql(string repo, string nameGlob)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("repo", repo);
            json.WriteString("type", "file");
            json.WriteStartObject("name");
            json.WriteString("$match", nameGlob);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return $"items.find({Encoding.UTF8.GetString(buffer.ToArray())}).include(\"repo\",\"path\",\"name\",\"size\",\"sha256\",\"actual_sha1\",\"created\")";
    }

    private async Task<IReadOnlyList<PackageEntry>> QuickSearchAsync(string name, CancellationToken cancellationToken)
    {
        // Quick search matches *name*; an empty name is a 400 there, so search for the extension instead.
        var term = name.Length > 0 ? name : PackageFileName.Extension;
        var uri = new Uri(_http.Resolve("api/search/artifact").AbsoluteUri + $"?name={Uri.EscapeDataString(term)}&repos={Uri.EscapeDataString(_repo)}");
        using var response = await _http.SendAsync(HttpMethod.Get, uri, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK) throw await _http.FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
        using var json = await _http.ReadJsonAsync(response, HttpMethod.Get, uri, cancellationToken);
        var action = SourceHttpClient.Describe(HttpMethod.Get, uri);
        var entries = new List<PackageEntry>();
        var prefix = $"/api/storage/{_repo}/";
        foreach (var r in Items(json.RootElement, "results", action, required: true))
        {
            // Only the path after /api/storage/<repo>/ is used, taken from the text as sent (before any dot-segment
            // normalisation), unescaped and checked; the host named in the uri is never contacted.
            if (Text(r, "uri", action) is not { } text || !Uri.TryCreate(text, UriKind.Absolute, out _)) continue;
            var raw = text.Split('?', '#')[0];
            var at = raw.IndexOf(prefix, StringComparison.Ordinal);
            if (at < 0) continue;
            var path = ServerPath.Check(Uri.UnescapeDataString(raw[(at + prefix.Length)..]), Name, action);
            if (PackageFileName.TryParse(path.Split('/')[^1], out var file)) Add(entries, file, path, null, null);
        }
        return entries;
    }

    /// <summary>Storage API deep listing of <c>{repo}/{id}/</c>; here <c>size</c> is a number and <c>sha2</c> the SHA-256.</summary>
    private async Task<IReadOnlyList<PackageEntry>> ListFolderAsync(PackageId id, CancellationToken cancellationToken)
    {
        var uri = new Uri(StorageUri(id.Value).AbsoluteUri + "?list&deep=1");
        using var response = await _http.SendAsync(HttpMethod.Get, uri, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        if (response.StatusCode != HttpStatusCode.OK) throw await _http.FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
        using var json = await _http.ReadJsonAsync(response, HttpMethod.Get, uri, cancellationToken);
        var action = SourceHttpClient.Describe(HttpMethod.Get, uri);
        var entries = new List<PackageEntry>();
        foreach (var f in Items(json.RootElement, "files", action, required: false))
        {
            if (f.TryGetProperty("folder", out var isFolder) && isFolder.ValueKind == JsonValueKind.True) continue;
            var relative = (Text(f, "uri", action) ?? "").TrimStart('/');
            if (!PackageFileName.TryParse(relative.Split('/')[^1], out var file)) continue;
            ServerPath.Check(relative, Name, action);
            var sha = Sha256Digest.TryParse(Text(f, "sha2", action), out var digest) ? digest : (Sha256Digest?)null;
            Add(entries, file, $"{id}/{relative}", Size(f), sha);
        }
        return entries;
    }

    private void Add(List<PackageEntry> entries, PackageFileName file, string path, long? size, Sha256Digest? stored)
    {
        if (stored is { } sha && sha != file.Sha256)
        {
            // The name promises bytes the server does not hold: offering it would only fail later, at download.
            _context.Warnings.WriteLine($"warning: source '{Name}': {path} holds bytes with sha256 {sha}, not the {file.Sha256} its name promises; ignored");
            return;
        }
        _found[file] = (path, size);
        entries.Add(new PackageEntry(file, size, Name));
    }

    /// <summary><c>size</c> is a string in storage/deploy answers and a number in list/AQL answers.</summary>
    internal static long? Size(JsonElement element)
    {
        if (!element.TryGetProperty("size", out var size)) return null;
        return size.ValueKind switch
        {
            JsonValueKind.Number when size.TryGetInt64(out var n) => n,
            JsonValueKind.String when long.TryParse(size.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
    }

    private static Sha256Digest? Checksum(JsonElement element, string kind) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("checksums", out var checksums) && checksums.ValueKind == JsonValueKind.Object
        && checksums.TryGetProperty(kind, out var value) && value.ValueKind == JsonValueKind.String
        && Sha256Digest.TryParse(value.GetString()!.ToLowerInvariant(), out var digest)
            ? digest : null;

    /// <summary>X-Checksum-Sha256, or a bare X-Checksum whose length (64) says it is a SHA-256.</summary>
    internal static Sha256Digest? AnnouncedSha256(HttpResponseMessage response)
    {
        foreach (var header in new[] { "X-Checksum-Sha256", "X-Checksum" })
        {
            if (response.Headers.TryGetValues(header, out var values)
                && values.FirstOrDefault()?.Trim().ToLowerInvariant() is { Length: Sha256Digest.HexLength } text
                && Sha256Digest.TryParse(text, out var digest))
            {
                return digest;
            }
        }
        return null;
    }

    private Uri ArtifactUri(string path, string matrix = "") => _http.Resolve(SourceHttpClient.EscapePath($"{_repo}/{path}") + matrix);

    private Uri StorageUri(string path) => _http.Resolve(SourceHttpClient.EscapePath($"api/storage/{_repo}/{path}"));

    private static string Matrix(PackageFileName file) =>
        $";{IdProperty}={SourceHttpClient.EscapePath(file.Id.Value)};{VersionProperty}={SourceHttpClient.EscapePath(file.Version.ToString())}";

    public void Dispose() => _http.Dispose();
}
