using System.Buffers;
using System.Text.Unicode;

namespace Packster.Toml;

/// <summary>Reads TOML 1.1.0 or 1.0.0 text into a <see cref="TomlTable"/>; throws <see cref="TomlException"/> with line and column.</summary>
public static class TomlDocument
{
    /// <summary>Parses TOML text. <paramref name="file"/> is only used in error messages.</summary>
    /// <param name="version">The TOML release the text is read as; syntax a later release added is an error in an earlier one.</param>
    public static TomlTable Parse(string text, string? file = null, TomlVersion version = TomlVersion.V1_1)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var hasSurrogates = CheckSurrogates(text, start, file);
        return new TomlParser(text, start, hasSurrogates, file, version).ParseDocument();
    }

    /// <summary>Parses UTF-8 bytes (a BOM is allowed); invalid UTF-8 is a <see cref="TomlException"/>.</summary>
    /// <param name="version">The TOML release the text is read as; syntax a later release added is an error in an earlier one.</param>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8, string? file = null, TomlVersion version = TomlVersion.V1_1)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        // Decode into a pooled buffer rather than a string: a large document would otherwise put its
        // whole text on the large-object heap on every parse, which costs more in GC than parsing.
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(utf8.Length, 1));
        try
        {
            var status = Utf8.ToUtf16(utf8, buffer, out var read, out var written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                throw InvalidUtf8(buffer.AsSpan(0, written), utf8[read], file);
            }

            var text = buffer.AsSpan(0, written);
            var hasSurrogates = CheckSurrogates(text, 0, file);
            return new TomlParser(text, 0, hasSurrogates, file, version).ParseDocument();
        }
        finally
        {
            // Cleared because configuration text may hold secrets and the pool hands buffers to other code.
            ArrayPool<char>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>Rejects lone surrogates (a .NET string can hold them; TOML text cannot). True when pairs occur.</summary>
    private static bool CheckSurrogates(ReadOnlySpan<char> text, int start, string? file)
    {
        var span = text[start..];
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

    private static TomlException InvalidUtf8(ReadOnlySpan<char> before, byte bad, string? file) =>
        new($"invalid UTF-8: unexpected byte 0x{bad:X2}", PositionOf(before), file);

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
