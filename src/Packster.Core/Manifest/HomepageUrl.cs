using System.Globalization;
using System.Text;

namespace Packster.Manifest;

/// <summary>How a manifest's <c>homepage</c> is written out: one form for every command that shows it.</summary>
public static class HomepageUrl
{
    /// <summary>
    /// spec/bom.md, spec/manifest.md: a homepage "as the manifest gave it or escaped where the manifest did not", wherever
    /// it is shown (the SBOMs, <c>manifest check --json</c>). Every character the manifest gave is kept and an escape it
    /// wrote stays as written (<see cref="Uri.AbsoluteUri"/> decodes <c>%41</c> and turns <c>\</c> into <c>/</c>); only what RFC 3986 does not allow where it stands is percent-encoded as UTF-8:
    /// a space, <c>\</c>, <c>^</c>, <c>&lt;</c>, a <c>%</c> that starts no escape, <c>[</c>/<c>]</c> outside the host, a second
    /// <c>#</c>, anything not ASCII.
    /// </summary>
    public static string Escaped(Uri homepage)
    {
        ArgumentNullException.ThrowIfNull(homepage);
        var text = homepage.OriginalString.Trim(' ', '\t', '\n', '\r', '\f');
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var authorityEnd = scheme < 0 ? 0 : text.IndexOfAny(['/', '?', '#'], scheme + 3) is var end and >= 0 ? end : text.Length;
        var builder = new StringBuilder(text.Length + 8);
        var inFragment = false;
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var allowed = char.IsAsciiLetterOrDigit(c) || "-._~:/?@!$&'()*+,;=".Contains(c)
                || (c is '[' or ']' && i < authorityEnd)
                || (c == '#' && !inFragment)
                || (c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]));
            if (c == '#') inFragment = true;
            if (allowed)
            {
                builder.Append(c);
                continue;
            }
            var rune = Rune.TryGetRuneAt(text, i, out var r) ? r : Rune.ReplacementChar;
            if (rune.Utf16SequenceLength == 2) i++;
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length]) builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
