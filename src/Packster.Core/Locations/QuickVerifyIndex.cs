using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Packster.Model;

namespace Packster.Locations;

/// <summary>
/// What <c>verify --quick</c> remembers of one deployment (spec/lockfile.md § Quick verify): per file, the size and
/// modification time it had when it was last proven equal to its record, the XXH128 of those bytes, and the SHA-256
/// the record held then. It is a cache, never an authority: an entry counts only while the record still names the
/// same SHA-256, a file whose size or time moved is read again, and a missing or unreadable index means "read
/// everything", exactly as <c>verify</c> does.
/// </summary>
internal static class QuickVerifyIndex
{
    private const string Header = "packster-verify-index 1";

    /// <summary>One remembered file; <see cref="ModifiedTicks"/> is the UTC last-write time in 100 ns ticks.</summary>
    public sealed record Entry(string Path, Sha256Digest Sha256, long Size, long ModifiedTicks, UInt128 XxHash128);

    /// <summary>The entries of <paramref name="indexFile"/> by path; empty when there is none or it does not parse.</summary>
    public static Dictionary<string, Entry> Read(string indexFile)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(indexFile, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return entries;
        }
        if (lines.Length == 0 || lines[0] != Header) return entries;
        foreach (var line in lines.AsSpan(1))
        {
            // sha256 \t xxh128 \t size \t ticks \t path (the path last: it is the only field that may hold a tab)
            var parts = line.Split('\t', 5);
            if (parts.Length != 5
                || !Sha256Digest.TryParse(parts[0], out var sha)
                || !UInt128.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var xx)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return new Dictionary<string, Entry>(StringComparer.Ordinal);
            }
            entries[parts[4]] = new Entry(parts[4], sha, size, ticks, xx);
        }
        return entries;
    }

    /// <summary>Replaces the index atomically; false when it cannot be written (the next quick run then reads more).</summary>
    public static bool TryWrite(string indexFile, IEnumerable<Entry> entries)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var e in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            if (e.Path.Contains('\n', StringComparison.Ordinal)) continue;
            text.Append(e.Sha256.Hex).Append('\t')
                .Append(e.XxHash128.ToString("x32", CultureInfo.InvariantCulture)).Append('\t')
                .Append(e.Size.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(e.ModifiedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(e.Path).Append('\n');
        }
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(indexFile)!);
            Location.RefuseLink(System.IO.Path.GetDirectoryName(indexFile)!);
            AtomicFile.WriteAllText(indexFile, text.ToString());
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PacksterException)
        {
            return false;
        }
    }

    /// <summary>XXH128 of the whole file.</summary>
    public static UInt128 XxHash(string path)
    {
        var hash = new XxHash128();
        Read(path, chunk => hash.Append(chunk));
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>SHA-256 and XXH128 of the whole file in one read.</summary>
    public static (Sha256Digest Sha256, UInt128 XxHash128) BothHashes(string path)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var xx = new XxHash128();
        Read(path, chunk =>
        {
            sha.AppendData(chunk);
            xx.Append(chunk);
        });
        return (Sha256Digest.FromBytes(sha.GetHashAndReset()), xx.GetCurrentHashAsUInt128());
    }

    private delegate void ChunkAction(ReadOnlySpan<byte> chunk);

    private static void Read(string path, ChunkAction each)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) each(buffer.AsSpan(0, read));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
