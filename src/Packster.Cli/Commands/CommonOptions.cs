using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Packster.Cli.Commands;

/// <summary>Options several commands share, spelled the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string?> Location() => new("--location", "-l")
    {
        Description = "A location path or registered id (default: PACKSTER_LOCATION, then the default location)",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON on stdout" };

    public static Option<string?> HandlerTimeout() => new("--handler-timeout")
    {
        Description = "Time limit for each handler, replacing the manifest's (e.g. 90s, 5m)",
    };

    public static Option<bool> Force() => new("--force") { Description = "Reinstall even when the same deployment exists" };

    public static Option<bool> Inactive() => new("--inactive") { Description = "Deploy without becoming active or claiming resources" };

    public static Option<bool> DryRun() => new("--dry-run") { Description = "Print the plan and change nothing" };

    /// <summary><c>--platform os[-version]/arch[/libc[-version]]</c>: check <c>[platform]</c> for another machine (spec/manifest.md § [platform]).</summary>
    public static Option<string?> Platform(string what) => new("--platform")
    {
        Description = $"Check [platform] for another machine instead of this one ({what}): os[-version]/arch[/libc[-version]], e.g. linux-5.15/x64/glibc-2.36, windows-10.0.19041/x64, macos-14/arm64",
    };

    public static Packster.Manifest.MachinePlatform? ParsePlatform(string? text) => text is null ? null : Packster.Manifest.MachinePlatform.Parse(text);

    public static TimeSpan? ParseTimeout(string? text) => text is null ? null : Packster.Handlers.TimeSpanText.Parse(text);

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static void WriteJson(TextWriter output, JsonNode node) => output.WriteLine(node.ToJsonString(Compact));

    /// <summary>The same compact JSON, written straight to a writer: for large outputs, where building the nodes first is the cost.</summary>
    public static void WriteJson(TextWriter output, Action<System.Text.Json.Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(write);
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
