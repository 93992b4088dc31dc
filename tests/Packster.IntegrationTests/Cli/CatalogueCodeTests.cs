using Packster.Manifest;
namespace Packster.IntegrationTests.Cli;

/// <summary>
/// Codes of spec/errors.md that no other test produced on purpose, each produced here through the real executable
/// with its exit code (the catalogue walk in Packster.Core.Tests requires every code to have such a test).
/// </summary>
public sealed class CatalogueCodeTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private void AssertCode(ProcessResult r, string code, int exit)
    {
        Assert.True(r.ExitCode == exit, r.ToString());
        Assert.StartsWith($"error[{code}]: ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void PST1002_PathNotFound_for_a_source_folder_that_does_not_exist() =>
        AssertCode(_f.Packster.Run("pack", _f.Temp["missing"]), "PST1002", 2);

    [Fact]
    public void PST1003_NotADirectory_for_a_file_given_as_source_folder()
    {
        var file = _f.Temp.Write("file.txt", "x");
        AssertCode(_f.Packster.Run("pack", file), "PST1003", 2);
    }

    [Fact]
    public void PST4010_PlatformUnsupported_for_a_package_of_another_OS()
    {
        var other = OperatingSystem.IsWindows() ? "linux" : "windows";
        var dir = _f.Temp["other-os"];
        _f.Temp.Write("other-os/packster-manifest.toml", $"id = \"other\"\nversion = \"1.0.0\"\n[platform]\nos = [\"{other}\"]\n");
        var package = _f.Pack(dir);
        AssertCode(_f.Packster.Run("install-file", package, "--location", "dev"), "PST4010", 4);
    }

    // spec/manifest.md § [platform]: an OS version bound this machine does not meet is refused naming the machine's
    // value; --platform checks an install (--dry-run only) or a pack for another machine, and a refused pack writes nothing.
    [Fact]
    public void PST4010_names_the_machine_value_and_platform_checks_for_another_machine()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = _f.Temp["new-kernel"];
        _f.Temp.Write("new-kernel/packster-manifest.toml", "id = \"newkernel\"\nversion = \"1.0.0\"\n[platform]\nos = [\"linux>=999\", \"windows>=10.0.19041\"]\nlibc = [\"glibc>=2.17\", \"musl\"]\n");
        var package = _f.Pack(dir);
        var refused = _f.Packster.Run("install-file", package, "--location", "dev");
        AssertCode(refused, "PST4010", 4);
        Assert.Contains($"it needs linux>=999, not linux {MachinePlatform.Current.OsVersion}", refused.Stderr, StringComparison.Ordinal);

        Assert.Contains("would install", _f.Packster.Ok("install-file", package, "--location", "dev", "--dry-run", "--platform", "windows-10.0.22621/x64"), StringComparison.Ordinal);
        var old = _f.Packster.Run("install-file", package, "--location", "dev", "--dry-run", "--platform", "windows-6.1/x64");
        AssertCode(old, "PST4010", 4);
        Assert.Contains("(windows-6.1/x64): it needs windows>=10.0.19041, not windows 6.1", old.Stderr, StringComparison.Ordinal);
        AssertCode(_f.Packster.Run("install-file", package, "--location", "dev", "--platform", "windows-10.0.22621/x64"), "PST1001", 2);
        AssertCode(_f.Packster.Run("install-file", package, "--location", "dev", "--dry-run", "--platform", "beos/x64"), "PST1001", 2);

        var output = _f.Temp["platform-dist"];
        Directory.CreateDirectory(output);
        var packed = _f.Packster.Run("pack", dir, "-o", output, "--platform", "linux-1000/x64/glibc-2.12");
        AssertCode(packed, "PST4010", 4);
        Assert.Contains("it needs glibc>=2.17, not glibc 2.12", packed.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
        _f.Packster.Ok("pack", dir, "-o", output, "--platform", "linux-1000/arm64/musl");
        Assert.Single(Directory.EnumerateFiles(output, "*.packster"));
    }

    [Fact]
    public void PST5005_DeploymentNotFound_and_PST5006_DeploymentAmbiguous()
    {
        AssertCode(_f.Packster.Run("uninstall", "hello", "--location", "dev"), "PST5005", 5);
        var package = _f.PackSample("hello");
        _f.InstallJson(package, "-p", "port=9001");
        _f.InstallJson(package, "-p", "port=9002");
        AssertCode(_f.Packster.Run("use", "hello@1.0.0", "--location", "dev"), "PST5006", 5);
    }

    [Fact]
    public void PST8000_SourceNotFound_for_an_unconfigured_source() =>
        AssertCode(_f.Packster.Run("install", "hello", "--source", "nowhere", "--location", "dev"), "PST8000", 8);
}
