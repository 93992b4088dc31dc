using System.Text;

namespace Packster.Activation;

/// <summary>
/// The PowerShell activation text (spec/activation.md §3). "Empty" and "unset" restore as unset. Variables are
/// removed with <c>Remove-Item Env:</c>: PowerShell passes <c>$null</c> to a .NET <c>string</c> parameter as "",
/// so <c>[Environment]::SetEnvironmentVariable($k, $null)</c> would leave an empty variable behind.
/// </summary>
internal static class PwshActivation
{
    public const string DeactivateFunction = """
        function global:_packster_deactivate {
            if ($null -eq $env:_PACKSTER_ACTIVE) { return }
            $sep = [IO.Path]::PathSeparator
            if ($env:PATH -ceq $env:_PACKSTER_NEW_PATH) {
                $env:PATH = $env:_PACKSTER_OLD_PATH
            } else {
                $env:PATH = (@($env:PATH -split [regex]::Escape($sep)) | Where-Object { $_ -cne $env:_PACKSTER_SHIMS }) -join $sep
            }
            foreach ($k in @("$env:_PACKSTER_KEYS" -split ' ' | Where-Object { $_ -cmatch '^[A-Za-z_][A-Za-z0-9_]*$' })) {
                $old = [Environment]::GetEnvironmentVariable("_PACKSTER_OLD_$k")
                if ([string]::IsNullOrEmpty($old)) { Remove-Item -LiteralPath "Env:$k" -ErrorAction Ignore }
                else { Set-Item -LiteralPath "Env:$k" -Value $old }
                Remove-Item -LiteralPath "Env:_PACKSTER_OLD_$k" -ErrorAction Ignore
            }
            foreach ($n in '_PACKSTER_ACTIVE', '_PACKSTER_LOCATION', '_PACKSTER_SHIMS', '_PACKSTER_OLD_PATH', '_PACKSTER_NEW_PATH', '_PACKSTER_KEYS') {
                Remove-Item -LiteralPath "Env:$n" -ErrorAction Ignore
            }
        }

        """;

    public static string Activate(ActivationSpec spec)
    {
        var sb = new StringBuilder();
        sb.Append("# packster activation for location ").Append(spec.LocationId).Append(": generated, do not edit. Dot-source it: . ./activate.ps1\r\n");
        sb.Append(DeactivateFunction.ReplaceLineEndings("\r\n"));
        sb.Append("if ($null -ne $env:_PACKSTER_ACTIVE) { _packster_deactivate }\r\n");
        sb.Append("$env:_PACKSTER_ACTIVE = ").Append(ShellQuoting.Pwsh(spec.LocationId)).Append("\r\n");
        sb.Append("$env:_PACKSTER_LOCATION = ").Append(ShellQuoting.Pwsh(spec.LocationPath)).Append("\r\n");
        sb.Append("$env:_PACKSTER_SHIMS = ").Append(ShellQuoting.Pwsh(spec.ShimsDir)).Append("\r\n");
        sb.Append("$env:_PACKSTER_OLD_PATH = $env:PATH\r\n");
        sb.Append("$env:PATH = if ($env:PATH) { $env:_PACKSTER_SHIMS + [IO.Path]::PathSeparator + $env:PATH } else { $env:_PACKSTER_SHIMS }\r\n");
        sb.Append("$env:_PACKSTER_NEW_PATH = $env:PATH\r\n");
        sb.Append("$env:_PACKSTER_KEYS = ").Append(ShellQuoting.Pwsh(string.Join(' ', spec.Keys))).Append("\r\n");
        foreach (var (key, value) in spec.Env)
        {
            sb.Append("$env:_PACKSTER_OLD_").Append(key).Append(" = $env:").Append(key).Append("\r\n");
            sb.Append("$env:").Append(key).Append(" = ").Append(ShellQuoting.Pwsh(value)).Append("\r\n");
        }
        foreach (var (key, list) in spec.Lists)
        {
            sb.Append("$env:_PACKSTER_OLD_").Append(key).Append(" = $env:").Append(key).Append("\r\n");
            sb.Append("$env:").Append(key).Append(" = @(");
            sb.Append(string.Join(", ", list.Prepend.Select(ShellQuoting.Pwsh).Append("$env:" + key).Concat(list.Append.Select(ShellQuoting.Pwsh))));
            sb.Append(") | Where-Object { $_ } | Join-String -Separator ([IO.Path]::PathSeparator)\r\n");
        }
        return sb.ToString();
    }

    public static string Deactivate() =>
        "# packster deactivation (any location): generated, do not edit. Dot-source it.\r\n"
        + DeactivateFunction.ReplaceLineEndings("\r\n") + "_packster_deactivate\r\n";
}
