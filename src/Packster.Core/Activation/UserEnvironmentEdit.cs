namespace Packster.Activation;

/// <summary>One value of a user's environment as the registry holds it: its data and its kind (REG_SZ, REG_EXPAND_SZ…).</summary>
public sealed record UserEnvironmentValue(object Data, UserValueKind Kind);

/// <summary>The registry value kinds, numbered as <c>Microsoft.Win32.RegistryValueKind</c> (which only Windows may name).</summary>
public enum UserValueKind
{
    Unknown = 0,
    String = 1,
    ExpandString = 2,
    Binary = 3,
    DWord = 4,
    MultiString = 7,
    QWord = 11,
}

/// <summary>A flat set of named values: <c>HKCU\Environment</c> or the saved-values key on Windows, a dictionary in tests.</summary>
public interface IUserEnvironmentStore
{
    IEnumerable<string> Names { get; }

    UserEnvironmentValue? Get(string name);

    void Set(string name, UserEnvironmentValue value);

    void Delete(string name);
}

/// <summary>
/// What <see cref="WindowsUserEnvironment"/> does to the user environment, apart from the registry and the broadcast
/// (spec/activation.md §6): the shims folder first on <c>Path</c>, the env keys set, and each key's previous value
/// saved as <c>Old_&lt;KEY&gt;</c> with its kind on the first enable so disable can put back the same data and kind.
/// </summary>
public static class UserEnvironmentEdit
{
    public const string ShimsDirName = "ShimsDir";
    public const string SavedPrefix = "Old_";

    /// <summary>Saved in place of a key that did not exist, so disable deletes it rather than restoring a value.</summary>
    public const string UnsetMarker = "\0unset";

    public static void Enable(ActivationSpec spec, IUserEnvironmentStore env, IUserEnvironmentStore saved)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(saved);
        var path = env.Get("Path")?.Data as string ?? "";
        var entries = path.Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (!entries.Contains(spec.ShimsDir, StringComparer.OrdinalIgnoreCase))
        {
            env.Set("Path", new UserEnvironmentValue(string.Join(';', entries.Prepend(spec.ShimsDir)), UserValueKind.ExpandString));
        }
        saved.Set(ShimsDirName, new UserEnvironmentValue(spec.ShimsDir, UserValueKind.String));
        foreach (var (key, value) in spec.Env)
        {
            // Save the value from before the first enable only, so enabling twice cannot save our own value.
            if (saved.Get(SavedPrefix + key) is null)
            {
                // The kind too: a REG_EXPAND_SZ saved as REG_SZ would stop expanding once disable puts it back.
                saved.Set(SavedPrefix + key, env.Get(key) ?? new UserEnvironmentValue(UnsetMarker, UserValueKind.String));
            }
            env.Set(key, new UserEnvironmentValue(value, UserValueKind.String));
        }
        foreach (var key in spec.Lists.Keys)
        {
            var current = env.Get(key);
            if (saved.Get(SavedPrefix + key) is { } before)
            {
                // Enabled before: compose from the value saved then, so enabling twice does not add the entries twice.
                current = before.Data is UnsetMarker ? null : before;
            }
            else
            {
                saved.Set(SavedPrefix + key, current ?? new UserEnvironmentValue(UnsetMarker, UserValueKind.String));
            }
            env.Set(key, new UserEnvironmentValue(spec.Compose(key, current?.Data as string, ';'), current?.Kind ?? UserValueKind.ExpandString));
        }
    }

    /// <summary>Takes the shims folder off <c>Path</c> and puts every saved value back (or deletes keys that were unset).</summary>
    public static void Disable(IUserEnvironmentStore env, IUserEnvironmentStore saved)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(saved);
        var shims = saved.Get(ShimsDirName)?.Data as string;
        var path = env.Get("Path")?.Data as string ?? "";
        env.Set("Path", new UserEnvironmentValue(
            string.Join(';', path.Split(';').Where(p => !string.Equals(p, shims, StringComparison.OrdinalIgnoreCase))), UserValueKind.ExpandString));
        foreach (var name in saved.Names.Where(n => n.StartsWith(SavedPrefix, StringComparison.Ordinal)).ToList())
        {
            var old = saved.Get(name);
            var key = name[SavedPrefix.Length..];
            if (old is null || old.Data is UnsetMarker) env.Delete(key);
            else env.Set(key, old);
        }
    }
}
