namespace Packster.Activation;

/// <summary>
/// What <c>packster init &lt;shell&gt;</c> prints (spec/activation.md §4): <c>packster-use &lt;path|id&gt;</c> and
/// <c>packster-deactivate</c>, shell functions that switch locations by sourcing static scripts, never starting .NET.
/// An argument containing '/' (or '.', '..') is a path; anything else is an id looked up in the registry.
/// </summary>
public static class ShellInit
{
    /// <summary>The shells <c>packster init</c> supports, as its help and its errors name them (POSIX sh has no function names with '-').</summary>
    public static IReadOnlyList<string> Shells { get; } = ["bash", "zsh", "fish", "pwsh"];

    /// <summary>"bash, zsh, fish or pwsh".</summary>
    public static string ShellList(string conjunction) => string.Join(", ", Shells.Take(Shells.Count - 1)) + $" {conjunction} " + Shells[^1];

    /// <summary>Parses the shell argument of <c>packster init</c>; anything outside <see cref="Shells"/> is PST1001.</summary>
    public static ActivationShell Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (ActivationShells.TryParse(text, out var shell) && CanRender(shell)) return shell;
        throw new PacksterException(ErrorCode.InvalidArgument, $"packster init supports {ShellList("and")}, not '{text}'",
            text is "sh" or "dash" or "ash" or "cmd"
                ? $"POSIX sh and cmd cannot define packster-use; activate a location there with 'packster location env --shell {(text == "cmd" ? "cmd" : "sh")}'"
                : null);
    }

    private static bool CanRender(ActivationShell shell) => shell is ActivationShell.Bash or ActivationShell.Zsh or ActivationShell.Fish or ActivationShell.Pwsh;

    public static string Render(ActivationShell shell) => shell switch
    {
        ActivationShell.Bash or ActivationShell.Zsh => Posix,
        ActivationShell.Fish => Fish,
        ActivationShell.Pwsh => Pwsh.ReplaceLineEndings("\r\n"),
        _ => throw new PacksterException(ErrorCode.InvalidArgument, $"packster init supports {ShellList("and")}, not {shell.ToString().ToLowerInvariant()}"),
    };

    private const string PosixUse = """
        packster-use() {
          if [ "$#" -ne 1 ] || [ -z "$1" ]; then
            printf '%s\n' 'usage: packster-use <location path or id>' >&2
            return 2
          fi
          case $1 in
            */*|.|..) set -- "$1" "$1/activate/activate.sh" ;;
            *) set -- "$1" "${PACKSTER_DATA_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/packster}/registry/$1/activate/activate.sh" ;;
          esac
          if [ ! -r "$2" ]; then
            printf "packster-use: unknown location '%s': %s not found\n" "$1" "$2" >&2
            printf '%s\n' "hint: pass a location folder (with a '/') or a registered id; 'packster location create' registers one" >&2
            return 1
          fi
          . "$2"
        }
        packster-deactivate() {
          _packster_deactivate
        }

        """;

    private static readonly string Posix = "# packster shell integration (bash/zsh): eval \"$(packster init bash)\"\n"
        + PosixActivation.DeactivateFunction + PosixUse;

    private const string FishUse = """
        function packster-use --description 'Switch this shell to a packster location'
            if test (count $argv) -ne 1; or test -z "$argv[1]"
                echo 'usage: packster-use <location path or id>' >&2
                return 2
            end
            set -l target $argv[1]
            set -l script
            if string match -q -- '*/*' $target; or test "$target" = .; or test "$target" = ..
                set script "$target/activate/activate.fish"
            else
                set -l data "$PACKSTER_DATA_HOME"
                if test -z "$data"
                    if test -n "$XDG_DATA_HOME"
                        set data "$XDG_DATA_HOME/packster"
                    else
                        set data "$HOME/.local/share/packster"
                    end
                end
                set script "$data/registry/$target/activate/activate.fish"
            end
            if not test -r "$script"
                printf "packster-use: unknown location '%s': %s not found\n" $target $script >&2
                echo "hint: pass a location folder (with a '/') or a registered id; 'packster location create' registers one" >&2
                return 1
            end
            source $script
        end
        function packster-deactivate --description 'Undo the active packster location'
            _packster_deactivate
        end

        """;

    private static readonly string Fish = "# packster shell integration (fish): packster init fish | source\n"
        + FishActivation.DeactivateFunction + FishUse;

    private const string PwshUse = """
        function global:packster-use {
            # A plain parameter, not a mandatory one: none, an empty one or a second is the usage line and 2, as in
            # the POSIX shells, instead of a prompt or a binding error.
            param([string]$Location)
            if ($args.Count -ne 0 -or [string]::IsNullOrEmpty($Location)) {
                [Console]::Error.WriteLine('usage: packster-use <location path or id>')
                $global:LASTEXITCODE = 2
                return
            }
            if ($Location -match '[\\/]' -or $Location -eq '.' -or $Location -eq '..') {
                $dir = $Location
            } else {
                $data = $env:PACKSTER_DATA_HOME
                if (-not $data) {
                    if ($IsWindows -or $env:OS -eq 'Windows_NT') { $data = [IO.Path]::Combine($env:LOCALAPPDATA, 'packster') }
                    elseif ($env:XDG_DATA_HOME) { $data = [IO.Path]::Combine($env:XDG_DATA_HOME, 'packster') }
                    else { $data = [IO.Path]::Combine($HOME, '.local', 'share', 'packster') }
                }
                $dir = [IO.Path]::Combine($data, 'registry', $Location)
                if ([IO.File]::Exists($dir)) { $dir = [IO.File]::ReadAllText($dir) }
            }
            # Joined and tested literally, from the current folder: Join-Path and Test-Path read a '\' in a Linux folder
            # name as a separator and change the path.
            $script = [IO.Path]::Combine((Get-Location -PSProvider FileSystem).ProviderPath, $dir, 'activate', 'activate.ps1')
            if (-not [IO.File]::Exists($script)) {
                [Console]::Error.WriteLine("packster-use: unknown location '$Location': $script not found")
                [Console]::Error.WriteLine("hint: pass a location folder or a registered id; 'packster location create' registers one")
                $global:LASTEXITCODE = 1
                return
            }
            $global:LASTEXITCODE = 0
            . $script
        }
        function global:packster-deactivate { _packster_deactivate }

        """;

    private static readonly string Pwsh = "# packster shell integration (PowerShell): packster init pwsh | Out-String | Invoke-Expression\n"
        + PwshActivation.DeactivateFunction + PwshUse;
}
