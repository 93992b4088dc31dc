using System.Text;
using System.Text.Json;

namespace Packster.Handlers;

/// <summary>
/// One handler run's output: every line goes, in arrival order, to the console sink with the handler's prefix and
/// verbatim to the log file (appended, between a <c>==&gt;</c> header and a <c>&lt;==</c> footer line).
/// </summary>
internal sealed class HandlerLog : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter _file;
    private readonly TextWriter _sink;
    private readonly string _prefix;
    private readonly string[] _secrets;
    private readonly int _lookahead;
    private bool _closed;

    private HandlerLog(StreamWriter file, TextWriter sink, string prefix, IReadOnlyList<string> secrets)
    {
        _file = file;
        _sink = sink;
        _prefix = prefix;
        _secrets = Masks(secrets);
        _lookahead = _secrets.Length == 0 ? 0 : _secrets[0].Length - 1;
    }

    /// <summary>
    /// The longest line kept whole, in characters (spec/handlers.md §Running): a longer one is written as pieces of this
    /// length, each on a line of its own, as it arrives, so a handler printing without newlines costs bounded memory.
    /// </summary>
    internal const int MaxLineLength = 64 * 1024;

    /// <summary>A line of a secret of several lines is masked on its own from this length on (shorter ones would mask common text).</summary>
    internal const int MinPartLength = 4;

    /// <summary>
    /// What is masked for <paramref name="secrets"/> (spec/parameters.md § Secret parameters), longest first so that a
    /// text holding another is masked whole: each value as it is and as <c>PACKSTER_PARAMETERS_FILE</c> writes it (a JSON
    /// string: quotes, backslashes and control characters escaped); each line of a value of several lines, which output
    /// read a line at a time meets one by one; and each string or number inside an array or object value, which the
    /// parameters file writes on lines of their own.
    /// </summary>
    internal static string[] Masks(IEnumerable<string> secrets)
    {
        var masks = new HashSet<string>(StringComparer.Ordinal);
        void Add(string text, int minLength)
        {
            if (text.Trim().Length < Math.Max(minLength, 1)) return;
            masks.Add(text);
            masks.Add(JsonEncodedText.Encode(text, HandlerEnvironment.ParametersFileEncoder).ToString());
        }
        foreach (var secret in secrets)
        {
            Add(secret, 1);
            if (secret.Contains('\n', StringComparison.Ordinal))
            {
                foreach (var line in secret.Split('\n')) Add(line.TrimEnd('\r'), MinPartLength);
            }
            foreach (var leaf in Leaves(secret)) Add(leaf, MinPartLength);
        }
        return [.. masks.OrderByDescending(m => m.Length).ThenBy(m => m, StringComparer.Ordinal)];
    }

    /// <summary>The string and number values inside <paramref name="text"/> when it is a JSON array or object (a secret of that type; its keys are not secret); none otherwise.</summary>
    private static List<string> Leaves(string text)
    {
        List<string> leaves = [];
        if (text.Length == 0 || text[0] is not ('[' or '{')) return leaves;
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.String) leaves.Add(reader.GetString()!);
                else if (reader.TokenType == JsonTokenType.Number) leaves.Add(Encoding.UTF8.GetString(reader.ValueSpan));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON: a string secret that starts like it; the whole value is masked as it is.
        }
        return leaves;
    }

    /// <summary>
    /// Opens the log at <paramref name="path"/> for appending, creating it owner-only. It is opened only when it is a
    /// regular file or missing, and so that the open itself cannot wait (spec/handlers.md § Logs, spec/errors.md
    /// PST9005): a FIFO, socket, device or folder there is refused unopened — a FIFO's open for writing would wait for
    /// a reader that never comes, deaf to the first interrupt — and a link is never appended through, as it would
    /// write into its target. A link is PST5012 for a location's log (<paramref name="packLog"/> false: the location's
    /// own path) and PST9005 for the pack log in packster's data folder, which is no location.
    /// </summary>
    public static HandlerLog Open(string path, TextWriter sink, string prefix, IReadOnlyList<string>? secrets = null, bool packLog = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var doing = packLog ? "cannot write the pack log" : "cannot write the handler log";
        const string Hint = "remove it: packster creates its handler logs itself, as regular files";
        void RefuseLink()
        {
            if (new FileInfo(path).LinkTarget is not { } target) return;
            // Never appended through a link: it would write into the link's target.
            if (!packLog) Locations.Location.RefuseLink(path);
            throw new PacksterException(ErrorCode.FileSystemError,
                $"{doing} '{path}': it is a symbolic link (to '{target}'); packster never writes its logs through a link", Hint);
        }
        RefuseLink();
        var stream = FileSystemErrors.AtFile(path, doing, () => OpenAppending(path, kind =>
        {
            RefuseLink();
            return FileSystemErrors.NotAFile(path, kind, doing, Hint);
        }));
        // A log created before logs were owner-only keeps its mode when appended to: narrow it.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(stream.SafeFileHandle) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
        {
            File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        // Flushed per line: if packster itself is killed, the log still shows how far the handler got.
        return new HandlerLog(new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true }, sink, prefix, secrets ?? []);
    }

    /// <summary>
    /// <paramref name="path"/> opened for appending (created owner-only) when what is there at the open is a regular file
    /// or nothing; anything else — one put there after the caller looked included — is refused with
    /// <paramref name="refused"/>(its kind) and never waited on: on Linux and macOS the open does not wait
    /// (<see cref="Locations.PosixFiles.OpenForAppendingNonBlocking"/>) and what was opened is asked its kind by its
    /// descriptor. Windows has no FIFOs: there the file is opened as .NET opens it.
    /// </summary>
    private static FileStream OpenAppending(string path, Func<Packaging.FileKind, Exception> refused)
    {
        const int OwnerReadWrite = 0x180; // 0600
        var fd = Locations.PosixFiles.OpenForAppendingNonBlocking(path, OwnerReadWrite, out var errno);
        if (fd is null)
        {
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
            return new FileStream(path, options);
        }
        if (fd < 0)
        {
            // A FIFO without a reader (ENXIO), a socket, a folder (EISDIR), a link (ELOOP): said as what is there.
            if (Packaging.FileKinds.Of(path) is var there and not (Packaging.FileKind.Regular or Packaging.FileKind.Missing)) throw refused(there);
            throw new IOException($"{Locations.PosixFiles.Describe(errno)} : '{path}'", errno);
        }
        var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd.Value, ownsHandle: true);
        var kind = Packaging.FileKinds.OfOpen(handle);
        if (kind != Packaging.FileKind.Regular)
        {
            handle.Dispose();
            throw refused(kind);
        }
        var stream = new FileStream(handle, FileAccess.Write);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    public void Header(string text) => WriteFileLine("==> " + text);

    public void Footer(string text) => WriteFileLine("<== " + text);

    /// <summary>
    /// One line of the handler's output: to the log verbatim, to the console with the prefix; secret values as
    /// <c>***</c>; a line longer than <see cref="MaxLineLength"/> in pieces.
    /// </summary>
    public void Line(string line)
    {
        if (line.Length > MaxLineLength)
        {
            var partial = new PartialLine();
            Append(partial, line);
            EndLine(partial);
            return;
        }
        Write(Mask(line));
    }

    /// <summary>
    /// Adds text to a line still being read, writing out each piece of <see cref="MaxLineLength"/> once the text after
    /// it is long enough to show whether a secret starts inside the piece: a secret across the cut goes whole into the
    /// piece, so none escapes masking by being split.
    /// </summary>
    internal void Append(PartialLine line, ReadOnlySpan<char> text)
    {
        line.Text.Append(text);
        while (line.Text.Length > MaxLineLength + _lookahead)
        {
            Write(TakePiece(line.Text));
            line.Split = true;
        }
    }

    /// <summary>Ends a line begun with <see cref="Append"/>: writes what is left of it (nothing when a piece ended exactly there).</summary>
    internal void EndLine(PartialLine line)
    {
        if (line.Text.Length > 0 || !line.Split) Write(Mask(line.Text.ToString()));
        line.Clear();
    }

    /// <summary>Copies a stream line by line until it ends (or the process's streams are disposed).</summary>
    public async Task PumpAsync(StreamReader reader)
    {
        var line = new PartialLine();
        try
        {
            await OutputReader.ReadAsync(reader, text => Append(line, text.Span), () => EndLine(line)).ConfigureAwait(false);
            if (line.Text.Length > 0) EndLine(line);
        }
        catch (ObjectDisposedException)
        {
            // The run ended while a stray process still held the pipe.
        }
        catch (IOException)
        {
        }
    }

    private string Mask(string line)
    {
        foreach (var secret in _secrets) line = line.Replace(secret, "***", StringComparison.Ordinal);
        return line;
    }

    /// <summary>
    /// Removes the first piece of a long line from <paramref name="text"/> and returns it masked: secrets are matched
    /// from the left, longest first, as far as <see cref="MaxLineLength"/>; a match that reaches past it ends the piece.
    /// <paramref name="text"/> holds more than <see cref="MaxLineLength"/> + <see cref="_lookahead"/> characters, so
    /// every secret that starts inside the piece is there whole.
    /// </summary>
    private string TakePiece(StringBuilder text)
    {
        var piece = new StringBuilder(MaxLineLength + 3);
        var at = 0;
        var literal = false;
        while (at < MaxLineLength)
        {
            var secret = SecretAt(text, at);
            literal = secret is null;
            if (literal)
            {
                piece.Append(text[at]);
                at++;
            }
            else
            {
                piece.Append("***");
                at += secret!.Length;
            }
        }
        // A character outside the BMP stays whole: half of it would be written as U+FFFD.
        if (literal && char.IsHighSurrogate(text[at - 1]) && char.IsLowSurrogate(text[at]))
        {
            piece.Append(text[at]);
            at++;
        }
        text.Remove(0, at);
        return piece.ToString();
    }

    private string? SecretAt(StringBuilder text, int at)
    {
        foreach (var secret in _secrets)
        {
            if (text[at] != secret[0] || at + secret.Length > text.Length) continue;
            var matches = true;
            for (var i = 1; i < secret.Length && matches; i++) matches = text[at + i] == secret[i];
            if (matches) return secret;
        }
        return null;
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            if (_closed) return;
            _file.WriteLine(line);
            _sink.WriteLine(_prefix + line);
        }
    }

    private void WriteFileLine(string line)
    {
        lock (_gate)
        {
            if (!_closed) _file.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate) _closed = true;
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A line of output being read, of which <see cref="HandlerLog"/> has written out the pieces it could.</summary>
internal sealed class PartialLine
{
    internal StringBuilder Text { get; } = new();

    /// <summary>Whether a piece of this line was written already.</summary>
    internal bool Split { get; set; }

    /// <summary>Ready for the next line.</summary>
    internal void Clear()
    {
        Text.Clear();
        Split = false;
    }
}
