using Packster.Sources.Installation;

namespace Packster.Sources.Tests.Installation;

/// <summary>spec/bundle.md: the bundle file.</summary>
public sealed class BundleFileTests
{
    // spec/bundle.md: a bundle file is TOML 1.1 (spec/toml.md §6): an entry may spread over lines, its parameters
    // may use \xHH and times without seconds (which read as :00, so the parameters are the same as when written).
    [Fact]
    public void The_bundle_file_is_read_as_toml_1_1()
    {
        var bundle = BundleFile.Parse("""
            [packages]
            hello = {
                version = "^1.0",   # any 1.x
                parameters = { greeting = "caf\xE9", at = 07:30, },
            }
            util = "^2"
            """, "bundle.toml");
        Assert.Equal(["hello", "util"], bundle.Packages.Select(p => p.Id.Value));
        var parameters = bundle.Packages[0].Parameters!;
        Assert.Equal("café", parameters["greeting"]!.GetValue<string>());
        Assert.Equal("07:30:00", parameters["at"]!.GetValue<string>());
    }
}
