using Packster.Model;
using Packster.Trust;

namespace Packster.Core.Tests.Trust;

/// <summary>spec/signing.md § Test vector: a signature made by openssl, checked by Packster.</summary>
public class SignatureVectorTests
{
    private const string PublicKeyPem = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAETL2rHR86ZwbE0GXXt8dGlqkmT4wa
        xTjh6Xpo9IBqIEERvlZ61MlEOcge6664H1TKH97Gh3SU7jCAFhXUq10G7w==
        -----END PUBLIC KEY-----
        """;

    private const string Sha = "e64066f8af5493480fed9a4001c2bf5d5a6eaa29e71f317f4c467e9643ea6ebd";
    private const string SignatureBase64 = "MEQCIGb8FkzFBw6eJAfFXrlu+PKk1n7DwRuZDpK+N87K05TsAiA+OkW0ld4z9tB3kF2lL+x+HX00xdlcWF5IUi+dXMZ7fg==";

    private static readonly PackageFileName Package = PackageFileName.Parse($"hello-1.0.0-{Sha}.packster");

    [Fact]
    public void The_vector_verifies_and_its_key_id_is_as_specified()
    {
        var key = PublicKey.FromPem("vector", PublicKeyPem, "vector.pem");
        Assert.Equal("dc7d8c7885631282", key.Id);
        Assert.Equal($"packster-signature-v1\nhello-1.0.0-{Sha}.packster\n{Sha}\n", System.Text.Encoding.UTF8.GetString(PackageSignature.Message(Package.FileName, Package.Sha256)));
        var signature = new PackageSignature(Package.FileName, Package.Sha256, key.Id, Convert.FromBase64String(SignatureBase64));
        Assert.True(signature.Verifies(Package, key));
    }

    [Fact]
    public void A_changed_name_hash_key_id_or_signature_does_not_verify()
    {
        var key = PublicKey.FromPem("vector", PublicKeyPem, "vector.pem");
        var bytes = Convert.FromBase64String(SignatureBase64);
        var other = PackageFileName.Parse($"hello-1.0.1-{Sha}.packster");
        Assert.False(new PackageSignature(other.FileName, other.Sha256, key.Id, bytes).Verifies(other, key));
        Assert.False(new PackageSignature(Package.FileName, Package.Sha256, "0000000000000000", bytes).Verifies(Package, key));
        var flipped = (byte[])bytes.Clone();
        flipped[^1] ^= 1;
        Assert.False(new PackageSignature(Package.FileName, Package.Sha256, key.Id, flipped).Verifies(Package, key));
        Assert.False(new PackageSignature(Package.FileName, Package.Sha256, key.Id, bytes[..10]).Verifies(Package, key));
    }

    // § Signature file: a truncated or foreign .sig is PST4031, whatever it holds.
    [Theory]
    [InlineData("{\"format\": 1, \"algorithm\": \"ecdsa-p256-sha256\", \"key\": \"dc7d8c78")]
    [InlineData("{\"format\": 2, \"algorithm\": \"ecdsa-p256-sha256\", \"key\": \"k\", \"package\": \"p\", \"sha256\": \"e64066f8af5493480fed9a4001c2bf5d5a6eaa29e71f317f4c467e9643ea6ebd\", \"signature\": \"AA==\"}")]
    [InlineData("{\"format\": 1, \"algorithm\": \"rsa\", \"key\": \"k\", \"package\": \"p\", \"sha256\": \"e64066f8af5493480fed9a4001c2bf5d5a6eaa29e71f317f4c467e9643ea6ebd\", \"signature\": \"AA==\"}")]
    [InlineData("{\"format\": 1, \"algorithm\": \"ecdsa-p256-sha256\", \"key\": \"k\", \"package\": \"p\", \"sha256\": \"e64066f8af5493480fed9a4001c2bf5d5a6eaa29e71f317f4c467e9643ea6ebd\", \"signature\": \"not base64!\"}")]
    public void An_unreadable_signature_file_is_refused(string text)
    {
        var e = Assert.Throws<PacksterException>(() => PackageSignature.Parse(System.Text.Encoding.UTF8.GetBytes(text), "x.sig"));
        Assert.Equal(ErrorCode.SignatureUnreadable, e.Code);
    }
}
