using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Sources.Cache;

/// <summary>
/// A package file being downloaded in byte ranges (spec/sources.md §4 "Ranged downloads"): the bytes in
/// <c>{cache}/tmp/{sha256}.partial</c>, written at their offsets by several connections, and beside it a small state
/// file <c>{sha256}.partial.state</c> listing the chunks already complete, so a download interrupted by a broken
/// network or a killed process continues where it stopped. The file is held with an exclusive lock, so a second
/// process downloading the same package at the same moment works in a temp file of its own instead (never opened twice:
/// on Unix the lock belongs to the open file, and a second open of it in the same process is refused like another's).
/// The sha256 is computed while the download runs, chunk by chunk in file order, from the bytes as written; the
/// caller compares it with the name, and a mismatch throws the partial state away. Both files are the cache's own
/// temps: a symbolic link, a FIFO or any other file that is not a regular one in their place, and a hard link to another
/// file, is removed, never opened through or written through, and what is moved into the cache is the regular file
/// written.
/// </summary>
public sealed class PartialDownload : IDisposable
{
    private const string StateHeader = "packster-partial 1";

    private readonly FileStream _file;
    private readonly string _path;
    private readonly string? _statePath;
    private readonly IProgress<(long Done, long Total)>? _progress;
    private readonly object _lock = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    // Ends the hashing task when the download is abandoned half-way.
    private readonly CancellationTokenSource _closed = new();
    private bool[] _done = [];
    private TaskCompletionSource[] _signals = [];
    private long _received;
    private Task<Sha256Digest>? _hashing;

    private PartialDownload(FileStream file, string path, string? statePath, IProgress<(long Done, long Total)>? progress)
    {
        _file = file;
        _path = path;
        _statePath = statePath;
        _progress = progress;
    }

    public string Path => _path;

    /// <summary>Total bytes, known once the server has answered a range; -1 before.</summary>
    public long Size { get; private set; } = -1;

    public int ChunkBytes { get; private set; }

    /// <summary>Whether the state came from an earlier, interrupted download.</summary>
    public bool Resumed { get; private set; }

    public SafeFileHandle Handle => _file.SafeFileHandle;

    /// <summary>
    /// Opens the resumable partial file of <paramref name="file"/> in <paramref name="tempDirectory"/>, with the state an
    /// earlier attempt left; when another process holds it, a private temp file that is not kept.
    /// </summary>
    public static PartialDownload Open(string tempDirectory, PackageFileName file, IProgress<(long Done, long Total)>? progress)
    {
        PackageCache.CreateFolder(tempDirectory);
        var path = System.IO.Path.Combine(tempDirectory, file.Sha256.Hex + ".partial");
        try
        {
            var stream = OpenOwn(path);
            var partial = new PartialDownload(stream, path, path + ".state", progress);
            partial.LoadState();
            return partial;
        }
        catch (IOException)
        {
            // Deleted by Dispose unless Complete moved it into place. Not FileOptions.DeleteOnClose: the file is renamed
            // to its place while open, and a second open of it (a copy) would collide with this handle's own lock.
            var own = System.IO.Path.Combine(tempDirectory, $"{file.Sha256.Hex[..16]}-{Guid.NewGuid():N}.partial");
            return new PartialDownload(new FileStream(own, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None), own, null, progress);
        }
    }

    /// <summary>
    /// The partial file at <paramref name="path"/>, opened or created, locked exclusively (an advisory lock on Unix, as
    /// FileShare.None takes it: two processes never write one partial file). Never through a symbolic link (O_NOFOLLOW)
    /// nor a hard link: a link, a FIFO, a folder or anything else that is not a regular file in its place, and a regular
    /// file with other names (a hard link to a file elsewhere, whose bytes writing would change), is removed — the name
    /// alone, never what it leads to — and a file created anew. An <see cref="IOException"/> when it cannot be had
    /// (another process holds it, or what is there stays).
    /// </summary>
    private static FileStream OpenOwn(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (RegularFile.TryOpenForUpdate(path, out var kind) is { } stream) return stream;
            var what = kind == FileKind.Regular ? "a regular file with other names (hard links)" : $"{kind.Describe()}, not a regular file";
            if (attempt > 1) throw new IOException($"'{path}' is {what}, and could not be replaced");
            // A link, a FIFO, a folder, a device, a socket or another file's name in the place of the cache's own temp
            // file: removed, never followed nor written, and the open tried once more.
            Remove(path);
        }
    }

    /// <summary>Removes what is at <paramref name="path"/>, whatever it is, without following a link; nothing there is fine.</summary>
    private static void Remove(string path)
    {
        try
        {
            if (FileKinds.Of(path) == FileKind.Directory) Directory.Delete(path, recursive: true);
            else File.Delete(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException(e.Message, e);
        }
    }

    /// <summary>Reads the state file; any doubt about it (a missing file, another layout, a damaged line) means starting over.</summary>
    private void LoadState()
    {
        // Only a regular file is read: a link is never followed (the state is written anew by a rename over it).
        if (_statePath is null || FileKinds.Of(_statePath) != FileKind.Regular) return;
        try
        {
            if (RegularFile.TryReadAllBytes(_statePath, out _) is not { } bytes) return;
            var lines = System.Text.Encoding.UTF8.GetString(bytes).Split('\n');
            if (lines.Length == 5 && lines[4].Length == 0) lines = lines[..4];
            if (lines.Length != 4 || lines[0] != StateHeader) return;
            var size = long.Parse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture);
            var chunk = int.Parse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture);
            if (chunk <= 0 || size < 0 || _file.Length != size) return;
            var count = ChunkCountOf(size, chunk);
            if (lines[3].Length != count || lines[3].Any(c => c is not ('0' or '1'))) return;
            Layout(size, chunk);
            for (var i = 0; i < count; i++)
            {
                if (lines[3][i] == '1') MarkDoneLocked(i, persist: false);
            }
            Resumed = _done.Any(d => d);
        }
        catch (Exception e) when (e is IOException or FormatException or OverflowException or UnauthorizedAccessException)
        {
            // Unreadable state: start over.
        }
    }

    private static int ChunkCountOf(long size, int chunk) => (int)Math.Max(1, (size + chunk - 1) / chunk);

    /// <summary>
    /// Fixes the total size and chunk size the server's first ranged answer gave. When they differ from what the state
    /// recorded, everything done so far is dropped: the file is not the one the earlier attempt fetched.
    /// </summary>
    public void SetLayout(long size, int chunkBytes)
    {
        lock (_lock)
        {
            if (Size == size && ChunkBytes == chunkBytes) return;
            if (_hashing is not null) throw new InvalidOperationException("the layout is fixed once hashing started");
            Resumed = false;
            _received = 0;
            _file.SetLength(0);
            _file.SetLength(size);
            Layout(size, chunkBytes);
            PersistLocked();
        }
    }

    private void Layout(long size, int chunkBytes)
    {
        Size = size;
        ChunkBytes = chunkBytes;
        var count = ChunkCountOf(size, chunkBytes);
        _done = new bool[count];
        _signals = [.. Enumerable.Range(0, count).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
    }

    /// <summary>How many chunks the layout has (0 before <see cref="SetLayout"/> or a resumed state gives one).</summary>
    public int ChunkCount => _done.Length;

    public (long Start, long Length) Chunk(int index)
    {
        var start = (long)index * ChunkBytes;
        return (start, Math.Min(ChunkBytes, Size - start));
    }

    /// <summary>The chunks still to fetch, in file order.</summary>
    public IReadOnlyList<int> Missing()
    {
        lock (_lock) return [.. Enumerable.Range(0, _done.Length).Where(i => !_done[i])];
    }

    /// <summary>Writes at <paramref name="offset"/>: a synchronous pwrite (the caller is a pool thread already; async file IO
    /// on Unix would only queue it to another one).</summary>
    public void Write(long offset, ReadOnlySpan<byte> bytes)
    {
        RandomAccess.Write(Handle, bytes, offset);
        var received = Interlocked.Add(ref _received, bytes.Length);
        _progress?.Report((AlreadyDone() + received, Size));
    }

    private long _doneBefore = -1;

    /// <summary>Bytes of the chunks an earlier attempt completed (counted once, for progress).</summary>
    private long AlreadyDone()
    {
        if (_doneBefore >= 0) return _doneBefore;
        lock (_lock)
        {
            long bytes = 0;
            if (Resumed)
            {
                for (var i = 0; i < _done.Length; i++)
                {
                    if (_done[i]) bytes += Chunk(i).Length;
                }
            }
            return _doneBefore = bytes;
        }
    }

    /// <summary>Records a chunk as complete (its bytes are written); the state file is rewritten atomically.</summary>
    public void MarkDone(int index)
    {
        lock (_lock) MarkDoneLocked(index, persist: true);
    }

    private void MarkDoneLocked(int index, bool persist)
    {
        if (_done[index]) return;
        _done[index] = true;
        if (persist) PersistLocked();
        _signals[index].TrySetResult();
    }

    private void PersistLocked()
    {
        if (_statePath is null) return;
        var bits = new string([.. _done.Select(d => d ? '1' : '0')]);
        var text = string.Create(CultureInfo.InvariantCulture, $"{StateHeader}\n{Size}\n{ChunkBytes}\n{bits}\n");
        var temp = _statePath + ".tmp";
        // Whatever is left in the temp's place (a link included) goes: the temp is created new (O_EXCL, which follows
        // no link) and renamed over the state, which replaces a link there rather than writing through it.
        Remove(temp);
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }
        File.Move(temp, _statePath, overwrite: true);
    }

    /// <summary>
    /// Starts hashing the file in order, each chunk as soon as it is complete (chunks an earlier attempt completed are
    /// read back first), so the digest is ready moments after the last byte arrives.
    /// </summary>
    public Task<Sha256Digest> HashAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_hashing is null)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token).Token;
                _hashing = Task.Run(() => HashInOrderAsync(linked), linked);
                // An abandoned download's hashing ends cancelled; nobody waits for it then.
                _hashing.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            }
            return _hashing;
        }
    }

    private async Task<Sha256Digest> HashInOrderAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        for (var i = 0; i < _signals.Length; i++)
        {
            await _signals[i].Task.WaitAsync(cancellationToken);
            var (start, length) = Chunk(i);
            for (long at = 0; at < length;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var read = RandomAccess.Read(Handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - at)), start + at);
                if (read == 0) throw new IOException($"{Path} ended at {start + at} bytes, before its {Size}");
                _hash.AppendData(buffer, 0, read);
                at += read;
            }
        }
        return Sha256Digest.FromBytes(_hash.GetHashAndReset());
    }

    /// <summary>Flushes the bytes to disk, releases the file and moves it to <paramref name="target"/>; the state goes.</summary>
    public void Complete(string target)
    {
        _file.Flush(flushToDisk: true);
        var path = _path;
        _file.Dispose();
        // The file opened was a regular one; a link put in its place since is not moved into the cache.
        if (FileKinds.Of(path) != FileKind.Regular) throw new IOException($"'{path}' is no longer the regular file written");
        // Another process may have moved the same bytes into place first: replacing them is harmless.
        File.Move(path, target, overwrite: true);
        if (_statePath is not null) File.Delete(_statePath);
    }

    /// <summary>Whether some chunk is complete: only then is the partial file worth keeping for a later attempt.</summary>
    public bool HasCompleteChunks
    {
        get
        {
            lock (_lock) return _done.Any(d => d);
        }
    }

    /// <summary>Forgets everything: closes and deletes the bytes and the state (after a digest mismatch, or when nothing was kept).</summary>
    public void Discard()
    {
        _closed.Cancel();
        var path = _path;
        _file.Dispose();
        File.Delete(path);
        if (_statePath is not null) File.Delete(_statePath);
    }

    public void Dispose()
    {
        _closed.Cancel();
        _file.Dispose();
        // A private file is never resumed (no state names it): it goes unless Complete moved it away.
        if (_statePath is null) File.Delete(_path);
        if (_hashing is null || _hashing.IsCompleted) _hash.Dispose();
        _closed.Dispose();
    }
}
