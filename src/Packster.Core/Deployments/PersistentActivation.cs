using System.Text;
using Packster.Activation;
using Packster.Locations;

namespace Packster.Deployments;

/// <summary>
/// The scripts a user's shell profile sources for a location enabled with <c>--user</c>
/// (<c>activate/profile.sh</c>, <c>activate/profile.fish</c>). Unlike the shell-scoped <c>activate.*</c> scripts they
/// never deactivate another location — several enabled locations stack, which the resource guard keeps
/// conflict-free — and adding the shims folder to PATH is idempotent, so a profile sourced twice changes nothing.
/// </summary>
public static class PersistentActivation
{
    public const string PosixFile = "profile.sh";
    public const string FishFile = "profile.fish";

    public static string PosixPath(Location location) => Path.Combine(location.ActivateDirectory, PosixFile);

    public static string FishPath(Location location) => Path.Combine(location.ActivateDirectory, FishFile);

    /// <summary>The profile scripts of <paramref name="spec"/>, as UTF-8, at their paths in <paramref name="location"/>.</summary>
    public static IEnumerable<(string Path, byte[] Content)> Files(Location location, ActivationSpec spec)
    {
        yield return (PosixPath(location), Encoding.UTF8.GetBytes(RenderPosix(spec)));
        yield return (FishPath(location), Encoding.UTF8.GetBytes(RenderFish(spec)));
    }

    /// <summary>
    /// The POSIX profile script. A list variable's entries are added only where missing, so sourcing it again (a
    /// nested login shell) changes nothing; prepended entries keep their order at the front.
    /// </summary>
    public static string RenderPosix(ActivationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var shims = ShellQuoting.Posix(spec.ShimsDir);
        var sb = new StringBuilder()
            .Append("# packster: location ").Append(spec.LocationId).Append(" enabled for the user; generated, do not edit\n")
            .Append("case \":${PATH-}:\" in *:").Append(shims).Append(":*) ;; *) PATH=").Append(shims).Append("${PATH:+:$PATH}; export PATH ;; esac\n");
        foreach (var (key, value) in spec.Env)
        {
            sb.Append("export ").Append(key).Append('=').Append(ShellQuoting.Posix(value)).Append('\n');
        }
        foreach (var (key, list) in spec.Lists)
        {
            foreach (var entry in Enumerable.Reverse(list.Prepend))
            {
                var q = ShellQuoting.Posix(entry);
                sb.Append("case \":${").Append(key).Append("-}:\" in *:").Append(q).Append(":*) ;; *) ").Append(key).Append('=').Append(q)
                  .Append("${").Append(key).Append(":+:$").Append(key).Append("} ;; esac\n");
            }
            foreach (var entry in list.Append)
            {
                var q = ShellQuoting.Posix(entry);
                sb.Append("case \":${").Append(key).Append("-}:\" in *:").Append(q).Append(":*) ;; *) ").Append(key).Append("=${").Append(key)
                  .Append(":+$").Append(key).Append(":}").Append(q).Append(" ;; esac\n");
            }
            sb.Append("export ").Append(key).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The fish profile script; list variables become path variables (exported joined with ':'), entries added where missing.</summary>
    public static string RenderFish(ActivationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var shims = ShellQuoting.Fish(spec.ShimsDir);
        var sb = new StringBuilder()
            .Append("# packster: location ").Append(spec.LocationId).Append(" enabled for the user; generated, do not edit\n")
            .Append("if not contains -- ").Append(shims).Append(" $PATH; set -gx PATH ").Append(shims).Append(" $PATH; end\n");
        foreach (var (key, value) in spec.Env)
        {
            sb.Append("set -gx ").Append(key).Append(' ').Append(ShellQuoting.Fish(value)).Append('\n');
        }
        foreach (var (key, list) in spec.Lists)
        {
            sb.Append("set -gx --path ").Append(key).Append(" (string split -n ':' -- (string join ':' -- $").Append(key).Append("))\n");
            foreach (var entry in Enumerable.Reverse(list.Prepend))
            {
                var q = ShellQuoting.Fish(entry);
                sb.Append("if not contains -- ").Append(q).Append(" $").Append(key).Append("; set -gx --path ").Append(key).Append(' ').Append(q).Append(" $").Append(key).Append("; end\n");
            }
            foreach (var entry in list.Append)
            {
                var q = ShellQuoting.Fish(entry);
                sb.Append("if not contains -- ").Append(q).Append(" $").Append(key).Append("; set -gx --path ").Append(key).Append(" $").Append(key).Append(' ').Append(q).Append("; end\n");
            }
        }
        return sb.ToString();
    }
}
