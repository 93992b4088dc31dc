namespace Packster.Toml;

/// <summary>
/// Positions and the named error factories. Every message says what was expected or which rule
/// was broken, what was found, and for redefinitions where the first definition is.
/// </summary>
internal ref partial struct TomlParser
{
    private TomlException CannotExtendWithDottedKey(int partIndex, TomlNode existing, TomlPosition at)
    {
        var part = _keyParts[partIndex];
        var name = KeyText(partIndex + 1);
        var reason = existing switch
        {
            TomlTable { Origin: TomlTableOrigin.Inline } =>
                $"cannot add keys to inline table '{name}' (defined at {at}); an inline table is complete at its '}}'",
            TomlTable =>
                $"cannot use dotted key '{KeyText()}' to extend table '{name}' defined by a [header] at {existing.Position}",
            _ => $"cannot use '{name}' as a table in dotted key '{KeyText()}': it is already {Article(existing)} (defined at {at})",
        };
        return Error(reason, part.Index);
    }

    /// <summary>The last key segment already exists in the target table.</summary>
    private TomlException DuplicateKey(TomlNode previous, TomlPosition firstAt, int index) =>
        Error($"duplicate key '{KeyText()}': already defined at {firstAt} as {Article(previous)}", index);

    /// <summary>A [header] path goes through an inline table, a static array or a non-table value.</summary>
    private TomlException HeaderThrough(int partIndex, TomlNode existing, TomlPosition at)
    {
        var name = KeyText(partIndex + 1);
        var reason = existing switch
        {
            TomlTable => $"cannot extend inline table '{name}' (defined at {existing.Position}) with a [header]; an inline table is complete at its '}}'",
            TomlArray => $"cannot extend '{name}' with a [header]: it is a static array (defined at {existing.Position})",
            _ => $"cannot use '{name}' as a table: it is already {Article(existing)} (defined at {at})",
        };
        return Error(reason, _keyParts[partIndex].Index);
    }

    /// <summary>[[name]] where name holds something other than an array of tables.</summary>
    private TomlException ArrayOfTablesConflict(TomlNode existing, TomlPosition at, int index) => existing is TomlArray
        ? Error($"cannot append to static array '{KeyText()}' (defined at {existing.Position}) with [[{KeyText()}]]", index)
        : Error($"cannot define [[{KeyText()}]]: '{KeyText()}' is already {Article(existing)} (defined at {at})", index);

    /// <summary>[name] where name is already defined (other than implicitly by an earlier header).</summary>
    private TomlException TableRedefined(TomlNode existing, TomlPosition at, int index)
    {
        var name = KeyText();
        var reason = existing switch
        {
            TomlTable { Origin: TomlTableOrigin.Dotted } => $"cannot define table [{name}]: it was already defined by dotted keys at {existing.Position}",
            TomlTable { Origin: TomlTableOrigin.Inline } => $"cannot define table [{name}]: it is an inline table (defined at {existing.Position})",
            TomlTable => $"table [{name}] is defined twice (first at {existing.Position})",
            TomlArray { IsArrayOfTables: true } => $"cannot define table [{name}]: it is an array of tables (first [[{name}]] at {existing.Position})",
            _ => $"cannot define table [{name}]: '{name}' is already {Article(existing)} (defined at {at})",
        };
        return Error(reason, index);
    }

    /// <summary>The position of <paramref name="index"/>, which must lie on the current line.</summary>
    private TomlPosition PositionAt(int index)
    {
        var column = index - _lineStart + 1;
        if (_hasSurrogates)
        {
            // Columns count scalar values: a surrogate pair is one column.
            foreach (var ch in _text.Slice(_lineStart, index - _lineStart))
            {
                if (char.IsLowSurrogate(ch))
                {
                    column--;
                }
            }
        }

        return new TomlPosition(_line, column);
    }

    private TomlException Error(string reason, int index) => new(reason, PositionAt(index), _file);

    /// <summary>A document nested deeper than the reader allows: refused before anything recurses that deep.</summary>
    private TomlException NestingLimit(string reason, int index) => new(reason, PositionAt(index), _file) { IsNestingLimit = true };

    /// <summary>"expected X context, found Y" at the current position.</summary>
    private TomlException Expected(string what, string context) =>
        Error(context.Length == 0 ? $"expected {what}, found {Describe(_pos)}" : $"expected {what} {context}, found {Describe(_pos)}", _pos);

    private string Describe(int index)
    {
        if (index >= _text.Length)
        {
            return "end of input";
        }

        var c = _text[index];
        return c switch
        {
            '\n' or '\r' => "end of line",
            '\t' => "a tab",
            _ when c < 0x20 || c == 0x7F => $"control character U+{(int)c:X4}",
            _ when char.IsHighSurrogate(c) && index + 1 < _text.Length => $"'{_text.Slice(index, 2)}'",
            _ => $"'{c}'",
        };
    }

    /// <summary>The run of value-like characters at <paramref name="index"/>, for messages.</summary>
    private string TokenAt(int index)
    {
        var end = index;
        while (end < _text.Length && end - index < 40 && (IsBareKeyChar(_text[end]) || _text[end] is '.' or '+' or ':'))
        {
            end++;
        }

        return end == index ? Describe(index) : new string(_text[index..end]);
    }

    private static string Article(TomlNode node) => node switch
    {
        TomlArray { IsArrayOfTables: true } => "an array of tables",
        TomlArray => "an array",
        TomlInteger => "an integer",
        _ => "a " + node.TypeName,
    };
}
