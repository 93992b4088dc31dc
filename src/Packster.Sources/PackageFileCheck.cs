using System.Security.Cryptography;
using Packster.Model;

namespace Packster.Sources;

/// <summary>
/// The digests of a local package file, computed in one pass; <see cref="Verify"/> proves the bytes match the name. SHA-1
/// and MD5 are what Artifactory's checksum headers carry, and only made for it: null when not asked for.
/// </summary>
internal sealed record PackageFileCheck(PackageFileName Name, long Size, Sha256Digest Sha256, string? Sha1, string? Md5)
{
    /// <summary>
    /// Parses the file name and hashes the bytes; a mismatch with the name's sha256 is <see cref="ErrorCode.ChecksumMismatch"/>.
    /// Proves nothing about what the bytes are: what is published must pass <see cref="VerifyPackage"/>.
    /// </summary>
    public static PackageFileCheck Verify(string path)
    {
        if (!File.Exists(path)) throw new PacksterException(ErrorCode.PathNotFound, $"package file '{path}' does not exist");
        Deployments.PackageFile.RequireRegularFile(path);
        var name = PackageFileName.Parse(System.IO.Path.GetFileName(path));
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        return Hash(handle, name, path);
    }

    /// <summary>
    /// What every publish checks before anything is sent, whatever the source (spec/sources.md: "verify name and bytes
    /// locally"), and a mirror before a download is kept: the file opens as a package as <c>install-file</c> opens it —
    /// its name parses (PST4000), its bytes hash to the name's sha256 (PST4001), it is a package archive (PST4002,
    /// PST4008, PST4018, …) whose manifest is valid and names the id and version the file name does (PST4000).
    /// </summary>
    /// <param name="path">The package file.</param>
    /// <param name="sha1AndMd5">Whether to make <see cref="Sha1"/> and <see cref="Md5"/> too (for Artifactory): at several
    /// hundred MB a second, MD5 is the slowest pass over the bytes, and a folder or a registry has no use for either.</param>
    public static PackageFileCheck VerifyPackage(string path, bool sha1AndMd5 = true)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new PacksterException(ErrorCode.PathNotFound, $"package file '{path}' does not exist");
        var name = PackageFileName.Parse(System.IO.Path.GetFileName(path));
        PackageFileCheck? check = null;
        Deployments.PackageFile.Open(path, name, handle =>
        {
            check = Hash(handle, name, path, sha1AndMd5);
            return check.Sha256;
        });
        return check!;
    }

    private static PackageFileCheck Hash(Microsoft.Win32.SafeHandles.SafeFileHandle handle, PackageFileName name, string path, bool sha1AndMd5 = true)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
#pragma warning disable CA5350, CA5351 // SHA-1 and MD5 are what Artifactory's checksum headers carry; integrity rests on SHA-256.
        using var sha1 = sha1AndMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
        using var md5 = sha1AndMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
#pragma warning restore CA5350, CA5351
        long size = 0;
        var buffer = new byte[1 << 16];
        int read;
        while ((read = RandomAccess.Read(handle, buffer, size)) > 0)
        {
            sha256.AppendData(buffer, 0, read);
            sha1?.AppendData(buffer, 0, read);
            md5?.AppendData(buffer, 0, read);
            size += read;
        }
        var actual = Sha256Digest.FromBytes(sha256.GetHashAndReset());
        if (actual != name.Sha256) throw SourceErrors.ChecksumMismatch($"package file '{path}'", name.Sha256, actual, " (the sha256 in its name)");
        return new PackageFileCheck(name, size, actual, sha1 is null ? null : Convert.ToHexStringLower(sha1.GetHashAndReset()),
            md5 is null ? null : Convert.ToHexStringLower(md5.GetHashAndReset()));
    }

    /// <summary>The three checksum headers Artifactory takes, for a small file sent from memory (a signature).</summary>
    public static void AddChecksumHeaders(System.Net.Http.Headers.HttpRequestHeaders headers, byte[] bytes)
    {
        headers.Add("X-Checksum-Sha256", Convert.ToHexStringLower(SHA256.HashData(bytes)));
#pragma warning disable CA5350, CA5351 // as above
        headers.Add("X-Checksum-Sha1", Convert.ToHexStringLower(SHA1.HashData(bytes)));
        headers.Add("X-Checksum-Md5", Convert.ToHexStringLower(MD5.HashData(bytes)));
#pragma warning restore CA5350, CA5351
    }
}
