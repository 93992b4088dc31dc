namespace Packster.Resources;

/// <summary>
/// Environment keys a location may set: <c>[A-Za-z_][A-Za-z0-9_]*</c>, at most 128 characters, so every shell
/// can assign them without quoting (spec/resources.md §2). PATH and the <c>_PACKSTER_</c> prefix are reserved for
/// activation; the variables a supported shell interprets (§ Shell variables) are refused too, ignoring case as PATH is
/// but for the lower-case names of fish and zsh, to which case matters.
/// </summary>
public static class EnvKeyName
{
    public const int MaxLength = 128;

    /// <summary>
    /// The variables bash, zsh, sh, fish, PowerShell or cmd give a meaning of their own, by why each may not be set by a
    /// package (spec/resources.md § Shell variables). A variable that is only data to them (HOME, LANG, TERM) is not here.
    /// </summary>
    private static readonly (string Why, string[] Names)[] ShellVariables =
    [
        ("it is a prompt or hook the shell expands or runs by itself, so its value would be run as code",
        [
            "PS0", "PS1", "PS2", "PS3", "PS4", "PROMPT", "PROMPT2", "PROMPT3", "PROMPT4", "RPROMPT", "RPROMPT2", "RPS1", "RPS2",
            "SPROMPT", "PROMPT_COMMAND", "PROMPT_DIRTRIM", "PROMPT_EOL_MARK", "MAIL", "MAILPATH", "MAILCHECK", "NULLCMD",
            "READNULLCMD", "STTY", "TMOUT", "PERIOD", "precmd_functions", "preexec_functions", "chpwd_functions",
            "periodic_functions", "zshaddhistory_functions", "zshexit_functions", "zsh_directory_name_functions",
        ]),
        ("it names a file the shell reads or runs, or changes where it finds commands",
        [
            "ENV", "BASH", "ZDOTDIR", "INPUTRC", "HISTFILE", "CDPATH", "EXECIGNORE", "COMSPEC", "PATHEXT",
        ]),
        ("it changes how the shell parses commands or which options it runs with",
        [
            "IFS", "HISTCHARS", "GLOBIGNORE", "SHELLOPTS", "BASHOPTS", "POSIXLY_CORRECT", "PSExecutionPolicyPreference",
            "__PSLockdownPolicy",
        ]),
        ("the shell keeps it itself: its identity (the user it runs as) or its own state, read-only in some shells",
        [
            "UID", "EUID", "GID", "EGID", "USERNAME", "PPID", "PWD", "OLDPWD", "SHLVL", "LINENO", "RANDOM", "SRANDOM", "SECONDS",
            "EPOCHSECONDS", "EPOCHREALTIME", "HISTCMD", "BASHPID", "GROUPS", "FUNCNAME", "DIRSTACK", "PIPESTATUS", "OPTIND",
            "OPTARG", "ARGC", "TTYIDLE", "ERRNO", "status", "history", "hostname", "version", "umask", "_",
            "ZSH_VERSION", "ZSH_NAME", "ZSH_PATCHLEVEL", "ZSH_ARGZERO", "ZSH_SUBSHELL", "ZSH_EVAL_CONTEXT", "ZSH_SCRIPT",
            "ZSH_EXECUTION_STRING", "FISH_VERSION", "ERRORLEVEL", "CD", "CMDCMDLINE", "CMDEXTVERSION", "DATE", "TIME", "HIGHESTNUMANODENUMBER",
        ]),
    ];

    /// <summary>Prefixes a shell keeps for its own variables: bash's (BASH_ENV is run, BASH_XTRACEFD redirects) and fish's.</summary>
    private static readonly (string Prefix, string Why)[] ShellPrefixes =
    [
        ("BASH_", "bash keeps the BASH_ prefix for its own variables (BASH_ENV names a file it runs, BASH_XTRACEFD redirects its output)"),
        ("fish_", "fish keeps the fish_ prefix for its own variables (fish_function_path says where its functions come from)"),
    ];

    private static readonly Dictionary<string, (string Name, string Why)> ShellVariableReasons = ShellVariables
        .SelectMany(group => group.Names.Select(name => (name, group.Why)))
        .ToDictionary(p => p.name, p => p, StringComparer.OrdinalIgnoreCase);

    public static bool IsValid(string? key) => WhyNot(key) is null;

    /// <summary>Whether <paramref name="key"/> is a well-formed name that activation keeps for itself (PATH, <c>_PACKSTER_*</c>).</summary>
    public static bool IsReserved(string key) =>
        string.Equals(key, "PATH", StringComparison.OrdinalIgnoreCase) || key.StartsWith("_PACKSTER_", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why a shell interprets <paramref name="key"/> (spec/resources.md § Shell variables), or null when it is data to every shell.</summary>
    public static string? ShellMeaning(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        // A name written in lower case is one only fish or zsh keep, and case matters to both: it is refused as written
        // (VERSION is not fish's version). The others are refused ignoring case, as PATH is: Windows ignores it.
        if (ShellVariableReasons.TryGetValue(key, out var found) && (!IsLowerCase(found.Name) || string.Equals(found.Name, key, StringComparison.Ordinal)))
        {
            return found.Why;
        }
        foreach (var (prefix, reason) in ShellPrefixes)
        {
            if (key.StartsWith(prefix, IsLowerCase(prefix) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase)) return reason;
        }
        return null;
    }

    private static bool IsLowerCase(string name) => !name.Any(char.IsAsciiLetterUpper);

    public static void Validate(string? key)
    {
        var why = WhyNot(key);
        if (why is not null)
        {
            throw new PacksterException(ErrorCode.ResourceClaimInvalid, $"invalid environment variable '{key}': {why}",
                key is not null && IsReserved(key)
                    ? "PATH and _PACKSTER_* belong to activation: declare shims to put commands on PATH, and choose another name"
                    : key is not null && ShellMeaning(key) is not null
                    ? "a package may not set a variable the shells interpret; choose another name"
                    : "environment keys use letters, digits and '_', and do not start with a digit");
        }
    }

    /// <summary>Why <paramref name="key"/> may not be set by a location; null when it may.</summary>
    public static string? WhyNot(string? key)
    {
        if (string.IsNullOrEmpty(key)) return "it is empty";
        if (key.Length > MaxLength) return $"it is longer than {MaxLength} characters";
        if (char.IsAsciiDigit(key[0])) return "it starts with a digit";
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return $"character '{(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4") : c.ToString())}' is not allowed";
        }
        if (string.Equals(key, "PATH", StringComparison.OrdinalIgnoreCase)) return "PATH is managed by activation itself";
        if (IsReserved(key)) return "the _PACKSTER_ prefix is reserved";
        if (ShellMeaning(key) is { } meaning) return $"{key} is a shell variable: {meaning}";
        return null;
    }
}
