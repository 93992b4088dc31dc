using System.Diagnostics.CodeAnalysis;

namespace Packster.Model;

/// <summary>
/// <c>{id}-{version}-{sha256}.packster</c>. The id never holds '-' followed by a digit, so the version starts at the
/// first "-&lt;digit&gt;"; a name with no such place must end in "-latest". The sha256 is of the whole file's bytes.
/// </summary>
public sealed record PackageFileName(PackageId Id, PackageVersion Version, Sha256Digest Sha256)
{
    public const string Extension = ".packster";

    // Get-only, so that no `with` can make a name whose FileName is another's.
    public PackageId Id { get; } = Id;
    public PackageVersion Version { get; } = Version;
    public Sha256Digest Sha256 { get; } = Sha256;

    /// <summary>Made once: a lockfile of 1,000 deployments wrote it 1,000 times per commit.</summary>
    public string FileName { get; } = $"{Id}-{Version}-{Sha256}{Extension}";

    public override string ToString() => FileName;

    public static PackageFileName Parse(string fileName) =>
        TryParse(fileName, out var name) ? name : throw new PacksterException(ErrorCode.PackageFileNameInvalid,
            $"'{Packaging.ArchiveErrors.Printable(fileName)}' is not a package file name",
            "package files are named {id}-{version}-{sha256}.packster, as 'packster pack' writes them");

    public static bool TryParse(string? fileName, [NotNullWhen(true)] out PackageFileName? name)
    {
        name = null;
        if (fileName is null || !fileName.EndsWith(Extension, StringComparison.Ordinal)) return false;
        var stem = fileName.AsSpan(0, fileName.Length - Extension.Length);
        var lastDash = stem.LastIndexOf('-');
        if (lastDash < 0 || !Sha256Digest.TryParse(stem[(lastDash + 1)..].ToString(), out var sha)) return false;
        var idAndVersion = stem[..lastDash].ToString();

        string idText, versionText;
        var split = FirstDashDigit(idAndVersion);
        if (split >= 0)
        {
            idText = idAndVersion[..split];
            versionText = idAndVersion[(split + 1)..];
        }
        else
        {
            const string latestSuffix = "-" + PackageVersion.LatestText;
            if (!idAndVersion.EndsWith(latestSuffix, StringComparison.Ordinal)) return false;
            idText = idAndVersion[..^latestSuffix.Length];
            versionText = PackageVersion.LatestText;
        }

        if (!PackageId.TryParse(idText, out var id) || !PackageVersion.TryParse(versionText, out var version)) return false;
        name = new PackageFileName(id, version, sha);
        return name.FileName == fileName;
    }

    private static int FirstDashDigit(string s)
    {
        for (var i = 0; i + 1 < s.Length; i++)
        {
            if (s[i] == '-' && char.IsAsciiDigit(s[i + 1])) return i;
        }
        return -1;
    }
}
