using Packster.Model;

namespace Packster.Sources.Installation;

/// <summary>The errors of install by id and bundles (spec/errors.md §8xxx), one factory each.</summary>
public static class InstallErrors
{
    public static PacksterException Cycle(IReadOnlyList<PackageId> cycle) =>
        new(ErrorCode.DependencyCycle, $"dependency cycle: {string.Join(" -> ", cycle)}",
            "nothing was installed; remove one of these [dependencies] entries");

    public static PacksterException InvalidRequest(string text, string why) =>
        new(ErrorCode.InvalidPackageId, $"'{text}' is not a package id: {why}", "write <id> or <id>@<range>, e.g. hello@^1.2");

    public static PacksterException InvalidRange(string range, string text, string why) =>
        new(ErrorCode.InvalidVersionRange, $"'{range}' in '{text}' is not a version range: {why}",
            "ranges: 1.2.3, ^1.2, ~1.2.3, >=1.0 <2.0, 1.*, [1.0,2.0), latest");

    public static PacksterException BundleFileInvalid(string path, Toml.TomlPosition position, string message) =>
        new(ErrorCode.BundleFileInvalid, $"{path}:{position}: {message}", "see spec/bundle.md for the bundle file format");

    /// <summary>
    /// PST8013: <paramref name="bundlePath"/> differs from the pins of <paramref name="pinsPath"/>. <paramref name="target"/>:
    /// the location installed into, whose own lockfile a run without --locked updates; when the pins are another
    /// lockfile's (<c>--lockfile</c>), that run would not change them, so the hint says to resolve where they come from.
    /// </summary>
    public static PacksterException LockMismatch(string bundlePath, string pinsPath, Locations.Location target, string what) =>
        new(ErrorCode.BundleLockMismatch, $"{bundlePath} does not match {pinsPath}: {what}", Reresolve(bundlePath, pinsPath, target));

    public static PacksterException PinnedDeploymentDiffers(PackageId id, Sha256Digest actual, Sha256Digest pinned, string bundlePath, string pinsPath, Locations.Location target) =>
        new(ErrorCode.BundleLockMismatch, $"'{id}' deployed as {actual} but the lockfile {pinsPath} pins deployment {pinned}",
            "the same package file and parameters must give the same deployment; " + Reresolve(bundlePath, pinsPath, target));

    private static string Reresolve(string bundlePath, string pinsPath, Locations.Location target) =>
        string.Equals(Path.GetFullPath(pinsPath), Path.GetFullPath(target.LockfilePath), StringComparison.Ordinal)
            ? "run 'packster bundle install' without --locked to resolve the bundle again and update the lockfile"
            : $"{pinsPath} is another location's lockfile, which this command only reads: resolve the bundle there "
                + $"('packster bundle install {bundlePath} --location {Path.GetDirectoryName(Path.GetFullPath(pinsPath))}'), then run this again "
                + $"(without --locked, the bundle would be resolved anew for location {target.Id}, and that lockfile left as it is)";
}
