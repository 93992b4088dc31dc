using Packster.Activation;

namespace Packster.Core.Tests.Activation;

/// <summary>
/// spec/activation.md §6 (Windows): enable saves each key's previous value "with its kind" and disable puts back
/// exactly that value and kind. The registry itself needs Windows; the edit runs here against in-memory stores.
/// </summary>
public sealed class UserEnvironmentEditTests
{
    private sealed class MemoryStore : IUserEnvironmentStore
    {
        public Dictionary<string, UserEnvironmentValue> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

        public IEnumerable<string> Names => Values.Keys;

        public UserEnvironmentValue? Get(string name) => Values.GetValueOrDefault(name);

        public void Set(string name, UserEnvironmentValue value) => Values[name] = value;

        public void Delete(string name) => Values.Remove(name);
    }

    // The spec's paths must be absolute on the OS running the test; the edit never looks inside them.
    private static readonly string Root = OperatingSystem.IsWindows() ? @"C:\Users\u\dev" : "/home/u/dev";
    private static readonly string Shims = Path.Combine(Root, "shims");

    private static ActivationSpec Spec(params (string Key, string Value)[] env) =>
        new(Root, "dev", Shims, env.ToDictionary(e => e.Key, e => e.Value));

    // A REG_EXPAND_SZ such as %USERPROFILE%\jdk must keep expanding after disable: same data, same kind.
    [Fact]
    public void Disable_restores_an_expandable_value_as_expandable()
    {
        var env = new MemoryStore();
        env.Set("JAVA_HOME", new UserEnvironmentValue(@"%USERPROFILE%\jdk", UserValueKind.ExpandString));
        env.Set("Path", new UserEnvironmentValue(@"%USERPROFILE%\bin", UserValueKind.ExpandString));
        var saved = new MemoryStore();

        UserEnvironmentEdit.Enable(Spec(("JAVA_HOME", @"C:\Users\u\dev\jdk")), env, saved);
        Assert.Equal(new UserEnvironmentValue(@"C:\Users\u\dev\jdk", UserValueKind.String), env.Get("JAVA_HOME"));
        Assert.Equal(Shims + @";%USERPROFILE%\bin", env.Get("Path")!.Data);

        UserEnvironmentEdit.Disable(env, saved);
        Assert.Equal(new UserEnvironmentValue(@"%USERPROFILE%\jdk", UserValueKind.ExpandString), env.Get("JAVA_HOME"));
        Assert.Equal(@"%USERPROFILE%\bin", env.Get("Path")!.Data);
    }

    [Fact]
    public void Disable_restores_a_plain_string_as_a_plain_string_and_deletes_keys_that_were_unset()
    {
        var env = new MemoryStore();
        env.Set("EDITOR", new UserEnvironmentValue("notepad", UserValueKind.String));
        var saved = new MemoryStore();

        UserEnvironmentEdit.Enable(Spec(("EDITOR", "code"), ("NEWKEY", "1")), env, saved);
        UserEnvironmentEdit.Enable(Spec(("EDITOR", "code"), ("NEWKEY", "1")), env, saved); // twice: still the first values saved
        UserEnvironmentEdit.Disable(env, saved);

        Assert.Equal(new UserEnvironmentValue("notepad", UserValueKind.String), env.Get("EDITOR"));
        Assert.Null(env.Get("NEWKEY"));
    }

    // The saved-state format: Old_<KEY> holds the previous data with the previous kind; a missing key is the marker.
    [Fact]
    public void The_saved_state_keeps_each_previous_value_with_its_kind()
    {
        var env = new MemoryStore();
        env.Set("JAVA_HOME", new UserEnvironmentValue(@"%USERPROFILE%\jdk", UserValueKind.ExpandString));
        var saved = new MemoryStore();
        UserEnvironmentEdit.Enable(Spec(("JAVA_HOME", "x"), ("GONE", "y")), env, saved);
        Assert.Equal(new UserEnvironmentValue(@"%USERPROFILE%\jdk", UserValueKind.ExpandString), saved.Get("Old_JAVA_HOME"));
        Assert.Equal(new UserEnvironmentValue(UserEnvironmentEdit.UnsetMarker, UserValueKind.String), saved.Get("Old_GONE"));
        Assert.Equal(new UserEnvironmentValue(Shims, UserValueKind.String), saved.Get("ShimsDir"));
    }
}
