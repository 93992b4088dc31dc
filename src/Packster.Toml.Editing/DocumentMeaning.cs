using System.Globalization;

namespace Packster.Toml.Editing;

/// <summary>
/// What a document means, without positions or formatting: tables as dictionaries (key order does not matter),
/// arrays as lists, scalars as their type and value. An edit is checked by applying it here to the original
/// document's meaning and comparing the result with the meaning of the edited text, read by <see cref="TomlDocument"/>.
/// </summary>
internal sealed class DocumentMeaning
{
    private readonly Dictionary<string, object> _root;

    private DocumentMeaning(Dictionary<string, object> root) => _root = root;

    public static DocumentMeaning Of(TomlTable document) => new((Dictionary<string, object>)Convert(document));

    /// <summary>Sets <paramref name="path"/>, creating the tables on the way; fails when the way holds another value.</summary>
    public void Set(IReadOnlyList<string> path, TomlNode value)
    {
        var table = Walk(path, create: true)!;
        table[path[^1]] = Convert(value);
    }

    /// <summary>Removes <paramref name="path"/>; false when it was not there.</summary>
    public bool Remove(IReadOnlyList<string> path) => Walk(path, create: false) is { } table && table.Remove(path[^1]);

    public bool Contains(IReadOnlyList<string> path) => Walk(path, create: false) is { } table && table.ContainsKey(path[^1]);

    public bool IsEmptyTable(IReadOnlyList<string> path) =>
        Walk(path, create: false) is { } table && table.TryGetValue(path[^1], out var value) && value is Dictionary<string, object> { Count: 0 };

    /// <summary>True when <paramref name="path"/> holds a value equal to <paramref name="value"/>.</summary>
    public bool Holds(IReadOnlyList<string> path, TomlNode value)
    {
        try
        {
            return Walk(path, create: false) is { } table && table.TryGetValue(path[^1], out var current) && Difference(current, Convert(value), "") is null;
        }
        catch (TomlEditException)
        {
            return false;
        }
    }

    /// <summary>The first place where the two meanings differ, or null when they are the same.</summary>
    public string? FirstDifference(DocumentMeaning other) => Difference(_root, other._root, "");

    private Dictionary<string, object>? Walk(IReadOnlyList<string> path, bool create)
    {
        var table = _root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            if (!table.TryGetValue(path[i], out var next))
            {
                if (!create) return null;
                next = new Dictionary<string, object>(StringComparer.Ordinal);
                table[path[i]] = next;
            }
            table = next as Dictionary<string, object>
                ?? throw new TomlEditException($"'{Display(path.Take(i + 1))}' is {Describe(next)}, not a table, so it cannot hold '{path[i + 1]}'");
        }
        return table;
    }

    internal static string Display(IEnumerable<string> path) => string.Join('.', path.Select(TomlValue.Key));

    private static string Describe(object value) => value switch
    {
        List<object> list when list.Count > 0 && list.All(v => v is Dictionary<string, object>) => "an array of tables",
        List<object> => "an array",
        Scalar s => ("aeiou".Contains(s.Type[0], StringComparison.Ordinal) ? "an " : "a ") + s.Type,
        _ => "a value",
    };

    private static object Convert(TomlNode node) => node switch
    {
        TomlTable t => t.ToDictionary(kv => kv.Key, kv => Convert(kv.Value), StringComparer.Ordinal),
        TomlArray a => a.Select(Convert).ToList(),
        TomlString s => new Scalar("string", s.Value),
        TomlInteger i => new Scalar("integer", i.Value.ToString(CultureInfo.InvariantCulture)),
        TomlFloat f => new Scalar("float", f.Value.ToString("R", CultureInfo.InvariantCulture)),
        TomlBoolean b => new Scalar("boolean", b.Value ? "true" : "false"),
        TomlDateTime d => new Scalar(d.TypeName, d.Text),
        _ => throw new ArgumentException($"unknown TOML node {node.GetType().Name}", nameof(node)),
    };

    private static string? Difference(object a, object b, string where)
    {
        switch (a, b)
        {
            case (Dictionary<string, object> x, Dictionary<string, object> y):
                foreach (var key in x.Keys.Union(y.Keys).Order(StringComparer.Ordinal))
                {
                    var at = where.Length == 0 ? TomlValue.Key(key) : where + "." + TomlValue.Key(key);
                    if (!x.TryGetValue(key, out var xv)) return $"'{at}' appeared";
                    if (!y.TryGetValue(key, out var yv)) return $"'{at}' disappeared";
                    if (Difference(xv, yv, at) is { } d) return d;
                }
                return null;
            case (List<object> x, List<object> y):
                if (x.Count != y.Count) return $"'{where}' has {y.Count} items instead of {x.Count}";
                for (var i = 0; i < x.Count; i++)
                {
                    if (Difference(x[i], y[i], $"{where}[{i}]") is { } d) return d;
                }
                return null;
            case (Scalar x, Scalar y):
                return x == y ? null : $"'{where}' is {y.Type} {y.Value} instead of {x.Type} {x.Value}";
            default:
                return $"'{where}' changed kind";
        }
    }

    private sealed record Scalar(string Type, string Value);
}
