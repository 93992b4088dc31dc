using System.Buffers;

namespace Packster.Toml;

/// <summary>Basic, literal and multi-line strings, with every TOML 1.0 escape and the two TOML 1.1 adds (<c>\e</c>, <c>\xHH</c>).</summary>
internal ref partial struct TomlParser
{
    // Control characters TOML forbids in strings and comments: U+0000-U+0008, U+000A-U+001F, U+007F.
    // Tab is allowed; LF and CR appear here so scanners stop at line ends too.
    private const string ControlCharacters =
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F";

    private static readonly SearchValues<char> CommentStops = SearchValues.Create(ControlCharacters);
    private static readonly SearchValues<char> BasicStops = SearchValues.Create(ControlCharacters + "\"\\");
    private static readonly SearchValues<char> LiteralStops = SearchValues.Create(ControlCharacters + "'");

    /// <summary>At '"': a single-line basic string.</summary>
    private string ParseBasicString()
    {
        var text = _text;
        var open = _pos;
        var start = open + 1;
        var stop = text.Slice(start).IndexOfAny(BasicStops);
        if (stop < 0)
        {
            _pos = text.Length;
            throw Error("unterminated string: expected '\"' before the end of input", open);
        }

        var pos = start + stop;
        if (text[pos] == '"')
        {
            // Fast path: no escapes.
            _pos = pos + 1;
            return new string(text.Slice(start, stop));
        }

        var sb = _buffer.Clear();
        sb.Append(text.Slice(start, stop));
        while (true)
        {
            var c = text[pos];
            if (c == '"')
            {
                _pos = pos + 1;
                return sb.ToString();
            }

            if (c == '\\')
            {
                pos = AppendEscape(sb, pos);
            }
            else
            {
                throw UnexpectedInString(pos, "string");
            }

            stop = text.Slice(pos).IndexOfAny(BasicStops);
            if (stop < 0)
            {
                throw Error("unterminated string: expected '\"' before the end of input", open);
            }

            sb.Append(text.Slice(pos, stop));
            pos += stop;
        }
    }

    /// <summary>At '\'': a single-line literal string (no escapes).</summary>
    private string ParseLiteralString()
    {
        var text = _text;
        var open = _pos;
        var start = open + 1;
        var stop = text.Slice(start).IndexOfAny(LiteralStops);
        if (stop < 0)
        {
            throw Error("unterminated literal string: expected \"'\" before the end of input", open);
        }

        var pos = start + stop;
        if (text[pos] != '\'')
        {
            throw UnexpectedInString(pos, "literal string");
        }

        _pos = pos + 1;
        return new string(text.Slice(start, stop));
    }

    /// <summary>At '"""': a multi-line basic string.</summary>
    private string ParseMultilineBasicString()
    {
        var text = _text;
        var open = PositionAt(_pos);
        _pos += 3;
        SkipNewlineAfterOpeningDelimiter();
        var sb = _buffer.Clear();
        while (true)
        {
            var stop = text.Slice(_pos).IndexOfAny(BasicStops);
            if (stop < 0)
            {
                _pos = text.Length;
                throw new TomlException("unterminated multi-line string: expected '\"\"\"' before the end of input", open, _file);
            }

            sb.Append(text.Slice(_pos, stop));
            _pos += stop;
            var c = text[_pos];
            switch (c)
            {
                case '"':
                    if (CloseQuotes(sb, '"'))
                    {
                        return sb.ToString();
                    }

                    break;
                case '\\':
                    if (IsLineEndingBackslash())
                    {
                        SkipLineEndingBackslash();
                    }
                    else
                    {
                        _pos = AppendEscape(sb, _pos);
                    }

                    break;
                case '\n' or '\r':
                    // Newlines are normalised to LF.
                    ConsumeNewline();
                    sb.Append('\n');
                    break;
                default:
                    throw UnexpectedInString(_pos, "multi-line string");
            }
        }
    }

    /// <summary>At "'''": a multi-line literal string.</summary>
    private string ParseMultilineLiteralString()
    {
        var text = _text;
        var open = PositionAt(_pos);
        _pos += 3;
        SkipNewlineAfterOpeningDelimiter();
        var sb = _buffer.Clear();
        while (true)
        {
            var stop = text.Slice(_pos).IndexOfAny(LiteralStops);
            if (stop < 0)
            {
                _pos = text.Length;
                throw new TomlException("unterminated multi-line literal string: expected \"'''\" before the end of input", open, _file);
            }

            sb.Append(text.Slice(_pos, stop));
            _pos += stop;
            var c = text[_pos];
            if (c == '\'')
            {
                if (CloseQuotes(sb, '\''))
                {
                    return sb.ToString();
                }
            }
            else if (c == '\n' || c == '\r')
            {
                ConsumeNewline();
                sb.Append('\n');
            }
            else
            {
                throw UnexpectedInString(_pos, "multi-line literal string");
            }
        }
    }

    /// <summary>A newline right after the opening delimiter is not part of the string.</summary>
    private void SkipNewlineAfterOpeningDelimiter()
    {
        if (_pos < _text.Length && (_text[_pos] == '\n' || _text[_pos] == '\r'))
        {
            ConsumeNewline();
        }
    }

    /// <summary>
    /// At a quote inside a multi-line string. One or two quotes are content; three to five close the
    /// string, the extra one or two being content; six or more is an error.
    /// </summary>
    private bool CloseQuotes(System.Text.StringBuilder sb, char quote)
    {
        var run = 0;
        while (_pos + run < _text.Length && _text[_pos + run] == quote)
        {
            run++;
        }

        if (run < 3)
        {
            sb.Append(quote, run);
            _pos += run;
            return false;
        }

        if (run > 5)
        {
            throw Error($"too many quotes: at most two {quote} may directly precede the closing delimiter", _pos + 5);
        }

        sb.Append(quote, run - 3);
        _pos += run;
        return true;
    }

    /// <summary>At '\\': true when only whitespace follows before the end of the line.</summary>
    private bool IsLineEndingBackslash()
    {
        var pos = _pos + 1;
        while (pos < _text.Length && (_text[pos] == ' ' || _text[pos] == '\t'))
        {
            pos++;
        }

        return pos < _text.Length && (_text[pos] == '\n' || _text[pos] == '\r');
    }

    /// <summary>A line-ending backslash removes the newline and all whitespace and newlines after it.</summary>
    private void SkipLineEndingBackslash()
    {
        _pos++;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == ' ' || c == '\t')
            {
                _pos++;
            }
            else if (c == '\n' || c == '\r')
            {
                ConsumeNewline();
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>At '\\': appends the escaped character and returns the index after the escape.</summary>
    private int AppendEscape(System.Text.StringBuilder sb, int pos)
    {
        var text = _text;
        if (pos + 1 >= text.Length)
        {
            throw Error("unterminated string: expected an escape character after '\\'", pos);
        }

        var c = text[pos + 1];
        switch (c)
        {
            case 'b': sb.Append('\b'); return pos + 2;
            case 't': sb.Append('\t'); return pos + 2;
            case 'n': sb.Append('\n'); return pos + 2;
            case 'f': sb.Append('\f'); return pos + 2;
            case 'r': sb.Append('\r'); return pos + 2;
            case '"': sb.Append('"'); return pos + 2;
            case '\\': sb.Append('\\'); return pos + 2;
            case 'u': return AppendUnicodeEscape(sb, pos, 4);
            case 'U': return AppendUnicodeEscape(sb, pos, 8);
            case 'e' when _toml11: sb.Append('\u001B'); return pos + 2;
            case 'x' when _toml11: return AppendUnicodeEscape(sb, pos, 2);
            default:
                throw InvalidEscape(pos, c);
        }
    }

    private TomlException InvalidEscape(int pos, char c)
    {
        var shown = c < 0x20 || c == 0x7F ? $"U+{(int)c:X4}" : c.ToString();
        if (_toml11)
        {
            return Error($"invalid escape sequence '\\{shown}': expected one of \\b \\t \\n \\f \\r \\e \\\" \\\\ \\xHH \\uXXXX \\UXXXXXXXX", pos);
        }

        var hint = c is 'e' or 'x' ? $" (\\{c} is a TOML 1.1 escape; this document is read as TOML 1.0)" : "";
        return Error($"invalid escape sequence '\\{shown}': expected one of \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX{hint}", pos);
    }

    private int AppendUnicodeEscape(System.Text.StringBuilder sb, int pos, int digits)
    {
        var text = _text;
        var value = 0;
        for (var i = 0; i < digits; i++)
        {
            var index = pos + 2 + i;
            var d = index < text.Length ? HexValue(text[index]) : -1;
            if (d < 0)
            {
                throw Error($"invalid escape '\\{text[pos + 1]}': expected {digits} hexadecimal digits, found {Describe(index)}", pos);
            }

            value = unchecked((value << 4) | d);
        }

        if (unchecked((uint)value) > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        {
            throw Error($"invalid escape '{text.Slice(pos, digits + 2)}': U+{unchecked((uint)value):X} is not a Unicode scalar value", pos);
        }

        if (value < 0x10000)
        {
            sb.Append((char)value);
        }
        else
        {
            value -= 0x10000;
            sb.Append((char)(0xD800 + (value >> 10)));
            sb.Append((char)(0xDC00 + (value & 0x3FF)));
        }

        return pos + 2 + digits;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private TomlException UnexpectedInString(int pos, string kind) => _text[pos] switch
    {
        '\n' or '\r' => Error($"unterminated {kind}: a newline is not allowed before the closing quote", pos),
        _ => Error($"{Describe(pos)} is not allowed in a {kind}; use an escape", pos),
    };
}
