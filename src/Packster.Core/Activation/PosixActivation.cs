using System.Text;

namespace Packster.Activation;

/// <summary>
/// The POSIX (bash, zsh, sh) activation text. Builtins only — no subshell, command substitution or external
/// command — so sourcing it costs microseconds (spec/activation.md §3).
/// </summary>
internal static class PosixActivation
{
    /// <summary>
    /// Undoes whichever location is active, from the exported <c>_PACKSTER_*</c> variables alone, so any location's
    /// script (or a child shell that only inherited the variables) can deactivate any other.
    /// </summary>
    public const string DeactivateFunction = """
        _packster_deactivate() {
          [ -n "${_PACKSTER_ACTIVE+x}" ] || return 0
          if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
          if [ "${PATH-}" = "${_PACKSTER_NEW_PATH-}" ]; then
            # PATH is still what activation made: restore the saved value exactly (or unset it again).
            if [ -n "${_PACKSTER_OLD_PATH+x}" ]; then PATH=$_PACKSTER_OLD_PATH; else unset PATH; fi
          else
            # PATH changed since: remove only the shims entry, keep everything else as it is now.
            _packster_rest=${PATH-}:
            _packster_out=
            _packster_sep=
            while [ -n "$_packster_rest" ]; do
              _packster_el=${_packster_rest%%:*}
              _packster_rest=${_packster_rest#*:}
              if [ "$_packster_el" != "${_PACKSTER_SHIMS-}" ]; then
                _packster_out=$_packster_out$_packster_sep$_packster_el
                _packster_sep=:
              fi
            done
            PATH=$_packster_out
            unset _packster_rest _packster_out _packster_sep _packster_el
          fi
          # The keys are taken apart by parameter expansion, never by field splitting: the caller's IFS (or a restored
          # key) and its globbing options cannot change which keys are restored.
          _packster_rest="${_PACKSTER_KEYS-} "
          while [ -n "$_packster_rest" ]; do
            _packster_k=${_packster_rest%%" "*}
            _packster_rest=${_packster_rest#*" "}
            case $_packster_k in ''|[0-9]*|*[!A-Za-z0-9_]*) continue ;; esac
            if eval "[ -n \"\${_PACKSTER_OLD_$_packster_k+x}\" ]"; then
              eval "$_packster_k=\$_PACKSTER_OLD_$_packster_k; export $_packster_k; unset _PACKSTER_OLD_$_packster_k"
            else
              unset "$_packster_k"
            fi
          done
          unset _packster_k _packster_rest _PACKSTER_ACTIVE _PACKSTER_LOCATION _PACKSTER_SHIMS _PACKSTER_OLD_PATH _PACKSTER_NEW_PATH _PACKSTER_KEYS
          hash -r 2>/dev/null || :
        }

        """;

    public static string Activate(ActivationSpec spec)
    {
        var sb = new StringBuilder();
        sb.Append("# packster activation for location ").Append(spec.LocationId).Append(": generated, do not edit.\n");
        sb.Append("# Source it (. ./activate.sh) in bash, zsh or sh; undo with _packster_deactivate or . ./deactivate.sh\n");
        sb.Append(DeactivateFunction);
        sb.Append("if [ -n \"${_PACKSTER_ACTIVE+x}\" ]; then _packster_deactivate; fi\n");
        sb.Append("_PACKSTER_ACTIVE=").Append(ShellQuoting.Posix(spec.LocationId)).Append('\n');
        sb.Append("_PACKSTER_LOCATION=").Append(ShellQuoting.Posix(spec.LocationPath)).Append('\n');
        sb.Append("_PACKSTER_SHIMS=").Append(ShellQuoting.Posix(spec.ShimsDir)).Append('\n');
        sb.Append("""
            if [ -n "${PATH+x}" ]; then
              _PACKSTER_OLD_PATH=$PATH
              export _PACKSTER_OLD_PATH
              if [ -n "$PATH" ]; then PATH=$_PACKSTER_SHIMS:$PATH; else PATH=$_PACKSTER_SHIMS; fi
            else
              PATH=$_PACKSTER_SHIMS
            fi
            export PATH
            _PACKSTER_NEW_PATH=$PATH

            """);
        sb.Append("_PACKSTER_KEYS=").Append(ShellQuoting.Posix(string.Join(' ', spec.Keys))).Append('\n');
        sb.Append("export _PACKSTER_ACTIVE _PACKSTER_LOCATION _PACKSTER_SHIMS _PACKSTER_NEW_PATH _PACKSTER_KEYS\n");
        foreach (var (key, value) in spec.Env)
        {
            sb.Append("if [ -n \"${").Append(key).Append("+x}\" ]; then _PACKSTER_OLD_").Append(key).Append("=$").Append(key)
              .Append("; export _PACKSTER_OLD_").Append(key).Append("; fi\n");
            sb.Append("export ").Append(key).Append('=').Append(ShellQuoting.Posix(value)).Append('\n');
        }
        foreach (var (key, list) in spec.Lists)
        {
            // The entries before, the value it had (when not empty), the entries after; the old value saved as for any key.
            sb.Append("if [ -n \"${").Append(key).Append("+x}\" ]; then _PACKSTER_OLD_").Append(key).Append("=$").Append(key)
              .Append("; export _PACKSTER_OLD_").Append(key).Append("; fi\n");
            sb.Append("_packster_v=${").Append(key).Append("-}\n");
            sb.Append(key).Append('=').Append(ShellQuoting.Posix(string.Join(':', list.Prepend))).Append('\n');
            sb.Append("if [ -n \"$_packster_v\" ]; then ").Append(key).Append("=${").Append(key).Append(":+$").Append(key).Append(":}$_packster_v; fi\n");
            if (list.Append.Count > 0)
            {
                sb.Append(key).Append("=${").Append(key).Append(":+$").Append(key).Append(":}").Append(ShellQuoting.Posix(string.Join(':', list.Append))).Append('\n');
            }
            sb.Append("export ").Append(key).Append("; unset _packster_v\n");
        }
        sb.Append("hash -r 2>/dev/null || :\n");
        return sb.ToString();
    }

    public static string Deactivate() =>
        "# packster deactivation (any location): generated, do not edit. Source it in bash, zsh or sh.\n"
        + DeactivateFunction
        + "_packster_deactivate\n";
}
