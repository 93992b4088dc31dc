using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Packster.Sources.Config;

namespace Packster.Sources.Http;

/// <summary>
/// The one HttpClient of a source, with the network rules in one place: https only (plain http only for
/// <c>insecure = true</c>, with a warning), redirects followed here (at most 5, never https→http, credentials only
/// to the source's own origin), retries of transport errors, 5xx and 429, a private CA via ca-file, the
/// <c>User-Agent</c>, and 4xx answers turned into one-line errors that name the credential variable, never its value.
/// </summary>
internal sealed class SourceHttpClient : IDisposable
{
    public const int MaxRedirects = 5;

    private readonly HttpClient _client;
    private readonly SourceDefinition _source;
    private readonly SourceContext _context;
    // Read at first use, not when the source is opened: a source a command never asks anything of needs no credential
    // (spec/sources.md §2: an unset variable fails the source when it is first used).
    private readonly Lazy<SourceCredential> _credential;
    private bool _warned;

    public SourceHttpClient(SourceDefinition source, SourceContext context, HttpMessageHandler? handler = null)
    {
        _source = source;
        _context = context;
        var url = source.Url.EndsWith('/') ? source.Url : source.Url + "/";
        BaseUri = new Uri(url, UriKind.Absolute);
        if (BaseUri.Scheme == Uri.UriSchemeHttp && !source.Insecure) throw SourceErrors.Insecure(source.Name, source.Url);
        _credential = new Lazy<SourceCredential>(() => SourceCredential.From(source, context), LazyThreadSafetyMode.PublicationOnly);
        // The timeout covers connecting, sending (uploads included) and the response headers; large packages need room.
        _client = new HttpClient(handler ?? CreateHandler(source, context), disposeHandler: true) { Timeout = TimeSpan.FromMinutes(10) };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(SourceContext.UserAgent);
    }

    public Uri BaseUri { get; }
    public string SourceName => _source.Name;
    public SourceCredential Credential => _credential.Value;

    /// <summary>A ca-file holds a few certificates (a whole system bundle is under 1 MiB); more is not read.</summary>
    public const int CaFileMaxBytes = 4 << 20;

    private static SocketsHttpHandler CreateHandler(SourceDefinition source, SourceContext context)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (source.CaFile is { } caFile)
        {
            var path = Path.GetFullPath(caFile, context.CurrentDirectory);
            var authorities = new X509Certificate2Collection();
            var pem = ReadCaFile(source, path);
            try
            {
                authorities.ImportFromPem(System.Text.Encoding.UTF8.GetString(pem));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                throw SourceErrors.ConfigInvalid($"source '{source.Name}': ca-file '{path}' holds a certificate that does not parse");
            }
            if (authorities.Count == 0) throw SourceErrors.ConfigInvalid($"source '{source.Name}': ca-file '{path}' holds no PEM certificate");
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                TrustedByPrivateAuthority(certificate, errors, authorities);
        }
        return handler;
    }

    /// <summary>
    /// The bytes of the source's ca-file at <paramref name="path"/>. One that is missing (or a link that leads nowhere)
    /// is the source's setting that cannot be used, PST8007 naming the source and the file, as one that is no regular
    /// file or too large is; not a file-system failure of its own (spec/sources.md §1).
    /// </summary>
    private static byte[] ReadCaFile(SourceDefinition source, string path)
    {
        try
        {
            return SmallFile.Read(path, CaFileMaxBytes,
                why => SourceErrors.ConfigInvalid($"source '{source.Name}': ca-file '{path}': {why}; a ca-file is at most {SourceLimits.Describe(CaFileMaxBytes)}"));
        }
        catch (PacksterException e) when (e.InnerException is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SourceErrors.ConfigInvalid($"source '{source.Name}': ca-file '{path}' does not exist",
                $"set ca-file of [sources.{source.Name}] to the PEM file of the CA that signs the server's certificate");
        }
    }

    /// <summary>The host name must still match; only the chain is re-built with the configured CA as the one trust root.</summary>
    private static bool TrustedByPrivateAuthority(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>A URI under the source's base; each segment is escaped (a literal ';' becomes %3B, '+' stays).</summary>
    public Uri Resolve(string relative) => new(BaseUri, relative);

    public static string EscapePath(string path) =>
        string.Join('/', path.Split('/').Select(segment => Uri.EscapeDataString(segment).Replace("%2B", "+", StringComparison.Ordinal)));

    /// <summary>
    /// Sends a request built fresh for every attempt and hop. Returns the final response for any status except 5xx and
    /// 429, which are retried and, once attempts run out, thrown as <see cref="ErrorCode.SourceUnreachable"/>.
    /// <paramref name="authorize"/>, when given, decides the Authorization of every hop (by its URI) instead of the
    /// source's credential going to the source's own origin.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, CancellationToken cancellationToken,
        Func<HttpContent?>? content = null, Action<HttpRequestHeaders>? headers = null,
        HttpCompletionOption completion = HttpCompletionOption.ResponseHeadersRead, Func<Uri, AuthenticationHeaderValue?>? authorize = null)
    {
        WarnIfInsecure();
        var action = Describe(method, uri);
        var policy = _context.Retry;
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await SendFollowingRedirectsAsync(method, uri, content, headers, completion, authorize, cancellationToken);
            }
            catch (HttpRequestException e) when (e.InnerException is AuthenticationException tls)
            {
                throw SourceErrors.Tls(_source.Name, action, TransportWords.Tls(tls), e);
            }
            catch (Exception e) when (IsTransport(e, cancellationToken))
            {
                if (attempt >= policy.MaxAttempts) throw SourceErrors.Unreachable(_source.Name, action, attempt, TransportWords.Of(e), e);
                await policy.Delay(policy.DelayBefore(attempt + 1, null), cancellationToken);
                continue;
            }

            if (!IsTransient(response.StatusCode)) return response;
            var retryAfter = RetryAfter(response);
            if (attempt >= policy.MaxAttempts)
            {
                var message = await ReadErrorMessageAsync(response, cancellationToken);
                response.Dispose();
                throw SourceErrors.Unreachable(_source.Name, action, attempt, $"answered {(int)response.StatusCode} {message}".TrimEnd(),
                    hint: "the server is failing or overloaded; try again later");
            }
            response.Dispose();
            await policy.Delay(policy.DelayBefore(attempt + 1, retryAfter), cancellationToken);
        }
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpMethod method, Uri uri, Func<HttpContent?>? content,
        Action<HttpRequestHeaders>? headers, HttpCompletionOption completion, Func<Uri, AuthenticationHeaderValue?>? authorize, CancellationToken cancellationToken)
    {
        var start = uri;
        for (var hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(method, uri) { Content = content?.Invoke() };
            headers?.Invoke(request.Headers);
            // Credentials go only to the origin the user configured, never to wherever a redirect points.
            if (authorize is not null) request.Headers.Authorization = authorize(uri);
            else if (SameOrigin(uri, BaseUri)) Credential.Apply(request);
            var response = await _client.SendAsync(request, completion, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is null) return response;
            // 301/302/303 would turn an upload into a GET and lose its body: report those to the caller instead.
            var bodyless = method == HttpMethod.Get || method == HttpMethod.Head;
            if (!bodyless && status is not (307 or 308)) return response;

            var target = new Uri(uri, response.Headers.Location);
            response.Dispose();
            if (uri.Scheme == Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttps)
                throw SourceErrors.RedirectDowngrade(_source.Name, StripQuery(uri), StripQuery(target));
            if (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps)
                throw SourceErrors.Protocol(_source.Name, Describe(method, start), $"redirected to unsupported scheme '{target.Scheme}'");
            if (hop + 1 > MaxRedirects) throw SourceErrors.TooManyRedirects(_source.Name, StripQuery(start));
            uri = target;
        }
    }

    private void WarnIfInsecure()
    {
        if (_warned || BaseUri.Scheme != Uri.UriSchemeHttp) return;
        _warned = true;
        _context.Warnings.WriteLine($"warning: source '{_source.Name}' is INSECURE (plain http, insecure = true): {StripQuery(BaseUri)} — packages and credentials travel unencrypted and can be read or altered");
    }

    public static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.TooManyRequests;

    private static bool IsTransport(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow;
        return null;
    }

    /// <summary>
    /// GETs <paramref name="uri"/> into <paramref name="destination"/>. <paramref name="checkFirst"/> sees the 200 answer
    /// before any byte is written. When the connection breaks mid-body and the server said <c>Accept-Ranges: bytes</c>,
    /// the download resumes with <c>Range: bytes=&lt;received&gt;-</c> (a 206 at that offset is required) instead of
    /// starting over, so the bytes already written (and hashed by the caller) stay valid. The body may not exceed
    /// <paramref name="announcedSize"/> (when the index or listing gave one) or <see cref="SourceLimits.MaxDownloadBytes"/>.
    /// </summary>
    public async Task DownloadAsync(Uri uri, Stream destination, Action<HttpResponseMessage>? checkFirst, long? announcedSize, CancellationToken cancellationToken,
        Func<Uri, AuthenticationHeaderValue?>? authorize = null)
    {
        var action = Describe(HttpMethod.Get, uri);
        // A body longer than the source announced (or than the global cap) is stopped before it fills the disk.
        var limit = announcedSize is >= 0 ? announcedSize.Value : _context.Limits.MaxDownloadBytes;
        var what = announcedSize is >= 0 ? $"the {limit} bytes announced" : $"the {SourceLimits.Describe(limit)} allowed without an announced size";
        PacksterException TooLong() => SourceErrors.Protocol(_source.Name, action, $"the server sent more than {what}; the download was stopped");
        long received = 0;
        var buffer = new byte[1 << 16];
        for (var attempt = 1; ; attempt++)
        {
            var resume = received;
            using var response = await SendAsync(HttpMethod.Get, uri, cancellationToken,
                headers: resume > 0 ? h => h.Range = new RangeHeaderValue(resume, null) : null, authorize: authorize);
            if (resume == 0)
            {
                if (response.StatusCode != HttpStatusCode.OK) throw await FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
                checkFirst?.Invoke(response);
            }
            else if (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != resume)
            {
                throw SourceErrors.Protocol(_source.Name, action, $"could not resume at byte {resume}: answered {(int)response.StatusCode} with {ContentRangeAsSent(response)} to a request for bytes {resume}-");
            }
            if (response.Content.Headers.ContentLength is { } length && received + length > limit) throw TooLong();
            var canResume = response.Headers.AcceptRanges.Contains("bytes");
            var broken = await CopyUntilBrokenAsync(response, destination, buffer, limit - received, n => received += n, cancellationToken);
            if (received > limit) throw TooLong();
            if (broken is null) return;
            if (!canResume || attempt >= _context.Retry.MaxAttempts)
                throw SourceErrors.Unreachable(_source.Name, action, attempt, $"the download broke off after {received} bytes: {TransportWords.Of(broken)}", broken);
            await _context.Retry.Delay(_context.Retry.DelayBefore(attempt + 1, null), cancellationToken);
        }
    }

    /// <summary>
    /// Downloads <paramref name="uri"/> into <paramref name="target"/> in byte ranges over up to
    /// <see cref="SourceLimits.DownloadConnections"/> connections (spec/sources.md §4 "Ranged downloads"). The first
    /// request asks for the first missing chunk; a server that answers it with 200 (no ranges) makes this return false
    /// with nothing written, and the caller downloads in one stream instead. Every other answer must be a 206 whose
    /// <c>Content-Range</c> is exactly the chunk asked for, with one total size that may not exceed
    /// <paramref name="announcedSize"/> (or <see cref="SourceLimits.MaxDownloadBytes"/>). A chunk cut short is asked for
    /// again from where it stopped, within the retry policy's attempts; chunks already complete are never fetched again.
    /// </summary>
    public async Task<bool> DownloadRangesAsync(Uri uri, Cache.PartialDownload target, Action<HttpResponseMessage>? checkFirst, long? announcedSize,
        CancellationToken cancellationToken, Func<Uri, AuthenticationHeaderValue?>? authorize = null)
    {
        var action = Describe(HttpMethod.Get, uri);
        var limit = announcedSize is >= 0 ? announcedSize.Value : _context.Limits.MaxDownloadBytes;
        var what = announcedSize is >= 0 ? $"the {limit} bytes announced" : $"the {SourceLimits.Describe(limit)} allowed without an announced size";
        var chunkBytes = _context.Limits.DownloadChunkBytes;
        if (target.Size >= 0 && target.ChunkBytes == chunkBytes && target.Missing().Count == 0) return true;

        var first = target.Size >= 0 && target.ChunkBytes == chunkBytes ? target.Missing()[0] : 0;
        var firstStart = (long)first * chunkBytes;
        using (var probe = await SendAsync(HttpMethod.Get, uri, cancellationToken,
            headers: h => h.Range = new RangeHeaderValue(firstStart, firstStart + chunkBytes - 1), authorize: authorize))
        {
            // No ranges: a 200 to a request from the first byte is the whole file, kept rather than asked for again.
            if (probe.StatusCode == HttpStatusCode.OK && firstStart == 0 && probe.Content.Headers.ContentLength is > 0 and var whole)
            {
                checkFirst?.Invoke(probe);
                if (whole > limit) throw SourceErrors.Protocol(_source.Name, action, $"the server sent more than {what}; the download was stopped");
                return await ReceiveWholeAsync(probe, target, whole, chunkBytes, action, cancellationToken);
            }
            // No ranges from a later byte (200), or none for this file (416, an empty one): the caller downloads in one stream.
            if (probe.StatusCode is HttpStatusCode.OK or HttpStatusCode.RequestedRangeNotSatisfiable) return false;
            if (probe.StatusCode != HttpStatusCode.PartialContent) throw await FailureAsync(probe, HttpMethod.Get, uri, cancellationToken);
            checkFirst?.Invoke(probe);
            var range = probe.Content.Headers.ContentRange;
            if (range is not { HasLength: true, HasRange: true } || range.Unit != "bytes" || range.From != firstStart)
                throw SourceErrors.Protocol(_source.Name, action, $"answered 206 with {ContentRangeAsSent(probe)} to a request for bytes {firstStart}-{firstStart + chunkBytes - 1}");
            var total = range.Length!.Value;
            if (total > limit) throw SourceErrors.Protocol(_source.Name, action, $"the server sent more than {what}; the download was stopped");
            target.SetLayout(total, chunkBytes);
            _ = target.HashAsync(cancellationToken);
            if (firstStart < total) await ReceiveChunkAsync(probe, target, first, action, cancellationToken);
        }

        var queue = new Queue<int>(target.Missing());
        async Task WorkerAsync()
        {
            while (true)
            {
                int chunk;
                lock (queue)
                {
                    if (!queue.TryDequeue(out chunk)) return;
                }
                await FetchChunkAsync(uri, target, chunk, action, authorize, cancellationToken);
            }
        }
        var workers = Math.Min(_context.Limits.DownloadConnections, queue.Count);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => WorkerAsync()));
        return true;
    }

    /// <summary>
    /// A server without ranges answered the first request with the whole file (<paramref name="size"/> bytes): each
    /// chunk is complete, and hashed, as soon as its last byte is written. False when the answer broke off (the caller
    /// then streams the file in one request, which resumes only where the server allows it).
    /// </summary>
    private async Task<bool> ReceiveWholeAsync(HttpResponseMessage response, Cache.PartialDownload target, long size, int chunkBytes, string action,
        CancellationToken cancellationToken)
    {
        target.SetLayout(size, chunkBytes);
        _ = target.HashAsync(cancellationToken);
        long received = 0;
        var complete = 0;
        var broken = await CopyRangeAsync(response, target, 0, size - 1, n =>
        {
            received += n;
            // Bytes past the size are counted, never written (CopyRangeAsync then fails): no chunk is completed by them.
            if (received > size) return;
            while (complete < target.ChunkCount && received >= ChunkEnd(target.Chunk(complete))) target.MarkDone(complete++);
        }, action, cancellationToken);
        return broken is null;
    }

    private static long ChunkEnd((long Start, long Length) chunk) => chunk.Start + chunk.Length;

    /// <summary>One chunk, resumed from where a broken answer stopped, within the retry policy's attempts.</summary>
    private async Task FetchChunkAsync(Uri uri, Cache.PartialDownload target, int chunk, string action, Func<Uri, AuthenticationHeaderValue?>? authorize,
        CancellationToken cancellationToken)
    {
        var (start, length) = target.Chunk(chunk);
        var end = start + length - 1;
        long received = 0;
        for (var attempt = 1; ; attempt++)
        {
            var from = start + received;
            using var response = await SendAsync(HttpMethod.Get, uri, cancellationToken,
                headers: h => h.Range = new RangeHeaderValue(from, end), authorize: authorize);
            if (response.StatusCode != HttpStatusCode.PartialContent) throw await RangeFailureAsync(response, uri, from, end, cancellationToken);
            var range = response.Content.Headers.ContentRange;
            if (range is not { HasRange: true } || range.From != from || range.To != end || range.Length != target.Size)
                throw SourceErrors.Protocol(_source.Name, action, $"answered {ContentRangeAsSent(response)} to a request for bytes {from}-{end} of {target.Size}");
            var broken = await CopyRangeAsync(response, target, from, end, n => received += n, action, cancellationToken);
            if (broken is null)
            {
                target.MarkDone(chunk);
                return;
            }
            if (attempt >= _context.Retry.MaxAttempts)
                throw SourceErrors.Unreachable(_source.Name, action, attempt, $"the download of bytes {start}-{end} broke off after {received} bytes: {TransportWords.Of(broken)}", broken);
            await _context.Retry.Delay(_context.Retry.DelayBefore(attempt + 1, null), cancellationToken);
        }
    }

    /// <summary>The body of the first answer, which already is the first missing chunk (or its start).</summary>
    private async Task ReceiveChunkAsync(HttpResponseMessage response, Cache.PartialDownload target, int chunk, string action, CancellationToken cancellationToken)
    {
        var (start, length) = target.Chunk(chunk);
        var end = start + length - 1;
        if (response.Content.Headers.ContentRange!.To != end)
            throw SourceErrors.Protocol(_source.Name, action, $"answered {ContentRangeAsSent(response)} to a request for bytes {start}-{end} of {target.Size}");
        long received = 0;
        // A broken first answer is left to the workers: the chunk stays missing and is asked for again.
        if (await CopyRangeAsync(response, target, start, end, n => received += n, action, cancellationToken) is null) target.MarkDone(chunk);
    }

    private async Task<PacksterException> RangeFailureAsync(HttpResponseMessage response, Uri uri, long from, long end, CancellationToken cancellationToken) =>
        response.StatusCode == HttpStatusCode.OK
            ? SourceErrors.Protocol(_source.Name, Describe(HttpMethod.Get, uri), $"answered 200 instead of bytes {from}-{end} after answering ranges before")
            : await FailureAsync(response, HttpMethod.Get, uri, cancellationToken);

    /// <summary>Writes a 206 body at its offset; more bytes than the range is a protocol error, fewer a transport failure (returned).</summary>
    private async Task<Exception?> CopyRangeAsync(HttpResponseMessage response, Cache.PartialDownload target, long from, long end, Action<int> advanced,
        string action, CancellationToken cancellationToken)
    {
        var length = end - from + 1;
        long counted = 0;
        var broken = await CopyUntilBrokenAsync(response, new RangeWriter(target, from), new byte[1 << 18], length, n =>
        {
            counted += n;
            advanced(n);
        }, cancellationToken);
        if (counted > length) throw SourceErrors.Protocol(_source.Name, action, $"the server sent more than bytes {from}-{end}; the download was stopped");
        if (broken is null && counted < length) return new TransportFailure($"the answer ended after {counted} of its {length} bytes");
        return broken;
    }

    /// <summary>A write-only stream that puts bytes at increasing offsets of the partial file.</summary>
    private sealed class RangeWriter(Cache.PartialDownload target, long offset) : Stream
    {
        private long _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            target.Write(offset + _written, buffer.Span);
            _written += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>
    /// GETs a small optional file (a detached signature): false on 404, at most <paramref name="maxBytes"/> bytes
    /// written, no resume (a broken transfer of a few bytes is simply an error).
    /// </summary>
    public async Task<bool> DownloadSmallAsync(Uri uri, Stream destination, int maxBytes, CancellationToken cancellationToken,
        Func<Uri, AuthenticationHeaderValue?>? authorize = null)
    {
        using var response = await SendAsync(HttpMethod.Get, uri, cancellationToken, authorize: authorize);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (response.StatusCode != HttpStatusCode.OK) throw await FailureAsync(response, HttpMethod.Get, uri, cancellationToken);
        long received = 0;
        var broken = await CopyUntilBrokenAsync(response, destination, new byte[maxBytes + 1], maxBytes, n => received += n, cancellationToken);
        if (received > maxBytes) throw SourceErrors.Protocol(_source.Name, Describe(HttpMethod.Get, uri), $"the server sent more than the {maxBytes} bytes a signature may have");
        if (broken is not null) throw SourceErrors.Unreachable(_source.Name, Describe(HttpMethod.Get, uri), 1, $"the download broke off after {received} bytes: {TransportWords.Of(broken)}", broken);
        return true;
    }

    /// <summary>Copies the body, at most <paramref name="allowed"/> bytes (a read beyond it is counted but not written, and
    /// ends the copy); returns the transport failure that cut it short, or null when it ended. Failures writing the
    /// destination (a full disk) are not transport failures and propagate.</summary>
    private async Task<Exception?> CopyUntilBrokenAsync(HttpResponseMessage response, Stream destination, byte[] buffer, long allowed, Action<int> advanced, CancellationToken cancellationToken)
    {
        Stream body;
        try
        {
            body = await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return e;
        }
        await using (body)
        {
            var pace = new BodyPace(_context.Limits);
            while (true)
            {
                int read;
                try
                {
                    read = await ReadWithinTimeoutAsync(body, buffer, pace, cancellationToken);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    return e;
                }
                if (read == 0) return null;
                if (read > allowed)
                {
                    // One byte past the limit is proof enough: it is counted, never written.
                    advanced(read);
                    return null;
                }
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                allowed -= read;
                advanced(read);
            }
        }
    }

    /// <summary>
    /// One read of a response body that fails with an <see cref="IOException"/> (a transport failure, retried or resumed
    /// as one) when no byte arrives within <see cref="SourceLimits.ReadTimeout"/>, or when the body, measured by
    /// <paramref name="pace"/>, arrives slower than <see cref="SourceLimits.MinBytesPerSecond"/> (spec/sources.md §7).
    /// </summary>
    private async ValueTask<int> ReadWithinTimeoutAsync(Stream body, Memory<byte> buffer, BodyPace pace, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(_context.Limits.ReadTimeout);
        int read;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            read = await body.ReadAsync(buffer, idle.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransportFailure($"timed out: no byte arrived for {_context.Limits.ReadTimeout.TotalSeconds:0} s", e);
        }
        pace.Arrived(read, System.Diagnostics.Stopwatch.GetTimestamp() - started);
        return read;
    }

    /// <summary>
    /// How fast one response body arrives, counting only the time spent waiting for it inside its reads: what the caller
    /// does between reads (writing to a disk that stalls, hashing) is packster's own time, never the server's. Each window
    /// of <see cref="SourceLimits.ReadTimeout"/> of that time, from the first read on, that brought fewer than
    /// <see cref="SourceLimits.MinBytesPerSecond"/> × its seconds fails the read (<c>too slow: …</c>). A body that ends
    /// within its first window is never judged.
    /// </summary>
    private sealed class BodyPace(SourceLimits limits)
    {
        private readonly long _windowTicks = (long)(limits.ReadTimeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        private long _waited;
        private long _inWindow;

        /// <summary>A read brought <paramref name="bytes"/> after waiting <paramref name="waited"/> stopwatch ticks for them.</summary>
        public void Arrived(int bytes, long waited)
        {
            if (limits.MinBytesPerSecond <= 0) return;
            _waited += waited;
            if (bytes <= 0) return;
            _inWindow += bytes;
            if (_waited < _windowTicks) return;
            var seconds = (double)_waited / System.Diagnostics.Stopwatch.Frequency;
            if (_inWindow < limits.MinBytesPerSecond * seconds)
            {
                throw new TransportFailure($"too slow: {_inWindow} bytes arrived in {seconds:0} s, less than the {limits.MinBytesPerSecond} bytes a second a source must send (PACKSTER_MIN_SPEED)");
            }
            _waited = 0;
            _inWindow = 0;
        }
    }

    /// <summary>
    /// The answer's <c>Content-Range</c> as the server sent it (<c>Content-Range 'bytes 0-9/99'</c>, control characters
    /// escaped), even when it does not parse, or <c>no Content-Range</c>.
    /// </summary>
    private static string ContentRangeAsSent(HttpResponseMessage response) =>
        response.Content.Headers.NonValidated.TryGetValues("Content-Range", out var values) && values.Count > 0
            ? $"Content-Range '{TerminalText.Printable(string.Join(", ", values))}'"
            : "no Content-Range";

    public static string StripQuery(Uri uri) => uri.GetLeftPart(UriPartial.Path);

    public static string Describe(HttpMethod method, Uri uri) => $"{method} {StripQuery(uri)}";

    /// <summary>Turns a non-success answer into one line naming the source, the request and the credential variable.</summary>
    public async Task<PacksterException> FailureAsync(HttpResponseMessage response, HttpMethod method, Uri uri, CancellationToken cancellationToken)
    {
        var action = Describe(method, uri);
        var message = await ReadErrorMessageAsync(response, cancellationToken);
        var status = (int)response.StatusCode;
        return status switch
        {
            401 => SourceErrors.Unauthorized(_source.Name, Credential.Description, action, message),
            403 => SourceErrors.Forbidden(_source.Name, Credential.Description, action, message),
            404 => SourceErrors.Missing(_source.Name, Credential.Description, action, message),
            409 => new PacksterException(ErrorCode.PublishConflict, $"source '{_source.Name}': {action} answered 409 {message} (using {Credential.Description})".TrimEnd()),
            _ => SourceErrors.Protocol(_source.Name, action, $"unexpected answer {status} {message}".TrimEnd()),
        };
    }

    /// <summary>
    /// The server's message: Artifactory's <c>{"errors":[{"status","message"}]}</c>, or plain text, which some endpoints
    /// send; at most one line of 300 characters, with the credential redacted in case a server echoes it and control
    /// characters escaped (<see cref="TerminalText.Printable"/>). At most
    /// <see cref="SourceLimits.MaxErrorBytes"/> of the body are read. The credential is redacted before anything is
    /// trimmed or cut, and a cut end that is the start of it is redacted too: no cut shows a part of it.
    /// </summary>
    public async Task<string> ReadErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text;
        bool cut;
        try
        {
            // Only the first MaxErrorBytes are read; the rest of an endless body is never asked for.
            var buffer = new byte[_context.Limits.MaxErrorBytes];
            var filled = 0;
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                var pace = new BodyPace(_context.Limits);
                int read;
                while (filled < buffer.Length && (read = await ReadWithinTimeoutAsync(body, buffer.AsMemory(filled), pace, cancellationToken)) > 0) filled += read;
            }
            cut = filled == buffer.Length;
            text = Credential.Redact(Encoding.UTF8.GetString(buffer, 0, filled)).Trim();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "";
        }
        if (text.StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                // The message with its JSON escapes decoded (\u0073, \/) may spell the secret anew: redacted again.
                if (json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                {
                    text = Credential.Redact(string.Join("; ", errors.EnumerateArray()
                        .Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) ? m.ToString() : e.ToString())));
                }
                else if (json.RootElement.TryGetProperty("message", out var message))
                {
                    text = Credential.Redact(message.ToString());
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: show it as text.
            }
        }
        var line = text.Split('\n', 2)[0].Trim();
        if (line.Length > 300)
        {
            line = line[..300];
            cut = true;
        }
        if (cut) line = Credential.RedactCutEnd(line) + "…";
        // Escape and control characters are shown as \u001b: a server's text must not move the cursor, retitle the
        // terminal or erase the line packster wrote.
        return TerminalText.Printable(line.Length == 0 ? "" : $"({line})");
    }

    /// <summary>
    /// Reads a success body as JSON whatever its media type (Artifactory uses vendor <c>+json</c> types). A body larger
    /// than <see cref="SourceLimits.MaxJsonBytes"/> (announced or as it arrives) is refused before it is parsed.
    /// </summary>
    public async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, HttpMethod method, Uri uri, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(response, _context.Limits.MaxJsonBytes, method, uri, cancellationToken);
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw SourceErrors.Protocol(_source.Name, Describe(method, uri), $"the answer is not valid JSON ({StrictJson.Reason(e)})");
        }
    }

    /// <summary>
    /// A success body as bytes, at most <paramref name="max"/> of them: a larger one (announced, or as it arrives) is
    /// refused before it is used (PST8008 <c>the answer is larger than …; refused</c>).
    /// </summary>
    public async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, long max, HttpMethod method, Uri uri, CancellationToken cancellationToken)
    {
        PacksterException TooLarge() => SourceErrors.Protocol(_source.Name, Describe(method, uri), $"the answer is larger than {SourceLimits.Describe(max)}; refused");
        if (response.Content.Headers.ContentLength > max) throw TooLarge();
        using var body = new MemoryStream();
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[1 << 16];
            var pace = new BodyPace(_context.Limits);
            int read;
            while ((read = await ReadWithinTimeoutAsync(stream, buffer, pace, cancellationToken)) > 0)
            {
                if (body.Length + read > max) throw TooLarge();
                body.Write(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw SourceErrors.Unreachable(_source.Name, Describe(method, uri), 1, $"the answer broke off after {body.Length} bytes: {TransportWords.Of(e)}", e);
        }
        return body.ToArray();
    }

    public void Dispose() => _client.Dispose();
}
