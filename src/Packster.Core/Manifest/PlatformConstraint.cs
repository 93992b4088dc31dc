using System.Runtime.InteropServices;

namespace Packster.Manifest;

/// <summary>The <c>[platform]</c> section: the operating systems and architectures a package runs on (empty list = any).</summary>
public sealed record PlatformConstraint(IReadOnlyList<string> Os, IReadOnlyList<string> Arch)
{
    public static readonly IReadOnlyList<string> KnownOs = ["linux", "windows", "macos", "freebsd"];
    public static readonly IReadOnlyList<string> KnownArch = ["x64", "x86", "arm64", "arm"];

    public static PlatformConstraint Any { get; } = new([], []);

    public bool IsAny => Os.Count == 0 && Arch.Count == 0;

    public bool Allows(string os, string arch) =>
        (Os.Count == 0 || Os.Contains(os, StringComparer.Ordinal)) && (Arch.Count == 0 || Arch.Contains(arch, StringComparer.Ordinal));

    public bool AllowsCurrentMachine() => Allows(CurrentOs, CurrentArch);

    /// <summary>This machine's OS in manifest spelling (linux, windows, macos, freebsd).</summary>
    public static string CurrentOs =>
        OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : OperatingSystem.IsFreeBSD() ? "freebsd" : "linux";

    /// <summary>This machine's architecture in manifest spelling (x64, x86, arm64, arm).</summary>
    public static string CurrentArch => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "x64",
        Architecture.X86 => "x86",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    public override string ToString() =>
        IsAny ? "any" : $"os={(Os.Count == 0 ? "any" : string.Join(',', Os))} arch={(Arch.Count == 0 ? "any" : string.Join(',', Arch))}";
}
