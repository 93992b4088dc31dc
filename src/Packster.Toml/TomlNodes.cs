using System.Collections;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Packster.Toml;

/// <summary>A 1-based line and column (in Unicode scalar values) inside a TOML document.</summary>
public readonly record struct TomlPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>Any TOML value; every value knows where it was written.</summary>
public abstract class TomlNode
{
    protected TomlNode(TomlPosition position) => Position = position;

    /// <summary>Where the value starts (for tables: the header or the opening brace; for implicit tables: the key segment that created them, until a header defines them).</summary>
    public TomlPosition Position { get; private protected set; }

    /// <summary>The TOML type name used in messages: string, integer, float, boolean, datetime, datetime-local, date-local, time-local, array, table.</summary>
    public abstract string TypeName { get; }
}

public sealed class TomlString(string value, TomlPosition position) : TomlNode(position)
{
    public string Value { get; } = value;
    public override string TypeName => "string";
    public override string ToString() => Value;
}

public sealed class TomlInteger(long value, TomlPosition position) : TomlNode(position)
{
    public long Value { get; } = value;
    public override string TypeName => "integer";
}

public sealed class TomlFloat(double value, TomlPosition position) : TomlNode(position)
{
    public double Value { get; } = value;
    public override string TypeName => "float";
}

public sealed class TomlBoolean(bool value, TomlPosition position) : TomlNode(position)
{
    public bool Value { get; } = value;
    public override string TypeName => "boolean";
}

/// <summary>The four TOML date/time kinds.</summary>
public enum TomlDateTimeKind
{
    OffsetDateTime,
    LocalDateTime,
    LocalDate,
    LocalTime,
}

/// <summary>
/// A date, time or date-time. <see cref="Text"/> is normalised RFC 3339 text
/// ('T' separator, upper-case 'Z', fraction kept as written), so no precision is lost.
/// </summary>
public sealed class TomlDateTime(TomlDateTimeKind kind, string text, TomlPosition position) : TomlNode(position)
{
    public TomlDateTimeKind Kind { get; } = kind;
    public string Text { get; } = text;

    public override string TypeName => Kind switch
    {
        TomlDateTimeKind.OffsetDateTime => "datetime",
        TomlDateTimeKind.LocalDateTime => "datetime-local",
        TomlDateTimeKind.LocalDate => "date-local",
        _ => "time-local",
    };
}

public sealed class TomlArray : TomlNode, IReadOnlyList<TomlNode>
{
    // A plain growable array rather than List<T>: one object fewer per TOML array.
    private TomlNode[] _items = [];
    private int _count;

    public TomlArray(TomlPosition position) : base(position) { }

    /// <summary>True for arrays built by [[header]] sections; only those may be appended to by later headers.</summary>
    internal bool IsArrayOfTables { get; init; }

    public override string TypeName => "array";
    public int Count => _count;

    public TomlNode this[int index] =>
        (uint)index < (uint)_count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    internal void Add(TomlNode item)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _count == 0 ? 4 : _count * 2);
        }

        _items[_count++] = item;
    }

    public IEnumerator<TomlNode> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _items[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A table: keys in document order, each with the position of the key itself.</summary>
public sealed class TomlTable : TomlNode, IEnumerable<KeyValuePair<string, TomlNode>>
{
    // Most tables hold a handful of keys: entries live in one array in document order and are
    // searched linearly; a hash index is built only once a table grows past IndexThreshold.
    // This keeps a parsed document to about one allocation per table instead of four.
    private const int IndexThreshold = 16;

    private Entry[] _entries = [];
    private int _count;
    private Dictionary<string, int>? _index;
    private KeyList? _keys;

    public TomlTable(TomlPosition position) : base(position) { }

    private readonly record struct Entry(string Key, TomlNode Value, TomlPosition KeyPosition);

    /// <summary>How the table came to exist; decides which later headers and dotted keys may extend it.</summary>
    internal TomlTableOrigin Origin { get; set; }

    /// <summary>An implicitly created table becomes defined by a later [header]; it then points at that header.</summary>
    internal void DefineByHeader(TomlPosition header)
    {
        Origin = TomlTableOrigin.Header;
        Position = header;
    }

    internal void SetKeyPosition(string key, TomlPosition position)
    {
        var i = IndexOf(key);
        _entries[i] = _entries[i] with { KeyPosition = position };
    }

    public override string TypeName => "table";
    public int Count => _count;
    public IReadOnlyList<string> Keys => _keys ??= new KeyList(this);

    public TomlNode this[string key] =>
        IndexOf(key) is var i and >= 0 ? _entries[i].Value : throw new KeyNotFoundException($"The key '{key}' is not in the table.");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [NotNullWhen(true)] out TomlNode? value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _entries[i].Value : null;
        return value is not null;
    }

    /// <summary>Where <paramref name="key"/> was written (its last segment, for dotted keys); the table's position when absent.</summary>
    public TomlPosition KeyPosition(string key) => IndexOf(key) is var i and >= 0 ? _entries[i].KeyPosition : Position;

    /// <summary>Adds a key the caller has already checked is absent (the parser reports duplicates with positions).</summary>
    internal void Add(string key, TomlNode value, TomlPosition keyPosition)
    {
        Debug.Assert(IndexOf(key) < 0, "duplicate key");
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count == 0 ? 4 : _count * 2);
        }

        _entries[_count] = new Entry(key, value, keyPosition);
        if (_index is not null)
        {
            _index.Add(key, _count);
        }
        else if (_count == IndexThreshold)
        {
            _index = new Dictionary<string, int>(_count * 2, StringComparer.Ordinal);
            for (var i = 0; i <= _count; i++)
            {
                _index.Add(_entries[i].Key, i);
            }
        }

        _count++;
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_index is not null)
        {
            return _index.TryGetValue(key, out var i) ? i : -1;
        }

        var entries = _entries;
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(entries[i].Key, key))
            {
                return i;
            }
        }

        return -1;
    }

    public IEnumerator<KeyValuePair<string, TomlNode>> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return new KeyValuePair<string, TomlNode>(_entries[i].Key, _entries[i].Value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class KeyList(TomlTable table) : IReadOnlyList<string>
    {
        public string this[int index] =>
            (uint)index < (uint)table._count ? table._entries[index].Key : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => table._count;

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < table._count; i++)
            {
                yield return table._entries[i].Key;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>A TOML syntax or semantic error, with the file (when known), line and column.</summary>
public sealed class TomlException : Exception
{
    public TomlException(string reason, TomlPosition position, string? file = null)
        : base($"{file ?? "<input>"}:{position.Line}:{position.Column}: {reason}")
    {
        Reason = reason;
        Position = position;
        File = file;
    }

    public TomlException() : this("invalid TOML", new TomlPosition(1, 1)) { }
    public TomlException(string message) : this(message, new TomlPosition(1, 1)) { }
    public TomlException(string message, Exception inner) : base(message, inner) { Reason = message; }

    /// <summary>What was wrong and what was expected, without the location prefix.</summary>
    public string Reason { get; } = "";
    public TomlPosition Position { get; }
    public string? File { get; }

    /// <summary>True when the text is valid TOML nested deeper than this reader's limit, rather than malformed.</summary>
    public bool IsNestingLimit { get; init; }
}
