using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Packster.Model;

/// <summary>A SHA-256 digest, always rendered as 64 lowercase hex characters (what <c>sha256sum</c> prints).</summary>
public readonly record struct Sha256Digest
{
    public const int HexLength = 64;

    private readonly string? _hex;

    private Sha256Digest(string hex) => _hex = hex;

    public string Hex => _hex ?? throw new InvalidOperationException("default Sha256Digest");

    public static Sha256Digest FromBytes(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != SHA256.HashSizeInBytes) throw new ArgumentException("a SHA-256 digest is 32 bytes", nameof(hash));
        return new Sha256Digest(Convert.ToHexStringLower(hash));
    }

    public static Sha256Digest Compute(ReadOnlySpan<byte> data) => FromBytes(SHA256.HashData(data));

    public static Sha256Digest Compute(Stream stream) => FromBytes(SHA256.HashData(stream));

    /// <remarks>
    /// Positional 1 MiB reads into one pooled buffer: <see cref="SHA256.HashData(Stream)"/> over a <see cref="FileStream"/>
    /// took three times as long as <c>sha256sum</c> on a tree of 3,659 files (bench/verify.sh).
    /// </remarks>
    public static Sha256Digest ComputeFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        return ComputeFile(handle);
    }

    /// <summary>Hashes the whole file behind <paramref name="handle"/> with positional reads (its position is untouched).</summary>
    public static Sha256Digest ComputeFile(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // No bigger than the file (and one byte to see its end): a megabyte rented for a small package or lockfile was
        // a fresh large-object array, and the collection that follows too many of them (spec/lockfile.md § Reading and
        // writing a large lockfile, Allocation).
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Clamp(RandomAccess.GetLength(handle) + 1, 4096, 1 << 20));
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                offset += read;
            }
            return FromBytes(hash.GetHashAndReset());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static Sha256Digest Parse(string text) =>
        TryParse(text, out var d) ? d : throw new PacksterException(ErrorCode.InvalidArgument, $"invalid SHA-256 '{text}': expected 64 lowercase hex characters");

    public static bool TryParse([NotNullWhen(true)] string? text, out Sha256Digest digest)
    {
        digest = default;
        if (text is null || text.Length != HexLength || text.AsSpan().ContainsAnyExcept(LowerHexChars)) return false;
        digest = new Sha256Digest(text);
        return true;
    }

    /// <summary>
    /// As <see cref="TryParse(string?, out Sha256Digest)"/>, from the UTF-8 bytes of the text: the text is made only for
    /// a digest (a lockfile of 1,000 deployments, a record of 1,000 files: a string each, then checked, was most of the
    /// cost of reading a hash).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out Sha256Digest digest)
    {
        digest = default;
        if (utf8.Length != HexLength || utf8.ContainsAnyExcept(LowerHexBytes)) return false;
        // Every byte is an ASCII hex digit: one char each.
        digest = new Sha256Digest(System.Text.Encoding.Latin1.GetString(utf8));
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> LowerHexChars = System.Buffers.SearchValues.Create("0123456789abcdef");

    private static readonly System.Buffers.SearchValues<byte> LowerHexBytes = System.Buffers.SearchValues.Create("0123456789abcdef"u8);

    public override string ToString() => Hex;

    public bool Equals(Sha256Digest other) => string.Equals(_hex, other._hex, StringComparison.Ordinal);

    /// <summary>
    /// The first eight hex digits as a number. The text is a digest in lowercase hex (every way in makes it so), so they
    /// are 32 evenly spread bits: a location of 1,000 deployments keys several dictionaries by digest on every command,
    /// and hashing all 64 characters was a tenth of reading its lockfile.
    /// </summary>
    public override int GetHashCode()
    {
        if (_hex is null) return 0;
        var hash = 0;
        // '0'–'9' are 0x30–0x39, 'a'–'f' 0x61–0x66: the low four bits, plus nine for a letter (bit 6 set).
        for (var i = 0; i < 8; i++) hash = (hash << 4) | ((_hex[i] & 0xF) + (9 * (_hex[i] >> 6)));
        return hash;
    }
}
