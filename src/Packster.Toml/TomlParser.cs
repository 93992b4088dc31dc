using System.Runtime.CompilerServices;
using System.Text;

namespace Packster.Toml;

/// <summary>
/// Single-pass recursive-descent reader over the document text (a span, so UTF-8 input can be
/// decoded into a pooled buffer). The structure (key/value lines,
/// headers, redefinition rules) lives here; strings, numbers and date-times are in the other
/// parts of this partial class.
/// </summary>
internal ref partial struct TomlParser
{
    private readonly ReadOnlySpan<char> _text;
    private readonly string? _file;
    private readonly bool _hasSurrogates;

    // TOML 1.1 syntax (\e and \xHH escapes, multi-line inline tables, times without seconds) is allowed.
    private readonly bool _toml11;
    private readonly TomlTable _root;
    private readonly StringBuilder _buffer = new();
    private readonly List<KeyPart> _keyParts = [];
    private readonly HashSet<string> _keyNames = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _keyLookup;

    // Arrays and inline tables recurse, and consumers walk tables recursively: neither they nor the parts of one
    // dotted key may nest deeper, so a hostile document cannot overflow a stack.
    internal const int MaxNesting = 256;

    private int _depth;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private TomlTable _current;

    /// <param name="text">The document; must already be free of lone surrogates.</param>
    /// <param name="start">Where parsing starts (after a byte-order mark).</param>
    internal TomlParser(ReadOnlySpan<char> text, int start, bool hasSurrogates, string? file, TomlVersion version)
    {
        _toml11 = version switch
        {
            TomlVersion.V1_0 => false,
            TomlVersion.V1_1 => true,
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "unknown TOML version"),
        };
        _text = text;
        _pos = start;
        _lineStart = start;
        _hasSurrogates = hasSurrogates;
        _file = file;
        _root = new TomlTable(new TomlPosition(1, 1)) { Origin = TomlTableOrigin.Root };
        _current = _root;
        _keyLookup = _keyNames.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private readonly record struct KeyPart(string Name, int Index, TomlPosition Position);

    internal TomlTable ParseDocument()
    {
        var text = _text;
        while (true)
        {
            SkipWhitespace();
            if (_pos >= text.Length)
            {
                return _root;
            }

            var c = text[_pos];
            if (c == '\n' || c == '\r')
            {
                ConsumeNewline();
                continue;
            }

            if (c == '#')
            {
                SkipComment();
                continue;
            }

            if (c == '[')
            {
                ParseHeader();
                ExpectEndOfLine("after the table header");
            }
            else
            {
                ParseKeyValue(_current);
                ExpectEndOfLine("after the value");
            }
        }
    }

    // ---- lines, whitespace, comments ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SkipWhitespace()
    {
        var text = _text;
        var pos = _pos;
        while ((uint)pos < (uint)text.Length && (text[pos] == ' ' || text[pos] == '\t'))
        {
            pos++;
        }

        _pos = pos;
    }

    /// <summary>At '\n' or '\r': consumes one newline; a CR must be followed by LF.</summary>
    private void ConsumeNewline()
    {
        if (_text[_pos] == '\r')
        {
            if (_pos + 1 >= _text.Length || _text[_pos + 1] != '\n')
            {
                throw Error("a carriage return (CR) must be followed by a line feed (LF)", _pos);
            }

            _pos++;
        }

        _pos++;
        _line++;
        _lineStart = _pos;
    }

    /// <summary>At '#': skips to the end of the line (not consuming the newline), rejecting control characters.</summary>
    private void SkipComment()
    {
        var text = _text;
        var pos = _pos + 1;
        var rest = text.Slice(pos);
        var stop = rest.IndexOfAny(CommentStops);
        if (stop < 0)
        {
            _pos = text.Length;
            return;
        }

        pos += stop;
        var c = text[pos];
        if (c != '\n' && c != '\r')
        {
            throw Error($"{Describe(pos)} is not allowed in a comment", pos);
        }

        _pos = pos;
    }

    /// <summary>After a value or header: optional whitespace and comment, then a newline or the end of input.</summary>
    private void ExpectEndOfLine(string context)
    {
        SkipWhitespace();
        if (_pos >= _text.Length)
        {
            return;
        }

        var c = _text[_pos];
        if (c == '#')
        {
            SkipComment();
            if (_pos >= _text.Length)
            {
                return;
            }

            c = _text[_pos];
        }

        if (c == '\n' || c == '\r')
        {
            ConsumeNewline();
            return;
        }

        throw Expected("a newline", context);
    }

    /// <summary>Inside arrays (and TOML 1.1 inline tables): whitespace, newlines and comments in any number.</summary>
    private void SkipWhitespaceNewlinesAndComments()
    {
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
            else if (c == '#')
            {
                SkipComment();
            }
            else
            {
                return;
            }
        }
    }

    // ---- keys ----

    /// <summary>Reads a (possibly dotted) key into <see cref="_keyParts"/>.</summary>
    private void ParseKey()
    {
        _keyParts.Clear();
        while (true)
        {
            SkipWhitespace();
            var start = _pos;
            var position = PositionAt(start);
            string name;
            var c = _pos < _text.Length ? _text[_pos] : '\0';
            if (c == '"')
            {
                name = ParseBasicString();
            }
            else if (c == '\'')
            {
                name = ParseLiteralString();
            }
            else
            {
                var text = _text;
                var end = _pos;
                while (end < text.Length && IsBareKeyChar(text[end]))
                {
                    end++;
                }

                if (end == _pos)
                {
                    throw _keyParts.Count == 0
                        ? Expected("a key", "")
                        : Expected("a key", $"after '{KeyText()}.'");
                }

                name = InternKey(text.Slice(_pos, end - _pos));
                _pos = end;
            }

            _keyParts.Add(new KeyPart(name, start, position));
            if (_keyParts.Count > MaxNesting)
            {
                throw NestingLimit($"a key has more than {MaxNesting} dotted parts", start);
            }

            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == '.')
            {
                _pos++;
                continue;
            }

            return;
        }
    }

    private string InternKey(ReadOnlySpan<char> span)
    {
        if (!_keyLookup.TryGetValue(span, out var name))
        {
            name = span.ToString();
            _keyNames.Add(name);
        }

        return name;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsBareKeyChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-';

    private string KeyText(int count = -1)
    {
        if (count < 0)
        {
            count = _keyParts.Count;
        }

        if (count == 1)
        {
            return _keyParts[0].Name;
        }

        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.Append('.');
            }

            sb.Append(_keyParts[i].Name);
        }

        return sb.ToString();
    }

    // ---- key/value pairs ----

    private void ParseKeyValue(TomlTable table)
    {
        ParseKey();
        var target = table;
        var last = _keyParts.Count - 1;
        for (var i = 0; i < last; i++)
        {
            var part = _keyParts[i];
            if (!target.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(part.Position) { Origin = TomlTableOrigin.Dotted };
                target.Add(part.Name, created, part.Position);
                target = created;
                continue;
            }

            if (existing is TomlTable { Origin: TomlTableOrigin.Dotted or TomlTableOrigin.Implicit } sub)
            {
                // A table that a header only created implicitly ([a.b.c] creates a.b) is not yet
                // defined; dotted keys may define it, after which it counts as defined by them.
                sub.Origin = TomlTableOrigin.Dotted;
                target = sub;
                continue;
            }

            throw CannotExtendWithDottedKey(i, existing, target.KeyPosition(part.Name));
        }

        var key = _keyParts[last];
        if (target.TryGetValue(key.Name, out var previous))
        {
            throw DuplicateKey(previous, target.KeyPosition(key.Name), key.Index);
        }

        var keyText = _keyParts.Count == 1 ? key.Name : null;
        SkipWhitespace();
        if (_pos >= _text.Length || _text[_pos] != '=')
        {
            throw Expected("'='", $"after key '{keyText ?? KeyText()}'");
        }

        _pos++;
        SkipWhitespace();
        var value = ParseValue("after '='");
        target.Add(key.Name, value, key.Position);
    }

    // ---- headers ----

    private void ParseHeader()
    {
        var open = _pos;
        var headerPosition = PositionAt(open);
        var isArray = _pos + 1 < _text.Length && _text[_pos + 1] == '[';
        _pos += isArray ? 2 : 1;
        ParseKey();
        if (_pos >= _text.Length || _text[_pos] != ']')
        {
            throw Expected(isArray ? "']]'" : "']'", $"after table name '{KeyText()}'");
        }

        _pos++;
        if (isArray)
        {
            if (_pos >= _text.Length || _text[_pos] != ']')
            {
                throw Expected("']]'", $"after table name '{KeyText()}'");
            }

            _pos++;
        }

        var table = _root;
        var last = _keyParts.Count - 1;
        for (var i = 0; i < last; i++)
        {
            var part = _keyParts[i];
            if (!table.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(part.Position) { Origin = TomlTableOrigin.Implicit };
                table.Add(part.Name, created, part.Position);
                table = created;
                continue;
            }

            table = existing switch
            {
                TomlTable { Origin: TomlTableOrigin.Inline } => throw HeaderThrough(i, existing, table.KeyPosition(part.Name)),
                TomlTable sub => sub,
                TomlArray { IsArrayOfTables: true } array => (TomlTable)array[^1],
                _ => throw HeaderThrough(i, existing, table.KeyPosition(part.Name)),
            };
        }

        var key = _keyParts[last];
        table.TryGetValue(key.Name, out var current);
        if (isArray)
        {
            var element = new TomlTable(headerPosition) { Origin = TomlTableOrigin.Root };
            switch (current)
            {
                case null:
                    var array = new TomlArray(headerPosition) { IsArrayOfTables = true };
                    array.Add(element);
                    table.Add(key.Name, array, key.Position);
                    break;
                case TomlArray { IsArrayOfTables: true } existingArray:
                    existingArray.Add(element);
                    break;
                default:
                    throw ArrayOfTablesConflict(current, table.KeyPosition(key.Name), key.Index);
            }

            _current = element;
            return;
        }

        switch (current)
        {
            case null:
                var created = new TomlTable(headerPosition) { Origin = TomlTableOrigin.Header };
                table.Add(key.Name, created, key.Position);
                _current = created;
                return;
            case TomlTable { Origin: TomlTableOrigin.Implicit } implicitTable:
                implicitTable.DefineByHeader(headerPosition);
                table.SetKeyPosition(key.Name, key.Position);
                _current = implicitTable;
                return;
            default:
                throw TableRedefined(current, table.KeyPosition(key.Name), open);
        }
    }

    // ---- values ----

    /// <param name="context">Where the value stands, for "expected a value …" messages.</param>
    private TomlNode ParseValue(string context)
    {
        var text = _text;
        var pos = _pos;
        if (pos >= text.Length)
        {
            throw Expected("a value", context);
        }

        var c = text[pos];
        switch (c)
        {
            case '"':
                {
                    var position = PositionAt(pos);
                    var value = pos + 2 < text.Length && text[pos + 1] == '"' && text[pos + 2] == '"'
                        ? ParseMultilineBasicString()
                        : ParseBasicString();
                    return new TomlString(value, position);
                }

            case '\'':
                {
                    var position = PositionAt(pos);
                    var value = pos + 2 < text.Length && text[pos + 1] == '\'' && text[pos + 2] == '\''
                        ? ParseMultilineLiteralString()
                        : ParseLiteralString();
                    return new TomlString(value, position);
                }

            case 't':
                return ParseKeyword("true", true);
            case 'f':
                return ParseKeyword("false", false);
            case '[' or '{':
                {
                    if (++_depth > MaxNesting)
                    {
                        throw NestingLimit($"arrays and inline tables are nested more than {MaxNesting} deep", pos);
                    }

                    TomlNode nested = c == '[' ? ParseArray() : ParseInlineTable();
                    _depth--;
                    return nested;
                }

            default:
                if (char.IsAsciiDigit(c) || c == '+' || c == '-' || c == 'i' || c == 'n')
                {
                    return ParseNumberOrDateTime();
                }

                throw Expected("a value", context);
        }
    }

    private TomlBoolean ParseKeyword(string word, bool value)
    {
        if (!_text.Slice(_pos).StartsWith(word, StringComparison.Ordinal))
        {
            throw Error($"expected a value, found '{TokenAt(_pos)}' (booleans are lower-case 'true' or 'false')", _pos);
        }

        var start = _pos;
        var position = PositionAt(start);
        _pos += word.Length;
        if (_pos < _text.Length && IsBareKeyChar(_text[_pos]))
        {
            throw Error($"expected a value, found '{TokenAt(start)}'", start);
        }

        return new TomlBoolean(value, position);
    }

    private TomlArray ParseArray()
    {
        var array = new TomlArray(PositionAt(_pos));
        _pos++;
        while (true)
        {
            SkipWhitespaceNewlinesAndComments();
            if (_pos >= _text.Length)
            {
                throw Expected("a value or ']'", "in array");
            }

            if (_text[_pos] == ']')
            {
                _pos++;
                return array;
            }

            if (_text[_pos] == ',')
            {
                throw Expected("a value", "in array");
            }

            array.Add(ParseValue("in array"));
            SkipWhitespaceNewlinesAndComments();
            if (_pos >= _text.Length)
            {
                throw Expected("',' or ']'", "after array element");
            }

            var c = _text[_pos];
            if (c == ',')
            {
                _pos++;
                continue;
            }

            if (c == ']')
            {
                _pos++;
                return array;
            }

            throw Expected("',' or ']'", "after array element");
        }
    }

    private TomlTable ParseInlineTable()
    {
        var table = new TomlTable(PositionAt(_pos)) { Origin = TomlTableOrigin.Root };
        _pos++;
        SkipInsideInlineTable("a key or '}'");
        if (_pos < _text.Length && _text[_pos] == '}')
        {
            _pos++;
            table.Origin = TomlTableOrigin.Inline;
            return table;
        }

        while (true)
        {
            ParseKeyValue(table);
            SkipInsideInlineTable("',' or '}'");
            var c = _pos < _text.Length ? _text[_pos] : '\0';
            if (c == ',')
            {
                var comma = _pos++;
                SkipInsideInlineTable("a key");
                if (_pos < _text.Length && _text[_pos] == '}')
                {
                    if (!_toml11)
                    {
                        throw Error("a trailing comma is not allowed in an inline table in TOML 1.0 (TOML 1.1 allows it)", comma);
                    }

                    _pos++;
                    table.Origin = TomlTableOrigin.Inline;
                    return table;
                }

                continue;
            }

            if (c == '}')
            {
                _pos++;
                table.Origin = TomlTableOrigin.Inline;
                return table;
            }

            throw Expected("',' or '}'", "after a key/value pair in an inline table");
        }
    }

    /// <summary>Between the parts of an inline table: whitespace, and in TOML 1.1 also newlines and comments.</summary>
    private void SkipInsideInlineTable(string expected)
    {
        if (_toml11)
        {
            SkipWhitespaceNewlinesAndComments();
            return;
        }

        SkipWhitespace();
        if (_pos < _text.Length && _text[_pos] is '\n' or '\r' or '#')
        {
            throw Error(
                $"expected {expected} in inline table, found {Describe(_pos)}: inline tables must be on one line in TOML 1.0 " +
                "(TOML 1.1 allows newlines and comments in them)",
                _pos);
        }
    }
}
