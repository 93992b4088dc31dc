using Packster.Resources;

namespace Packster.Core.Tests.Resources;

/// <summary>spec/resources.md §2: claims are normalised once, so equal resources compare equal.</summary>
public class ResourceClaimTests
{
    [Fact]
    public void Shim_names_compare_case_insensitively_on_every_os()
    {
        Assert.Equal(ResourceClaim.Shim("Tool"), ResourceClaim.Shim("tool"));
        Assert.Equal("Tool", ResourceClaim.Shim("Tool").Value);
    }

    [Fact]
    public void Env_keys_compare_case_insensitively_on_windows_only()
    {
        Assert.Equal(ResourceClaim.EnvKey("Hello_Home", windows: true), ResourceClaim.EnvKey("HELLO_HOME", windows: true));
        Assert.NotEqual(ResourceClaim.EnvKey("Hello_Home", windows: false), ResourceClaim.EnvKey("HELLO_HOME", windows: false));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1ABC")]
    [InlineData("A-B")]
    [InlineData("A=B")]
    [InlineData("PATH")]
    [InlineData("path")]
    [InlineData("_PACKSTER_ACTIVE")]
    public void Env_keys_must_be_shell_identifiers_and_not_reserved(string key)
    {
        var ex = Assert.Throws<PacksterException>(() => ResourceClaim.EnvKey(key));
        Assert.Equal(ErrorCode.ResourceClaimInvalid, ex.Code);
    }

    // spec/resources.md § Shell variables: a variable a shell interprets is refused like PATH (ignoring case), each
    // category with a message naming the key and why.
    [Theory]
    [InlineData("PS1", "prompt or hook")]
    [InlineData("PROMPT_COMMAND", "prompt or hook")]
    [InlineData("RPROMPT", "prompt or hook")]
    [InlineData("precmd_functions", "prompt or hook")]
    [InlineData("ENV", "file the shell reads or runs")]
    [InlineData("ZDOTDIR", "file the shell reads or runs")]
    [InlineData("IFS", "how the shell parses")]
    [InlineData("ifs", "how the shell parses")]
    [InlineData("SHELLOPTS", "how the shell parses")]
    [InlineData("UID", "its identity")]
    [InlineData("USERNAME", "its identity")]
    [InlineData("status", "its identity")]
    [InlineData("BASH_ENV", "BASH_ prefix")]
    [InlineData("bash_xtracefd", "BASH_ prefix")]
    [InlineData("fish_function_path", "fish_ prefix")]
    [InlineData("FISH_VERSION", "its identity")]
    public void Env_keys_a_shell_interprets_are_refused_naming_the_key(string key, string why)
    {
        var ex = Assert.Throws<PacksterException>(() => ResourceClaim.EnvKey(key));
        Assert.Equal(ErrorCode.ResourceClaimInvalid, ex.Code);
        Assert.Contains($"invalid environment variable '{key}': {key} is a shell variable", ex.Message, StringComparison.Ordinal);
        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
        Assert.Throws<PacksterException>(() => ResourceClaim.EnvList(key));
    }

    [Theory]
    [InlineData("HOME")]
    [InlineData("LANG")]
    [InlineData("TERM")]
    [InlineData("BASHFUL")]
    [InlineData("FPATH")]
    [InlineData("PS1_HOME")]
    // spec/resources.md § Shell variables: "they are refused only as written, so VERSION, STATUS or FISH_HOME stay data".
    [InlineData("VERSION")]
    [InlineData("STATUS")]
    [InlineData("Precmd_Functions")]
    [InlineData("FISH_HOME")]
    public void Env_keys_that_are_data_to_every_shell_stay_allowed(string key) => Assert.Equal(key, ResourceClaim.EnvKey(key).Value);

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void Ports_outside_1_to_65535_are_refused(int port)
    {
        var ex = Assert.Throws<PacksterException>(() => ResourceClaim.Port(port));
        Assert.Equal(ErrorCode.ResourceClaimInvalid, ex.Code);
    }

    [Fact]
    public void Ports_from_text_are_decimal_and_normalised()
    {
        Assert.Equal(ResourceClaim.Port(8080), ResourceClaim.Port("8080"));
        Assert.Equal(ResourceClaim.Port(1), ResourceClaim.Port("0001"));
        Assert.Equal(ResourceClaim.Port(65535), ResourceClaim.Port("65535"));
        Assert.Throws<PacksterException>(() => ResourceClaim.Port("+80"));
        Assert.Throws<PacksterException>(() => ResourceClaim.Port("80 "));
        Assert.Throws<PacksterException>(() => ResourceClaim.Port("0x50"));
    }

    [Fact]
    public void Shared_paths_are_full_path_normalised()
    {
        if (OperatingSystem.IsWindows()) return; // POSIX path examples
        Assert.Equal(ResourceClaim.SharedFile("/srv/x/../etc/./hello.conf"), ResourceClaim.SharedFile("/srv/etc/hello.conf"));
        Assert.Equal(ResourceClaim.SharedDir("/srv/var/hello/"), ResourceClaim.SharedDir("/srv/var/hello"));
        Assert.Equal("/srv/var/hello", ResourceClaim.SharedDir("/srv//var/hello//").Value);
        Assert.NotEqual(ResourceClaim.SharedDir("/srv/a"), ResourceClaim.SharedFile("/srv/a"));
    }

    [Fact]
    public void Shared_paths_are_case_insensitive_on_windows_only()
    {
        if (OperatingSystem.IsWindows()) return;
        Assert.Equal(ResourceClaim.SharedFile("/srv/A.conf", windows: true), ResourceClaim.SharedFile("/srv/a.conf", windows: true));
        Assert.NotEqual(ResourceClaim.SharedFile("/srv/A.conf", windows: false), ResourceClaim.SharedFile("/srv/a.conf", windows: false));
    }

    [Theory]
    [InlineData("relative/path")]
    [InlineData("")]
    [InlineData("/a\0b")]
    public void Shared_paths_must_be_absolute(string path)
    {
        var ex = Assert.Throws<PacksterException>(() => ResourceClaim.SharedFile(path));
        Assert.Equal(ErrorCode.ResourceClaimInvalid, ex.Code);
    }

    [Fact]
    public void Shim_claims_use_shim_name_rules()
    {
        var ex = Assert.Throws<PacksterException>(() => ResourceClaim.Shim("a/b"));
        Assert.Equal(ErrorCode.ShimNameInvalid, ex.Code);
    }
}
