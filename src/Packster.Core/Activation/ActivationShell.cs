namespace Packster.Activation;

/// <summary>The shells activation scripts are generated for; bash, zsh and sh share one POSIX script.</summary>
public enum ActivationShell
{
    Bash,
    Zsh,
    Sh,
    Fish,
    Pwsh,
    Cmd,
}

/// <summary>Shell names as the command line spells them (<c>--shell bash|zsh|sh|fish|pwsh|cmd</c>).</summary>
public static class ActivationShells
{
    public static bool TryParse(string? text, out ActivationShell shell)
    {
        switch (text?.ToLowerInvariant())
        {
            case "bash": shell = ActivationShell.Bash; return true;
            case "zsh": shell = ActivationShell.Zsh; return true;
            case "sh": shell = ActivationShell.Sh; return true;
            case "fish": shell = ActivationShell.Fish; return true;
            case "pwsh" or "powershell": shell = ActivationShell.Pwsh; return true;
            case "cmd": shell = ActivationShell.Cmd; return true;
            default: shell = default; return false;
        }
    }

    public static ActivationShell Parse(string text) => TryParse(text, out var shell) ? shell
        : throw new PacksterException(ErrorCode.InvalidArgument, $"unknown shell '{text}': expected bash, zsh, sh, fish, pwsh or cmd");

    public static bool IsPosix(this ActivationShell shell) => shell is ActivationShell.Bash or ActivationShell.Zsh or ActivationShell.Sh;
}
