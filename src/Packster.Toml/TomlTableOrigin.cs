namespace Packster.Toml;

/// <summary>
/// How a table was created. TOML's redefinition rules depend on it: a [header] may define an
/// implicit table once, dotted keys may only extend tables that dotted keys created, and inline
/// tables are closed for good at their '}'.
/// </summary>
internal enum TomlTableOrigin
{
    /// <summary>The document root, or an element of an array of tables.</summary>
    Root,

    /// <summary>Created as a parent of a [a.b.c] header; not yet defined itself.</summary>
    Implicit,

    /// <summary>Defined by its own [header].</summary>
    Header,

    /// <summary>Created by a dotted key such as a.b = 1.</summary>
    Dotted,

    /// <summary>Written as { ... }; immutable.</summary>
    Inline,
}
