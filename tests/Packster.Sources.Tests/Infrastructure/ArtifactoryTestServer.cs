using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>
/// A loopback server that follows /work/shared/artifactory-api.md for generic repositories: Bearer and Basic
/// authentication (401 with WWW-Authenticate and the JSON error body), deploy with checksum verification (409),
/// checksum deploy (404 for unknown content), overwrite of different content refused (403), downloads with checksum
/// headers and Range, the storage API (string sizes; number sizes in deep lists), properties (matrix parameters and
/// the properties API), quick search (400 plain text for an empty term) and a subset of AQL (authenticated only,
/// plain-text 400 on syntax errors). Failures can be injected to test retries; every request is recorded.
/// </summary>
public sealed class ArtifactoryTestServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, StoredFile> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(int Status, int? RetryAfterSeconds)> _failures = new();
    private LoopbackServer? _server;

    public sealed class StoredFile
    {
        public required byte[] Bytes { get; init; }
        public required string Sha256 { get; init; }
        public required string Sha1 { get; init; }
        public required string Md5 { get; init; }
        public required DateTimeOffset Created { get; init; }
        public ConcurrentDictionary<string, string[]> Properties { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>One request as the server saw it (the raw target, so matrix parameters and escapes are visible).</summary>
    public sealed record Request(string Method, string RawTarget, bool Authenticated, bool ChecksumDeploy, long BodyLength, int Status, string Range);

    public HashSet<string> Repositories { get; } = ["pk-local"];
    public Dictionary<string, string> Tokens { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Passwords { get; } = new(StringComparer.Ordinal);
    public bool AnonymousRead { get; set; }

    /// <summary>Authenticated users without deploy permission (403 on PUT).</summary>
    public HashSet<string> ReadOnlyUsers { get; } = new(StringComparer.Ordinal);

    /// <summary>Serves flipped bytes (with the original checksum headers), as a compromised mirror would.</summary>
    public bool TamperDownloads { get; set; }

    /// <summary>The next this-many downloads (full or ranged) send only their first <see cref="DropAfterBytes"/> bytes, then drop the connection.</summary>
    public int DropDownloads { get; set; }

    public int DropAfterBytes { get; set; } = 64;

    /// <summary>Where the client's received bytes are counted (see <see cref="DownloadProbe"/>).</summary>
    public DownloadProbe? Probe { get; set; }

    /// <summary>Echoes the received Authorization header in 401 bodies: a badly behaved server, to test redaction.</summary>
    public bool EchoCredentialsInErrors { get; set; }

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>Released once per request logged in <see cref="Requests"/>.</summary>
    private readonly SemaphoreSlim _logged = new(0);

    /// <summary>
    /// Waits until <see cref="Requests"/> holds <paramref name="count"/> requests matching <paramref name="match"/> (a
    /// request is logged when its answer ends, which for a broken answer can be after the client has moved on), or until
    /// <paramref name="timeout"/> passes without a new one; the caller asserts on what is there then.
    /// </summary>
    public async Task WhenLoggedAsync(Func<Request, bool> match, int count, TimeSpan timeout)
    {
        while (Requests.Count(match) < count && await _logged.WaitAsync(timeout)) { }
    }
    public IReadOnlyDictionary<string, StoredFile> Files => _files;

    public Uri Address => _server?.Address ?? throw new InvalidOperationException("not started");

    /// <summary>The source url: <c>{scheme}://127.0.0.1:{port}/artifactory/</c>.</summary>
    public string BaseUrl => new Uri(Address, "artifactory/").ToString();

    public static async Task<ArtifactoryTestServer> StartAsync(X509Certificate2? certificate = null)
    {
        var server = new ArtifactoryTestServer();
        server._server = await LoopbackServer.StartAsync(server.HandleAsync, certificate);
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> before anything else happens.</summary>
    public void FailNext(int count, int status, int? retryAfterSeconds = null)
    {
        for (var i = 0; i < count; i++) _failures.Enqueue((status, retryAfterSeconds));
    }

    /// <summary>Stores bytes directly (as another client's earlier deploy would have).</summary>
    public void Seed(string repoPath, byte[] bytes) => _files[repoPath] = Store(bytes);

    private static StoredFile Store(byte[] bytes) => new()
    {
        Bytes = bytes,
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
#pragma warning disable CA5350, CA5351 // the contract's checksums
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(bytes)),
        Md5 = Convert.ToHexStringLower(MD5.HashData(bytes)),
#pragma warning restore CA5350, CA5351
        Created = DateTimeOffset.UtcNow,
    };

    private async Task HandleAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var user = Authenticate(context, out var badCredentials);
        var checksumDeploy = string.Equals(context.Request.Headers["X-Checksum-Deploy"], "true", StringComparison.OrdinalIgnoreCase);
        var body = await ReadBodyAsync(context);
        int status;
        if (_failures.TryDequeue(out var failure))
        {
            if (failure.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            status = await ErrorAsync(context, failure.Status, "Service temporarily unavailable");
        }
        else if (badCredentials)
        {
            var echoed = EchoCredentialsInErrors ? $" ({context.Request.Headers.Authorization})" : "";
            status = await UnauthorizedAsync(context, "Bad credentials" + echoed);
        }
        else
        {
            status = await RouteAsync(context, raw, user, checksumDeploy, body);
        }
        Requests.Enqueue(new Request(context.Request.Method, raw, user is not null, checksumDeploy, body.Length, status, context.Request.Headers.Range.ToString()));
        _logged.Release();
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>The user, or null for anonymous; <paramref name="bad"/> when credentials were sent and are wrong.</summary>
    private string? Authenticate(HttpContext context, out bool bad)
    {
        bad = false;
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            var apiKey = context.Request.Headers["X-JFrog-Art-Api"].ToString();
            if (apiKey.Length == 0) return null;
            if (Tokens.TryGetValue(apiKey, out var keyUser)) return keyUser;
            bad = true;
            return null;
        }
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) && Tokens.TryGetValue(header[7..], out var tokenUser)) return tokenUser;
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    var (name, secret) = (pair[..colon], pair[(colon + 1)..]);
                    if (Passwords.TryGetValue(name, out var password) && password == secret) return name;
                    if (Tokens.TryGetValue(secret, out var owner) && owner == name) return name;
                }
            }
            catch (FormatException)
            {
            }
        }
        bad = true;
        return null;
    }

    private async Task<int> RouteAsync(HttpContext context, string raw, string? user, bool checksumDeploy, byte[] body)
    {
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var rawPath = query >= 0 ? raw[..query] : raw;
        const string prefix = "/artifactory/";
        if (!rawPath.StartsWith(prefix, StringComparison.Ordinal)) return await ErrorAsync(context, 404, "Not Found");
        var rest = rawPath[prefix.Length..];
        var method = context.Request.Method;

        if (rest.StartsWith("api/", StringComparison.Ordinal))
        {
            var canRead = user is not null || AnonymousRead;
            if (rest == "api/search/aql" && method == "POST")
            {
                return user is null ? await UnauthorizedAsync(context, "Authentication is required") : await AqlAsync(context, Encoding.UTF8.GetString(body));
            }
            if (rest == "api/search/artifact" && method == "GET")
            {
                return canRead ? await QuickSearchAsync(context) : await UnauthorizedAsync(context, "Authentication is required");
            }
            if (rest.StartsWith("api/storage/", StringComparison.Ordinal))
            {
                var path = Uri.UnescapeDataString(rest["api/storage/".Length..]).TrimEnd('/');
                if (method == "PUT" && context.Request.Query.ContainsKey("properties"))
                {
                    return user is null ? await UnauthorizedAsync(context, "Authentication is required") : await SetPropertiesAsync(context, path);
                }
                if (method == "GET") return canRead ? await StorageAsync(context, path) : await UnauthorizedAsync(context, "Authentication is required");
            }
            return await ErrorAsync(context, 404, "Not Found");
        }

        // Matrix parameters are split off the RAW path, before percent-decoding (a %3B stays part of the name).
        var segments = rest.Split(';');
        var repoPath = Uri.UnescapeDataString(segments[0]);
        var matrix = segments.Skip(1).Where(s => s.Contains('=', StringComparison.Ordinal))
            .Select(s => s.Split('=', 2)).ToDictionary(kv => Uri.UnescapeDataString(kv[0]), kv => Uri.UnescapeDataString(kv[1]));
        var repo = repoPath.Split('/')[0];
        if (method == "PUT")
        {
            if (user is null) return await UnauthorizedAsync(context, "Authentication is required");
            if (!Repositories.Contains(repo)) return await ErrorAsync(context, 404, $"Repository {repo} not found");
            if (ReadOnlyUsers.Contains(user)) return await ErrorAsync(context, 403, $"The user: '{user}' is not permitted to deploy '{repoPath}' into '{repo}'.");
            return checksumDeploy ? await ChecksumDeployAsync(context, repoPath, matrix, user) : await DeployAsync(context, repoPath, body, matrix, user);
        }
        if (method is "GET" or "HEAD")
        {
            return user is null && !AnonymousRead ? await UnauthorizedAsync(context, "Authentication is required") : await DownloadAsync(context, repoPath);
        }
        context.Response.Headers.Allow = "GET, HEAD, PUT";
        return await ErrorAsync(context, 405, "Method Not Allowed");
    }

    private async Task<int> DeployAsync(HttpContext context, string repoPath, byte[] body, Dictionary<string, string> matrix, string user)
    {
        var stored = Store(body);
        foreach (var (header, expected) in SentChecksums(context.Request))
        {
            var actual = header switch { "sha256" => stored.Sha256, "sha1" => stored.Sha1, _ => stored.Md5 };
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                return await ErrorAsync(context, 409,
                    $"Checksum policy 'client-checksums' rejected the artifact '{repoPath}': Client {header} '{expected}' and server '{actual}' checksums don't match.");
            }
        }
        return await PutAsync(context, repoPath, stored, matrix, user);
    }

    private async Task<int> ChecksumDeployAsync(HttpContext context, string repoPath, Dictionary<string, string> matrix, string user)
    {
        var sent = SentChecksums(context.Request).ToDictionary(c => c.Kind, c => c.Value.ToLowerInvariant());
        var existing = _files.Values.FirstOrDefault(f =>
            (sent.TryGetValue("sha256", out var s256) && f.Sha256 == s256) || (!sent.ContainsKey("sha256") && sent.TryGetValue("sha1", out var s1) && f.Sha1 == s1));
        if (existing is null)
        {
            var what = sent.TryGetValue("sha256", out var sha) ? $"SHA-256: {sha}" : $"SHA-1: {sent.GetValueOrDefault("sha1")}";
            return await ErrorAsync(context, 404, $"Checksum deploy failed. No existing file with {what}");
        }
        return await PutAsync(context, repoPath, Store(existing.Bytes), matrix, user);
    }

    private async Task<int> PutAsync(HttpContext context, string repoPath, StoredFile stored, Dictionary<string, string> matrix, string user)
    {
        if (_files.TryGetValue(repoPath, out var old) && old.Sha256 != stored.Sha256)
            return await ErrorAsync(context, 403, $"Not enough permissions to delete/overwrite artifact '{repoPath}' (user: '{user}' needs DELETE permission).");
        var target = old ?? stored;
        _files[repoPath] = target;
        foreach (var (key, value) in matrix) target.Properties[key] = value.Split(',');
        var download = BaseUrl + Escape(repoPath);
        context.Response.StatusCode = 201;
        context.Response.Headers.Location = download;
        await JsonAsync(context, w =>
        {
            w.WriteString("repo", repoPath.Split('/')[0]);
            w.WriteString("path", "/" + repoPath[(repoPath.IndexOf('/', StringComparison.Ordinal) + 1)..]);
            w.WriteString("created", target.Created.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("createdBy", user);
            w.WriteString("downloadUri", download);
            w.WriteString("mimeType", "application/octet-stream");
            w.WriteString("size", target.Bytes.Length.ToString(CultureInfo.InvariantCulture));
            WriteChecksums(w, "checksums", target);
            WriteChecksums(w, "originalChecksums", target);
            w.WriteString("uri", BaseUrl + "api/storage/" + Escape(repoPath));
        });
        return 201;
    }

    /// <summary>X-Checksum-Sha256/Sha1/Md5, and the bare X-Checksum whose length says the type.</summary>
    private static IEnumerable<(string Kind, string Value)> SentChecksums(HttpRequest request)
    {
        foreach (var (header, kind) in new[] { ("X-Checksum-Sha256", "sha256"), ("X-Checksum-Sha1", "sha1"), ("X-Checksum-Md5", "md5") })
        {
            var value = request.Headers[header].ToString();
            if (value.Length > 0) yield return (kind, value);
        }
        var bare = request.Headers["X-Checksum"].ToString();
        if (bare.Length > 0) yield return (bare.Length switch { 64 => "sha256", 40 => "sha1", _ => "md5" }, bare);
    }

    private async Task<int> DownloadAsync(HttpContext context, string repoPath)
    {
        if (!_files.TryGetValue(repoPath, out var file)) return await ErrorAsync(context, 404, "File not found.");
        var bytes = file.Bytes;
        if (TamperDownloads)
        {
            bytes = (byte[])bytes.Clone();
            bytes[^1] ^= 0xff;
        }
        var headers = context.Response.Headers;
        headers["X-Checksum-Sha256"] = file.Sha256;
        headers["X-Checksum-Sha1"] = file.Sha1;
        headers["X-Checksum-Md5"] = file.Md5;
        headers.ETag = file.Sha1;
        headers.LastModified = file.Created.ToString("R", CultureInfo.InvariantCulture);
        headers.AcceptRanges = "bytes";
        headers["X-Artifactory-Filename"] = repoPath.Split('/')[^1];
        context.Response.ContentType = "application/octet-stream";

        var range = context.Request.Headers.Range.ToString();
        var (start, end) = (0L, (long)bytes.Length - 1);
        if (range.Length > 0)
        {
            var m = Regex.Match(range, @"^bytes=(\d+)-(\d*)$");
            if (!m.Success || long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) >= bytes.Length)
            {
                headers.ContentRange = $"bytes */{bytes.Length}";
                context.Response.StatusCode = 416;
                return 416;
            }
            start = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (m.Groups[2].Value.Length > 0) end = Math.Min(end, long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            context.Response.StatusCode = 206;
            headers.ContentRange = $"bytes {start}-{end}/{bytes.Length}";
        }
        context.Response.ContentLength = end - start + 1;
        if (context.Request.Method != "GET") return context.Response.StatusCode;
        if (DropDownloads > 0)
        {
            DropDownloads--;
            await context.Response.Body.WriteAsync(bytes.AsMemory((int)start, (int)Math.Min(DropAfterBytes, end - start + 1)));
            await context.Response.Body.FlushAsync();
            // Break the connection only once the client holds what was sent: an abort can discard unread bytes.
            if (Probe is not null) await Probe.WhenWrittenAsync(start + Math.Min(DropAfterBytes, end - start + 1)).WaitAsync(TimeSpan.FromSeconds(60));
            context.Abort();
            return 200;
        }
        await context.Response.Body.WriteAsync(bytes.AsMemory((int)start, (int)(end - start + 1)));
        return context.Response.StatusCode;
    }

    private async Task<int> StorageAsync(HttpContext context, string path)
    {
        var query = context.Request.Query;
        if (query.ContainsKey("properties"))
        {
            if (!_files.TryGetValue(path, out var f) || f.Properties.IsEmpty) return await ErrorAsync(context, 404, "No properties could be found.");
            await JsonAsync(context, w =>
            {
                w.WriteStartObject("properties");
                foreach (var (k, v) in f.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WriteStartArray(k);
                    foreach (var item in v) w.WriteStringValue(item);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteString("uri", BaseUrl + "api/storage/" + Escape(path));
            });
            return 200;
        }
        var under = _files.Where(kv => kv.Key.StartsWith(path + "/", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        if (query.ContainsKey("list"))
        {
            if (under.Count == 0 && !_files.ContainsKey(path)) return await ErrorAsync(context, 404, "Unable to find item");
            await JsonAsync(context, w =>
            {
                w.WriteString("uri", BaseUrl + "api/storage/" + Escape(path));
                w.WriteString("created", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                w.WriteStartArray("files");
                foreach (var (key, f) in under)
                {
                    w.WriteStartObject();
                    w.WriteString("uri", key[path.Length..]);
                    w.WriteNumber("size", f.Bytes.Length);
                    w.WriteString("lastModified", f.Created.ToString("O", CultureInfo.InvariantCulture));
                    w.WriteBoolean("folder", false);
                    w.WriteString("sha1", f.Sha1);
                    w.WriteString("sha2", f.Sha256);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return 200;
        }
        if (_files.TryGetValue(path, out var file))
        {
            await JsonAsync(context, w =>
            {
                WriteItemBase(w, path);
                w.WriteString("lastModified", file.Created.ToString("O", CultureInfo.InvariantCulture));
                w.WriteString("mimeType", "application/octet-stream");
                w.WriteString("size", file.Bytes.Length.ToString(CultureInfo.InvariantCulture));
                WriteChecksums(w, "checksums", file);
                WriteChecksums(w, "originalChecksums", file);
            });
            return 200;
        }
        var isRepoRoot = Repositories.Contains(path);
        if (under.Count == 0 && !isRepoRoot) return await ErrorAsync(context, 404, "Unable to find item");
        var children = under.Select(kv => kv.Key[(path.Length + 1)..]).Select(r => r.Contains('/', StringComparison.Ordinal) ? (Name: r.Split('/')[0], Folder: true) : (Name: r, Folder: false))
            .Distinct().ToList();
        await JsonAsync(context, w =>
        {
            WriteItemBase(w, path);
            w.WriteStartArray("children");
            foreach (var (name, folder) in children)
            {
                w.WriteStartObject();
                w.WriteString("uri", "/" + name);
                w.WriteBoolean("folder", folder);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        return 200;
    }

    private void WriteItemBase(Utf8JsonWriter w, string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        w.WriteString("repo", slash < 0 ? path : path[..slash]);
        w.WriteString("path", slash < 0 ? "/" : path[slash..]);
        w.WriteString("created", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("createdBy", "ci");
        w.WriteString("uri", BaseUrl + "api/storage/" + Escape(path));
        w.WriteString("downloadUri", BaseUrl + Escape(path));
    }

    private async Task<int> SetPropertiesAsync(HttpContext context, string path)
    {
        if (!_files.TryGetValue(path, out var file)) return await ErrorAsync(context, 404, "Unable to find item");
        foreach (var pair in context.Request.Query["properties"].ToString().Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2) file.Properties[kv[0]] = kv[1].Split(',');
        }
        context.Response.StatusCode = 204;
        return 204;
    }

    private async Task<int> QuickSearchAsync(HttpContext context)
    {
        var name = context.Request.Query["name"].ToString();
        if (name.Length == 0)
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("The search term cannot be empty");
            return 400;
        }
        var repos = context.Request.Query["repos"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries);
        var pattern = Glob(name.Contains('*', StringComparison.Ordinal) ? name : $"*{name}*");
        var hits = _files.Keys.Where(k => (repos.Length == 0 || repos.Contains(k.Split('/')[0])) && pattern.IsMatch(k.Split('/')[^1]))
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
        await JsonAsync(context, w =>
        {
            w.WriteStartArray("results");
            foreach (var hit in hits)
            {
                w.WriteStartObject();
                w.WriteString("uri", BaseUrl + "api/storage/" + Escape(hit));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        return 200;
    }

    /// <summary>The subset of AQL packster sends: <c>items.find({criteria}).include(fields)</c>, criteria on repo, type, path, name.</summary>
    private async Task<int> AqlAsync(HttpContext context, string query)
    {
        var m = Regex.Match(query.Trim(), @"^items\.find\((?<criteria>.*?)\)(\.include\((?<include>[^)]*)\))?$", RegexOptions.Singleline);
        if (!m.Success) return await PlainAsync(context, 400, "Failed to parse query: " + query);
        JsonElement criteria;
        try
        {
            criteria = JsonDocument.Parse(m.Groups["criteria"].Value).RootElement.Clone();
        }
        catch (JsonException e)
        {
            return await PlainAsync(context, 400, "Failed to parse query: " + e.Message);
        }
        var tests = new List<Func<string, string, string, bool>>();
        foreach (var property in criteria.EnumerateObject())
        {
            Regex matcher;
            if (property.Value.ValueKind == JsonValueKind.String) matcher = new Regex("^" + Regex.Escape(property.Value.GetString()!) + "$");
            else if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("$match", out var glob)) matcher = Glob(glob.GetString()!);
            else return await PlainAsync(context, 400, $"Failed to parse query: unsupported criterion on '{property.Name}'");
            switch (property.Name)
            {
                case "repo": tests.Add((repo, _, _) => matcher.IsMatch(repo)); break;
                case "path": tests.Add((_, path, _) => matcher.IsMatch(path)); break;
                case "name": tests.Add((_, _, name) => matcher.IsMatch(name)); break;
                case "type": tests.Add((_, _, _) => matcher.IsMatch("file")); break;
                default: return await PlainAsync(context, 400, $"Failed to parse query: unknown field '{property.Name}'");
            }
        }
        var results = _files.Select(kv =>
        {
            var parts = kv.Key.Split('/');
            var folder = parts.Length > 2 ? string.Join('/', parts[1..^1]) : ".";
            return (Repo: parts[0], Path: folder, Name: parts[^1], File: kv.Value);
        }).Where(x => tests.All(t => t(x.Repo, x.Path, x.Name))).OrderBy(x => x.Path + "/" + x.Name, StringComparer.Ordinal).ToList();
        await JsonAsync(context, w =>
        {
            w.WriteStartArray("results");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("repo", r.Repo);
                w.WriteString("path", r.Path);
                w.WriteString("name", r.Name);
                w.WriteString("type", "file");
                w.WriteNumber("size", r.File.Bytes.Length);
                w.WriteString("created", r.File.Created.ToString("O", CultureInfo.InvariantCulture));
                w.WriteString("actual_sha1", r.File.Sha1);
                w.WriteString("sha256", r.File.Sha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("range");
            w.WriteNumber("start_pos", 0);
            w.WriteNumber("end_pos", results.Count);
            w.WriteNumber("total", results.Count);
            w.WriteEndObject();
        });
        return 200;
    }

    private static Regex Glob(string glob) =>
        new("^" + Regex.Escape(glob).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.Singleline);

    private string Escape(string repoPath) => string.Join('/', repoPath.Split('/').Select(Uri.EscapeDataString)).Replace("%2B", "+", StringComparison.Ordinal);

    private static void WriteChecksums(Utf8JsonWriter w, string name, StoredFile f)
    {
        w.WriteStartObject(name);
        w.WriteString("sha1", f.Sha1);
        w.WriteString("md5", f.Md5);
        w.WriteString("sha256", f.Sha256);
        w.WriteEndObject();
    }

    private static async Task JsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/vnd.org.jfrog.artifactory.storage.ItemCreated+json";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.ToArray());
    }

    private static async Task<int> ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        await JsonAsync(context, w =>
        {
            w.WriteStartArray("errors");
            w.WriteStartObject();
            w.WriteNumber("status", status);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteEndArray();
        });
        return status;
    }

    private static Task<int> UnauthorizedAsync(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"Artifactory Realm\"";
        return ErrorAsync(context, 401, message);
    }

    private static async Task<int> PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(text);
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _logged.Dispose();
    }
}
