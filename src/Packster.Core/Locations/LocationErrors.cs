using Packster.Model;

namespace Packster.Locations;

/// <summary>The failures of the Locations area (PST5xxx), one named factory each; spec/errors.md § 5xxx lists them.</summary>
public static class LocationErrors
{
    /// <summary>What to do about a recorded deployment whose folder is gone (spec/lockfile.md § Recovery, step 6).</summary>
    public const string MissingFolderHint =
        "the next command that changes the location drops a deployment whose folder is missing from the lockfile; a plain install brings it back";

    public static PacksterException NotFound(string what, IEnumerable<string> tried) =>
        new(ErrorCode.LocationNotFound, $"no location '{what}': {string.Join("; ", tried)}",
            "create one with 'packster location create <dir>', or 'packster location setup' for the default location");

    public static PacksterException Exists(string path) =>
        new(ErrorCode.LocationExists, $"'{path}' already holds a location ({Lockfile.FileName})",
            "use it as it is, or choose another directory");

    public static PacksterException DirectoryNotEmpty(string path) =>
        new(ErrorCode.LocationDirectoryNotEmpty, $"'{path}' is not empty and is not a location",
            "create a location in a new or empty directory");

    public static PacksterException InvalidId(string text, string why) =>
        new(ErrorCode.LocationIdInvalid, $"invalid location id '{text}': {why}",
            "location ids use lowercase letters, digits, '.', '_' and '-'");

    public static PacksterException IdTaken(LocationId id, string registeredPath, string requestedPath) =>
        new(ErrorCode.LocationIdTaken, $"location id '{id}' is already registered to '{registeredPath}', not '{requestedPath}'",
            "choose another id with --id");

    public static PacksterException LockfileUnreadable(string file, string why, Exception? inner = null) =>
        new(ErrorCode.LockfileUnreadable, $"{file}: {why}",
            "the lockfile was left untouched; restore it from a backup or version control", inner);

    /// <summary>
    /// The file given with <c>bundle install --locked --lockfile</c> is not a lockfile that can be read: the file and the
    /// reason as <paramref name="unreadable"/> says them, and a hint that says so and what the option takes (spec/bundle.md §3).
    /// </summary>
    public static PacksterException PinsUnreadable(PacksterException unreadable, string file) =>
        new(unreadable.Code, unreadable.Message,
            $"'{file}', given with --lockfile, is not a lockfile packster can take pins from: give a location's {Lockfile.FileName}, "
            + "or the location directory holding one; nothing was changed", unreadable);

    /// <summary>A lockfile that parses but breaks <see cref="LockfileInvariants"/>: every broken rule, in one line.</summary>
    public static PacksterException LockfileBroken(string file, IReadOnlyList<string> violations) =>
        new(ErrorCode.LockfileUnreadable,
            $"{file}: {string.Join("; ", violations.Take(3))}{(violations.Count > 3 ? $" (and {violations.Count - 3} more)" : "")}",
            "the lockfile was left untouched; 'packster location repair' fixes it (add --dry-run to see the changes first)");

    public static PacksterException LockfileSchemaUnsupported(string file, string found) =>
        new(ErrorCode.LockfileSchemaUnsupported, $"{file}: schema {found} is not supported (this packster reads schema {Lockfile.Schema}; written by a newer packster?)",
            "upgrade packster to work with this location");

    public static PacksterException LockTimeout(LocationId id, string path, int? holderPid, TimeSpan waited) =>
        new(ErrorCode.LockTimeout,
            $"location '{id}' ({path}) is locked by another packster process{(holderPid is { } p ? $" (pid {p})" : "")}; gave up after {Format(waited)}",
            $"wait for it to finish, or raise {PacksterPaths.LockTimeoutVariable} (seconds)");

    public static PacksterException Inconsistent(string path, string why) =>
        new(ErrorCode.LocationInconsistent, $"location '{path}': {why}",
            "this is a bug in the caller; the lockfile was not written");

    public static PacksterException DeploymentNotFound(string path, Sha256Digest hash) =>
        new(ErrorCode.DeploymentNotFound, $"location '{path}' has no deployment directory '{hash}'");

    /// <summary>
    /// A recorded deployment whose folder is there but whose manifest is missing or no longer valid (changed by hand):
    /// what <c>verify</c> reports as a deployed file that differs from its record, said for the one deployment a command
    /// needed (spec/lockfile.md § Readers). Nothing can be known of it without its manifest, not even its handlers.
    /// </summary>
    /// <param name="orElse">What else restores the location, after the reinstall (", or …"); none when null.</param>
    public static DeploymentDamaged Damaged(LocationId location, DeploymentEntry entry, string why, string? orElse = null) =>
        new($"location {location}: deployment {entry.Id} {entry.Version} ({entry.Hash.Hex[..12]}) is damaged: {why}",
            $"'packster verify' checks the location's deployments; reinstall {entry.Id} {entry.Version} with --force to restore it{orElse}");

    /// <summary>The error of <see cref="Damaged"/>, told apart by the readers that go on without the deployment (<c>list</c>).</summary>
    public sealed class DeploymentDamaged(string message, string hint) : PacksterException(ErrorCode.LocationInconsistent, message, hint);

    public static PacksterException DeploymentRecordUnreadable(string file, string why, Exception? inner = null) =>
        new(ErrorCode.DeploymentRecordUnreadable, $"{file}: {why}",
            "reinstall the deployment with --force", inner);

    public static PacksterException PathIsLink(string path, string target) =>
        new(ErrorCode.LocationPathIsLink, $"'{path}' is a link (to '{target}'); packster never deletes or writes through a link inside a location",
            "replace the link with a real directory or file (to put a location on another disk, create the location there)");

    public static PacksterException LockUnavailable(string lockPath, string reason) =>
        new(ErrorCode.LockUnavailable, $"cannot lock '{lockPath}': {reason}",
            "put the location on a local file system, or one whose server supports locks (NFS needs its lock daemon)");

    private static string Format(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalMilliseconds:0} ms";
}
