using Packster.Model;

namespace Packster.Sources;

/// <summary>Named factories for every failure of this project: one line, the source named, never a secret value.</summary>
public static class SourceErrors
{
    public static PacksterException ConfigInvalid(string message, string? hint = null) =>
        new(ErrorCode.SourceConfigInvalid, message, hint);

    public static PacksterException ProjectConfigNotAllowed(string where, string source, IEnumerable<string> keys) =>
        new(ErrorCode.ProjectConfigNotAllowed, $"{where}: [sources.{source}] sets {string.Join(", ", keys.Select(k => $"'{k}'"))} in a project config file; refused",
            "a project config file may name credentials, insecure or ca-file only once you have reviewed it and run 'packster config trust --allow-credentials'");

    public static PacksterException ProjectTrustedKeysNotAllowed(string where) =>
        new(ErrorCode.ProjectConfigNotAllowed, $"{where}: [trust] sets 'trusted-keys' in a project config file; refused",
            "a project config file may name the signing keys to trust only once you have reviewed it and run 'packster config trust --allow-credentials'; "
            + "it may demand signatures (signatures, revoked-keys) without it");

    /// <summary>The hint of PST8000 when no source is configured at all: the one words a caller may recognise it by.</summary>
    public const string AddSourceHint = "add one with 'packster source add <name> --type … --url …'";

    public static PacksterException NotFound(string name, IEnumerable<string> known)
    {
        var names = known.ToList();
        return new(ErrorCode.SourceNotFound, $"no source named '{TerminalText.Printable(name)}' is configured",
            names.Count == 0 ? AddSourceHint : $"configured sources: {string.Join(", ", names)}");
    }

    public static PacksterException Insecure(string source, string url) =>
        new(ErrorCode.InsecureSource, $"source '{source}' uses plain http ({url}); packages and credentials would travel unprotected",
            "use https, or set insecure = true on the source (packster source add … --insecure) if you accept the risk");

    public static PacksterException RedirectDowngrade(string source, string from, string to) =>
        new(ErrorCode.InsecureSource, $"source '{source}' redirected {from} to plain http ({to}); refused",
            "fix the server's redirect, or point the source at the final https address");

    public static PacksterException TooManyRedirects(string source, string url) =>
        new(ErrorCode.SourceProtocol, $"source '{source}': more than 5 redirects starting at {url}");

    public static PacksterException Unreachable(string source, string action, int attempts, string cause, Exception? inner = null, string? hint = null) =>
        new(ErrorCode.SourceUnreachable, $"source '{source}': {action} failed after {attempts} attempt{(attempts == 1 ? "" : "s")}: {cause}",
            hint ?? "check the url and the network, then try again", inner);

    public static PacksterException Tls(string source, string action, string cause, Exception inner) =>
        new(ErrorCode.SourceUnreachable, $"source '{source}': {action}: TLS failed: {cause}",
            "if the server uses a private CA, give it with --ca-file (or SSL_CERT_FILE)", inner);

    public static PacksterException Unauthorized(string source, string credential, string action, string serverMessage) =>
        new(ErrorCode.SourceUnauthorized, $"source '{source}' rejected {credential}: {action} answered 401 {serverMessage}".TrimEnd(),
            "check that the variable holds a valid, unexpired credential for this server");

    public static PacksterException Forbidden(string source, string credential, string action, string serverMessage) =>
        new(ErrorCode.SourceForbidden, $"source '{source}' does not permit this to {credential}: {action} answered 403 {serverMessage}".TrimEnd(),
            "ask the repository's administrator for the permission (deploy/overwrite), or use another credential");

    public static PacksterException Missing(string source, string credential, string action, string serverMessage) =>
        new(ErrorCode.PackageNotFound, $"source '{source}': {action} answered 404 {serverMessage} (using {credential})".TrimEnd(),
            "check the url and repo; servers that hide unauthorized items also answer 404 when the credential lacks read access");

    public static PacksterException FolderMissing(string source, string folder) =>
        new(ErrorCode.SourceUnreachable, $"source '{source}': its folder '{folder}' does not exist or is not a folder",
            $"mount or create the folder, or remove the source with 'packster source remove {source}'; a missing source is never skipped, since another could then supply an older version");

    public static PacksterException Protocol(string source, string action, string what) =>
        new(ErrorCode.SourceProtocol, $"source '{source}': {action}: {what}");

    public static PacksterException MissingCredential(string source, string variable) =>
        new(ErrorCode.SourceUnauthorized, $"source '{source}' takes its credential from ${variable}, which is not set",
            $"export {variable} (in CI: from the CI's secret store) before running packster");

    /// <summary>The credential's variable holds what no request can carry; names the variable, never the value.</summary>
    public static PacksterException UnusableCredential(string source, string variable, string what, string hint) =>
        new(ErrorCode.SourceUnauthorized, $"source '{source}' takes its credential from ${variable}, whose value {what}; nothing was sent", hint);

    public static PacksterException PublishConflict(string source, string fileName, string reason) =>
        new(ErrorCode.PublishConflict, $"cannot publish {fileName} to source '{source}': {reason}",
            "a published version is immutable: publish a new version instead");

    public static PacksterException PublishNotSupported(string source) =>
        new(ErrorCode.SourceProtocol, $"source '{source}' is a static http source and cannot receive packages",
            "copy the files to the served folder and run 'packster source index <dir>'");

    public static PacksterException ChecksumMismatch(string what, Sha256Digest expected, Sha256Digest actual, string? after = null) =>
        new(ErrorCode.ChecksumMismatch, $"{what} has sha256 {actual}, expected {expected}{after}",
            "the bytes were changed on the way or on the server; do not use them");

    public static PacksterException PackageNotFound(PackageId id, IEnumerable<string> sources) =>
        new(ErrorCode.PackageNotFound, $"package '{id}' was not found in any source ({string.Join(", ", sources)})",
            "check the id with 'packster search <pattern>'");

    public static PacksterException PackageFileNotFound(string source, string fileName) =>
        new(ErrorCode.PackageNotFound, $"source '{source}' has no file {fileName}");

    public static PacksterException PackageFileNotOffered(string fileName, IEnumerable<string> sources) =>
        new(ErrorCode.PackageNotFound, $"no source offers {fileName} ({string.Join(", ", sources)})",
            "the pinned file may have been removed from its source: restore it, add a source that has it, or re-resolve without --locked where the command has it");

    /// <summary>PST8000: no source is configured to take <paramref name="what"/> from.</summary>
    public static PacksterException NoSources(string what) =>
        new(ErrorCode.SourceNotFound, $"no sources to fetch {what} from", AddSourceHint);

    /// <summary>PST8000: no source is configured to search for <paramref name="pattern"/>.</summary>
    public static PacksterException NoSourcesToSearch(string pattern) =>
        new(ErrorCode.SourceNotFound, $"no sources to search for '{TerminalText.Printable(pattern)}'", AddSourceHint);

    public static PacksterException NoMatchingVersion(PackageId id, string range, IEnumerable<PackageVersion> available)
    {
        var versions = available.OrderDescending().Take(10).Select(v => v.ToString()).ToList();
        // spec/manifest.md: the range `latest` matches only the version literally named "latest", which is easily
        // taken for "the newest": say so rather than suggest widening a range that has nothing to widen.
        var hint = range.Trim() == "latest"
            ? "'latest' names only a version published as \"latest\"; for the newest version, use \"*\""
            : "widen the range or publish a matching version";
        return new(ErrorCode.NoMatchingVersion, $"no version of '{id}' satisfies '{range}'; available: {string.Join(", ", versions)}", hint);
    }

    /// <summary>PST8011 for a package resolved by id offline: the cache holds no version of it (the sources were not asked).</summary>
    public static PacksterException OfflineCacheMiss(PackageId id, string cacheRoot) =>
        new(ErrorCode.OfflineCacheMiss, $"no version of package '{id}' is in the download cache ({cacheRoot}), and --offline forbids looking in the sources",
            "run once without --offline to fill the cache");

    public static PacksterException OfflineCacheMiss(string fileName, string cacheRoot) =>
        new(ErrorCode.OfflineCacheMiss, $"{fileName} is not in the download cache ({cacheRoot}) and --offline forbids downloading it",
            "run once without --offline to fill the cache");
}
