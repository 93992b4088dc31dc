namespace Packster.Handlers;

/// <summary>Which PowerShell runs <c>.ps1</c> handlers (spec/handlers.md §Executors, <c>PACKSTER_POWERSHELL</c>).</summary>
public enum PowerShellChoice
{
    /// <summary>The hosted PowerShell when packster-pwsh-host is present, else <c>pwsh</c> on PATH.</summary>
    Auto,

    /// <summary>Only the hosted PowerShell (PST7009 when it is absent).</summary>
    Hosted,

    /// <summary>Only <c>pwsh</c> on PATH (PST7002 when it is absent).</summary>
    Pwsh,
}

/// <summary>
/// How one packster command runs <c>.ps1</c> handlers: the choice (from <c>PACKSTER_POWERSHELL</c>) and the one
/// <see cref="HostedPowerShell"/> every resolver of the command shares, so the host starts at most once.
/// </summary>
public sealed record PowerShellExecutors(PowerShellChoice Choice, HostedPowerShell Hosted)
{
    /// <summary>Names <c>auto</c>, <c>hosted</c> or <c>pwsh</c>; unset or empty means <c>auto</c>.</summary>
    public const string ChoiceVariable = "PACKSTER_POWERSHELL";

    /// <summary>The path of packster-pwsh-host, replacing <c>&lt;packster's directory&gt;/pwsh-host/</c>.</summary>
    public const string HostPathVariable = "PACKSTER_PWSH_HOST";

    /// <summary>The settings <paramref name="environment"/> gives; PST7010 when <c>PACKSTER_POWERSHELL</c> is not a known value.</summary>
    public static PowerShellExecutors For(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        // Exactly as spec/handlers.md lists them: other spellings ("Auto", " auto") are PST7010, as the spec says of anything else.
        var choice = environment.TryGetValue(ChoiceVariable, out var value) ? value : "";
        var parsed = choice switch
        {
            "" or "auto" => PowerShellChoice.Auto,
            "hosted" => PowerShellChoice.Hosted,
            "pwsh" => PowerShellChoice.Pwsh,
            _ => throw HandlerErrors.UnknownPowerShellChoice(choice),
        };
        var path = environment.TryGetValue(HostPathVariable, out var given) && given.Length > 0
            ? Path.GetFullPath(given)
            : DefaultHostPath(AppContext.BaseDirectory);
        return new PowerShellExecutors(parsed, new HostedPowerShell(path));
    }

    /// <summary><c>&lt;directory&gt;/pwsh-host/packster-pwsh-host</c> (<c>.exe</c> on Windows): where a release puts it.</summary>
    public static string DefaultHostPath(string packsterDirectory) =>
        Path.Combine(packsterDirectory, "pwsh-host", OperatingSystem.IsWindows() ? "packster-pwsh-host.exe" : "packster-pwsh-host");
}
