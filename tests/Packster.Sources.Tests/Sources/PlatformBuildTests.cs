using Packster.Manifest;
using Packster.Model;
using Packster.Sources.Cache;
using Packster.Sources.Config;
using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Sources;

/// <summary>
/// spec/sources.md § Platform builds: one id and version published as several files with different [platform]; the
/// resolution picks the build for the machine, the most specific when several fit (and says it is the default), and
/// refuses naming every build's platform when none fits.
/// </summary>
public sealed class PlatformBuildTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-builds");
    private readonly FolderSource _repo;
    private readonly PackageCache _cache;

    public PlatformBuildTests()
    {
        TestPackages.Create(_temp["repo"], "tool", "1.0.0", "linux x64", "[platform]\nos = [\"linux\"]\narch = [\"x64\"]\n");
        TestPackages.Create(_temp["repo"], "tool", "1.0.0", "linux any", "[platform]\nos = [\"linux\"]\n");
        TestPackages.Create(_temp["repo"], "tool", "1.0.0", "windows", "[platform]\nos = [\"windows>=10.0.19041\"]\n");
        _repo = new FolderSource("repo", _temp["repo"]);
        _cache = new PackageCache(_temp["cache"]);
    }

    public void Dispose() => _temp.Dispose();

    private async Task<(PlatformConstraint Platform, string Said)> Pick(string machine)
    {
        var said = new StringWriter();
        var acquired = await PackageAcquisition.AcquireAsync(PackageId.Parse("tool"), VersionRange.Parse("^1"), [_repo], _cache, warnings: said,
            platform: MachinePlatform.Parse(machine));
        Assert.Equal(acquired.File.Sha256, Sha256Digest.ComputeFile(acquired.Path));
        return (Deployments.PackageFile.Open(acquired.Path).Manifest.Platform, said.ToString());
    }

    [Fact]
    public async Task The_build_for_the_machine_is_picked_the_most_specific_by_default()
    {
        var (linux, said) = await Pick("linux-6.1/x64/glibc-2.36");
        Assert.Equal(["x64"], linux.Arch);
        Assert.Contains("has 3 builds, 2 for linux-6.1/x64/glibc-2.36", said, StringComparison.Ordinal);
        Assert.Contains("the default: the most specific", said, StringComparison.Ordinal);

        var (arm, _) = await Pick("linux-6.1/arm64");
        Assert.Empty(arm.Arch);
        var (windows, one) = await Pick("windows-10.0.22631/x64");
        Assert.Equal(["windows>=10.0.19041"], windows.Os);
        Assert.DoesNotContain("the default", one, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_build_for_the_machine_is_refused_naming_each()
    {
        var e = await Assert.ThrowsAsync<PacksterException>(() => Pick("macos-14/arm64"));
        Assert.Equal(ErrorCode.PlatformUnsupported, e.Code);
        Assert.StartsWith("tool 1.0.0 has 3 builds and none runs on macos-14.0/arm64: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("it runs on windows>=10.0.19041, not macos", e.Message, StringComparison.Ordinal);
        var old = await Assert.ThrowsAsync<PacksterException>(() => Pick("windows-6.1/x64"));
        Assert.Contains("it needs windows>=10.0.19041, not windows 6.1", old.Message, StringComparison.Ordinal);
    }
}
