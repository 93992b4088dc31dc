using System.Globalization;
using System.Security.Cryptography;
using Packster.Model;

namespace Packster.Core.Tests.Model;

/// <summary>A digest is its 64 lowercase hex digits: equal texts are equal digests, and hash alike.</summary>
public sealed class Sha256DigestTests
{
    [Fact]
    public void Digests_of_one_text_are_equal_and_hash_alike_however_they_were_made()
    {
        var made = Sha256Digest.Compute("hello"u8);
        var parsed = Sha256Digest.Parse(made.Hex);
        Assert.Equal(made, parsed);
        Assert.True(made == parsed);
        Assert.Equal(made.GetHashCode(), parsed.GetHashCode());
        Assert.NotEqual(made, Sha256Digest.Compute("hello!"u8));
    }

    [Fact]
    public void The_hash_code_is_the_first_eight_hex_digits()
    {
        // Every hex digit, both cases of where a letter's value comes from (bit 6), in the first eight places.
        foreach (var hex in new[] { "0123456789abcdef", "fedcba9876543210", "a0b1c2d3e4f5a6b7", "ffffffff00000000", "0000000000000000" })
        {
            var digest = Sha256Digest.Parse(hex + new string('0', 48));
            Assert.Equal(int.Parse(hex[..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture), digest.GetHashCode());
        }
    }

    [Fact]
    public void Digests_spread_over_a_dictionary_as_their_hashes_do()
    {
        // 10,000 digests of distinct texts: their hash codes are as distinct as 32 random bits are (a collision or two at most).
        var codes = new HashSet<int>();
        for (var i = 0; i < 10_000; i++) codes.Add(Sha256Digest.FromBytes(SHA256.HashData(BitConverter.GetBytes(i))).GetHashCode());
        Assert.InRange(codes.Count, 9_990, 10_000);
    }

    [Theory]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", true)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824", false)]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982", false)]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98240", false)]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g", false)]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982 ", false)]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98é", false)]
    [InlineData("", false)]
    public void Its_utf8_bytes_parse_as_its_text_does(string text, bool isDigest)
    {
        Assert.Equal(isDigest, Sha256Digest.TryParse(text, out var fromText));
        Assert.Equal(isDigest, Sha256Digest.TryParse(System.Text.Encoding.UTF8.GetBytes(text), out var fromBytes));
        Assert.Equal(fromText, fromBytes);
        if (isDigest) Assert.Equal(text, fromBytes.Hex);
    }

    [Fact]
    public void A_default_digest_equals_only_a_default_one()
    {
        Assert.Equal(default(Sha256Digest), default);
        Assert.Equal(0, default(Sha256Digest).GetHashCode());
        Assert.NotEqual(default, Sha256Digest.Compute([]));
    }
}
