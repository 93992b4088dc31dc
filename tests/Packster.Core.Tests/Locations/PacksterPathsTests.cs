using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>spec/lockfile.md § Where things live.</summary>
public sealed class PacksterPathsTests
{
    private static PacksterPaths Posix(params (string Key, string Value)[] env) =>
        new(env.ToDictionary(e => e.Key, e => e.Value), isWindows: false, "/work");

    [Fact]
    public void Posix_defaults_follow_the_home_directory()
    {
        var p = Posix(("HOME", "/home/ada"));
        Assert.Equal("/home/ada/.config/packster/config.toml", p.UserConfigFile);
        Assert.Equal("/home/ada/.cache/packster", p.CacheDirectory);
        Assert.Equal("/home/ada/.local/share/packster", p.DataHome);
        Assert.Equal("/home/ada/.local/share/packster/locations/default", p.DefaultLocation);
        Assert.Equal("/home/ada/.local/share/packster/registry", p.RegistryDirectory);
    }

    [Fact]
    public void Xdg_variables_override_the_home_defaults()
    {
        var p = Posix(("HOME", "/home/ada"), ("XDG_CONFIG_HOME", "/cfg"), ("XDG_CACHE_HOME", "/c"), ("XDG_DATA_HOME", "/d"));
        Assert.Equal("/cfg/packster/config.toml", p.UserConfigFile);
        Assert.Equal("/c/packster", p.CacheDirectory);
        Assert.Equal("/d/packster/locations/default", p.DefaultLocation);
    }

    [Fact]
    public void Relative_xdg_values_are_ignored_as_the_xdg_spec_requires()
    {
        var p = Posix(("HOME", "/home/ada"), ("XDG_DATA_HOME", "relative/data"));
        Assert.Equal("/home/ada/.local/share/packster", p.DataHome);
    }

    [Fact]
    public void Packster_variables_win_over_everything_and_resolve_against_the_working_directory()
    {
        var p = Posix(("HOME", "/home/ada"), ("XDG_DATA_HOME", "/d"), ("PACKSTER_CONFIG", "my.toml"), ("PACKSTER_CACHE", "/pc"), ("PACKSTER_DATA_HOME", "/pd"));
        Assert.Equal("/work/my.toml", p.UserConfigFile);
        Assert.Equal("/pc", p.CacheDirectory);
        Assert.Equal("/pd/locations/default", p.DefaultLocation);
    }

    [Fact]
    public void Empty_variables_count_as_unset()
    {
        // The shell functions read ${PACKSTER_DATA_HOME:-…}: an empty value falls through to the next rule there too.
        var p = Posix(("HOME", "/home/ada"), ("PACKSTER_DATA_HOME", ""), ("PACKSTER_CACHE", ""), ("XDG_DATA_HOME", "/x"));
        Assert.Equal("/x/packster", p.DataHome);
        Assert.Equal("/home/ada/.cache/packster", p.CacheDirectory);
    }

    [Fact]
    public void Windows_uses_appdata_and_localappdata()
    {
        if (OperatingSystem.IsWindows()) return; // the Windows paths below are built with '/' separators on POSIX hosts
        var p = new PacksterPaths(new Dictionary<string, string>
        {
            ["USERPROFILE"] = "/users/ada", ["APPDATA"] = "/users/ada/roaming", ["LOCALAPPDATA"] = "/users/ada/local",
        }, isWindows: true, "/work");
        Assert.Equal("/users/ada/roaming/packster/config.toml", p.UserConfigFile);
        Assert.Equal("/users/ada/local/packster/cache", p.CacheDirectory);
        Assert.Equal("/users/ada/local/packster/locations/default", p.DefaultLocation);
    }

    [Fact]
    public void Tilde_paths_expand_to_the_home_directory()
    {
        var p = Posix(("HOME", "/home/ada"));
        Assert.Equal("/home/ada/work/dev", p.ResolvePath("~/work/dev"));
        Assert.Equal("/work/dev", p.ResolvePath("dev/"));
    }
}
