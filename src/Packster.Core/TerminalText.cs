namespace Packster;

/// <summary>
/// Text from users and files shown on a terminal: control characters (ESC, CR, LF…) are shown escaped (<c>\u001b</c>),
/// so a name cannot move the cursor, recolour the output or forge a line. The same rule as archive entry names.
/// </summary>
public static class TerminalText
{
    public static string Printable(string text) => Packaging.ArchiveErrors.Printable(text);
}
