using Packster.Model;
using Packster.Trust;

namespace Packster.Sources;

/// <summary>
/// Where packages come from. Every source can search, list versions and fetch; <see cref="CanPublish"/> says whether
/// it can also receive packages. Fetch writes the bytes the source sent; verification is the caller's job
/// (<see cref="Cache.PackageCache"/> does it), so a source never needs to buffer a whole package.
/// </summary>
public interface IPackageSource
{
    /// <summary>The configured name, used in every message.</summary>
    string Name { get; }

    /// <summary>Lower is consulted first and wins ties between equal versions.</summary>
    int Priority { get; }

    bool CanPublish { get; }

    /// <summary>Every package file whose id matches <paramref name="pattern"/> (see <see cref="IdPattern"/>).</summary>
    Task<IReadOnlyList<PackageEntry>> SearchAsync(string pattern, CancellationToken cancellationToken = default);

    /// <summary>Every package file of exactly <paramref name="id"/>; empty when the source has none.</summary>
    Task<IReadOnlyList<PackageEntry>> ListVersionsAsync(PackageId id, CancellationToken cancellationToken = default);

    /// <summary>Copies the file's bytes, as served, into <paramref name="destination"/>.</summary>
    Task FetchAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>
    /// Downloads the file into <paramref name="target"/> in byte ranges, several at once, skipping the chunks an
    /// interrupted attempt completed (spec/sources.md §4 "Ranged downloads"); false, with nothing written, when this
    /// source or its server cannot: the caller then uses <see cref="FetchAsync"/>. Verification is the caller's job.
    /// </summary>
    Task<bool> FetchRangesAsync(PackageFileName file, Cache.PartialDownload target, CancellationToken cancellationToken = default) => Task.FromResult(false);

    /// <summary>
    /// Stores a package file after opening it as a package (<see cref="PackageFileCheck.VerifyPackage"/>: its bytes match
    /// the sha256 in its name, its manifest the id and version), and the detached signature
    /// <c>&lt;file&gt;.sig</c> beside it when there is one (spec/signing.md § Transport).
    /// </summary>
    Task<PublishResult> PublishAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Whether publishing here sends the SHA-1 and MD5 of a package (Artifactory's checksum headers), besides its SHA-256.</summary>
    internal bool PublishesSha1AndMd5 => false;

    /// <summary>
    /// As <see cref="PublishAsync(string, CancellationToken)"/>, for a file this process has just opened as a package
    /// (<paramref name="verified"/> is what <see cref="PackageFileCheck.VerifyPackage"/> found): a mirror's download,
    /// judged before the cache kept it, is not read and hashed once more before it is sent.
    /// </summary>
    internal Task<PublishResult> PublishVerifiedAsync(string path, PackageFileCheck verified, CancellationToken cancellationToken) =>
        PublishAsync(path, cancellationToken);

    /// <summary>
    /// Copies the detached signature of <paramref name="file"/> (at most <see cref="PackageSignature.MaxSize"/>
    /// bytes) into <paramref name="destination"/>; false when the source holds none. The caller verifies it.
    /// </summary>
    Task<bool> FetchSignatureAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default) => Task.FromResult(false);

    /// <summary>The source's own trust rules (<c>signatures</c>, <c>trusted-keys</c> of its config table); empty when it sets none.</summary>
    IReadOnlyList<TrustRules> SignatureRules => [];
}
