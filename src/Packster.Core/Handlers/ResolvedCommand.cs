namespace Packster.Handlers;

/// <summary>
/// A program and its argument array, ready for <see cref="System.Diagnostics.ProcessStartInfo.ArgumentList"/>;
/// never joined into a shell string.
/// </summary>
public sealed record ResolvedCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The same command with <paramref name="extra"/> appended (the action name for an <c>any</c> handler).</summary>
    public ResolvedCommand Append(params string[] extra) => new(FileName, [.. Arguments, .. extra]);

    /// <summary>A readable rendering for logs and messages (POSIX-style quoting; never executed).</summary>
    public override string ToString() => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(Quote));

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '\\' or '.' or '_' or '-' or ':' or '=' or '+' or ',')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
