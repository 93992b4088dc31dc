using Packster.Resources;

namespace Packster.Activation;

/// <summary>
/// The activation contract (spec/activation.md §3) applied to an environment block instead of a shell — for
/// <c>packster shell</c> and anything else that starts a process "inside" a location. The result equals what sourcing
/// <c>activate.sh</c> gives, so the shell started with it can deactivate exactly.
/// </summary>
public static class ActivationEnvironment
{
    private static readonly string[] StateVariables =
        ["_PACKSTER_ACTIVE", "_PACKSTER_LOCATION", "_PACKSTER_SHIMS", "_PACKSTER_OLD_PATH", "_PACKSTER_NEW_PATH", "_PACKSTER_KEYS"];

    /// <summary>Deactivates whatever <paramref name="environment"/> has active, then activates <paramref name="spec"/>. A null value means unset.</summary>
    public static void Activate(IDictionary<string, string?> environment, ActivationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(spec);
        Deactivate(environment);
        environment["_PACKSTER_ACTIVE"] = spec.LocationId;
        environment["_PACKSTER_LOCATION"] = spec.LocationPath;
        environment["_PACKSTER_SHIMS"] = spec.ShimsDir;
        if (Get(environment, "PATH") is { } path)
        {
            environment["_PACKSTER_OLD_PATH"] = path;
            environment["PATH"] = path.Length > 0 ? spec.ShimsDir + Path.PathSeparator + path : spec.ShimsDir;
        }
        else
        {
            environment["PATH"] = spec.ShimsDir;
        }
        environment["_PACKSTER_NEW_PATH"] = environment["PATH"];
        environment["_PACKSTER_KEYS"] = string.Join(' ', spec.Keys);
        foreach (var (key, value) in spec.Env)
        {
            if (Get(environment, key) is { } old) environment["_PACKSTER_OLD_" + key] = old;
            environment[key] = value;
        }
        foreach (var key in spec.Lists.Keys)
        {
            var old = Get(environment, key);
            if (old is not null) environment["_PACKSTER_OLD_" + key] = old;
            environment[key] = spec.Compose(key, old, Path.PathSeparator);
        }
    }

    /// <summary>Undoes the active location recorded in <paramref name="environment"/>; does nothing when none is active.</summary>
    public static void Deactivate(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (Get(environment, "_PACKSTER_ACTIVE") is null) return;
        var path = Get(environment, "PATH");
        if (path == Get(environment, "_PACKSTER_NEW_PATH"))
        {
            Set(environment, "PATH", Get(environment, "_PACKSTER_OLD_PATH"));
        }
        else if (path is not null)
        {
            var shims = Get(environment, "_PACKSTER_SHIMS");
            environment["PATH"] = string.Join(Path.PathSeparator, path.Split(Path.PathSeparator).Where(p => p != shims));
        }
        foreach (var key in (Get(environment, "_PACKSTER_KEYS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!EnvKeyName.IsValid(key)) continue;
            Set(environment, key, Get(environment, "_PACKSTER_OLD_" + key));
            environment.Remove("_PACKSTER_OLD_" + key);
        }
        foreach (var name in StateVariables) environment.Remove(name);
    }

    private static string? Get(IDictionary<string, string?> environment, string key) =>
        environment.TryGetValue(key, out var value) ? value : null;

    private static void Set(IDictionary<string, string?> environment, string key, string? value)
    {
        if (value is null) environment.Remove(key);
        else environment[key] = value;
    }
}
