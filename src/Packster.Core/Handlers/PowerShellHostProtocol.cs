using System.Text.Json.Serialization;

namespace Packster.Handlers;

// The wire format between packster and packster-pwsh-host (spec/handlers.md §Hosted PowerShell). This one file is
// compiled into both programs, so the two sides cannot disagree on a name. Serialization is source-generated:
// packster is compiled ahead of time and must not rely on reflection.

/// <summary>One script to run: a single JSON line on the host's stdin.</summary>
public sealed record PowerShellHostRequest(
    string Script,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory);

/// <summary>
/// One JSON line on the host's stdout. <c>ready</c> (once, when the runspace is open: <see cref="Pid"/>,
/// <see cref="Version"/>), <c>output</c> (one line of the script's output in <see cref="Text"/>) and <c>exit</c>
/// (the script ended with <see cref="Code"/>; the host then waits for the next request).
/// </summary>
public sealed record PowerShellHostFrame(string Frame, string? Text = null, int? Code = null, int? Pid = null, string? Version = null)
{
    public const string Ready = "ready";
    public const string Output = "output";
    public const string Exit = "exit";

    /// <summary>
    /// The line the host writes to its stderr (which carries what the script's programs write there) after a script
    /// ended and before its <c>exit</c> frame: every stderr line before it belongs to that script.
    /// </summary>
    public const string EndOfScriptMarker = "\u001Fpackster-pwsh-host: script ended";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PowerShellHostRequest))]
[JsonSerializable(typeof(PowerShellHostFrame))]
internal sealed partial class PowerShellHostJson : JsonSerializerContext;
