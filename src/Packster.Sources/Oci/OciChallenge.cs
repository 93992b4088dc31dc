using System.Net.Http.Headers;

namespace Packster.Sources.Oci;

/// <summary>
/// A <c>WWW-Authenticate</c> challenge (RFC 7235): a scheme and its parameters, e.g.
/// <c>Bearer realm="https://auth.example/token",service="registry",scope="repository:org/x:pull,push"</c>.
/// Quoted values may hold commas; parameter names are case-insensitive.
/// </summary>
internal sealed record OciChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>The first challenge of the answer that names a scheme; null when the answer carries none.</summary>
    public static OciChallenge? From(HttpResponseHeaders headers)
    {
        foreach (var header in headers.WwwAuthenticate)
        {
            var parameters = Parse(header.Parameter ?? "");
            return new OciChallenge(header.Scheme, parameters);
        }
        return null;
    }

    /// <summary>Parses <c>key=value</c> and <c>key="quoted, value"</c> pairs separated by commas.</summary>
    public static Dictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i]))) i++;
            var keyStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',') i++;
            var key = text[keyStart..i].Trim();
            if (i >= text.Length || text[i] != '=')
            {
                // A bare token68 or a parameter without a value: nothing a registry challenge needs.
                continue;
            }
            i++;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var builder = new System.Text.StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    builder.Append(text[i]);
                    i++;
                }
                i++;
                value = builder.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && text[i] != ',') i++;
                value = text[valueStart..i].Trim();
            }
            if (key.Length > 0) result.TryAdd(key, value);
        }
        return result;
    }
}
