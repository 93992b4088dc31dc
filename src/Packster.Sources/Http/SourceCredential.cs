using System.Net.Http.Headers;
using System.Text;
using Packster.Sources.Config;

namespace Packster.Sources.Http;

/// <summary>
/// The credential of a source, read from the named environment variable when the source is opened. The secret is
/// held only to build the Authorization header and to redact it; <see cref="ToString"/> never shows it.
/// </summary>
internal sealed class SourceCredential
{
    private readonly AuthenticationHeaderValue? _header;
    private readonly string? _secret;

    private SourceCredential(string description, AuthenticationHeaderValue? header, string? secret)
    {
        Description = description;
        _header = header;
        _secret = secret;
    }

    /// <summary>Names the variable used, e.g. <c>the token in $ARTIFACTORY_TOKEN</c>; never the value.</summary>
    public string Description { get; }

    public bool IsAnonymous => _header is null;

    /// <summary>The Authorization the configuration gives: Basic with a user, Bearer for a token alone, null when anonymous.</summary>
    public AuthenticationHeaderValue? Header => _header;

    public static SourceCredential From(SourceDefinition source, SourceContext context)
    {
        var description = source.DescribeCredential();
        if (source.TokenEnv is { } tokenEnv)
        {
            var token = Read(source, context, tokenEnv, bare: source.User is null);
            // Artifactory takes an access token as Bearer, or as the password of Basic when a user is given.
            var header = source.User is { } user
                ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{token}")))
                : new AuthenticationHeaderValue("Bearer", token);
            return new SourceCredential(description, header, token);
        }
        if (source.User is { } name && source.PasswordEnv is { } passwordEnv)
        {
            var password = Read(source, context, passwordEnv, bare: false);
            return new SourceCredential(description, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}:{password}"))), password);
        }
        return new SourceCredential(description, null, null);
    }

    /// <summary>
    /// The value of <paramref name="variable"/>, refused (PST8002, naming the variable, never the value) when no request
    /// can carry it: a control character (the carriage return a file with Windows line endings leaves, a line feed, a
    /// NUL) in any credential, or a character outside ASCII in a token sent <paramref name="bare"/> as a Bearer header
    /// (a Basic credential is sent base64-encoded, as UTF-8).
    /// </summary>
    private static string Read(SourceDefinition source, SourceContext context, string variable, bool bare)
    {
        var value = context.GetEnv(variable) ?? throw SourceErrors.MissingCredential(source.Name, variable);
        if (value.Any(char.IsControl))
        {
            var what = value.First(char.IsControl) switch
            {
                '\r' => "a carriage return",
                '\n' => "a line feed",
                '\0' => "a NUL character",
                '\t' => "a tab",
                _ => "a control character",
            };
            throw SourceErrors.UnusableCredential(source.Name, variable, $"holds {what}, which a credential never holds",
                $"set {variable} to the credential alone (a value read from a file with Windows line endings ends in a carriage return)");
        }
        if (bare && value.Any(c => c > '\u007e'))
        {
            throw SourceErrors.UnusableCredential(source.Name, variable, "holds a character outside ASCII, which a Bearer token cannot carry",
                $"set {variable} to the token as the server issued it");
        }
        return value;
    }

    public void Apply(HttpRequestMessage request) => request.Headers.Authorization = _header;

    /// <summary>
    /// Removes the secret from text that came from a server (or names a URL) before it is shown: as it is, without the
    /// white space around it (which a header or a server drops), its Basic encoding, and percent-encoded as a URL or a
    /// server echoing a query would write it (upper- or lower-case hex).
    /// </summary>
    public string Redact(string text)
    {
        if (_secret is null || text.Length == 0) return text;
        var redacted = text;
        foreach (var form in Forms(_secret, _header?.Parameter)) redacted = redacted.Replace(form, "***", StringComparison.Ordinal);
        return redacted;
    }

    /// <summary>
    /// <paramref name="text"/>, already <see cref="Redact">redacted</see>, that was cut short (the rest not read or not
    /// shown), without an end that is the start of the secret in any of its forms: a cut through the middle of an
    /// echoed secret would otherwise show its first characters.
    /// </summary>
    public string RedactCutEnd(string text)
    {
        if (_secret is null || text.Length == 0) return text;
        var longest = 0;
        foreach (var form in Forms(_secret, _header?.Parameter))
        {
            for (var length = Math.Min(form.Length, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(form.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }
        return longest == 0 ? text : text[..^longest] + "***";
    }

    /// <summary>The spellings of a secret to redact, longest first so that no part of a longer one is left.</summary>
    internal static IEnumerable<string> Forms(string secret, string? headerParameter)
    {
        var forms = new List<string?> { headerParameter };
        foreach (var spelling in new[] { secret, secret.Trim() })
        {
            var escaped = Uri.EscapeDataString(spelling);
            var lowerHex = System.Text.RegularExpressions.Regex.Replace(escaped, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());
            forms.AddRange([spelling, escaped, lowerHex]);
        }
        return forms.OfType<string>().Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length);
    }

    public override string ToString() => Description;
}
