namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §5 Floats (TOML 1.0.0 "Float").</summary>
public class FloatTests
{
    [Theory]
    [InlineData("+1.0", 1.0)]
    [InlineData("3.1415", 3.1415)]
    [InlineData("-0.01", -0.01)]
    [InlineData("5e+22", 5e22)]
    [InlineData("1e06", 1e6)]
    [InlineData("-2E-2", -0.02)]
    [InlineData("6.626e-34", 6.626e-34)]
    [InlineData("224_617.445_991_228", 224617.445991228)]
    [InlineData("0.0", 0.0)]
    [InlineData("1e1_0", 1e10)]
    public void Fraction_and_exponent_forms(string toml, double expected) => Assert.Equal(expected, Toml.Float(toml));

    [Fact]
    public void Special_values()
    {
        Assert.Equal(double.PositiveInfinity, Toml.Float("inf"));
        Assert.Equal(double.PositiveInfinity, Toml.Float("+inf"));
        Assert.Equal(double.NegativeInfinity, Toml.Float("-inf"));
        Assert.True(double.IsNaN(Toml.Float("nan")));
        Assert.True(double.IsNaN(Toml.Float("-nan")));
    }

    [Theory]
    [InlineData(".7")]
    [InlineData("7.")]
    [InlineData("3.e+20")]
    [InlineData("1e")]
    [InlineData("1e_1")]
    [InlineData("1._0")]
    [InlineData("01.5")]
    [InlineData("1.2.3")]
    [InlineData("Inf")]
    [InlineData("NaN")]
    [InlineData("infinity")]
    public void Invalid_floats_fail_at_the_value(string toml) => Toml.FailsAt($"v = {toml}", 1, 5);

    [Fact]
    public void Negative_zero_keeps_its_sign() => Assert.True(double.IsNegative(Toml.Float("-0.0")));
}
