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

    public static void Write(Location location, IReadOnlyDictionary<string, string> env)
    {
        Directory.CreateDirectory(location.ActivateDirectory);
        AtomicFile.Write(PosixPath(location), Encoding.UTF8.GetBytes(RenderPosix(location.Id.Value, location.ShimsDirectory, env)));
        AtomicFile.Write(FishPath(location), Encoding.UTF8.GetBytes(RenderFish(location.Id.Value, location.ShimsDirectory, env)));
    }

    public static string RenderPosix(string locationId, string shimsDir, IReadOnlyDictionary<string, string> env)
    {
        var shims = ShellQuoting.Posix(shimsDir);
        var sb = new StringBuilder()
            .Append("# packster: location ").Append(locationId).Append(" enabled for the user; generated, do not edit\n")
            .Append("case \":${PATH-}:\" in *:").Append(shims).Append(":*) ;; *) PATH=").Append(shims).Append("${PATH:+:$PATH}; export PATH ;; esac\n");
        foreach (var (key, value) in env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sb.Append("export ").Append(key).Append('=').Append(ShellQuoting.Posix(value)).Append('\n');
        }
        return sb.ToString();
    }

    public static string RenderFish(string locationId, string shimsDir, IReadOnlyDictionary<string, string> env)
    {
        var shims = ShellQuoting.Fish(shimsDir);
        var sb = new StringBuilder()
            .Append("# packster: location ").Append(locationId).Append(" enabled for the user; generated, do not edit\n")
            .Append("if not contains -- ").Append(shims).Append(" $PATH; set -gx PATH ").Append(shims).Append(" $PATH; end\n");
        foreach (var (key, value) in env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sb.Append("set -gx ").Append(key).Append(' ').Append(ShellQuoting.Fish(value)).Append('\n');
        }
        return sb.ToString();
    }
}
