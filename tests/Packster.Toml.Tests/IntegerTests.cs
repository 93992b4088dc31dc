using FsCheck.Xunit;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Integers (TOML 1.0.0 "Integer").</summary>
public class IntegerTests
{
    [Theory]
    [InlineData("42", 42)]
    [InlineData("+17", 17)]
    [InlineData("-17", -17)]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("1_000_000", 1_000_000)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void Decimal(string toml, long expected) => Assert.Equal(expected, Toml.Integer(toml));

    [Theory]
    [InlineData("0xDEADbeef", 0xDEADBEEF)]
    [InlineData("0xdead_beef", 0xDEADBEEF)]
    [InlineData("0x7FFFFFFFFFFFFFFF", long.MaxValue)]
    [InlineData("0o755", 493)]
    [InlineData("0o0_1", 1)]
    [InlineData("0b1101_0110", 0b1101_0110)]
    [InlineData("0x00ff", 255)]
    public void Hex_octal_binary(string toml, long expected) => Assert.Equal(expected, Toml.Integer(toml));

    [Theory]
    [InlineData("01")]             // leading zero
    [InlineData("+01")]
    [InlineData("1__0")]           // underscores only between digits
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("0x_1")]
    [InlineData("+0x1")]           // no sign on prefixed integers
    [InlineData("-0b1")]
    [InlineData("0xG")]
    [InlineData("0o8")]
    [InlineData("0b2")]
    [InlineData("0X1")]            // prefixes are lower-case
    [InlineData("0x")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("0x8000000000000000")]
    [InlineData("1a")]
    public void Invalid_integers_fail_at_the_value(string toml) => Toml.FailsAt($"v = {toml}", 1, 5);

    [Fact]
    public void Out_of_range_message_names_the_integer() =>
        Assert.Equal("integer '9223372036854775808' is out of range for a 64-bit signed integer",
            Toml.Fails("v = 9223372036854775808").Reason);

    [Property]
    public bool Any_long_round_trips_through_its_decimal_text(long n) =>
        Toml.Integer(n.ToString(System.Globalization.CultureInfo.InvariantCulture)) == n;
}
