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
        var text = Text(homepage);
        var authorityEnd = AuthorityEnd(text);
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

    /// <summary>
    /// Why <paramref name="homepage"/> cannot be written as a URL a schema's <c>iri-reference</c> accepts (spec/bom.md),
    /// or null. An IPv6 address with a zone id (<c>https://[fe80::1%25eth0]/</c>, RFC 6874) is such a URL: RFC 3986 has
    /// no zone id, and no escape makes one a URL; it names an interface of one machine, no page of a package.
    /// </summary>
    public static string? Unwritable(Uri homepage)
    {
        ArgumentNullException.ThrowIfNull(homepage);
        var text = Text(homepage);
        var open = text.IndexOf('[', StringComparison.Ordinal);
        var end = AuthorityEnd(text);
        if (open < 0 || open >= end) return null;
        var close = text.IndexOf(']', open);
        return text.IndexOf('%', open, (close < 0 || close > end ? end : close) - open) >= 0
            ? "its IPv6 host has a zone id ('%…' inside the brackets), which a URL cannot hold"
            : null;
    }

    private static string Text(Uri homepage) => homepage.OriginalString.Trim(' ', '\t', '\n', '\r', '\f');

    /// <summary>Where the authority (<c>host:port</c>) of <paramref name="text"/> ends; 0 without a <c>://</c>.</summary>
    private static int AuthorityEnd(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        return scheme < 0 ? 0 : text.IndexOfAny(['/', '?', '#'], scheme + 3) is var end and >= 0 ? end : text.Length;
    }
}
