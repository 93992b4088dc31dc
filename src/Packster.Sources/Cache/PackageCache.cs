using System.Security.Cryptography;
using Packster.Model;

namespace Packster.Sources.Cache;

/// <summary>
/// The download cache, content-addressed by sha256: <c>{root}/sha256/{first two hex}/{file name}</c>. A file appears
/// there only after its bytes hashed to the sha256 in its name (hashing happens while downloading, into a temp file
/// in <c>{root}/tmp</c>, then an atomic rename), so a present entry is always complete and verified.
/// </summary>
public sealed class PackageCache
{
    public PackageCache(string root) => Root = Path.GetFullPath(root);

    public string Root { get; }

    /// <summary>Bytes received so far by the download under way (total unknown: reported as 0), for progress bars.</summary>
    public IProgress<(long Done, long Total)>? DownloadProgress { get; init; }

    /// <summary>Where <paramref name="file"/> lives in the cache (whether or not it is there).</summary>
    public string PathOf(PackageFileName file) => Path.Combine(Root, "sha256", file.Sha256.Hex[..2], file.FileName);

    public bool Contains(PackageFileName file) => File.Exists(PathOf(file));

    /// <summary>Whether <paramref name="path"/> is a file of this cache.</summary>
    public bool Holds(string path) => Path.GetFullPath(path).StartsWith(Path.Join(Root, "sha256") + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Takes <paramref name="file"/> and its signature out of the cache (a file it must not hold).</summary>
    public void Remove(PackageFileName file)
    {
        File.Delete(PathOf(file));
        File.Delete(SignaturePathOf(file));
    }

    /// <summary>Where the detached signature of <paramref name="file"/> is kept: beside it, as the installer looks for it.</summary>
    public string SignaturePathOf(PackageFileName file) => PathOf(file) + Trust.PackageSignature.Extension;

    /// <summary>The name the cache has when it serves as a source (offline resolution).</summary>
    public const string SourceName = "cache";

    /// <summary>
    /// The trust rules a file taken from the cache is held to. The cache does not remember which source a file came
    /// from, so these are all the configured sources' rules at once (see <see cref="PackageAcquisition.Combined"/>).
    /// </summary>
    public IReadOnlyList<Trust.TrustRules> SignatureRules { get; init; } = [];

    /// <summary>The cached files as a read-only source: what <c>--offline</c> can resolve among.</summary>
    public IPackageSource AsSource() =>
        new FolderSource(SourceName, Path.Combine(Root, "sha256"), int.MinValue, canPublish: false, SignatureRules) { MissingFolderIsEmpty = true };

    /// <summary>
    /// Fetches the detached signature of a cached <paramref name="file"/> from <paramref name="source"/> and keeps it
    /// beside the file, replacing an older one (a key may have been rotated); false, keeping what is there, when the
    /// source has none. The bytes are not judged here: the installer checks them against the trust policy. With
    /// <paramref name="requireSigns"/> (a mirror, which publishes them), a file that is not a signature of exactly this
    /// package is PST4031 and is not kept.
    /// </summary>
    public async Task<bool> FetchSignatureAsync(PackageFileName file, IPackageSource source, bool requireSigns = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var buffer = new MemoryStream();
        if (!await source.FetchSignatureAsync(file, buffer, cancellationToken)) return false;
        if (buffer.Length > Trust.PackageSignature.MaxSize)
            throw SourceErrors.Protocol(source.Name, $"signature of {file.FileName}", $"{buffer.Length} bytes; a signature file is at most {Trust.PackageSignature.MaxSize}");
        if (requireSigns) Trust.PackageSignature.RequireSigns(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), file, $"{file.FileName}{Trust.PackageSignature.Extension} from source '{source.Name}'");
        var target = SignaturePathOf(file);
        CreateFolder(Path.GetDirectoryName(target)!);
        AtomicFile.Write(target, buffer.ToArray());
        return true;
    }

    /// <summary>
    /// Returns the cached file's path, downloading it from <paramref name="source"/> first when absent. A download whose
    /// bytes do not hash to the name's sha256 is deleted and reported as <see cref="ErrorCode.ChecksumMismatch"/> naming
    /// both hashes. With <paramref name="offline"/> a miss is <see cref="ErrorCode.OfflineCacheMiss"/>. With
    /// <paramref name="accept"/>, a download is also judged by it (given the file under its own name, outside the
    /// cache) before it is kept: one it throws for is deleted, so the cache never holds it.
    /// </summary>
    public async Task<string> GetOrFetchAsync(PackageFileName file, IPackageSource source, bool offline = false, Action<string>? accept = null,
        CancellationToken cancellationToken = default)
    {
        var target = PathOf(file);
        if (File.Exists(target)) return target;
        if (offline) throw SourceErrors.OfflineCacheMiss(file.FileName, Root);

        var temps = Path.Combine(Root, "tmp");
        CreateFolder(temps);
        SweepAbandoned(temps);
        CreateFolder(Path.GetDirectoryName(target)!);
        // Ranged first (parallel, resumable); a second round only when bytes kept from an interrupted attempt were bad.
        for (var round = 0; round < 2; round++)
        {
            using var partial = PartialDownload.Open(temps, file, DownloadProgress);
            bool ranged;
            try
            {
                ranged = await source.FetchRangesAsync(file, partial, cancellationToken);
            }
            catch (Exception) when (!partial.HasCompleteChunks)
            {
                // Nothing worth resuming: leave nothing behind.
                partial.Discard();
                throw;
            }
            if (!ranged)
            {
                partial.Discard();
                break;
            }
            var digest = await partial.HashAsync(cancellationToken);
            if (digest == file.Sha256)
            {
                // Another process may have finished the same download first; its bytes are the same by construction.
                Keep(file, target, temps, accept, partial.Complete);
                return target;
            }
            var resumed = partial.Resumed;
            partial.Discard();
            if (!resumed)
                throw SourceErrors.ChecksumMismatch($"{file.FileName} downloaded from source '{source.Name}'", file.Sha256, digest,
                    " (the sha256 in its name); the downloaded bytes were deleted");
        }

        var temp = Path.Combine(temps, $"{file.Sha256.Hex[..16]}-{Guid.NewGuid():N}.partial");
        try
        {
            Sha256Digest actual;
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var hashing = new HashingStream(stream, DownloadProgress))
            {
                await source.FetchAsync(file, hashing, cancellationToken);
                await hashing.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
                actual = hashing.Digest();
            }
            if (actual != file.Sha256)
                throw SourceErrors.ChecksumMismatch($"{file.FileName} downloaded from source '{source.Name}'", file.Sha256, actual,
                    " (the sha256 in its name); the downloaded bytes were deleted");
            // Another process may have finished the same download first; its bytes are the same by construction.
            Keep(file, target, temps, accept, to => File.Move(temp, to, overwrite: true));
            return target;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Creates a folder of the cache; a file (or anything else that is no folder) in its place, or in the place of the
    /// cache's root, is said to be one, not "it already exists" (spec/sources.md §4).
    /// </summary>
    internal static void CreateFolder(string folder) =>
        FileSystemErrors.CreateFolder(folder, "download cache folder", "the download cache must be a folder: move what is there away, or set PACKSTER_CACHE to a folder");

    /// <summary>
    /// Moves a verified download (with <paramref name="moveTo"/>) to <paramref name="target"/>; with
    /// <paramref name="accept"/>, first to a folder of its own under <paramref name="temps"/>, under its own name, where
    /// it is judged: a file refused there is deleted with the folder and never appears in the cache.
    /// </summary>
    private static void Keep(PackageFileName file, string target, string temps, Action<string>? accept, Action<string> moveTo)
    {
        if (accept is null)
        {
            moveTo(target);
            return;
        }
        var folder = Path.Combine(temps, $"{file.Sha256.Hex[..16]}-{Guid.NewGuid():N}{CheckingSuffix}");
        Directory.CreateDirectory(folder);
        try
        {
            var staged = Path.Combine(folder, file.FileName);
            moveTo(staged);
            accept(staged);
            File.Move(staged, target, overwrite: true);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The suffix of the folders <see cref="Keep"/> judges a download in.</summary>
    private const string CheckingSuffix = ".checking";

    /// <summary>
    /// Deletes partial downloads (and their state) left by killed processes and not resumed within a day; a day is far
    /// longer than any live download. A partial file another process holds open is still written, so it is younger.
    /// </summary>
    private static void SweepAbandoned(string tempDirectory)
    {
        var cutoff = DateTime.UtcNow.AddDays(-1);
        foreach (var partial in new DirectoryInfo(tempDirectory).EnumerateFiles("*.partial*"))
        {
            try
            {
                if (partial.LastWriteTimeUtc < cutoff) partial.Delete();
            }
            catch (IOException)
            {
                // Still in use or already gone: either way not ours to worry about.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        foreach (var checking in new DirectoryInfo(tempDirectory).EnumerateDirectories("*" + CheckingSuffix))
        {
            try
            {
                if (checking.LastWriteTimeUtc < cutoff) checking.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>A write-only pass-through that hashes what it forwards, so verifying costs no second read.</summary>
    private sealed class HashingStream(Stream inner, IProgress<(long Done, long Total)>? progress) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _written;

        public Sha256Digest Digest() => Sha256Digest.FromBytes(_hash.GetHashAndReset());

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
            Report(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _hash.AppendData(buffer.Span);
            Report(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        private void Report(int count)
        {
            _written += count;
            progress?.Report((_written, 0));
        }

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
