namespace Packster.Sources;

/// <summary>
/// Paths a server hands us (index.json entries, Artifactory AQL, quick-search and storage answers), checked before any
/// request is built from them (spec/sources.md §3, §6): relative, '/'-separated, no empty, '.' or '..' segment, no
/// backslash and no control character, so a request made from one stays under the source's base.
/// </summary>
internal static class ServerPath
{
    /// <summary>Why <paramref name="path"/> is refused, or null when it is a safe relative path.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "it is empty";
        if (path[0] == '/') return "it is absolute";
        if (path.Contains('\\', StringComparison.Ordinal)) return "it contains a backslash";
        if (path.Any(char.IsControl)) return "it contains a control character";
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or "..") return $"it has a{(segment.Length == 0 ? "n empty" : $" '{segment}'")} segment";
        }
        return null;
    }

    /// <summary>Throws <see cref="ErrorCode.SourceProtocol"/> naming the source and where the path came from.</summary>
    public static string Check(string? path, string source, string where)
    {
        if (Problem(path) is { } why)
            throw SourceErrors.Protocol(source, where, $"the path '{Printable(path)}' is refused: {why} (paths from a server must stay under the source)");
        return path!;
    }

    private static string Printable(string? path)
    {
        var text = string.Concat((path ?? "").Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
