namespace Packster.Packaging;

/// <summary>
/// Reads the members of one solid run (spec/package-format.md § Solid runs) front to back. The members' data, one
/// after the other, is one zstd frame; each member is the next <see cref="PackageEntry.Size"/> bytes it decodes to,
/// checked against the member's CRC-32, and the frame must end with the last member. A member's data is opened only
/// when the decoder reaches it, so data that arrives front to back is awaited piece by piece.
/// </summary>
internal sealed class SolidRunReader : IDisposable
{
    private readonly IReadOnlyList<PackageEntry> _members;
    private readonly string _archive;
    private readonly Stream _zstd;
    private int _next;

    /// <param name="members">The run's members in order, first to last.</param>
    /// <param name="openRaw">Opens the compressed data of the member at that position in <paramref name="members"/>.</param>
    /// <param name="archive">The archive's name, for error messages.</param>
    public SolidRunReader(IReadOnlyList<PackageEntry> members, Func<int, Stream> openRaw, string archive)
    {
        _members = members;
        _archive = archive;
        _zstd = EntryDataStream.OpenZstd(new MembersStream(members.Count, openRaw), long.MaxValue, members.Select(m => m.Size));
    }

    /// <summary>The index of the run's first member.</summary>
    public int Start => _members[0].Index;

    /// <summary>The member the next call to <see cref="Next"/> reads.</summary>
    public PackageEntry Upcoming => _members[_next];

    /// <summary>The next member's bytes; the member before it must have been read to its end first.</summary>
    public Stream Next(IDisposable? owner = null)
    {
        var member = _members[_next];
        var last = ++_next == _members.Count;
        return new EntryDataStream(_zstd, member, _archive, last, owner);
    }

    /// <summary>Reads the next member to its end without keeping its bytes (its size and CRC-32 are still checked).</summary>
    public void Skip()
    {
        using var data = Next();
        data.CopyTo(Stream.Null);
    }

    public void Dispose() => _zstd.Dispose();

    /// <summary>The members' compressed data as one stream, each member's opened once the one before it is exhausted.</summary>
    private sealed class MembersStream(int count, Func<int, Stream> openRaw) : ReadOnlyStream
    {
        private Stream? _current;
        private int _opened;

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty) return 0;
            while (true)
            {
                if (_current is null)
                {
                    if (_opened == count) return 0;
                    _current = openRaw(_opened++);
                }
                var read = _current.Read(buffer);
                if (read > 0) return read;
                _current.Dispose();
                _current = null;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _current?.Dispose();
            base.Dispose(disposing);
        }
    }
}
