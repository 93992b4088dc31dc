using System.Diagnostics;
using Packster.Manifest;
using static Packster.Core.Tests.Manifest.ManifestTestSupport;

namespace Packster.Core.Tests.Manifest;

/// <summary>spec/manifest.md § [platform]: OS versions, architectures and C libraries, checked against a machine named in the refusal.</summary>
public sealed class PlatformConstraintTests
{
    private static PlatformConstraint Platform(string body) => Parse($"id = \"p\"\nversion = \"1.0.0\"\n[platform]\n{body}\n").Platform;

    private static readonly MachinePlatform Focal = MachinePlatform.Parse("linux-5.4.0/x64/glibc-2.31");

    [Theory]
    [InlineData("os = [\"linux>=5.4\"]", null)]
    [InlineData("os = [\"linux>=5.10\"]", "it needs linux>=5.10, not linux 5.4.0")]
    [InlineData("os = [\"linux>=5 <5.4\"]", "it needs linux>=5 <5.4, not linux 5.4.0")]
    [InlineData("os = [\"linux=5.4\"]", null)]
    [InlineData("os = [\"windows>=10.0.19041\", \"macos>=13\"]", "it runs on windows>=10.0.19041, macos>=13, not linux")]
    [InlineData("libc = [\"glibc>=2.31\"]", null)]
    [InlineData("libc = [\"glibc>=2.34\", \"musl\"]", "it needs glibc>=2.34, not glibc 2.31")]
    [InlineData("libc = [\"musl\"]", "it needs musl, not glibc")]
    [InlineData("arch = [\"arm64\"]", "it runs on arm64, not x64")]
    public void Each_constraint_is_checked_against_the_machine_and_a_refusal_names_its_value(string body, string? refusal) =>
        Assert.Equal(refusal, Platform(body).Refusal(Focal));

    [Fact]
    public void The_c_library_is_a_linux_question_and_an_unknown_version_meets_only_a_bare_name()
    {
        var platform = Platform("libc = [\"glibc>=2.31\"]");
        Assert.Null(platform.Refusal(MachinePlatform.Parse("windows-10.0.19041/x64")));
        Assert.Equal("it needs glibc>=2.31, not glibc of an unknown version", platform.Refusal(MachinePlatform.Parse("linux/x64/glibc")));
        Assert.Null(Platform("libc = [\"glibc\"]").Refusal(MachinePlatform.Parse("linux/x64/glibc")));
        Assert.Equal("it needs linux>=5.4, not linux of an unknown version", Platform("os = [\"linux>=5.4\"]").Refusal(MachinePlatform.Parse("linux/x64")));
    }

    [Theory]
    [InlineData("os = [\"linux>=\"]", "expected version bounds")]
    [InlineData("os = [\"linux >= five\"]", "expected version bounds")]
    [InlineData("os = [\"linx>=5.4\"]", "did you mean 'linux'")]
    [InlineData("libc = [\"uclibc\"]", "expected one of glibc, musl")]
    [InlineData("os = [\"linux>=5.4\", \"linux<6\"]", "'linux' is listed twice")]
    [InlineData("arch = [\"x64>=1\"]", "unknown value 'x64>=1'")]
    public void A_malformed_entry_is_a_manifest_error_saying_what_is_wrong(string body, string contains)
    {
        var e = Fail($"id = \"p\"\nversion = \"1.0.0\"\n[platform]\n{body}\n");
        Assert.Equal(ErrorCode.ManifestInvalid, e.Code);
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("linux-5.15/x64/glibc-2.36", "linux", "5.15", "x64", "glibc", "2.36")]
    [InlineData("windows-10.0.19041/x64", "windows", "10.0.19041", "x64", null, null)]
    [InlineData("macos/arm64", "macos", null, "arm64", null, null)]
    [InlineData("linux/arm64/musl", "linux", null, "arm64", "musl", null)]
    public void Platform_option_text_parses(string text, string os, string? osVersion, string arch, string? libc, string? libcVersion)
    {
        var m = MachinePlatform.Parse(text);
        Assert.Equal((os, osVersion, arch, libc, libcVersion), (m.Os, m.OsVersion?.ToString(), m.Arch, m.Libc, m.LibcVersion?.ToString()));
        Assert.Equal(text, m.ToString());
    }

    [Theory]
    [InlineData("linux")]
    [InlineData("linux/sparc")]
    [InlineData("plan9/x64")]
    [InlineData("windows/x64/glibc")]
    [InlineData("linux-five/x64")]
    public void Bad_platform_option_text_is_a_usage_error(string text) =>
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PacksterException>(() => MachinePlatform.Parse(text)).Code);

    // The detection agrees with the system's own answer: getconf GNU_LIBC_VERSION (glibc) and uname -r (kernel).
    [Fact]
    public void This_machine_is_detected_as_the_system_reports_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        var machine = MachinePlatform.Current;
        var uname = Run("uname", "-r").Split('-')[0];
        Assert.Equal(PlatformRequirement.Normal(Version.Parse(uname)), PlatformRequirement.Normal(machine.OsVersion!));
        var glibc = Run("getconf", "GNU_LIBC_VERSION");
        if (glibc.StartsWith("glibc ", StringComparison.Ordinal))
        {
            Assert.Equal("glibc", machine.Libc);
            Assert.Equal(glibc["glibc ".Length..], machine.LibcVersion!.ToString());
        }
        else
        {
            Assert.Equal("musl", machine.Libc);
        }
    }

    private static string Run(string file, string argument)
    {
        using var p = Process.Start(new ProcessStartInfo(file, argument) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }
}
