namespace Packster.Toml;

/// <summary>The TOML release a document is read as (spec/toml.md §1). Packster reads its own files as <see cref="V1_1"/>.</summary>
public enum TomlVersion
{
    /// <summary>TOML 1.0.0: inline tables on one line without a trailing comma, seconds required, no <c>\e</c> or <c>\xHH</c>.</summary>
    V1_0,

    /// <summary>TOML 1.1.0: adds the <c>\e</c> and <c>\xHH</c> escapes, newlines, comments and a trailing comma in inline tables, and times without seconds.</summary>
    V1_1,
}
