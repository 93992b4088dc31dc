using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Packster.Model;

namespace Packster.Trust;

/// <summary>
/// A detached signature, <c>&lt;package file name&gt;.sig</c> beside the package (spec/signing.md § Signature file):
/// ECDSA P-256 with SHA-256 over <see cref="Message"/>, the DER signature in base64.
/// </summary>
public sealed record PackageSignature(string Package, Sha256Digest Sha256, string KeyId, byte[] Signature)
{
    public const string Algorithm = "ecdsa-p256-sha256";
    public const int Format = 1;
    public const string Extension = ".sig";

    /// <summary>Signatures are small; anything bigger is not one.</summary>
    public const int MaxSize = 4096;

    /// <summary>spec/signing.md § What is signed: the UTF-8 bytes of <c>packster-signature-v1\n&lt;file name&gt;\n&lt;sha256&gt;\n</c>.</summary>
    public static byte[] Message(string packageFileName, Sha256Digest sha256) =>
        Encoding.UTF8.GetBytes($"packster-signature-v1\n{packageFileName}\n{sha256.Hex}\n");

    public static PackageSignature Create(PackageFileName package, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(Message(package.FileName, package.Sha256));
        return new PackageSignature(package.FileName, package.Sha256, key.Id, signature);
    }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(new SignatureDto
    {
        Format = Format,
        Algorithm = Algorithm,
        Key = KeyId,
        Package = Package,
        Sha256 = Sha256.Hex,
        Signature = Convert.ToBase64String(Signature),
    }, TrustJsonContext.Default.SignatureDto);

    /// <summary>Reads a .sig file; PST4031 when it is not one (malformed, truncated, another format or algorithm).</summary>
    public static PackageSignature Parse(ReadOnlySpan<byte> bytes, string file)
    {
        SignatureDto? dto;
        try
        {
            dto = bytes.Length > MaxSize ? null : JsonSerializer.Deserialize(bytes, TrustJsonContext.Default.SignatureDto);
        }
        catch (JsonException)
        {
            dto = null;
        }
        if (dto is null || dto.Format != Format || dto.Algorithm != Algorithm || dto.Key is null || dto.Package is null
            || dto.Sha256 is null || !Sha256Digest.TryParse(dto.Sha256, out var sha) || dto.Signature is null)
        {
            throw TrustErrors.SignatureUnreadable(file, $"not a format-{Format} {Algorithm} signature file");
        }
        // A key id is what 'packster key list' prints: anything else names no key, and would reach the terminal as written.
        if (dto.Key.Length != 16 || !dto.Key.All(char.IsAsciiHexDigitLower))
        {
            throw TrustErrors.SignatureUnreadable(file, "its key id is not 16 lowercase hex digits");
        }
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(dto.Signature);
        }
        catch (FormatException)
        {
            throw TrustErrors.SignatureUnreadable(file, "its signature is not base64");
        }
        return new PackageSignature(dto.Package, sha, dto.Key, signature);
    }

    /// <summary>
    /// The signature beside <paramref name="packagePath"/> (<c>&lt;path&gt;.sig</c>) as bytes to publish with it, or null
    /// when there is none. PST4031 when it is not a signature file or signs another package: publishing it would only
    /// make every install of the package fail later.
    /// </summary>
    public static byte[]? ReadBeside(string packagePath, PackageFileName package)
    {
        ArgumentNullException.ThrowIfNull(packagePath);
        ArgumentNullException.ThrowIfNull(package);
        var file = packagePath + Extension;
        if (!File.Exists(file)) return null;
        var bytes = Read(file);
        RequireSigns(bytes, package, file);
        return bytes;
    }

    /// <summary>The bytes of the signature file <paramref name="file"/>; PST4031 when it holds more than <see cref="MaxSize"/> or is not a regular file.</summary>
    public static byte[] Read(string file) =>
        SmallFile.Read(file, MaxSize, why => TrustErrors.SignatureUnreadable(file, $"{why}; a signature file is at most {MaxSize} bytes"));

    /// <summary>PST4031 unless <paramref name="bytes"/> (named <paramref name="file"/> in the error) is a signature file of exactly <paramref name="package"/>; whose key it is, is the trust policy's to judge.</summary>
    public static void RequireSigns(ReadOnlySpan<byte> bytes, PackageFileName package, string file)
    {
        ArgumentNullException.ThrowIfNull(package);
        var signature = Parse(bytes, file);
        if (signature.Package != package.FileName || signature.Sha256 != package.Sha256)
            throw TrustErrors.SignatureUnreadable(file, $"it signs {TerminalText.Printable(signature.Package)} (sha256 {signature.Sha256}), not {package.FileName}");
    }

    /// <summary>Whether this signature, by <paramref name="key"/>, covers exactly <paramref name="package"/>.</summary>
    public bool Verifies(PackageFileName package, PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(key);
        return Package == package.FileName && Sha256 == package.Sha256 && KeyId == key.Id
            && key.Verify(Message(package.FileName, package.Sha256), Signature);
    }
}

internal sealed class SignatureDto
{
    public int Format { get; set; }
    public string? Algorithm { get; set; }
    public string? Key { get; set; }
    public string? Package { get; set; }
    public string? Sha256 { get; set; }
    public string? Signature { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SignatureDto))]
internal sealed partial class TrustJsonContext : JsonSerializerContext;

/// <summary>An ECDSA P-256 public key and its id (spec/signing.md § Keys).</summary>
public sealed class PublicKey
{
    private PublicKey(string name, byte[] subjectPublicKeyInfo)
    {
        Name = name;
        SubjectPublicKeyInfo = subjectPublicKeyInfo;
        Id = IdOf(subjectPublicKeyInfo);
    }

    public string Name { get; }

    /// <summary>The first 16 hex digits of SHA-256 over the key's DER SubjectPublicKeyInfo.</summary>
    public string Id { get; }

    public byte[] SubjectPublicKeyInfo { get; }

    public string Pem => PemEncoding.WriteString("PUBLIC KEY", SubjectPublicKeyInfo) + "\n";

    public static string IdOf(ReadOnlySpan<byte> subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..16];

    /// <summary>Reads a PEM public key; PST4032 unless it is an ECDSA P-256 key.</summary>
    public static PublicKey FromPem(string name, string pem, string file)
    {
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw TrustErrors.KeyUnreadable(file, IsRsa(pem) ? "an RSA key; Packster accepts only ECDSA P-256 keys (ecdsa-p256-sha256)" : "not a PEM public key");
        }
        if (ecdsa.KeySize != 256) throw TrustErrors.KeyUnreadable(file, $"an ECDSA key of {ecdsa.KeySize} bits; Packster signs with P-256");
        return new PublicKey(name, ecdsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Whether <paramref name="pem"/> holds an RSA key: the one other kind a user is likely to bring, named as such.</summary>
    private static bool IsRsa(string pem)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    public static PublicKey From(string name, ECDsa ecdsa)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        return new PublicKey(name, ecdsa.ExportSubjectPublicKeyInfo());
    }

    public bool Verify(byte[] message, byte[] signature)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo, out _);
        try
        {
            return ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>A private signing key loaded from the key store (spec/signing.md § Keys).</summary>
public sealed class SigningKey : IDisposable
{
    private readonly ECDsa _ecdsa;

    public SigningKey(string name, ECDsa ecdsa)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        Name = name;
        _ecdsa = ecdsa;
        Public = PublicKey.From(name, ecdsa);
    }

    public string Name { get; }
    public PublicKey Public { get; }
    public string Id => Public.Id;

    public byte[] Sign(byte[] message) => _ecdsa.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public void Dispose() => _ecdsa.Dispose();
}
