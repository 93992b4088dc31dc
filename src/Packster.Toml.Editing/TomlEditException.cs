namespace Packster.Toml.Editing;

/// <summary>
/// An edit was refused: it cannot be made in this document's syntax, or the edited text would not read back (with
/// <see cref="TomlDocument"/>) as the original document with exactly the requested change. Nothing was written.
/// </summary>
public sealed class TomlEditException : Exception
{
    public TomlEditException() : this("the edit was refused") { }
    public TomlEditException(string message) : base(message) { }
    public TomlEditException(string message, Exception inner) : base(message, inner) { }
}
