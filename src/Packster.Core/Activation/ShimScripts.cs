using System.Text;

namespace Packster.Activation;

/// <summary>
/// The text of the launcher files (spec/activation.md §1). Every launcher replaces or waits for the target so that
/// arguments, standard streams, signals and the exit code pass through; none starts .NET.
/// </summary>
public static class ShimScripts
{
    /// <summary>
    /// POSIX: <c>#!/bin/sh</c>, <c>export KEY='value'</c> lines, then <c>exec 'target' 'fixed' "$@"</c> — the shell
    /// process becomes the target, so there is no extra process to forward signals or exit codes through.
    /// </summary>
    public static string Posix(ShimDefinition shim)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/sh\n");
        sb.Append("# packster shim '").Append(shim.Name).Append("': generated, do not edit\n");
        foreach (var (key, value) in shim.Env)
        {
            sb.Append("export ").Append(key).Append('=').Append(ShellQuoting.Posix(value)).Append('\n');
        }
        sb.Append("exec ").Append(ShellQuoting.Posix(shim.TargetPath));
        foreach (var arg in shim.Args)
        {
            sb.Append(' ').Append(ShellQuoting.Posix(arg));
        }
        sb.Append(" \"$@\"\n");
        return sb.ToString();
    }

    /// <summary>
    /// Windows cmd: <c>setlocal</c> (so env stays local), <c>set "KEY=value"</c>, <c>"target" "fixed" %*</c>, then
    /// <c>exit /b %ERRORLEVEL%</c>. Each fixed argument is quoted for the C runtime, then made literal for cmd.
    /// </summary>
    public static string Cmd(ShimDefinition shim)
    {
        if (shim.TargetPath.Contains('"', StringComparison.Ordinal))
        {
            throw ShimDefinition.Invalid(shim.Name, "a Windows target path cannot contain '\"'");
        }
        var sb = new StringBuilder();
        sb.Append("@echo off\r\n");
        sb.Append("rem packster shim: generated, do not edit\r\n");
        sb.Append("setlocal EnableExtensions DisableDelayedExpansion\r\n");
        foreach (var (key, value) in shim.Env)
        {
            sb.Append(ShellQuoting.CmdLine($"set \"{key}={value}\"")).Append("\r\n");
        }
        var line = new StringBuilder().Append('"').Append(shim.TargetPath).Append('"');
        foreach (var arg in shim.Args)
        {
            line.Append(' ').Append(ShellQuoting.WindowsArgument(arg));
        }
        sb.Append(ShellQuoting.CmdLine(line.ToString())).Append(" %*\r\n");
        sb.Append("exit /b %ERRORLEVEL%\r\n");
        return sb.ToString();
    }

    /// <summary>
    /// PowerShell: sets env for the call only (restored in <c>finally</c>, since <c>$env:</c> is process-wide), runs
    /// <c>&amp; 'target' @('fixed') @args</c>, and exits with <c>$LASTEXITCODE</c>.
    /// </summary>
    public static string Ps1(ShimDefinition shim)
    {
        var sb = new StringBuilder();
        sb.Append("# packster shim: generated, do not edit\r\n");
        sb.Append("$_packsterSaved = @{}\r\n");
        foreach (var (key, value) in shim.Env)
        {
            sb.Append("$_packsterSaved['").Append(key).Append("'] = [Environment]::GetEnvironmentVariable('").Append(key).Append("')\r\n");
            sb.Append("[Environment]::SetEnvironmentVariable('").Append(key).Append("', ").Append(ShellQuoting.Pwsh(value)).Append(")\r\n");
        }
        sb.Append("try {\r\n");
        sb.Append("    & ").Append(ShellQuoting.Pwsh(shim.TargetPath)).Append(" @(");
        sb.AppendJoin(", ", shim.Args.Select(ShellQuoting.Pwsh));
        sb.Append(") @args\r\n");
        sb.Append("} finally {\r\n");
        sb.Append("    foreach ($k in $_packsterSaved.Keys) { [Environment]::SetEnvironmentVariable($k, $_packsterSaved[$k]) }\r\n");
        sb.Append("}\r\n");
        sb.Append("exit $LASTEXITCODE\r\n");
        return sb.ToString();
    }

    /// <summary>The files one shim becomes on <paramref name="platform"/>: (file name, text, executable).</summary>
    public static IEnumerable<(string FileName, string Text, bool Executable)> Files(ShimDefinition shim, ShimPlatform platform) => platform switch
    {
        ShimPlatform.Posix => [(shim.Name, Posix(shim), true)],
        ShimPlatform.Windows => [(shim.Name + ".cmd", Cmd(shim), false), (shim.Name + ".ps1", Ps1(shim), false)],
        _ => throw new ArgumentOutOfRangeException(nameof(platform)),
    };
}
