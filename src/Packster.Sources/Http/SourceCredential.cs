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
            var token = context.GetEnv(tokenEnv) ?? throw SourceErrors.MissingCredential(source.Name, tokenEnv);
            // Artifactory takes an access token as Bearer, or as the password of Basic when a user is given.
            var header = source.User is { } user
                ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{token}")))
                : new AuthenticationHeaderValue("Bearer", token);
            return new SourceCredential(description, header, token);
        }
        if (source.User is { } name && source.PasswordEnv is { } passwordEnv)
        {
            var password = context.GetEnv(passwordEnv) ?? throw SourceErrors.MissingCredential(source.Name, passwordEnv);
            return new SourceCredential(description, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}:{password}"))), password);
        }
        return new SourceCredential(description, null, null);
    }

    public void Apply(HttpRequestMessage request) => request.Headers.Authorization = _header;

    /// <summary>Removes the secret (and its Basic encoding) from text that came from a server before it is shown.</summary>
    public string Redact(string text)
    {
        if (_secret is null || text.Length == 0) return text;
        var redacted = text.Replace(_secret, "***", StringComparison.Ordinal);
        if (_header?.Parameter is { } parameter) redacted = redacted.Replace(parameter, "***", StringComparison.Ordinal);
        return redacted;
    }

    public override string ToString() => Description;
}
