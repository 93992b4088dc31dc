using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Packster.Model;

namespace Packster.Deployments;

/// <summary>
/// A copy of a package file, made front to back on a thread of its own while it is hashed, into a handle others read
/// as it grows: <see cref="AwaitEnd"/> returns once the bytes a reader needs are written. The SHA-256 is of exactly the
/// bytes written, so a copy whose hash is the package's name holds the package, whatever happens to the file meanwhile
/// (spec/package-format.md §1).
/// </summary>
internal sealed class VerifiedCopy : IDisposable
{
    private const int ChunkSize = 1 << 20;

    private readonly object _gate = new();
    private readonly Thread _thread;
    private long _written;
    private bool _finished;
    private Exception? _failure;
    private Sha256Digest _sha256;

    private VerifiedCopy(string source, SafeFileHandle target, CancellationToken ct)
    {
        Handle = target;
        _thread = new Thread(() => Run(source, ct)) { IsBackground = true, Name = "packster verified copy" };
    }

    /// <summary>The copy, open for reading (and, by the copying thread, for writing).</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>Creates <paramref name="target"/> (which must not exist) and starts copying <paramref name="source"/> into it.</summary>
    public static VerifiedCopy Start(string source, string target, CancellationToken ct)
    {
        var copy = new VerifiedCopy(source, File.OpenHandle(target, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read), ct);
        copy._thread.Start();
        return copy;
    }

    private void Run(string source, CancellationToken ct)
    {
        try
        {
            using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[ChunkSize];
            long offset = 0;
            int read;
            while ((read = input.Read(buffer)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                RandomAccess.Write(Handle, buffer.AsSpan(0, read), offset);
                offset += read;
                lock (_gate)
                {
                    _written = offset;
                    Monitor.PulseAll(_gate);
                }
            }
            var sha256 = Sha256Digest.FromBytes(hash.GetHashAndReset());
            lock (_gate)
            {
                _sha256 = sha256;
                _finished = true;
                Monitor.PulseAll(_gate);
            }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _failure = e;
                _finished = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>
    /// Returns once the copy holds every byte before <paramref name="end"/>, or is complete and shorter (the reader then
    /// meets the end of the file); throws the copy's own failure if it stopped before.
    /// </summary>
    public void AwaitEnd(long end)
    {
        lock (_gate)
        {
            while (_written < end && !_finished) Monitor.Wait(_gate);
            if (_written < end && _failure is not null) ExceptionDispatchInfo.Capture(_failure).Throw();
        }
    }

    /// <summary>Waits for the whole copy and returns its SHA-256; rethrows the copy's failure.</summary>
    public Sha256Digest Finish()
    {
        _thread.Join();
        if (_failure is not null) ExceptionDispatchInfo.Capture(_failure).Throw();
        return _sha256;
    }

    /// <summary>As <see cref="Finish"/>, or null when the copy failed.</summary>
    public Sha256Digest? TryFinish()
    {
        _thread.Join();
        return _failure is null ? _sha256 : null;
    }

    public void Dispose()
    {
        _thread.Join();
        Handle.Dispose();
    }
}
