using System.Text.RegularExpressions;

namespace Packster;

/// <summary>
/// Turns what the operating system refused (disk full, permission denied, another file system, a name too long …)
/// into a classified <see cref="PacksterException"/> (PST9xxx, spec/errors.md) that names the path and the reason in
/// words. Callers that know the path wrap at their edge; the top-level report classifies what is left.
/// </summary>
public static partial class FileSystemErrors
{
    // errno values shared by Linux and macOS; .NET puts the raw errno into IOException.HResult on Unix.
    private const int EPerm = 1;
    private const int EAccess = 13;
    private const int ECrossDevice = 18;
    private const int ENoSpace = 28;
    private const int EReadOnly = 30;
    private const int ENameTooLongLinux = 36;
    private const int ENameTooLongMac = 63;
    private const int EQuotaLinux = 122;
    private const int EQuotaMac = 69;
    private const int EExist = 17;
    private const int ENotDirectory = 20;
    private const int EIsDirectory = 21;

    // Win32 error codes, in the low word of the HResult .NET gives on Windows.
    private const int WinAccessDenied = 5;
    private const int WinNotSameDevice = 17;
    private const int WinWriteProtect = 19;
    private const int WinHandleDiskFull = 39;
    private const int WinDiskFull = 112;
    private const int WinFilenameExcedRange = 206;

    /// <summary>
    /// The classified error for <paramref name="exception"/> while <paramref name="doing"/> (e.g. "cannot write")
    /// <paramref name="path"/>, or null when it is not a file-system refusal (then it is a bug and stays one).
    /// </summary>
    public static PacksterException? Classify(Exception exception, string? path = null, string? doing = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is PacksterException p) return p;
        if (exception is not (IOException or UnauthorizedAccessException)) return null;
        path ??= QuotedPath(exception.Message);
        var (code, reason) = Reason(exception);
        var what = (doing, path) switch
        {
            (not null, not null) => $"{doing} '{path}'",
            (null, not null) => $"'{path}'",
            (not null, null) => doing,
            _ => "a file operation failed",
        };
        return new PacksterException(code, $"{what}: {reason}", HintFor(code), exception);
    }

    /// <summary>
    /// Requires the file named on the command line as <paramref name="what"/> (e.g. "bundle file") to be a file:
    /// PST1002 when nothing is there, PST1001 when a folder is.
    /// </summary>
    public static void RequireFile(string path, string what)
    {
        if (File.Exists(path)) return;
        if (Directory.Exists(path)) throw new PacksterException(ErrorCode.InvalidArgument, $"{what} '{path}' is a folder", $"give the {what} itself");
        throw new PacksterException(ErrorCode.PathNotFound, $"{what} '{path}' does not exist");
    }

    /// <summary>
    /// Requires the folder named on the command line as <paramref name="what"/> (e.g. "folder of source 'shelf'") to
    /// exist: PST1002 when nothing is there, PST1003 when a file is.
    /// </summary>
    public static void RequireDirectory(string path, string what)
    {
        if (Directory.Exists(path)) return;
        if (File.Exists(path)) throw new PacksterException(ErrorCode.NotADirectory, $"{what} '{path}' is a file, not a folder");
        throw new PacksterException(ErrorCode.PathNotFound, $"{what} '{path}' does not exist", "create the folder first (or mount it), then add it");
    }

    /// <summary>
    /// Creates the folder <paramref name="path"/>, and the folders on its path, that packster was given or configured as
    /// <paramref name="what"/> (e.g. "output folder", "download cache folder"). A file, a FIFO, a device or a link that
    /// leads nowhere where it or a folder on its path belongs is said to be what it is (PST9005), with
    /// <paramref name="hint"/>, and nothing is created: <c>cannot create &lt;what&gt; '&lt;path&gt;': it is a regular file,
    /// not a folder</c>, or <c>… '&lt;path&gt;': '&lt;parent&gt;' on its path is a regular file, not a folder</c>; never the
    /// OS's "it already exists", which reads as if a folder were there to use. Another refusal of the OS is classified
    /// as creating it.
    /// </summary>
    public static void CreateFolder(string path, string what, string? hint = null)
    {
        RefuseNoFolder(path, what, hint);
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something put in the way since the check is said to be what it is too.
            RefuseNoFolder(path, what, hint);
            throw Classify(e, path, $"cannot create {what}")!;
        }
    }

    /// <summary>
    /// Refuses, as <see cref="CreateFolder"/> does, a <paramref name="path"/> where the folder cannot be made because
    /// something that is not a folder is there or on its path; a folder there, or nothing, passes. Callers with work to
    /// do before they create it check first, so a wrong path costs nothing.
    /// </summary>
    public static void RefuseNoFolder(string path, string what, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var doing = $"cannot create {what}";
        var full = Path.GetFullPath(path);
        for (var at = full; at is not null; at = Path.GetDirectoryName(at))
        {
            var here = at;
            var kind = At(here, doing, () => Packaging.FileKinds.OfTarget(here));
            if (kind == Packaging.FileKind.Directory) return;
            string found;
            if (kind != Packaging.FileKind.Missing) found = Packaging.FileKinds.Describe(kind);
            else if (At(here, doing, () => Packaging.FileKinds.Of(here)) != Packaging.FileKind.Symlink) continue;
            // A loop of links is left to the OS, whose words ("too many levels of symbolic links") say it.
            else if (LinksInALoop(here)) return;
            else found = "a symbolic link that leads nowhere";
            var which = here == full ? "it" : $"'{here}' on its path";
            throw new PacksterException(ErrorCode.FileSystemError, $"{doing} '{path}': {which} is {found}, not a folder", hint);
        }
    }

    /// <summary>Whether the chain of links from <paramref name="link"/> goes round without end.</summary>
    private static bool LinksInALoop(string link)
    {
        try
        {
            new FileInfo(link).ResolveLinkTarget(returnFinalTarget: true);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// Whether there is a file at <paramref name="path"/> to read: false when nothing is there (for the files a missing
    /// one of is taken as empty: a config file, a location's policy file, its history). Anything else that is not a
    /// regular file once links are followed is not taken for a missing file, which would read as no rules or no history
    /// in silence, nor opened, which for a FIFO waits for a writer that may never come: it is refused as
    /// <paramref name="doing"/> the path, with <paramref name="hint"/> (PST9005): <c>cannot read '&lt;path&gt;': it is a
    /// folder, not a file</c>; <c>… it is a FIFO (named pipe), not a regular file</c> (a socket, a device alike);
    /// <c>… it is a symbolic link that leads nowhere (to '&lt;target&gt;')</c>.
    /// </summary>
    public static bool FileExists(string path, string doing = "cannot read", string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var kind = At(path, doing, () => Packaging.FileKinds.OfTarget(path));
        string reason;
        switch (kind)
        {
            case Packaging.FileKind.Regular:
                return true;
            case Packaging.FileKind.Missing:
                if (At(path, doing, () => Packaging.FileKinds.Of(path)) != Packaging.FileKind.Symlink) return false;
                var target = At(path, doing, () => new FileInfo(path).LinkTarget);
                reason = target is null ? "it is a symbolic link that leads nowhere" : $"it is a symbolic link that leads nowhere (to '{target}')";
                break;
            default:
                throw NotAFile(path, kind, doing, hint);
        }
        throw new PacksterException(ErrorCode.FileSystemError, $"{doing} '{path}': {reason}", hint);
    }

    /// <summary>
    /// What <see cref="FileExists"/> says of <paramref name="path"/> when it is <paramref name="kind"/>, not a regular
    /// file (PST9005): <c>cannot read '&lt;path&gt;': it is a folder, not a file</c>; <c>… it is a FIFO (named pipe), not a
    /// regular file</c>.
    /// </summary>
    public static PacksterException NotAFile(string path, Packaging.FileKind kind, string doing = "cannot read", string? hint = null)
    {
        var reason = kind == Packaging.FileKind.Directory ? "it is a folder, not a file" : $"it is {Packaging.FileKinds.Describe(kind)}, not a regular file";
        return new PacksterException(ErrorCode.FileSystemError, $"{doing} '{path}': {reason}", hint);
    }

    /// <summary>
    /// The bytes of <paramref name="path"/>, which <see cref="FileExists"/> found to be a regular file, opened so that the
    /// open cannot wait (<see cref="RegularFile"/>): swapped since for a FIFO or a device, it is refused as
    /// <see cref="FileExists"/> refuses one (PST9005, with <paramref name="hint"/>), never waited on. A refusal of the OS
    /// is classified as <paramref name="doing"/> the path.
    /// </summary>
    public static byte[] ReadFile(string path, string doing = "cannot read", string? hint = null) =>
        AtFile(path, doing, () => RegularFile.ReadAllBytes(path, kind => NotAFile(path, kind, doing, hint)));

    /// <summary>
    /// As <see cref="At{T}"/>, for an <paramref name="action"/> that opens <paramref name="path"/> itself as a file: a
    /// folder there is said to be one ("it is a folder"), not "permission denied" (see <see cref="OpeningFile{T}"/>).
    /// </summary>
    public static T AtFile<T>(string path, string doing, Func<T> action) => At(path, doing, () => OpeningFile(path, action));

    /// <summary>
    /// Runs <paramref name="open"/>, which opens <paramref name="path"/> itself as a file. .NET reports a folder opened
    /// as a file as access denied (on Unix it turns the system's EISDIR into EACCES, on Windows the system says access
    /// denied); while <paramref name="path"/> is a folder, that refusal is given back as what it is, an
    /// <see cref="IOException"/> (so what catches I/O failures still does) that <see cref="Classify"/> words "it is a
    /// folder" (PST9005). A real permission refusal on a file stays one.
    /// </summary>
    public static T OpeningFile<T>(string path, Func<T> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        try
        {
            return open();
        }
        catch (UnauthorizedAccessException e) when (Packaging.FileKinds.OfTarget(path) == Packaging.FileKind.Directory)
        {
            throw new FolderNotFileException(path, e);
        }
    }

    /// <summary>A folder where a file was opened; the message is the one shown where nothing classifies it.</summary>
    private sealed class FolderNotFileException(string path, Exception inner)
        : IOException($"'{path}' is a folder, not a file", inner);

    /// <summary>Runs <paramref name="action"/>, classifying a file-system refusal on <paramref name="path"/>.</summary>
    public static T At<T>(string path, string doing, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Classify(e, path, doing)!;
        }
    }

    private static (ErrorCode Code, string Reason) Reason(Exception e)
    {
        if (e is PathTooLongException) return (ErrorCode.PathTooLong, "file name too long");
        if (e is FolderNotFileException) return (ErrorCode.FileSystemError, "it is a folder, not a file");
        var errno = ErrnoOf(e);
        if (OperatingSystem.IsWindows())
        {
            return (errno & 0xFFFF) switch
            {
                WinDiskFull or WinHandleDiskFull => (ErrorCode.DiskFull, "no space left on device"),
                WinAccessDenied => (ErrorCode.PermissionDenied, "permission denied"),
                WinNotSameDevice => (ErrorCode.CrossDevice, "it is on another file system (drive) than the folder it is moved from"),
                WinWriteProtect => (ErrorCode.ReadOnlyFileSystem, "the medium is write-protected"),
                WinFilenameExcedRange => (ErrorCode.PathTooLong, "file name too long"),
                _ when e is UnauthorizedAccessException => (ErrorCode.PermissionDenied, "permission denied"),
                _ => (ErrorCode.FileSystemError, Words(e)),
            };
        }
        return errno switch
        {
            ENoSpace => (ErrorCode.DiskFull, "no space left on device"),
            EQuotaLinux when OperatingSystem.IsLinux() => (ErrorCode.DiskFull, "disk quota exceeded"),
            EQuotaMac when OperatingSystem.IsMacOS() => (ErrorCode.DiskFull, "disk quota exceeded"),
            EAccess => (ErrorCode.PermissionDenied, "permission denied"),
            EPerm => (ErrorCode.PermissionDenied, "operation not permitted"),
            ECrossDevice => (ErrorCode.CrossDevice, "it is on another file system than the folder it is moved from"),
            EReadOnly => (ErrorCode.ReadOnlyFileSystem, "read-only file system"),
            ENameTooLongLinux when OperatingSystem.IsLinux() => (ErrorCode.PathTooLong, "file name too long"),
            ENameTooLongMac when OperatingSystem.IsMacOS() => (ErrorCode.PathTooLong, "file name too long"),
            _ when e is UnauthorizedAccessException => (ErrorCode.PermissionDenied, "permission denied"),
            // .NET's words for these name the path again, or call a folder a "part of the path".
            EExist => (ErrorCode.FileSystemError, "it already exists"),
            ENotDirectory => (ErrorCode.FileSystemError, "a part of its path is a file, not a folder"),
            EIsDirectory => (ErrorCode.FileSystemError, "it is a folder"),
            _ when e is FileNotFoundException => (ErrorCode.FileSystemError, "it does not exist"),
            _ when e is DirectoryNotFoundException => (ErrorCode.FileSystemError, "a folder on its path does not exist, or is a file"),
            _ => (ErrorCode.FileSystemError, Words(e)),
        };
    }

    /// <summary>
    /// The OS error number: .NET gives it as the HResult of an <see cref="IOException"/> on Unix (Win32 HResult on
    /// Windows), and wraps it as the inner exception of an <see cref="UnauthorizedAccessException"/>.
    /// </summary>
    private static int ErrnoOf(Exception e) =>
        e is UnauthorizedAccessException { InnerException: IOException inner } ? inner.HResult : e.HResult;

    /// <summary>The OS's own words for an unclassified failure, without the path .NET appends.</summary>
    private static string Words(Exception e)
    {
        var text = e.Message;
        var cut = text.IndexOf(" : '", StringComparison.Ordinal);
        if (cut > 0) text = text[..cut];
        text = text.TrimEnd('.', ' ');
        return text.Length == 0 ? e.GetType().Name : char.ToLowerInvariant(text[0]) + text[1..];
    }

    private static string? HintFor(ErrorCode code) => code switch
    {
        ErrorCode.DiskFull => "free some space (or raise the quota) and run the command again",
        ErrorCode.PermissionDenied => "check the owner and permissions of the path, or run as a user who may access it",
        ErrorCode.CrossDevice => "keep a location's folders on one file system: mount the whole location, not one of its folders",
        ErrorCode.PathTooLong => "use a shorter folder path",
        ErrorCode.ReadOnlyFileSystem => "choose a writable folder, or remount the file system read-write",
        _ => null,
    };

    // .NET messages quote the path: "Access to the path '/x' is denied.", "No space left on device : '/x'".
    private static string? QuotedPath(string message)
    {
        var match = Quoted().Match(message);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("'(/[^']*|[A-Za-z]:\\\\[^']*)'")]
    private static partial Regex Quoted();
}
