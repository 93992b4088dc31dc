using System.Text;

namespace Packster.Activation;

/// <summary>
/// Turns arbitrary text into one literal word for each shell the generated scripts target (spec/activation.md §5).
/// Every function here is total over strings without NUL (cmd additionally refuses every control character).
/// </summary>
public static class ShellQuoting
{
    /// <summary>POSIX sh: <c>'…'</c>, with each <c>'</c> written as <c>'\''</c>. Nothing inside single quotes is special.</summary>
    public static string Posix(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>fish: <c>'…'</c>, where only <c>\</c> and <c>'</c> need a backslash.</summary>
    public static string Fish(string text) =>
        "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>
    /// PowerShell: <c>'…'</c> with every single-quote character doubled — including the typographic ones
    /// (U+2018–U+201B), which PowerShell also treats as single quotes.
    /// </summary>
    public static string Pwsh(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('\'');
        foreach (var c in text)
        {
            if (c is '\'' or '\u2018' or '\u2019' or '\u201A' or '\u201B') sb.Append(c);
            sb.Append(c);
        }
        return sb.Append('\'').ToString();
    }

    /// <summary>
    /// One argument as the Windows C runtime (CommandLineToArgvW) splits it back: always in double quotes, <c>"</c>
    /// as <c>\"</c>, and backslashes doubled only where they precede a quote.
    /// </summary>
    public static string WindowsArgument(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        var backslashes = 0;
        foreach (var c in text)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }
            if (c == '"')
            {
                sb.Append('\\', backslashes * 2 + 1).Append('"');
            }
            else
            {
                sb.Append('\\', backslashes).Append(c);
            }
            backslashes = 0;
        }
        return sb.Append('\\', backslashes * 2).Append('"').ToString();
    }

    /// <summary>
    /// Makes one line of a batch file literal: <c>%</c> becomes <c>%%</c> everywhere (a caret cannot escape it in a
    /// batch file), and outside cmd's own double-quote state the metacharacters <c>^ &amp; | &lt; &gt; ( )</c> get a caret.
    /// cmd toggles its quote state at every <c>"</c>, including an escaped <c>\"</c>, so the state is tracked the same way.
    /// Scripts run with delayed expansion off, so <c>!</c> is literal. Control characters (U+0000–U+001F, U+007F) cannot be written and are refused.
    /// </summary>
    public static string CmdLine(string line)
    {
        foreach (var c in line)
        {
            // cmd ends a line at CR, LF and also Ctrl-Z (U+001A): no control character can be made literal.
            if (c < 0x20 || c == 0x7F)
            {
                throw new PacksterException(ErrorCode.ShimDefinitionInvalid,
                    $"the control character U+{(int)c:X4} cannot be passed through a .cmd script (cmd ends a line at CR, LF and U+001A)",
                    "remove control characters from shim arguments and environment values");
            }
        }
        var sb = new StringBuilder(line.Length + 8);
        var quoted = false;
        foreach (var c in line)
        {
            switch (c)
            {
                case '"':
                    quoted = !quoted;
                    sb.Append(c);
                    break;
                case '%':
                    sb.Append("%%");
                    break;
                case '^' or '&' or '|' or '<' or '>' or '(' or ')' when !quoted:
                    sb.Append('^').Append(c);
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
