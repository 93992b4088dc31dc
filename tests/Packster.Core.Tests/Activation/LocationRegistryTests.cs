using Packster.Activation;
using Packster.Testing;

namespace Packster.Core.Tests.Activation;

/// <summary>spec/activation.md §4: the id → folder registry that packster-use reads without .NET.</summary>
public class LocationRegistryTests : IDisposable
{
    private readonly TempDirectory _dir = new("packster-registry");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Register_resolve_list_unregister()
    {
        var registry = new LocationRegistry(_dir["data"]);
        Assert.Null(registry.Resolve("dev"));
        registry.Register("dev", _dir["loc dev"]);
        registry.Register("ops", _dir["loc ops"]);
        Assert.Equal(_dir["loc dev"], registry.Resolve("dev"));
        Assert.Equal(["dev", "ops"], registry.List().Select(p => p.Key));
        registry.Register("dev", _dir["moved"]);
        Assert.Equal(_dir["moved"], registry.Resolve("dev"));
        Assert.True(registry.Unregister("dev"));
        Assert.False(registry.Unregister("dev"));
        Assert.Null(registry.Resolve("dev"));
    }

    [Fact]
    public void On_posix_an_entry_is_a_symlink_so_shells_reach_the_script_by_path()
    {
        if (OperatingSystem.IsWindows()) return;
        var registry = new LocationRegistry(_dir["data"]);
        _dir.Write("loc/activate/activate.sh", "# x\n");
        registry.Register("dev", _dir["loc"]);
        Assert.True(File.Exists(Path.Combine(_dir["data"], "registry", "dev", "activate", "activate.sh")));
        Assert.Empty(Directory.EnumerateFiles(registry.Folder, ".*"));
    }

    [Fact]
    public void File_entries_hold_the_path_for_windows()
    {
        var registry = new LocationRegistry(_dir["data"], useSymlinks: false);
        registry.Register("dev", _dir["loc"]);
        Assert.Equal(_dir["loc"], File.ReadAllText(registry.EntryPath("dev")));
        Assert.Equal(_dir["loc"], registry.Resolve("dev"));
    }

    [Fact]
    public void Unsafe_ids_and_relative_paths_are_refused()
    {
        var registry = new LocationRegistry(_dir["data"]);
        Assert.Equal(ErrorCode.ActivationIdInvalid, Assert.Throws<PacksterException>(() => registry.Register("..", _dir["loc"])).Code);
        Assert.Equal(ErrorCode.ActivationIdInvalid, Assert.Throws<PacksterException>(() => registry.Register("a/b", _dir["loc"])).Code);
        Assert.Equal(ErrorCode.ActivationEnvInvalid, Assert.Throws<PacksterException>(() => registry.Register("dev", "relative")).Code);
    }
}
