using Packster.Deployments;
using Packster.Model;
using Packster.Toml;

namespace Packster.Trust;

public enum SignatureMode
{
    Off,
    Warn,
    Require,
}

/// <summary>One <c>[trust]</c> table: where it was read, its mode and key lists (spec/signing.md § Trust policy).</summary>
public sealed record TrustRules(string Origin, SignatureMode? Mode, IReadOnlyList<string> TrustedKeys, IReadOnlyList<string> RevokedKeys)
{
    public static string ModeName(SignatureMode mode) => mode.ToString().ToLowerInvariant();

    public static bool TryParseMode(string text, out SignatureMode mode)
    {
        mode = text switch { "off" => SignatureMode.Off, "warn" => SignatureMode.Warn, "require" => SignatureMode.Require, _ => (SignatureMode)(-1) };
        return (int)mode >= 0;
    }

    /// <summary>The keys a <c>[trust]</c> table may hold.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["signatures", "trusted-keys", "revoked-keys"];

    /// <summary>
    /// The <c>[trust]</c> table of the user's config.toml or a location's packster-policy.toml; empty when absent.
    /// PST2030 when malformed or holding a key it does not define; the file's other keys are checked too
    /// (<see cref="RulesFile.CheckKeys"/>).
    /// </summary>
    public static TrustRules Read(string path, RulesFileKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        var document = RulesFile.Read(path, kind);
        return document is not null && document.TryGetValue("trust", out var node) ? FromTable(path, node) : new TrustRules(path, null, [], []);
    }

    /// <summary>A <c>[trust]</c> table read from <paramref name="path"/> (any file holding one: an environment file's <c>[policy.trust]</c> too).</summary>
    public static TrustRules FromTable(string path, TomlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node is not TomlTable table) throw TrustErrors.PolicyInvalid(path, "'trust' must be a table");
        SignatureMode? mode = null;
        if (table.TryGetValue("signatures", out var m))
        {
            if (m is not TomlString s || !TryParseMode(s.Value, out var parsed)) throw TrustErrors.PolicyInvalid(path, "'trust.signatures' must be \"off\", \"warn\" or \"require\"");
            mode = parsed;
        }
        return new TrustRules(path, mode, Ids(path, table, "trusted-keys"), Ids(path, table, "revoked-keys"));
    }

    private static List<string> Ids(string path, TomlTable table, string key)
    {
        if (!table.TryGetValue(key, out var node)) return [];
        if (node is not TomlArray array || array.Any(n => n is not TomlString s || s.Value.Length != 16 || !s.Value.All(char.IsAsciiHexDigitLower)))
        {
            throw TrustErrors.PolicyInvalid(path, $"'trust.{key}' must be an array of key ids (16 lowercase hex digits, as 'packster key list' prints them)");
        }
        return [.. array.Cast<TomlString>().Select(s => s.Value)];
    }
}

/// <summary>
/// The trust policy an install obeys (spec/signing.md § Trust policy): the stricter mode of the user's and the
/// location's; a key must be trusted by every table that lists trusted keys; a key revoked anywhere is refused. A
/// package's own manifest has no say.
/// </summary>
public sealed class TrustPolicy(IReadOnlyList<TrustRules> rules)
{
    public IReadOnlyList<TrustRules> Rules { get; } = rules;

    public SignatureMode Mode => Rules.Select(r => r.Mode ?? SignatureMode.Off).DefaultIfEmpty(SignatureMode.Off).Max();

    /// <summary>Where the effective mode comes from (the strictest table that sets it).</summary>
    public string ModeOrigin => Rules.Where(r => r.Mode == Mode).Select(r => r.Origin).FirstOrDefault() ?? "the default";

    public bool IsRevoked(string keyId) => Rules.Any(r => r.RevokedKeys.Contains(keyId));

    public bool IsTrusted(string keyId) => !IsRevoked(keyId) && Rules.Where(r => r.TrustedKeys.Count > 0).All(r => r.TrustedKeys.Contains(keyId))
        && Rules.Any(r => r.TrustedKeys.Count > 0);

    /// <summary>
    /// Checks <paramref name="package"/> and the <c>.sig</c> beside it before anything is extracted. Returns the
    /// signature when a trusted key's signature verifies; null when unsigned (or untrusted) and the mode lets it pass;
    /// PST4030 otherwise (under <c>warn</c>, a warning on <paramref name="warnings"/> instead, for everything but a
    /// revoked key).
    /// </summary>
    public PackageSignature? Check(PackageFile package, KeyStore? keys, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(warnings);
        var sigPath = package.Path + PackageSignature.Extension;
        if (Mode == SignatureMode.Off && Rules.All(r => r.RevokedKeys.Count == 0)) return null;
        if (!File.Exists(sigPath)) return Fail(package, null, "it is unsigned (no " + Path.GetFileName(sigPath) + " beside it)", warnings);
        PackageSignature signature;
        try
        {
            signature = PackageSignature.Parse(PackageSignature.Read(sigPath), sigPath);
        }
        catch (PacksterException e)
        {
            return Fail(package, null, e.Message, warnings);
        }
        if (IsRevoked(signature.KeyId))
        {
            throw TrustErrors.Refused(package, signature.KeyId, $"key {signature.KeyId} is revoked", RevokedOrigin(signature.KeyId));
        }
        var key = keys?.List().FirstOrDefault(k => k.Id == signature.KeyId);
        if (key is null) return Fail(package, signature.KeyId, $"its key {signature.KeyId} is not in the key store{Skipped(keys)}", warnings);
        if (!signature.Verifies(package.Name, key)) return Fail(package, signature.KeyId, $"the signature by {signature.KeyId} does not verify for this package and hash", warnings);
        if (!IsTrusted(signature.KeyId)) return Fail(package, signature.KeyId, $"key {signature.KeyId} ('{key.Name}') is not trusted", warnings);
        return signature;
    }

    /// <summary>The key files a search of the store passed over, when there were any: the key may be one of them.</summary>
    private static string Skipped(KeyStore? keys) =>
        keys?.Unreadable() is { Count: > 0 } skipped
            ? $" (skipped as not public keys: {string.Join(", ", skipped.Select(e => e.Message))})"
            : "";

    /// <summary>
    /// Re-checks a deployed package's recorded signature against the policy and key store as they are now
    /// (spec/signing.md § Verify): null when it still passes, else why not. A deployment without a signature is a
    /// problem only under <c>require</c>.
    /// </summary>
    public string? Recheck(PackageFileName package, PackageSignature? signature, KeyStore? keys)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (signature is null) return Mode == SignatureMode.Require ? $"unsigned, and signatures = \"require\" in {ModeOrigin}" : null;
        if (IsRevoked(signature.KeyId)) return $"signed by key {signature.KeyId}, revoked in {RevokedOrigin(signature.KeyId)}";
        var key = keys?.List().FirstOrDefault(k => k.Id == signature.KeyId);
        if (key is null) return $"signed by key {signature.KeyId}, which is no longer in the key store{Skipped(keys)}";
        if (!signature.Verifies(package, key)) return $"the recorded signature by {signature.KeyId} does not verify for {package.FileName}";
        if (Mode != SignatureMode.Off && !IsTrusted(signature.KeyId)) return $"signed by key {signature.KeyId} ('{key.Name}'), which the policy no longer trusts";
        return null;
    }

    /// <summary>
    /// Adds to each verified deployment the signature problem <see cref="Recheck"/> finds, if any: what <c>verify</c>
    /// reports besides changed files. Deployments being removed, or without a readable record, are left as they are.
    /// </summary>
    public IReadOnlyList<Locations.DeploymentVerification> Recheck(IReadOnlyList<Locations.DeploymentVerification> results, KeyStore? keys)
    {
        ArgumentNullException.ThrowIfNull(results);
        return [.. results.Select(r => r.Record is not { } record || Recheck(record.Package, record.Signature, keys) is not { } why ? r
            : r with { Problems = [.. r.Problems, new Locations.VerificationProblem(Locations.VerificationProblemKind.Signature, record.Package.FileName, why)] })];
    }

    private string RevokedOrigin(string keyId) => Rules.First(r => r.RevokedKeys.Contains(keyId)).Origin;

    private PackageSignature? Fail(PackageFile package, string? keyId, string why, TextWriter warnings)
    {
        if (Mode == SignatureMode.Require) throw TrustErrors.Refused(package, keyId, why, $"signatures = \"require\" in {ModeOrigin}");
        if (Mode == SignatureMode.Warn) warnings.WriteLine($"warning: {package.Name.FileName}: {why} (signatures = \"warn\" in {ModeOrigin})");
        return null;
    }
}

internal static class TrustErrors
{
    public static PacksterException Refused(PackageFile package, string? keyId, string why, string policy) =>
        new(ErrorCode.SignatureRefused, $"{package.Manifest.Id} {package.Manifest.Version} ({package.Name.FileName}) refused: {why}; key {keyId ?? "none"}; policy: {policy}",
            "nothing was changed; 'packster trust show' prints the policy, spec/signing.md explains it");

    public static PacksterException SignatureUnreadable(string file, string why) =>
        new(ErrorCode.SignatureUnreadable, $"{file}: {why}", "sign the package again with 'packster sign'");

    public static PacksterException KeyUnreadable(string file, string why) =>
        new(ErrorCode.KeyUnreadable, $"{file}: {why}", "keys are ECDSA P-256 PEM files, as 'packster key generate' and 'key export' write them");

    public static PacksterException KeyExists(string name, string directory) =>
        new(ErrorCode.KeyExists, $"a key named {name} is already in {directory}", "choose another name; a key is never overwritten");

    public static PacksterException KeyNotFound(string nameOrId, string directory) =>
        new(ErrorCode.KeyNotFound, $"no key {nameOrId} in {directory}", "'packster key list' shows the keys; 'packster key import' adds someone's public key");

    /// <summary>PST1001 for a name no key can have; <paramref name="existing"/> when it was to name a key of the store (sign), not a new one.</summary>
    public static PacksterException KeyNameInvalid(string name, bool existing = false) =>
        new(ErrorCode.InvalidArgument, $"'{name}' is not a key name (letters, digits, '-', '_', '.'; 1 to 64 characters, not starting with '.')",
            existing ? "name a key of the key store; 'packster key list' shows them" : "choose another name");

    public static PacksterException PolicyInvalid(string file, string why) =>
        new(ErrorCode.TrustPolicyInvalid, $"{file}: {why}", "see spec/signing.md § Trust policy");
}
