namespace Packster.Sources.Config;

/// <summary>
/// One <c>[sources.&lt;name&gt;]</c> table. Holds only the NAMES of the environment variables that carry
/// credentials, never their values; <see cref="Validate"/> guarantees a usable, credential-free definition.
/// </summary>
public sealed record SourceDefinition
{
    /// <summary>Sources are consulted in ascending priority (lower first); ties are broken by name.</summary>
    public const int DefaultPriority = 100;

    public required string Name { get; init; }
    public required SourceKind Kind { get; init; }

    /// <summary>A folder path (folder sources) or an absolute http(s) URL.</summary>
    public required string Url { get; init; }

    /// <summary>The Artifactory repository key, or the OCI repository prefix (<c>org/packster</c>) under which each id is a repository.</summary>
    public string? Repo { get; init; }

    /// <summary>Name of the environment variable holding an access token.</summary>
    public string? TokenEnv { get; init; }

    public string? User { get; init; }

    /// <summary>Name of the environment variable holding the password of <see cref="User"/>.</summary>
    public string? PasswordEnv { get; init; }

    public int Priority { get; init; } = DefaultPriority;

    /// <summary>A PEM file with the CA certificate(s) that sign the server's certificate.</summary>
    public string? CaFile { get; init; }

    /// <summary>Allows plain http:// (with a loud warning on every use).</summary>
    public bool Insecure { get; init; }

    /// <summary><c>signatures</c>: the signature policy for packages from this source (null: the user's and location's alone).</summary>
    public Trust.SignatureMode? Signatures { get; init; }

    /// <summary><c>trusted-keys</c>: key ids this source's packages may be signed by (several: key rotation).</summary>
    public IReadOnlyList<string> TrustedKeys { get; init; } = [];

    /// <summary>The config file the definition was read from (for messages); null when built in code.</summary>
    public string? Origin { get; init; }

    /// <summary>
    /// The source's trust rules, added to the user's and the location's for every package it supplies
    /// (spec/signing.md § Trust policy); empty when the source sets neither key.
    /// </summary>
    public IReadOnlyList<Trust.TrustRules> TrustRules() => Signatures is null && TrustedKeys.Count == 0 ? []
        : [new Trust.TrustRules(Origin is null ? $"[sources.{Name}]" : $"[sources.{Name}] in {Origin}", Signatures, TrustedKeys, [])];

    /// <summary>Value equality, with the trusted keys compared as a list (a record compares the list reference).</summary>
    public bool Equals(SourceDefinition? other) => other is not null
        && (Name, Kind, Url, Repo, TokenEnv, User, PasswordEnv, Priority, CaFile, Insecure, Signatures)
            == (other.Name, other.Kind, other.Url, other.Repo, other.TokenEnv, other.User, other.PasswordEnv, other.Priority, other.CaFile, other.Insecure, other.Signatures)
        && TrustedKeys.SequenceEqual(other.TrustedKeys, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Name, Kind, Url, Priority);

    /// <summary>Throws <see cref="ErrorCode.SourceConfigInvalid"/> naming the source and the key at fault.</summary>
    public SourceDefinition Validate()
    {
        if (!IsValidName(Name)) throw SourceErrors.ConfigInvalid($"source name '{TerminalText.Printable(Name)}' is invalid: use 1–64 letters, digits, '-' or '_'");
        if (string.IsNullOrWhiteSpace(Url)) throw SourceErrors.ConfigInvalid($"source '{Name}': 'url' is required");
        // Shown by 'source list' and in errors, and sent to servers: a url may not move the cursor or hide a part of itself.
        if (Url.Any(char.IsControl))
            throw SourceErrors.ConfigInvalid($"source '{Name}': url '{TerminalText.Printable(Url)}' holds control characters");
        if (Kind != SourceKind.Folder)
        {
            if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw SourceErrors.ConfigInvalid($"source '{Name}': url '{Url}' is not an absolute http(s) URL");
            // A URL like https://user:secret@host would store a credential in the config file.
            if (uri.UserInfo.Length > 0)
                throw SourceErrors.ConfigInvalid($"source '{Name}': the url carries user information; credentials are never stored",
                    "use --user with --password-env, or --token-env");
            // Named without them: a query is where a token pasted with the URL would be.
            if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
                throw SourceErrors.ConfigInvalid($"source '{Name}': url '{uri.GetLeftPart(UriPartial.Path)}…' must not have a query or fragment (not shown: it may hold a credential)");
        }
        if (Kind == SourceKind.Artifactory && string.IsNullOrWhiteSpace(Repo))
            throw SourceErrors.ConfigInvalid($"source '{Name}': artifactory sources need 'repo' (the repository key)");
        if (Kind == SourceKind.Oci && string.IsNullOrWhiteSpace(Repo))
            throw SourceErrors.ConfigInvalid($"source '{Name}': oci sources need 'repo' (the repository path the packages live under, e.g. org/packster)");
        if (Kind is not (SourceKind.Artifactory or SourceKind.Oci) && Repo is not null)
            throw SourceErrors.ConfigInvalid($"source '{Name}': 'repo' only applies to artifactory and oci sources");
        if (Kind == SourceKind.Artifactory && Repo is not null && (Repo.Length == 0 || Repo.IndexOfAny(['/', ';', '?', '#', '%', ' ']) >= 0))
            throw SourceErrors.ConfigInvalid($"source '{Name}': repo '{TerminalText.Printable(Repo)}' is not a repository key");
        if (Kind == SourceKind.Oci && Repo is not null && !Oci.OciNames.IsRepositoryPath(Repo))
            throw SourceErrors.ConfigInvalid($"source '{Name}': repo '{TerminalText.Printable(Repo)}' is not an OCI repository path",
                "lowercase components of letters and digits joined by '.', '_', '__' or '-', separated by '/' (e.g. org/packster)");
        CheckEnvName("token-env", TokenEnv);
        CheckEnvName("password-env", PasswordEnv);
        if (PasswordEnv is not null && User is null)
            throw SourceErrors.ConfigInvalid($"source '{Name}': 'password-env' needs 'user'");
        if (User is not null && PasswordEnv is null && TokenEnv is null)
            throw SourceErrors.ConfigInvalid($"source '{Name}': 'user' needs 'password-env' or 'token-env'");
        if (TokenEnv is not null && PasswordEnv is not null)
            throw SourceErrors.ConfigInvalid($"source '{Name}': give either 'token-env' or 'password-env', not both");
        foreach (var key in TrustedKeys)
        {
            if (key.Length != 16 || !key.All(char.IsAsciiHexDigitLower))
                throw SourceErrors.ConfigInvalid($"source '{Name}': trusted key '{key}' is not a key id (16 lowercase hex digits, as 'packster key list' prints them)");
        }
        if (Kind == SourceKind.Folder && (TokenEnv ?? PasswordEnv ?? User ?? CaFile) is not null)
            throw SourceErrors.ConfigInvalid($"source '{Name}': folder sources take no credentials or ca-file");
        return this;
    }

    private void CheckEnvName(string key, string? value)
    {
        if (value is null) return;
        // Only a variable NAME is stored; a value that is not a plausible name is most likely a pasted secret,
        // so it is refused without echoing it.
        var ok = value.Length is > 0 and <= 128 && (char.IsAsciiLetter(value[0]) || value[0] == '_')
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !CredentialVariableName.LooksLikeToken(value);
        if (!ok) throw SourceErrors.ConfigInvalid($"source '{Name}': '{key}' must be the NAME of an environment variable (letters, digits, '_')",
            "credentials are never stored: export the secret in a variable and give its name");
    }

    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The environment variables this source reads a credential from (<c>token-env</c>, <c>password-env</c>).</summary>
    public IEnumerable<string> CredentialVariables() => new[] { TokenEnv, PasswordEnv }.OfType<string>();

    /// <summary>Says which credential is used, naming only the variable (for errors and listings).</summary>
    public string DescribeCredential() => (TokenEnv, User, PasswordEnv) switch
    {
        ({ } token, null, _) => $"the token in ${token}",
        ({ } token, { } user, _) => $"user '{TerminalText.Printable(user)}' with the token in ${token}",
        (null, { } user, { } password) => $"user '{TerminalText.Printable(user)}' with the password in ${password}",
        _ => "no credentials (anonymous)",
    };
}
