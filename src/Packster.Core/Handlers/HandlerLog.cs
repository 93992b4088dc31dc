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
    private readonly IReadOnlyList<string> _secrets;
    private bool _closed;

    private HandlerLog(StreamWriter file, TextWriter sink, string prefix, IReadOnlyList<string> secrets)
    {
        _file = file;
        _sink = sink;
        _prefix = prefix;
        _secrets = Masks(secrets);
    }

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

    public static HandlerLog Open(string path, TextWriter sink, string prefix, IReadOnlyList<string>? secrets = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Never appended through a link: it would write into the link's target (PST5012).
        Locations.Location.RefuseLink(path);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        // Handlers may print what they should not (a parameter, a token): only the owner may read their logs.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var stream = new FileStream(path, options);
        // A log created before logs were owner-only keeps its mode when appended to: narrow it.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(stream.SafeFileHandle) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
        {
            File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        // Flushed per line: if packster itself is killed, the log still shows how far the handler got.
        return new HandlerLog(new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true }, sink, prefix, secrets ?? []);
    }

    public void Header(string text) => WriteFileLine("==> " + text);

    public void Footer(string text) => WriteFileLine("<== " + text);

    /// <summary>One line of the handler's output: to the log verbatim, to the console with the prefix; secret values as <c>***</c>.</summary>
    public void Line(string line)
    {
        foreach (var secret in _secrets) line = line.Replace(secret, "***", StringComparison.Ordinal);
        lock (_gate)
        {
            if (_closed) return;
            _file.WriteLine(line);
            _sink.WriteLine(_prefix + line);
        }
    }

    /// <summary>Copies a stream line by line until it ends (or the process's streams are disposed).</summary>
    public async Task PumpAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line) Line(line);
        }
        catch (ObjectDisposedException)
        {
            // The run ended while a stray process still held the pipe.
        }
        catch (IOException)
        {
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
