using System.Text;
using Packster.Toml;
using Packster.Toml.Editing;

namespace Packster;

/// <summary>
/// Reading and writing a TOML file that a person also edits (the config file, a manifest) for
/// <see cref="TomlEditor"/>: the text is read with its byte-order mark, if it has one, so the edit keeps it, and the
/// file is replaced atomically with its permissions kept (spec/toml.md §9).
/// </summary>
public static class EditedTomlFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The file's text, a byte-order mark kept as U+FEFF. Bytes that are not UTF-8 are reported by our reader, with
    /// their position (<see cref="TomlException"/>). What is not a regular file when it is opened (a FIFO, a device) is
    /// refused unread (PST9005, <see cref="FileSystemErrors.ReadFile"/>), never waited on.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="syntaxError">The code of text that does not parse (<see cref="TomlFileErrors"/>): PST2000 for a manifest.</param>
    /// <param name="hint">What to do when it is not a regular file.</param>
    public static string ReadText(string path, ErrorCode syntaxError = ErrorCode.TomlSyntax, string? hint = null)
    {
        var bytes = FileSystemErrors.ReadFile(path, "cannot read", hint);
        TomlFileErrors.Parsing(syntaxError, () => TomlDocument.Parse(bytes, path, TomlVersion.V1_1));
        return StrictUtf8.GetString(bytes);
    }

    /// <summary>The edit was refused (<see cref="ErrorCode.TomlEditRefused"/>): the file is left as it was.</summary>
    public static PacksterException Refused(string file, TomlEditException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new PacksterException(ErrorCode.TomlEditRefused, $"{file}: not changed: {e.Message}",
            "the file was left as it was; edit it by hand, or fix what the message names and run the command again");
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the file (created when missing, with its folder) through
    /// <see cref="TomlEditor"/>, keeping comments and layout; an edit the editor refuses is PST2013 and the file is left
    /// as it was. <paramref name="inLocation"/>: the file is a location's own (its <c>packster-policy.toml</c>), see
    /// <see cref="Write"/>.
    /// </summary>
    public static void Edit(string path, Action<TomlEditor> change, bool inLocation = false)
    {
        ArgumentNullException.ThrowIfNull(change);
        // A folder in the file's place is refused, not replaced by a new file (nor its rename refused in .NET's words).
        var text = FileSystemErrors.FileExists(path) ? ReadText(path) : "";
        var editor = TomlEditor.Parse(text, path);
        try
        {
            change(editor);
            text = editor.Verified();
        }
        catch (TomlEditException e)
        {
            throw Refused(path, e);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(inLocation ? path : OutputFile.FinalTarget(path)))!);
        Write(path, text, inLocation);
    }

    /// <summary>
    /// Replaces the file atomically (temp file, flush, rename); an existing file's permissions are kept. A symbolic link
    /// is followed: the file it ends at is replaced and the link stays a link (a config.toml linked into a dotfiles
    /// repository keeps pointing there; spec/toml.md §9). A location's own file (<paramref name="inLocation"/>: its
    /// <c>packster-policy.toml</c>) is the exception: nothing outside a location is written by an operation on it, so a
    /// link there is replaced by the file and never written through (spec/licenses.md § Policy).
    /// </summary>
    public static void Write(string path, string text, bool inLocation = false)
    {
        var target = inLocation ? path : OutputFile.FinalTarget(path);
        UnixFileMode? mode = null;
        if (!OperatingSystem.IsWindows() && Packaging.FileKinds.Of(target) == Packaging.FileKind.Regular) mode = File.GetUnixFileMode(target);
        AtomicFile.WriteAllText(target, text, mode);
    }
}
