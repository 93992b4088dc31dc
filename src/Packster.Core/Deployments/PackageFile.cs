using System.Text;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Deployments;

/// <summary>
/// A <c>.packster</c> file whose name parsed, whose bytes hash to the sha256 in that name, and whose manifest (read
/// without inflating the payload) names the same id and version. Nothing is trusted before all three hold.
/// </summary>
public sealed record PackageFile(string Path, PackageFileName Name, Manifest.Manifest Manifest, byte[] ManifestBytes)
{
    /// <summary>Checks, in this order: the file exists, its name parses, its SHA-256 matches the name, its manifest is valid and agrees with the name.</summary>
    public static PackageFile Open(string path) => Open(path, null);

    /// <summary>
    /// As <see cref="Open(string)"/>, except that when <paramref name="vouchedManifest"/> knows the SHA-256 of the
    /// manifest of the package the name says (a store that can deploy that package alone, without its payload) and the
    /// file's manifest hashes to it, the file is not hashed whole: whoever reads more than the manifest from it must
    /// verify it first, as the installer's copy under the lock always does.
    /// </summary>
    public static PackageFile Open(string path, Func<Sha256Digest, Sha256Digest?>? vouchedManifest)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new PacksterException(ErrorCode.InvalidArgument, $"'{full}' is a directory, not a package file",
            "to install a package, pass the .packster file that 'packster pack' wrote");
        if (!File.Exists(full)) throw new PacksterException(ErrorCode.PathNotFound, $"package file '{full}' does not exist");

        var name = PackageFileName.Parse(System.IO.Path.GetFileName(full));
        if (vouchedManifest?.Invoke(name.Sha256) is { } vouched)
        {
            // Anything else — not the package the store knows, or damaged — is judged by the full check below, with its own error.
            if (PackageArchive.TryReadLeadingManifest(full) is { } bytes && Sha256Digest.Compute(bytes) == vouched)
            {
                return Read(full, name, bytes);
            }
        }
        // One open for the hash and the manifest: a file swapped at the path in between cannot mix the two. (The
        // installer copies and hashes again under the location lock before extracting; see Installer.)
        byte[] manifestBytes;
        using (var archive = PackageArchive.Open(full, ExtractionLimits.Default.MaxEntries, handle =>
               {
                   var actual = Sha256Digest.ComputeFile(handle);
                   if (actual != name.Sha256)
                   {
                       throw new PacksterException(ErrorCode.ChecksumMismatch,
                           $"checksum mismatch for '{name.FileName}': its name says sha256 {name.Sha256}, its content hashes to {actual}",
                           "the file was altered or truncated after it was packed; fetch it again");
                   }
               }))
        {
            manifestBytes = archive.ReadManifestBytes();
        }
        return Read(full, name, manifestBytes);
    }

    private static PackageFile Read(string full, PackageFileName name, byte[] manifestBytes)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(manifestBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new PacksterException(ErrorCode.ManifestInvalid, $"{name.FileName}!{Packster.Manifest.Manifest.FileName}: the manifest is not valid UTF-8");
        }
        var manifest = Packster.Manifest.ManifestReader.Parse(text, $"{name.FileName}!{Packster.Manifest.Manifest.FileName}");
        if (manifest.Id != name.Id || manifest.Version != name.Version)
        {
            throw new PacksterException(ErrorCode.PackageFileNameInvalid,
                $"'{name.FileName}' is named {name.Id} {name.Version} but its manifest says {manifest.Id} {manifest.Version}",
                "package files must keep the name 'packster pack' gave them");
        }
        return new PackageFile(full, name, manifest, manifestBytes);
    }
}
