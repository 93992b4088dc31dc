namespace Packster.Toml;

/// <summary>Reads TOML 1.0.0 text into a <see cref="TomlTable"/>; throws <see cref="TomlException"/> with line and column.</summary>
public static class TomlDocument
{
    /// <summary>Parses TOML text. <paramref name="file"/> is only used in error messages.</summary>
    public static TomlTable Parse(string text, string? file = null) => throw new NotImplementedException();

    /// <summary>Parses UTF-8 bytes (a BOM is allowed); invalid UTF-8 is a <see cref="TomlException"/>.</summary>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8, string? file = null) => throw new NotImplementedException();
}
