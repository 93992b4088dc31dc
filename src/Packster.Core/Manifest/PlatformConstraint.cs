using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Packster.Manifest;

/// <summary>
/// The <c>[platform]</c> section (spec/manifest.md § [platform]): the operating systems, with optional version bounds
/// (<c>linux&gt;=5.4</c>), the architectures, and on Linux the C libraries (<c>glibc&gt;=2.31</c>, <c>musl</c>) a package
/// runs on. An empty list allows any.
/// </summary>
public sealed record PlatformConstraint(IReadOnlyList<string> Os, IReadOnlyList<string> Arch)
{
    public static readonly IReadOnlyList<string> KnownOs = ["linux", "windows", "macos", "freebsd"];
    public static readonly IReadOnlyList<string> KnownArch = ["x64", "x86", "arm64", "arm"];
    public static readonly IReadOnlyList<string> KnownLibc = ["glibc", "musl"];

    public static PlatformConstraint Any { get; } = new([], []);

    /// <summary>The C libraries allowed on Linux, as written (<c>glibc&gt;=2.31</c>, <c>musl</c>); empty allows any.</summary>
    public IReadOnlyList<string> Libc { get; init; } = [];

    public bool IsAny => Os.Count == 0 && Arch.Count == 0 && Libc.Count == 0;

    public bool Allows(string os, string arch) => Refusal(new MachinePlatform(os, null, arch, null, null), checkVersions: false) is null;

    public bool AllowsCurrentMachine() => Refusal(MachinePlatform.Current) is null;

    /// <summary>Why <paramref name="machine"/> is not a platform this package runs on, naming the machine's value; null when it is.</summary>
    public string? Refusal(MachinePlatform machine) => Refusal(machine, checkVersions: true);

    private string? Refusal(MachinePlatform machine, bool checkVersions)
    {
        ArgumentNullException.ThrowIfNull(machine);
        if (Os.Count > 0)
        {
            var named = Os.Select(PlatformRequirement.Parse).Where(r => r.Name == machine.Os).ToList();
            if (named.Count == 0) return $"it runs on {string.Join(", ", Os)}, not {machine.Os}";
            if (checkVersions && !named.Any(r => r.Allows(machine.OsVersion)))
            {
                return $"it needs {string.Join(" or ", named.Select(r => r.Text))}, not {machine.Os} {machine.OsVersion?.ToString() ?? "of an unknown version"}";
            }
        }
        if (Arch.Count > 0 && !Arch.Contains(machine.Arch, StringComparer.Ordinal)) return $"it runs on {string.Join(", ", Arch)}, not {machine.Arch}";
        // The C library is a Linux question: elsewhere the list does not apply.
        if (Libc.Count > 0 && machine.Os == "linux")
        {
            if (machine.Libc is null) return $"it needs {string.Join(" or ", Libc)}, and the C library could not be determined";
            var named = Libc.Select(PlatformRequirement.Parse).Where(r => r.Name == machine.Libc).ToList();
            if (named.Count == 0) return $"it needs {string.Join(" or ", Libc)}, not {machine.Libc}";
            if (checkVersions && !named.Any(r => r.Allows(machine.LibcVersion)))
            {
                return $"it needs {string.Join(" or ", named.Select(r => r.Text))}, not {machine.Libc} {machine.LibcVersion?.ToString() ?? "of an unknown version"}";
            }
        }
        return null;
    }

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
        IsAny ? "any" : $"os={(Os.Count == 0 ? "any" : string.Join(',', Os))} arch={(Arch.Count == 0 ? "any" : string.Join(',', Arch))}"
            + (Libc.Count == 0 ? "" : $" libc={string.Join(',', Libc)}");
}

/// <summary>
/// One entry of <c>os</c> or <c>libc</c>: a name and optional version bounds, <c>linux&gt;=5.4</c>, <c>glibc&gt;=2.31 &lt;3</c>,
/// <c>windows&gt;=10.0.19041</c>. Versions are 1 to 4 dot-separated numbers; missing parts count as 0.
/// </summary>
public sealed partial record PlatformRequirement(string Name, IReadOnlyList<(string Op, Version Version)> Bounds, string Text)
{
    /// <summary>The entry <paramref name="text"/>; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static PlatformRequirement Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var head = Head().Match(text);
        if (!head.Success) throw new FormatException($"'{text}' does not start with a name such as linux or glibc");
        var bounds = new List<(string, Version)>();
        var rest = head.Groups["rest"].Value;
        var at = 0;
        foreach (Match m in Bound().Matches(rest))
        {
            if (rest[at..m.Index].Trim(' ', ',').Length > 0) break;
            bounds.Add((m.Groups["op"].Value, ParseVersion(m.Groups["version"].Value)));
            at = m.Index + m.Length;
        }
        if (rest[at..].Trim(' ', ',').Length > 0)
        {
            throw new FormatException($"'{text}': expected version bounds such as >=5.4 or <3 after '{head.Groups["name"].Value}', found '{rest[at..].Trim()}'");
        }
        return new PlatformRequirement(head.Groups["name"].Value, bounds, text);
    }

    /// <summary>True when <paramref name="version"/> meets every bound; an unknown version meets only an entry without bounds.</summary>
    public bool Allows(Version? version)
    {
        if (Bounds.Count == 0) return true;
        if (version is null) return false;
        var v = Normal(version);
        return Bounds.All(b => b.Op switch
        {
            ">=" => v >= b.Version,
            ">" => v > b.Version,
            "<=" => v <= b.Version,
            "<" => v < b.Version,
            _ => v == b.Version,
        });
    }

    /// <summary>1 to 4 dot-separated numbers (a bare major, <c>13</c>, is <c>13.0</c>), normalised.</summary>
    public static Version ParseVersion(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Normal(Version.Parse(text.Contains('.', StringComparison.Ordinal) ? text : text + ".0"));
    }

    /// <summary>The version with its missing parts as 0: 5.4 is 5.4.0.0, so 5.4.0 meets =5.4.</summary>
    public static Version Normal(Version v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(v.Major, Math.Max(0, v.Minor), Math.Max(0, v.Build), Math.Max(0, v.Revision));
    }

    [GeneratedRegex(@"^(?<name>[a-z][a-z0-9]*)(?<rest>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Head();

    [GeneratedRegex(@"(?<op>>=|<=|>|<|=)\s*(?<version>\d{1,9}(\.\d{1,9}){0,3})(?![\d.])", RegexOptions.CultureInvariant)]
    private static partial Regex Bound();
}

/// <summary>
/// A machine as <c>[platform]</c> sees it: OS and its version, architecture, and on Linux the C library and its version.
/// <see cref="Current"/> is this one; <see cref="Parse"/> reads <c>--platform os[-version]/arch[/libc[-version]]</c>.
/// </summary>
public sealed record MachinePlatform(string Os, Version? OsVersion, string Arch, string? Libc, Version? LibcVersion)
{
    public static MachinePlatform Current { get; } = Detect();

    /// <summary>
    /// <c>linux-5.15/x64/glibc-2.36</c>, <c>windows-10.0.19041/x64</c>, <c>macos-14/arm64</c>, <c>linux/arm64/musl</c>:
    /// the OS (with an optional version), the architecture, and on Linux an optional C library (with a version).
    /// </summary>
    public static MachinePlatform Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3) throw Bad(text, "expected os[-version]/arch[/libc[-version]], e.g. linux-5.15/x64/glibc-2.36");
        var (os, osVersion) = NameAndVersion(text, parts[0], PlatformConstraint.KnownOs);
        if (!PlatformConstraint.KnownArch.Contains(parts[1])) throw Bad(text, $"unknown architecture '{parts[1]}'; expected one of {string.Join(", ", PlatformConstraint.KnownArch)}");
        string? libc = null;
        Version? libcVersion = null;
        if (parts.Length == 3)
        {
            if (os != "linux") throw Bad(text, "a C library is given for Linux only");
            (libc, libcVersion) = NameAndVersion(text, parts[2], PlatformConstraint.KnownLibc);
        }
        return new MachinePlatform(os, osVersion, parts[1], libc, libcVersion);
    }

    public override string ToString() =>
        $"{Os}{(OsVersion is null ? "" : "-" + OsVersion)}/{Arch}{(Libc is null ? "" : $"/{Libc}{(LibcVersion is null ? "" : "-" + LibcVersion)}")}";

    private static (string Name, Version? Version) NameAndVersion(string whole, string part, IReadOnlyList<string> known)
    {
        var dash = part.IndexOf('-', StringComparison.Ordinal);
        var name = dash < 0 ? part : part[..dash];
        if (!known.Contains(name)) throw Bad(whole, $"unknown name '{name}'; expected one of {string.Join(", ", known)}");
        if (dash < 0) return (name, null);
        var text = part[(dash + 1)..];
        return Version.TryParse(text.Contains('.', StringComparison.Ordinal) ? text : text + ".0", out var v) ? (name, v) : throw Bad(whole, $"'{part[(dash + 1)..]}' is not a version such as 5.15 or 2.36");
    }

    private static PacksterException Bad(string text, string why) =>
        new(ErrorCode.InvalidArgument, $"--platform {text}: {why}", "e.g. --platform linux-5.15/x64/glibc-2.36, windows-10.0.19041/x64, macos-14/arm64");

    private static MachinePlatform Detect()
    {
        var os = PlatformConstraint.CurrentOs;
        var version = Environment.OSVersion.Version;
        // On Linux, Environment.OSVersion is the kernel release (5.15.0-91-generic → 5.15.0).
        Version? osVersion = version.Major > 0 ? new Version(version.Major, Math.Max(0, version.Minor), Math.Max(0, version.Build)) : null;
        var (libc, libcVersion) = os == "linux" ? DetectLibc() : (null, null);
        return new MachinePlatform(os, osVersion, PlatformConstraint.CurrentArch, libc, libcVersion);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint LibcVersionFunction();

    /// <summary>glibc and its version from <c>gnu_get_libc_version()</c>; musl when its loader is present; else unknown.</summary>
    private static (string?, Version?) DetectLibc()
    {
        if (NativeLibrary.TryLoad("libc.so.6", out var handle) && NativeLibrary.TryGetExport(handle, "gnu_get_libc_version", out var export))
        {
            var text = Marshal.PtrToStringUTF8(Marshal.GetDelegateForFunctionPointer<LibcVersionFunction>(export)());
            return ("glibc", Version.TryParse(text, out var v) ? v : null);
        }
        try
        {
            if (Directory.Exists("/lib") && Directory.EnumerateFiles("/lib", "ld-musl-*.so.1").Any()) return ("musl", null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return (null, null);
    }
}
