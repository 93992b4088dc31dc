using System.Text;

namespace Packster.Activation;

/// <summary>
/// A location's static activation scripts (spec/activation.md §3): <c>&lt;location&gt;/activate/activate.{sh,fish,ps1,cmd}</c>
/// and the matching <c>deactivate.*</c>. Activating saves what it changes; deactivating restores it exactly.
/// </summary>
public static class ActivationScripts
{
    public const string FolderName = "activate";

    /// <summary>The activation text for <paramref name="shell"/> (what <c>packster location env --shell</c> prints).</summary>
    public static string Render(ActivationShell shell, ActivationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return shell switch
        {
            ActivationShell.Bash or ActivationShell.Zsh or ActivationShell.Sh => PosixActivation.Activate(spec),
            ActivationShell.Fish => FishActivation.Activate(spec),
            ActivationShell.Pwsh => PwshActivation.Activate(spec),
            ActivationShell.Cmd => CmdActivation.Activate(spec),
            _ => throw new ArgumentOutOfRangeException(nameof(shell)),
        };
    }

    /// <summary>The deactivation text for <paramref name="shell"/>; the same for every location.</summary>
    public static string RenderDeactivate(ActivationShell shell) => shell switch
    {
        ActivationShell.Bash or ActivationShell.Zsh or ActivationShell.Sh => PosixActivation.Deactivate(),
        ActivationShell.Fish => FishActivation.Deactivate(),
        ActivationShell.Pwsh => PwshActivation.Deactivate(),
        ActivationShell.Cmd => CmdActivation.Deactivate,
        _ => throw new ArgumentOutOfRangeException(nameof(shell)),
    };

    /// <summary>The file name of the activation script for <paramref name="shell"/> (<c>activate.sh</c>, …).</summary>
    public static string FileName(ActivationShell shell, bool deactivate = false) =>
        (deactivate ? "deactivate" : "activate") + shell switch
        {
            ActivationShell.Bash or ActivationShell.Zsh or ActivationShell.Sh => ".sh",
            ActivationShell.Fish => ".fish",
            ActivationShell.Pwsh => ".ps1",
            ActivationShell.Cmd => ".cmd",
            _ => throw new ArgumentOutOfRangeException(nameof(shell)),
        };

    /// <summary>The full path of <paramref name="shell"/>'s activation script inside <paramref name="locationDir"/>.</summary>
    public static string PathFor(string locationDir, ActivationShell shell, bool deactivate = false) =>
        Path.Combine(locationDir, FolderName, FileName(shell, deactivate));

    /// <summary>
    /// Every script of <c>activate/</c> for <paramref name="spec"/> — activation and deactivation, for every shell on
    /// every platform — as (file name, text), without writing anything. A value of <paramref name="spec"/> that a shell
    /// cannot carry throws here, so callers render before they commit. Only a location that cmd cannot activate at all
    /// (its own path holds a control character) gets an <c>activate.cmd</c> that refuses loudly instead.
    /// </summary>
    public static IReadOnlyList<(string FileName, string Text)> RenderAll(ActivationSpec spec) => RenderAll(spec, strict: true);

    private static List<(string FileName, string Text)> RenderAll(ActivationSpec spec, bool strict)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var files = new List<(string, string)>();
        foreach (var shell in new[] { ActivationShell.Sh, ActivationShell.Fish, ActivationShell.Pwsh, ActivationShell.Cmd })
        {
            files.Add((FileName(shell), shell == ActivationShell.Cmd ? RenderCmd(spec, strict) : Render(shell, spec)));
            files.Add((FileName(shell, deactivate: true), RenderDeactivate(shell)));
        }
        return files;
    }

    private static string RenderCmd(ActivationSpec spec, bool strict)
    {
        try
        {
            return Render(ActivationShell.Cmd, spec);
        }
        catch (PacksterException ex) when (!strict || !CmdCanActivate(spec))
        {
            return "@echo off\r\n"
                + ShellQuoting.CmdLine($"echo packster: location {spec.LocationId} cannot be activated in cmd: {ex.Message}") + " 1>&2\r\n"
                + "exit /b 1\r\n";
        }
    }

    /// <summary>Whether cmd can activate the location itself, whatever its values.</summary>
    private static bool CmdCanActivate(ActivationSpec spec)
    {
        try
        {
            Render(ActivationShell.Cmd, new ActivationSpec(spec.LocationPath, spec.LocationId, spec.ShimsDir));
            return true;
        }
        catch (PacksterException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes all eight scripts into <c>&lt;locationDir&gt;/activate/</c>, each by temp file + rename so a shell sourcing
    /// one meanwhile reads a whole old or whole new script; one that holds its text already is left as it is. Returns the folder. A value cmd cannot carry gets an
    /// <c>activate.cmd</c> that refuses loudly; callers that commit render first with <see cref="RenderAll(ActivationSpec)"/>.
    /// </summary>
    public static string Write(string locationDir, ActivationSpec spec) => Write(locationDir, RenderAll(spec, strict: false));

    /// <summary>The files of scripts rendered by <see cref="RenderAll"/>, in <paramref name="folder"/>, as UTF-8.</summary>
    public static IEnumerable<(string Path, byte[] Content)> Files(string folder, IReadOnlyList<(string FileName, string Text)> scripts)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        return scripts.Select(s => (Path.Combine(folder, s.FileName), System.Text.Encoding.UTF8.GetBytes(s.Text)));
    }

    /// <summary>Writes scripts rendered by <see cref="RenderAll"/>, as one batch (<see cref="AtomicFile.WriteIfChanged(IReadOnlyList{ValueTuple{string, byte[]}})"/>).</summary>
    public static string Write(string locationDir, IReadOnlyList<(string FileName, string Text)> scripts)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        var folder = Path.Combine(locationDir, FolderName);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteIfChanged([.. Files(folder, scripts)]);
        return folder;
    }
}
