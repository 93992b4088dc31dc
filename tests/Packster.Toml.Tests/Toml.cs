using Packster.Toml;

namespace Packster.Toml.Tests;

/// <summary>Short helpers so each test reads as the TOML it checks.</summary>
internal static class Toml
{
    public const string File = "test.toml";

    public static TomlTable Parse(string text, TomlVersion version = TomlVersion.V1_1) => TomlDocument.Parse(text, File, version);

    public static TomlException Fails(string text, TomlVersion version = TomlVersion.V1_1) =>
        Assert.Throws<TomlException>(() => TomlDocument.Parse(text, File, version));

    public static TomlException FailsAt(string text, int line, int column, TomlVersion version = TomlVersion.V1_1)
    {
        var e = Fails(text, version);
        Assert.Equal(new TomlPosition(line, column), e.Position);
        Assert.StartsWith($"{File}:{line}:{column}: ", e.Message, StringComparison.Ordinal);
        return e;
    }

    public static T Value<T>(string text, string key = "v", TomlVersion version = TomlVersion.V1_1)
        where T : TomlNode => Assert.IsType<T>(Parse(text, version)[key]);

    public static string String(string tomlValue, TomlVersion version = TomlVersion.V1_1) =>
        Value<TomlString>($"v = {tomlValue}", version: version).Value;

    public static long Integer(string tomlValue) => Value<TomlInteger>($"v = {tomlValue}").Value;

    public static double Float(string tomlValue) => Value<TomlFloat>($"v = {tomlValue}").Value;

    public static TomlTable Table(this TomlNode node, string key) => Assert.IsType<TomlTable>(((TomlTable)node)[key]);
}
