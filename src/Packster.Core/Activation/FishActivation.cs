using System.Text;

namespace Packster.Activation;

/// <summary>The fish activation text: builtins only, same contract as the POSIX one (spec/activation.md §3).</summary>
internal static class FishActivation
{
    public const string DeactivateFunction = """
        function _packster_deactivate --description 'Undo the active packster location'
            set -q _PACKSTER_ACTIVE; or return 0
            if test "$PATH" = "$_PACKSTER_NEW_PATH"
                if set -q _PACKSTER_OLD_PATH
                    set -gx PATH $_PACKSTER_OLD_PATH
                else
                    set -e PATH
                end
            else
                while set -l i (contains -i -- "$_PACKSTER_SHIMS" $PATH)
                    set -e PATH[$i]
                end
            end
            for k in (string split -n ' ' -- "$_PACKSTER_KEYS")
                string match -qr '^[A-Za-z_][A-Za-z0-9_]*$' -- $k; or continue
                set -l saved _PACKSTER_OLD_$k
                if set -q $saved
                    set -gx $k $$saved
                    set -e $saved
                else
                    set -e $k
                end
            end
            set -e _PACKSTER_ACTIVE
            set -e _PACKSTER_LOCATION
            set -e _PACKSTER_SHIMS
            set -e _PACKSTER_OLD_PATH
            set -e _PACKSTER_NEW_PATH
            set -e _PACKSTER_KEYS
        end

        """;

    public static string Activate(ActivationSpec spec)
    {
        var sb = new StringBuilder();
        sb.Append("# packster activation for location ").Append(spec.LocationId).Append(": generated, do not edit. Source it in fish.\n");
        sb.Append(DeactivateFunction);
        sb.Append("if set -q _PACKSTER_ACTIVE; _packster_deactivate; end\n");
        sb.Append("set -gx _PACKSTER_ACTIVE ").Append(ShellQuoting.Fish(spec.LocationId)).Append('\n');
        sb.Append("set -gx _PACKSTER_LOCATION ").Append(ShellQuoting.Fish(spec.LocationPath)).Append('\n');
        sb.Append("set -gx _PACKSTER_SHIMS ").Append(ShellQuoting.Fish(spec.ShimsDir)).Append('\n');
        sb.Append("if set -q PATH; set -gx _PACKSTER_OLD_PATH $PATH; end\n");
        sb.Append("set -gx PATH \"$_PACKSTER_SHIMS\" $PATH\n");
        sb.Append("set -gx _PACKSTER_NEW_PATH $PATH\n");
        sb.Append("set -gx _PACKSTER_KEYS ").Append(ShellQuoting.Fish(string.Join(' ', spec.Keys))).Append('\n');
        foreach (var (key, value) in spec.Env)
        {
            sb.Append("if set -q ").Append(key).Append("; set -gx _PACKSTER_OLD_").Append(key).Append(" $").Append(key).Append("; end\n");
            sb.Append("set -gx ").Append(key).Append(' ').Append(ShellQuoting.Fish(value)).Append('\n');
        }
        foreach (var (key, list) in spec.Lists)
        {
            // fish keeps a *PATH variable as a list and exports it joined with ':': join first, compose, set once.
            sb.Append("if set -q ").Append(key).Append("; set -gx _PACKSTER_OLD_").Append(key).Append(" $").Append(key).Append("; end\n");
            sb.Append("set -l _packster_v (string join ':' -- $").Append(key).Append(")\n");
            sb.Append("set -l _packster_parts");
            foreach (var entry in list.Prepend) sb.Append(' ').Append(ShellQuoting.Fish(entry));
            sb.Append('\n');
            sb.Append("test -n \"$_packster_v\"; and set -a _packster_parts $_packster_v\n");
            if (list.Append.Count > 0)
            {
                sb.Append("set -a _packster_parts");
                foreach (var entry in list.Append) sb.Append(' ').Append(ShellQuoting.Fish(entry));
                sb.Append('\n');
            }
            sb.Append("set -gx ").Append(key).Append(" (string join ':' -- $_packster_parts)\n");
            sb.Append("set -e _packster_v _packster_parts\n");
        }
        return sb.ToString();
    }

    public static string Deactivate() =>
        "# packster deactivation (any location): generated, do not edit. Source it in fish.\n" + DeactivateFunction + "_packster_deactivate\n";
}
