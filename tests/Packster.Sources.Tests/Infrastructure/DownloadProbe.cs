using Packster.Model;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>
/// Counts the bytes a source has written to its destination so a test server can wait until the client really holds
/// the bytes it sent before it breaks the connection (synchronisation without sleeping).
/// </summary>
public sealed class DownloadProbe
{
    private readonly object _lock = new();
    private readonly List<(long Count, TaskCompletionSource Done)> _waiters = [];
    private long _written;

    public long Written
    {
        get
        {
            lock (_lock) return _written;
        }
    }

    public Task WhenWrittenAsync(long count)
    {
        lock (_lock)
        {
            if (_written >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    private void Add(int count)
    {
        lock (_lock)
        {
            _written += count;
            foreach (var w in _waiters.Where(w => w.Count <= _written).ToList())
            {
                _waiters.Remove(w);
                w.Done.SetResult();
            }
        }
    }

    public IPackageSource Wrap(IPackageSource inner) => new ProbedSource(inner, this);

    private sealed class ProbedSource(IPackageSource inner, DownloadProbe probe) : IPackageSource
    {
        public string Name => inner.Name;
        public int Priority => inner.Priority;
        public bool CanPublish => inner.CanPublish;
        public Task<IReadOnlyList<PackageEntry>> SearchAsync(string pattern, CancellationToken cancellationToken = default) => inner.SearchAsync(pattern, cancellationToken);
        public Task<IReadOnlyList<PackageEntry>> ListVersionsAsync(PackageId id, CancellationToken cancellationToken = default) => inner.ListVersionsAsync(id, cancellationToken);
        public Task<PublishResult> PublishAsync(string path, CancellationToken cancellationToken = default) => inner.PublishAsync(path, cancellationToken);
        public Task FetchAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default) =>
            inner.FetchAsync(file, new CountingStream(destination, probe), cancellationToken);
    }

    private sealed class CountingStream(Stream inner, DownloadProbe probe) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            probe.Add(count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            probe.Add(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
