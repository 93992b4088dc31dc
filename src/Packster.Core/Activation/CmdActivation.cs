using System.Text;

namespace Packster.Activation;

/// <summary>
/// The cmd.exe activation text (spec/activation.md §3). cmd cannot tell an empty variable from an unset one, and a
/// saved value containing <c>"</c> is not restored reliably; both limits are documented.
/// </summary>
internal static class CmdActivation
{
    /// <summary>
    /// The activation text. Deactivating a location that is already active is a subroutine of this same script
    /// (<c>call :packster_deactivate</c>): <c>call "…\deactivate.cmd"</c> would make cmd expand <c>%</c> in the location's
    /// path a second time, after the <c>%%</c> written for it had already become <c>%</c>.
    /// </summary>
    public static string Activate(ActivationSpec spec)
    {
        var sb = new StringBuilder();
        sb.Append("@echo off\r\n");
        sb.Append("rem packster activation for location ").Append(spec.LocationId).Append(": generated, do not edit\r\n");
        sb.Append("if defined _PACKSTER_ACTIVE call :packster_deactivate\r\n");
        sb.Append(ShellQuoting.CmdLine($"set \"_PACKSTER_ACTIVE={spec.LocationId}\"")).Append("\r\n");
        sb.Append(ShellQuoting.CmdLine($"set \"_PACKSTER_LOCATION={spec.LocationPath}\"")).Append("\r\n");
        sb.Append(ShellQuoting.CmdLine($"set \"_PACKSTER_SHIMS={spec.ShimsDir}\"")).Append("\r\n");
        sb.Append("set \"_PACKSTER_OLD_PATH=%PATH%\"\r\n");
        sb.Append("set \"PATH=%_PACKSTER_SHIMS%;%PATH%\"\r\n");
        sb.Append("set \"_PACKSTER_NEW_PATH=%PATH%\"\r\n");
        sb.Append(ShellQuoting.CmdLine($"set \"_PACKSTER_KEYS={string.Join(' ', spec.Keys)}\"")).Append("\r\n");
        foreach (var (key, value) in spec.Env)
        {
            sb.Append("if defined ").Append(key).Append(" set \"_PACKSTER_OLD_").Append(key).Append("=%").Append(key).Append("%\"\r\n");
            sb.Append(ShellQuoting.CmdLine($"set \"{key}={value}\"")).Append("\r\n");
        }
        foreach (var (key, list) in spec.Lists)
        {
            // Labels instead of blocks, as below: a value holding "(x86)" would close a parenthesised block early.
            var before = string.Join(';', list.Prepend);
            var after = list.Append.Count == 0 ? "" : ";" + string.Join(';', list.Append);
            sb.Append("if defined ").Append(key).Append(" set \"_PACKSTER_OLD_").Append(key).Append("=%").Append(key).Append("%\"\r\n");
            sb.Append("if not defined ").Append(key).Append(" goto packster_list_").Append(key).Append("\r\n");
            // One line escaped as a whole (cmd's quote state spans it), the old value's %K% put in after: it must expand.
            const string Old = "\uE000";
            sb.Append(ShellQuoting.CmdLine($"set \"{key}={(before.Length == 0 ? "" : before + ";")}{Old}{after}\"").Replace(Old, $"%{key}%", StringComparison.Ordinal)).Append("\r\n");
            sb.Append("goto packster_list_done_").Append(key).Append("\r\n");
            sb.Append(":packster_list_").Append(key).Append("\r\n");
            var whole = string.Join(';', list.Prepend.Concat(list.Append));
            sb.Append(ShellQuoting.CmdLine($"set \"{key}={whole}\"")).Append("\r\n");
            sb.Append(":packster_list_done_").Append(key).Append("\r\n");
        }
        sb.Append("exit /b 0\r\n");
        sb.Append(":packster_deactivate\r\n");
        sb.Append(DeactivateBody.ReplaceLineEndings("\r\n"));
        return sb.ToString();
    }

    /// <summary>deactivate.cmd: the same steps as the subroutine every activate.cmd carries.</summary>
    public static string Deactivate => ("""
        @echo off
        rem packster deactivation (any location): generated, do not edit

        """ + DeactivateBody).ReplaceLineEndings("\r\n");

    // Labels and goto instead of parenthesised blocks: a PATH holding "(x86)" would close a block early. Every label
    // starts with packster_, so the subroutine can follow the activation text in one file.
    private const string DeactivateBody = """
        if not defined _PACKSTER_ACTIVE exit /b 0
        if not "%PATH%"=="%_PACKSTER_NEW_PATH%" goto packster_strip
        set "PATH=%_PACKSTER_OLD_PATH%"
        goto packster_keys
        :packster_strip
        call set "PATH=%%PATH:%_PACKSTER_SHIMS%;=%%"
        :packster_keys
        for %%K in (%_PACKSTER_KEYS%) do call :packster_restore %%K
        set "_PACKSTER_ACTIVE="
        set "_PACKSTER_LOCATION="
        set "_PACKSTER_SHIMS="
        set "_PACKSTER_OLD_PATH="
        set "_PACKSTER_NEW_PATH="
        set "_PACKSTER_KEYS="
        exit /b 0
        :packster_restore
        if defined _PACKSTER_OLD_%1 goto packster_put
        set "%1="
        exit /b 0
        :packster_put
        call set "%1=%%_PACKSTER_OLD_%1%%"
        set "_PACKSTER_OLD_%1="
        exit /b 0

        """;
}
