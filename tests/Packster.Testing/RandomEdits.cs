namespace Packster.Testing;

/// <summary>
/// What a hand, a bad merge or an attacker does to a text file packster reads: cuts, repeated and swapped lines, a
/// changed character, text put in, a value replaced, whitespace, a flipped boolean, another digit. Deterministic for a
/// seed, so a failing seed can be replayed.
/// </summary>
public static class RandomEdits
{
    /// <param name="snippets">Text of the file's own language that it is likely to break on.</param>
    /// <param name="significant">Characters that mean something in the language.</param>
    /// <param name="assignment">What separates a key from its value on a line (<c>": "</c> in JSON, <c>" = "</c> in TOML).</param>
    public static string Edit(string text, Random random, IReadOnlyList<string> snippets, string significant, string assignment)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(snippets);
        ArgumentNullException.ThrowIfNull(significant);
        if (text.Length == 0) return snippets[random.Next(snippets.Count)];
        var at = random.Next(text.Length);
        var lines = text.Split('\n').ToList();
        switch (random.Next(9))
        {
            case 0:
                return text.Remove(at, Math.Min(text.Length - at, 1 + random.Next(20)));
            case 1:
                var copied = random.Next(lines.Count);
                lines.Insert(copied, lines[copied]);
                return string.Join('\n', lines);
            case 2:
                return text[..at] + significant[random.Next(significant.Length)] + text[(at + 1)..];
            case 3:
                return text.Insert(at, snippets[random.Next(snippets.Count)]);
            case 4:
                var (a, b) = (random.Next(lines.Count), random.Next(lines.Count));
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return string.Join('\n', lines);
            case 5:
                var line = random.Next(lines.Count);
                var separator = lines[line].IndexOf(assignment, StringComparison.Ordinal);
                if (separator < 0) return text;
                var comma = lines[line].EndsWith(',') ? "," : "";
                lines[line] = lines[line][..(separator + assignment.Length)] + snippets[random.Next(snippets.Count)].TrimEnd(',', '\n') + comma;
                return string.Join('\n', lines);
            case 6:
                // Whitespace the language may allow between tokens (and, inside a string, a changed value or a control character).
                return text.Insert(at, new[] { " ", "\n", "\t", "\r\n", "  \n    " }[random.Next(5)]);
            case 7:
                var (from, to) = random.Next(2) == 0 ? ("true", "false") : ("false", "true");
                var found = text.IndexOf(from, at, StringComparison.Ordinal);
                return found < 0 ? text : text[..found] + to + text[(found + from.Length)..];
            default:
                // Another digit somewhere: a hash, a version, a time, a number.
                var digit = text.IndexOfAny("0123456789abcdef".ToCharArray(), at);
                return digit < 0 ? text : text[..digit] + "0123456789abcdef"[random.Next(16)] + text[(digit + 1)..];
        }
    }
}
