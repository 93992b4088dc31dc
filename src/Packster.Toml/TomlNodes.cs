using System.Collections;
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

    /// <summary>Where the value starts (for tables: the header or the opening brace; for implicit tables: the first key that created them).</summary>
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
    private readonly List<TomlNode> _items = [];

    public TomlArray(TomlPosition position) : base(position) { }

    /// <summary>True for arrays built by [[header]] sections; only those may be appended to by later headers.</summary>
    internal bool IsArrayOfTables { get; init; }

    public override string TypeName => "array";
    public int Count => _items.Count;
    public TomlNode this[int index] => _items[index];

    internal void Add(TomlNode item) => _items.Add(item);

    public IEnumerator<TomlNode> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A table: keys in document order, each with the position of the key itself.</summary>
public sealed class TomlTable : TomlNode, IEnumerable<KeyValuePair<string, TomlNode>>
{
    private readonly Dictionary<string, TomlNode> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TomlPosition> _keyPositions = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public TomlTable(TomlPosition position) : base(position) { }

    /// <summary>How the table came to exist; decides which later headers and dotted keys may extend it.</summary>
    internal TomlTableOrigin Origin { get; set; }

    /// <summary>An implicitly created table becomes defined by a later [header]; it then points at that header.</summary>
    internal void DefineByHeader(TomlPosition header)
    {
        Origin = TomlTableOrigin.Header;
        Position = header;
    }

    internal void SetKeyPosition(string key, TomlPosition position) => _keyPositions[key] = position;

    public override string TypeName => "table";
    public int Count => _order.Count;
    public IReadOnlyList<string> Keys => _order;

    public TomlNode this[string key] => _values[key];

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool TryGetValue(string key, [NotNullWhen(true)] out TomlNode? value) => _values.TryGetValue(key, out value);

    /// <summary>Where <paramref name="key"/> was written (its last segment, for dotted keys); the value's position when unknown.</summary>
    public TomlPosition KeyPosition(string key) =>
        _keyPositions.TryGetValue(key, out var p) ? p : _values.TryGetValue(key, out var v) ? v.Position : Position;

    internal void Add(string key, TomlNode value, TomlPosition keyPosition)
    {
        _values.Add(key, value);
        _keyPositions[key] = keyPosition;
        _order.Add(key);
    }

    public IEnumerator<KeyValuePair<string, TomlNode>> GetEnumerator()
    {
        foreach (var key in _order)
        {
            yield return new KeyValuePair<string, TomlNode>(key, _values[key]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
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
}
