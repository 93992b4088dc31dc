using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Packster.Manifest;

/// <summary>
/// A manifest string with placeholders: <c>{deployment}</c>, <c>{location}</c>, <c>{param.NAME}</c>; <c>{{</c> and
/// <c>}}</c> stand for literal braces. Any other brace use is rejected at parse time, so expansion cannot fail
/// for an unknown placeholder once the referenced parameters are known to exist.
/// </summary>
public sealed class Template : IEquatable<Template>
{
    public const string Deployment = "deployment";
    public const string Location = "location";
    public const string ParamPrefix = "param.";

    private readonly IReadOnlyList<Segment> _segments;

    private Template(string text, IReadOnlyList<Segment> segments)
    {
        Text = text;
        _segments = segments;
    }

    /// <summary>One piece of a template: literal text, or a placeholder name such as "param.port".</summary>
    private readonly record struct Segment(string Value, bool IsPlaceholder);

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>Every placeholder name used, in order (e.g. "deployment", "param.port").</summary>
    public IEnumerable<string> Placeholders => _segments.Where(s => s.IsPlaceholder).Select(s => s.Value);

    /// <summary>The parameter names referenced through <c>{param.NAME}</c>.</summary>
    public IEnumerable<string> ParameterNames =>
        Placeholders.Where(p => p.StartsWith(ParamPrefix, StringComparison.Ordinal)).Select(p => p[ParamPrefix.Length..]);

    /// <summary>True when the whole template is exactly one placeholder (e.g. <c>"{param.port}"</c>).</summary>
    public bool IsSinglePlaceholder => _segments.Count == 1 && _segments[0].IsPlaceholder;

    /// <summary>A template with no placeholders.</summary>
    public static Template Literal(string text) =>
        new(text.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal), text.Length == 0 ? [] : [new Segment(text, false)]);

    public static Template Parse(string text) =>
        TryParse(text, out var t, out var why) ? t
            : throw new PacksterException(ErrorCode.InvalidTemplate, $"invalid template '{text}': {why}");

    public static bool TryParse(string? text, [NotNullWhen(true)] out Template? template, [NotNullWhen(false)] out string? why)
    {
        template = null;
        if (text is null)
        {
            why = "it is missing";
            return false;
        }
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '{' && i + 1 < text.Length && text[i + 1] == '{')
            {
                literal.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < text.Length && text[i + 1] == '}')
            {
                literal.Append('}');
                i++;
            }
            else if (c == '}')
            {
                why = $"unmatched '}}' at offset {i}; write '}}}}' for a literal brace";
                return false;
            }
            else if (c == '{')
            {
                var close = text.IndexOf('}', i + 1);
                if (close < 0)
                {
                    why = $"unclosed '{{' at offset {i}; write '{{{{' for a literal brace";
                    return false;
                }
                var name = text[(i + 1)..close];
                if (!IsKnownPlaceholder(name))
                {
                    why = $"unknown placeholder '{{{name}}}'; use {{deployment}}, {{location}} or {{param.NAME}}";
                    return false;
                }
                if (literal.Length > 0)
                {
                    segments.Add(new Segment(literal.ToString(), false));
                    literal.Clear();
                }
                segments.Add(new Segment(name, true));
                i = close;
            }
            else
            {
                literal.Append(c);
            }
        }
        if (literal.Length > 0) segments.Add(new Segment(literal.ToString(), false));
        template = new Template(text, segments);
        why = null;
        return true;
    }

    private static bool IsKnownPlaceholder(string name) =>
        name is Deployment or Location
        || (name.StartsWith(ParamPrefix, StringComparison.Ordinal) && ParameterName.IsValid(name[ParamPrefix.Length..]));

    /// <summary>
    /// Replaces each placeholder by <paramref name="values"/>[name] (keys: "deployment", "location", "param.NAME").
    /// A parameter without a value (optional, no default, not given: spec/parameters.md § Defaults) is PST3004 naming
    /// it; any other missing value is a programming error: callers build the values from the validated parameters.
    /// </summary>
    public string Expand(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        // Most templates are one placeholder or one text: their value is the string itself. Otherwise the parts are looked
        // up once and joined into a string of the right length (a listing of 1,000 deployments expands a few thousand).
        if (_segments.Count == 1) return _segments[0].IsPlaceholder ? ValueOf(_segments[0], values) : _segments[0].Value;
        var parts = new string[_segments.Count];
        for (var i = 0; i < parts.Length; i++) parts[i] = _segments[i].IsPlaceholder ? ValueOf(_segments[i], values) : _segments[i].Value;
        return string.Concat(parts);
    }

    private string ValueOf(Segment placeholder, IReadOnlyDictionary<string, string> values)
    {
        if (values.TryGetValue(placeholder.Value, out var v)) return v;
        if (placeholder.Value.StartsWith(ParamPrefix, StringComparison.Ordinal))
        {
            // An install that did not give it failed here with PST0001.
            var name = placeholder.Value[ParamPrefix.Length..];
            throw new PacksterException(ErrorCode.ParameterMissing,
                $"parameter '{name}' has no value (it was not given and has no default), and '{Text}' needs one",
                $"give it with --parameters '{{\"{name}\": …}}' or -p {name}=…");
        }
        throw new InvalidOperationException($"template '{Text}': no value for '{{{placeholder.Value}}}'");
    }

    public bool Equals(Template? other) => other is not null && other.Text == Text;
    public override bool Equals(object? obj) => Equals(obj as Template);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);
    public override string ToString() => Text;
}
