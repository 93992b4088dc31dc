using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Packster.Toml;

/// <summary>Reads TOML 1.0.0 text into a <see cref="TomlTable"/>; throws <see cref="TomlException"/> with line and column.</summary>
public static class TomlDocument
{
    /// <summary>Parses TOML text. <paramref name="file"/> is only used in error messages.</summary>
    public static TomlTable Parse(string text, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var hasSurrogates = CheckSurrogates(text, start, file);
        return new TomlParser(text, start, hasSurrogates, file).ParseDocument();
    }

    /// <summary>Parses UTF-8 bytes (a BOM is allowed); invalid UTF-8 is a <see cref="TomlException"/>.</summary>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8, string? file = null)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        if (!Utf8.IsValid(utf8))
        {
            throw InvalidUtf8(utf8, file);
        }

        var text = Encoding.UTF8.GetString(utf8);
        var hasSurrogates = CheckSurrogates(text, 0, file);
        return new TomlParser(text, 0, hasSurrogates, file).ParseDocument();
    }

    /// <summary>Rejects lone surrogates (a .NET string can hold them; TOML text cannot). True when pairs occur.</summary>
    private static bool CheckSurrogates(string text, int start, string? file)
    {
        var span = text.AsSpan(start);
        var first = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return false;
        }

        for (var i = first; i < span.Length; i++)
        {
            var c = span[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
                continue;
            }

            throw new TomlException($"invalid character: lone surrogate U+{(int)c:X4}", PositionOf(span[..i]), file);
        }

        return true;
    }

    /// <summary>Decodes up to the first invalid sequence so the error can name its line and column.</summary>
    private static TomlException InvalidUtf8(ReadOnlySpan<byte> utf8, string? file)
    {
        var buffer = new char[utf8.Length];
        Utf8.ToUtf16(utf8, buffer, out var read, out var written, replaceInvalidSequences: false);
        return new TomlException($"invalid UTF-8: unexpected byte 0x{utf8[read]:X2}", PositionOf(buffer.AsSpan(0, written)), file);
    }

    /// <summary>The position just after <paramref name="before"/>, counting scalar values.</summary>
    private static TomlPosition PositionOf(ReadOnlySpan<char> before)
    {
        var lineStart = before.LastIndexOf('\n') + 1;
        var line = before[..lineStart].Count('\n') + 1;
        var column = 1;
        foreach (var c in before[lineStart..])
        {
            if (!char.IsLowSurrogate(c))
            {
                column++;
            }
        }

        return new TomlPosition(line, column);
    }
}
