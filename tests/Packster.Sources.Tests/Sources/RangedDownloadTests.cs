using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Packster.Model;
using Packster.Sources.Cache;
using Packster.Sources.Config;
using Packster.Sources.Http;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Sources;

/// <summary>
/// spec/sources.md §4 "Ranged downloads": a package arrives in byte ranges over several connections, is hashed as it
/// arrives, survives an interruption (the complete chunks are kept and never fetched again), starts over when kept
/// bytes turn out bad, and falls back to one stream where the server has no ranges. A real Kestrel server on loopback.
/// </summary>
public sealed class RangedDownloadTests : IAsyncLifetime
{
    private const int Chunk = 64 << 10;
    private readonly TempDirectory _temp = new("packster-ranged");
    private readonly TestContext _test = new(limits: new SourceLimits { DownloadChunkBytes = Chunk, DownloadConnections = 4 });
    private readonly List<(long From, long To)> _ranges = [];
    private LoopbackServer _server = null!;
    private byte[] _bytes = [];
    private PackageFileName _name = null!;
    private int _inFlight;
    private int _maxInFlight;
    private TaskCompletionSource _second = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Requests starting inside this chunk send 10 bytes and break off.</summary>
    private int? _breakChunk;
    private bool _ignoreRanges;

    /// <summary>Requests for the package (not the index), whatever they ask.</summary>
    private int _packageRequests;

    /// <summary>Without ranges, the first answer sends this many bytes and breaks off.</summary>
    private int? _breakWholeAfter;
    private bool _holdUntilParallel;

    /// <summary>Requests for the first bytes wait until two of them have arrived: two downloads of the file at once.</summary>
    private bool _holdUntilTwoDownloads;
    private int _firstRequests;
    private readonly TaskCompletionSource _twoDownloads = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Requests starting inside this chunk wait for <see cref="_release"/> before they answer.</summary>
    private int? _holdChunk;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        // Incompressible content: about 12 chunks of 64 KiB.
        var payload = Convert.ToBase64String(RandomNumberGenerator.GetBytes(600 << 10));
        var path = TestPackages.Create(_temp["dist"], "big", "1.0.0", payload);
        _bytes = File.ReadAllBytes(path);
        _name = TestPackages.NameOf(path);
        _server = await LoopbackServer.StartAsync(HandleAsync);
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private int Chunks => (_bytes.Length + Chunk - 1) / Chunk;

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path == "/index.json")
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"schema\":1,\"packages\":[{{\"id\":\"big\",\"version\":\"1.0.0\",\"sha256\":\"{_name.Sha256}\",\"path\":\"{_name.FileName}\",\"size\":{_bytes.Length}}}]}}");
            return;
        }
        var range = RangeHeaderValue.TryParse(context.Request.Headers.Range.ToString(), out var parsed) ? parsed.Ranges.Single() : null;
        var request = Interlocked.Increment(ref _packageRequests);
        if (_holdUntilTwoDownloads && (range?.From ?? 0) == 0)
        {
            if (Interlocked.Increment(ref _firstRequests) == 2) _twoDownloads.TrySetResult();
            // Both downloads have begun (each holds its temp file) before either gets a byte. The timeout only turns a
            // second download that never comes into a failing answer instead of a hang.
            await _twoDownloads.Task.WaitAsync(TimeSpan.FromMinutes(1));
        }
        if (range is null || _ignoreRanges)
        {
            context.Response.ContentLength = _bytes.Length;
            if (request == 1 && _breakWholeAfter is { } after)
            {
                await context.Response.Body.WriteAsync(_bytes.AsMemory(0, after));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            }
            await context.Response.Body.WriteAsync(_bytes);
            return;
        }
        var from = range.From!.Value;
        var to = Math.Min(range.To ?? _bytes.Length - 1, _bytes.Length - 1);
        lock (_ranges) _ranges.Add((from, to));
        var now = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, now);
        if (now >= 2) _second.TrySetResult();
        try
        {
            // Proof of parallel requests: the first waits until a second one is in flight (a sequential client would
            // keep it waiting; the timeout only turns that into a failing assertion instead of a hang).
            if (_holdUntilParallel && from > 0) await _second.Task.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
            if (_holdChunk is { } held && from / Chunk == held) await _release.Task;
            context.Response.StatusCode = 206;
            context.Response.Headers.AcceptRanges = "bytes";
            context.Response.Headers.ContentRange = $"bytes {from}-{to}/{_bytes.Length}";
            context.Response.ContentLength = to - from + 1;
            if (_breakChunk is { } broken && from / Chunk == broken)
            {
                await context.Response.Body.WriteAsync(_bytes.AsMemory((int)from, 10));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            }
            await context.Response.Body.WriteAsync(_bytes.AsMemory((int)from, (int)(to - from + 1)));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private HttpSource Source() => new(new SourceDefinition { Name = "web", Kind = SourceKind.Http, Url = _server.Address.ToString(), Insecure = true }, _test.Context);

    private List<(long From, long To)> Ranges()
    {
        lock (_ranges) return [.. _ranges];
    }

    [Fact]
    public async Task A_large_file_arrives_in_parallel_ranges_that_cover_it_once()
    {
        _holdUntilParallel = true;
        using var source = Source();
        var reports = new List<(long Done, long Total)>();
        var cache = new PackageCache(_temp["cache"]) { DownloadProgress = new SynchronousProgress(reports) };
        var path = await cache.GetOrFetchAsync(_name, source);
        Assert.Equal(_bytes, File.ReadAllBytes(path));
        Assert.True(Chunks >= 8, $"the test file has only {Chunks} chunks");
        // Each chunk asked for exactly once, in chunk-sized ranges covering the file.
        Assert.Equal(Enumerable.Range(0, Chunks).Select(i => ((long)i * Chunk, Math.Min((long)(i + 1) * Chunk, _bytes.Length) - 1)), Ranges().Order());
        Assert.True(_maxInFlight >= 2, $"at most {_maxInFlight} request(s) were in flight at once");
        // One progress bar with a known total (so a percentage, speed and ETA), ending at the whole size.
        lock (reports)
        {
            Assert.All(reports, r => Assert.Equal(_bytes.Length, r.Total));
            Assert.Equal(_bytes.Length, reports.Max(r => r.Done));
        }
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache.Root, "tmp")));
    }

    // spec/sources.md §4 "Ranged downloads": the partial file and its state are the cache's own temps; "a symbolic link
    // … in their place is removed, never followed", and what is moved into the cache is the regular file written.
    [Fact]
    public async Task Links_in_the_place_of_the_partial_file_and_its_state_are_never_written_through()
    {
        using var source = Source();
        var cache = new PackageCache(_temp["cache"]);
        var tmp = Directory.CreateDirectory(Path.Combine(cache.Root, "tmp")).FullName;
        var elsewhere = Directory.CreateDirectory(_temp["victims"]).FullName;
        var victims = new[] { ".partial", ".partial.state", ".partial.state.tmp" }.Select(suffix =>
        {
            var victim = Path.Combine(elsewhere, "victim" + suffix);
            File.WriteAllText(victim, "precious, not packster's");
            File.CreateSymbolicLink(Path.Combine(tmp, _name.Sha256.Hex + suffix), victim);
            return victim;
        }).ToList();

        var path = await cache.GetOrFetchAsync(_name, source);

        Assert.All(victims, victim => Assert.Equal("precious, not packster's", File.ReadAllText(victim)));
        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal(_bytes, File.ReadAllBytes(path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp));
    }

    // spec/sources.md §4 "Ranged downloads": "a partial file whose link count, asked of the descriptor once it is open
    // (`fstat`), is above one has another name … and is closed unwritten; the name is removed — the other file keeps its
    // bytes — and the download starts afresh in a new partial file, and succeeds as any other."
    [Fact]
    public async Task A_hard_link_in_the_place_of_the_partial_file_is_never_written_through()
    {
        if (OperatingSystem.IsWindows()) return; // the link count is asked of the descriptor on Linux and macOS
        using var source = Source();
        var cache = new PackageCache(_temp["cache"]);
        var tmp = Directory.CreateDirectory(Path.Combine(cache.Root, "tmp")).FullName;
        var victim = Path.Combine(Directory.CreateDirectory(_temp["victims"]).FullName, "victim");
        var precious = RandomNumberGenerator.GetBytes(_bytes.Length);
        File.WriteAllBytes(victim, precious);
        var partial = Path.Combine(tmp, _name.Sha256.Hex + ".partial");
        using (var ln = System.Diagnostics.Process.Start("ln", [victim, partial]))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }
        // A state that claims every chunk but the first: resumed, only that chunk would be written into the other file.
        File.WriteAllText(partial + ".state", $"packster-partial 1\n{_bytes.Length}\n{Chunk}\n0{new string('1', Chunks - 1)}\n");

        var path = await cache.GetOrFetchAsync(_name, source);

        Assert.Equal(precious, File.ReadAllBytes(victim));
        Assert.Equal(_bytes, File.ReadAllBytes(path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp));
    }

    [Fact]
    public async Task An_interrupted_download_keeps_its_complete_chunks_and_fetches_only_the_rest()
    {
        _breakChunk = 5;
        using var source = Source();
        var cache = new PackageCache(_temp["cache"]);
        var e = await Assert.ThrowsAsync<PacksterException>(() => cache.GetOrFetchAsync(_name, source));
        Assert.Equal(ErrorCode.SourceUnreachable, e.Code);
        Assert.False(cache.Contains(_name));
        var state = Path.Combine(cache.Root, "tmp", _name.Sha256.Hex + ".partial.state");
        Assert.True(File.Exists(state), "no resumable state was kept");
        var bits = File.ReadAllLines(state)[3];
        Assert.Equal(new string([.. Enumerable.Range(0, Chunks).Select(i => i == 5 ? '0' : '1')]), bits);

        // The network heals; the next attempt (another process would do the same) asks only for chunk 5.
        _breakChunk = null;
        lock (_ranges) _ranges.Clear();
        var path = await cache.GetOrFetchAsync(_name, source);
        Assert.Equal(_bytes, File.ReadAllBytes(path));
        Assert.Equal([(5L * Chunk, 6L * Chunk - 1)], Ranges());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache.Root, "tmp")));
    }

    [Fact]
    public async Task Kept_bytes_that_turn_out_bad_are_thrown_away_and_the_download_starts_over()
    {
        _breakChunk = Chunks - 1;
        using var source = Source();
        var cache = new PackageCache(_temp["cache"]);
        await Assert.ThrowsAsync<PacksterException>(() => cache.GetOrFetchAsync(_name, source));
        var partial = Path.Combine(cache.Root, "tmp", _name.Sha256.Hex + ".partial");
        using (var file = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 100;
            file.WriteByte((byte)(_bytes[100] ^ 0xff));
        }

        _breakChunk = null;
        lock (_ranges) _ranges.Clear();
        var path = await cache.GetOrFetchAsync(_name, source);
        Assert.Equal(_bytes, File.ReadAllBytes(path));
        // The last chunk first (the resumed attempt), then every chunk again.
        Assert.Equal(Chunks + 1, Ranges().Count);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache.Root, "tmp")));
    }

    [Fact]
    public async Task A_server_without_ranges_is_read_in_one_stream_asked_for_once()
    {
        _ignoreRanges = true;
        using var source = Source();
        var reports = new List<(long Done, long Total)>();
        var cache = new PackageCache(_temp["cache"]) { DownloadProgress = new SynchronousProgress(reports) };
        var path = await cache.GetOrFetchAsync(_name, source);
        Assert.Equal(_bytes, File.ReadAllBytes(path));
        // The answer to the first ranged request is the whole file: it is kept, not asked for again.
        Assert.Equal(1, _packageRequests);
        lock (reports) Assert.Equal(_bytes.Length, reports.Max(r => r.Done));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache.Root, "tmp")));
    }

    [Fact]
    public async Task A_whole_answer_that_breaks_off_is_streamed_once_more()
    {
        _ignoreRanges = true;
        _breakWholeAfter = Chunk + 10;
        using var source = Source();
        var cache = new PackageCache(_temp["cache"]);
        var path = await cache.GetOrFetchAsync(_name, source);
        Assert.Equal(_bytes, File.ReadAllBytes(path));
        Assert.Equal(2, _packageRequests);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache.Root, "tmp")));
    }

    /// <summary>A server of the index that answers every package request 206 with the first chunk and <paramref name="contentRange"/>.</summary>
    private Task<LoopbackServer> PartialAnswers(string contentRange) => LoopbackServer.StartAsync(async context =>
    {
        if (context.Request.Path == "/index.json")
        {
            await HandleAsync(context);
            return;
        }
        context.Response.StatusCode = 206;
        context.Response.Headers.ContentRange = contentRange;
        context.Response.ContentLength = Chunk;
        await context.Response.Body.WriteAsync(_bytes.AsMemory(0, Chunk));
    });

    [Fact]
    public async Task A_range_answer_for_other_bytes_is_a_protocol_error()
    {
        // Always the first bytes, whatever was asked: a resumed or parallel download would be assembled wrongly.
        await using var server = await PartialAnswers($"bytes 0-{Chunk - 1}/{_bytes.Length}");
        using var source = new HttpSource(new SourceDefinition { Name = "web", Kind = SourceKind.Http, Url = server.Address.ToString(), Insecure = true }, _test.Context);
        var cache = new PackageCache(_temp["cache"]);
        var e = await Assert.ThrowsAsync<PacksterException>(() => cache.GetOrFetchAsync(_name, source));
        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Contains("Content-Range", e.Message, StringComparison.Ordinal);
        Assert.False(cache.Contains(_name));
    }

    [Fact]
    public async Task An_unreadable_content_range_is_quoted_as_sent_with_the_range_asked_for()
    {
        // spec/sources.md §6: a 206 needs a matching Content-Range, else PST8008 — saying what the server sent.
        await using var server = await PartialAnswers("bytes zero-to-many");
        using var source = new HttpSource(new SourceDefinition { Name = "web", Kind = SourceKind.Http, Url = server.Address.ToString(), Insecure = true }, _test.Context);
        var cache = new PackageCache(_temp["cache"]);

        var e = await Assert.ThrowsAsync<PacksterException>(() => cache.GetOrFetchAsync(_name, source));

        Assert.Equal(ErrorCode.SourceProtocol, e.Code);
        Assert.Contains($"answered 206 with Content-Range 'bytes zero-to-many' to a request for bytes 0-{Chunk - 1}", e.Message, StringComparison.Ordinal);
        Assert.False(cache.Contains(_name));
    }

    // A real `packster fetch` killed with SIGKILL mid-download; the next run fetches only what the first did not finish.
    [Fact]
    public async Task A_killed_fetch_resumes_where_it_stopped()
    {
        _holdChunk = 3;
        var environment = new Dictionary<string, string>
        {
            ["PACKSTER_CONFIG"] = _temp["config.toml"],
            ["PACKSTER_CACHE"] = _temp["cache"],
            ["PACKSTER_DATA_HOME"] = _temp["data"],
            ["PACKSTER_DOWNLOAD_CHUNK_SIZE"] = Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PACKSTER_DOWNLOAD_CONNECTIONS"] = "2",
        };
        var add = await CliProcess.RunAsync(_temp.Path, environment, "source", "add", "web", "--type", "http", "--url", _server.Address.ToString(), "--insecure");
        Assert.True(add.Exit == 0, add.Err);

        using var kill = new CancellationTokenSource();
        var first = CliProcess.RunAsync(_temp.Path, environment, kill.Token, "fetch", "big");
        int Complete() => !Directory.Exists(_temp["cache"]) ? 0 : Directory.EnumerateFiles(_temp["cache"], "*.partial.state", SearchOption.AllDirectories)
            .Select(f => { try { return File.ReadAllLines(f); } catch (IOException) { return []; } })
            .Where(lines => lines.Length == 4).Select(lines => lines[3].Count(c => c == '1')).DefaultIfEmpty(0).Max();
        Assert.True(SpinWait.SpinUntil(() => Complete() == Chunks - 1 || first.IsCompleted, TimeSpan.FromMinutes(2)), "the first fetch never completed the other chunks");
        if (first.IsCompleted) Assert.Fail($"the first fetch ended on its own: {(await first).Err}");
        kill.Cancel();
        Assert.NotEqual(0, (await first).Exit);

        _holdChunk = null;
        lock (_ranges) _ranges.Clear();
        var second = await CliProcess.RunAsync(_temp.Path, environment, "fetch", "big", "--json");
        Assert.True(second.Exit == 0, second.Err);
        var path = System.Text.Json.JsonDocument.Parse(second.Out).RootElement.GetProperty("path").GetString()!;
        Assert.Equal(_bytes, File.ReadAllBytes(path));
        Assert.Equal([(3L * Chunk, 4L * Chunk - 1)], Ranges());
    }

    // spec/sources.md §4: two processes downloading one package into one cache at once each write a temp file of their
    // own, and both succeed; the cache ends with the one verified file and no temp file left.
    [Fact]
    public async Task Two_fetches_of_one_package_at_once_both_succeed()
    {
        _holdUntilTwoDownloads = true;
        var environment = new Dictionary<string, string>
        {
            ["PACKSTER_CONFIG"] = _temp["config.toml"],
            ["PACKSTER_CACHE"] = _temp["cache"],
            ["PACKSTER_DATA_HOME"] = _temp["data"],
            ["PACKSTER_DOWNLOAD_CHUNK_SIZE"] = Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var add = await CliProcess.RunAsync(_temp.Path, environment, "source", "add", "web", "--type", "http", "--url", _server.Address.ToString(), "--insecure");
        Assert.True(add.Exit == 0, add.Err);

        var fetches = await Task.WhenAll(
            CliProcess.RunAsync(_temp.Path, environment, "fetch", "big", "--json"),
            CliProcess.RunAsync(_temp.Path, environment, "fetch", "big", "--json"));

        Assert.True(_twoDownloads.Task.IsCompletedSuccessfully, "the two downloads did not overlap");
        Assert.All(fetches, f => Assert.True(f.Exit == 0, $"exit {f.Exit}: {f.Err}"));
        var paths = fetches.Select(f => System.Text.Json.JsonDocument.Parse(f.Out).RootElement.GetProperty("path").GetString()!).Distinct().ToList();
        var path = Assert.Single(paths);
        Assert.Equal(_bytes, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.EnumerateFiles(_temp["cache"], "*.packster", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(_temp["cache/tmp"]));
    }

    private sealed class SynchronousProgress(List<(long Done, long Total)> reports) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value)
        {
            lock (reports) reports.Add(value);
        }
    }
}
