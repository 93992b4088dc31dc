using System.Text;
using Microsoft.Win32.SafeHandles;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Deployments;

/// <summary>
/// A <c>.packster</c> file whose name parsed, whose bytes hash to the sha256 in that name, and whose manifest (read
/// without inflating the payload) names the same id and version. Nothing is trusted before all three hold.
/// </summary>
/// <remarks>
/// <see cref="Checked"/> says how much of that was proven when the file was opened: the installer may leave the hash
/// to its verified copy under the location lock (spec/package-format.md §1), which reads the file once instead of twice.
/// </remarks>
public sealed record PackageFile(string Path, PackageFileName Name, Manifest.Manifest Manifest, byte[] ManifestBytes)
{
    /// <summary>How the file was proven when it was opened; whoever reads more than its manifest must hash it unless <see cref="PackageCheck.Hashed"/>.</summary>
    public PackageCheck Checked { get; init; } = PackageCheck.Hashed;

    /// <summary>Checks, in this order: the file exists, its name parses, its SHA-256 matches the name, its manifest is valid and agrees with the name.</summary>
    public static PackageFile Open(string path) => Open(path, null);

    /// <summary>
    /// PST1001 when <paramref name="path"/>, links followed, is a FIFO, a socket or a device: it is never opened, since
    /// opening a FIFO waits for a writer that may never come and a device's bytes never end.
    /// </summary>
    public static void RequireRegularFile(string path)
    {
        var kind = FileKinds.OfTarget(path);
        if (kind is FileKind.Regular or FileKind.Missing or FileKind.Directory) return;
        throw new PacksterException(ErrorCode.InvalidArgument, $"package file '{path}' is {kind.Describe()}, not a regular file",
            "a package is a regular .packster file, as 'packster pack' writes it");
    }

    /// <summary>
    /// As <see cref="Open(string)"/>, except that when <paramref name="vouchedManifest"/> knows the SHA-256 of the
    /// manifest of the package the name says (a store that can deploy that package alone, without its payload) and the
    /// file's manifest hashes to it, the file is not hashed whole; and with <paramref name="deferHash"/> it is not hashed
    /// whole at all when its manifest leads it and passes every other check. Either way, whoever reads more than the
    /// manifest from it must verify it first (<see cref="RequireHash"/>), as the installer's copy under the lock always does.
    /// </summary>
    public static PackageFile Open(string path, Func<Sha256Digest, Sha256Digest?>? vouchedManifest, bool deferHash = false)
    {
        var full = ExistingFile(path, "to install a package, pass the .packster file that 'packster pack' wrote");
        var name = PackageFileName.Parse(System.IO.Path.GetFileName(full));
        var vouched = vouchedManifest?.Invoke(name.Sha256);
        if (vouched is not null || deferHash)
        {
            // Anything else — not the package the store knows, a manifest that does not lead the file or fails its
            // checks — is judged by the full check below, whose checksum error comes first.
            if (PackageArchive.TryReadLeadingManifest(full) is { } bytes)
            {
                if (vouched is { } v && Sha256Digest.Compute(bytes) == v) return Read(full, name, bytes) with { Checked = PackageCheck.ManifestVouched };
                if (deferHash)
                {
                    try
                    {
                        return Read(full, name, bytes) with { Checked = PackageCheck.Deferred };
                    }
                    catch (PacksterException)
                    {
                    }
                }
            }
        }
        return OpenHashed(full, name, Sha256Digest.ComputeFile);
    }

    /// <summary>
    /// As <see cref="Open(string)"/>, for the file at <paramref name="path"/> taken to be the package
    /// <paramref name="name"/> says (a download not yet renamed to it), its whole-file SHA-256 computed by
    /// <paramref name="hash"/> on the handle its manifest is then read from: for a caller that takes other digests of
    /// the same bytes in the same pass (publishing to Artifactory sends SHA-1 and MD5 too).
    /// </summary>
    public static PackageFile Open(string path, PackageFileName name, Func<SafeFileHandle, Sha256Digest> hash)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(hash);
        return OpenHashed(ExistingFile(path, "pass the .packster file that 'packster pack' wrote"), name, hash);
    }

    /// <summary>
    /// The full path of <paramref name="path"/>, a regular file once links are followed: a directory is refused with
    /// <paramref name="directoryHint"/>, a missing file is PathNotFound, anything else is <see cref="RequireRegularFile"/>'s.
    /// </summary>
    private static string ExistingFile(string path, string directoryHint)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new PacksterException(ErrorCode.InvalidArgument, $"'{full}' is a directory, not a package file", directoryHint);
        if (!File.Exists(full)) throw new PacksterException(ErrorCode.PathNotFound, $"package file '{full}' does not exist");
        RequireRegularFile(full);
        return full;
    }

    private static PackageFile OpenHashed(string full, PackageFileName name, Func<SafeFileHandle, Sha256Digest> hash)
    {
        // One open for the hash and the manifest: a file swapped at the path in between cannot mix the two. (The
        // installer copies and hashes again under the location lock before extracting; see Installer.)
        byte[] manifestBytes;
        using (var archive = PackageArchive.Open(full, ExtractionLimits.Default.MaxEntries, handle =>
               {
                   var actual = hash(handle);
                   if (actual != name.Sha256) throw Mismatch(name, actual);
               }))
        {
            manifestBytes = archive.ReadManifestBytes();
        }
        return Read(full, name, manifestBytes);
    }

    /// <summary>Hashes the file unless it was hashed when opened; throws PST4001 when the bytes are not the ones its name says.</summary>
    public void RequireHash()
    {
        if (Checked == PackageCheck.Hashed) return;
        var actual = Sha256Digest.ComputeFile(Path);
        if (actual != Name.Sha256) throw Mismatch(Name, actual);
    }

    /// <summary>PST4001 for a file whose bytes hash to <paramref name="actual"/> instead of the sha256 its name says.</summary>
    public static PacksterException Mismatch(PackageFileName name, Sha256Digest actual)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new PacksterException(ErrorCode.ChecksumMismatch,
            $"checksum mismatch for '{name.FileName}': its name says sha256 {name.Sha256}, its content hashes to {actual}",
            "the file was altered or truncated after it was packed; fetch it again");
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

/// <summary>How much of a package file <see cref="PackageFile.Open(string, Func{Sha256Digest, Sha256Digest?}?, bool)"/> proved.</summary>
public enum PackageCheck
{
    /// <summary>The whole file hashed to its name's sha256.</summary>
    Hashed,

    /// <summary>Only the manifest was read, and it hashed to the one the location's store recorded for that package.</summary>
    ManifestVouched,

    /// <summary>Only the manifest was read; the whole-file hash is left to whoever reads the payload.</summary>
    Deferred,
}
