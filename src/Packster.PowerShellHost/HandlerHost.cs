using System.Globalization;
using System.Management.Automation.Host;

namespace Packster.PowerShellHost;

/// <summary>
/// The PowerShell host object scripts see as <c>$Host</c>. It has no user interface (handlers never prompt, and
/// <c>Write-Host</c> then goes to the information stream, which is forwarded like output); it exists to learn the
/// code of <c>exit N</c>, which PowerShell reports through <see cref="SetShouldExit"/>.
/// </summary>
internal sealed class HandlerHost : PSHost
{
    private readonly Guid _id = Guid.NewGuid();

    /// <summary>The code of the last <c>exit</c>, or null when the script ended without one.</summary>
    public int? ExitCode { get; set; }

    public override string Name => "packster-pwsh-host";
    public override Version Version => typeof(HandlerHost).Assembly.GetName().Version ?? new Version(1, 0);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface? UI => null;
    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
    public override void EnterNestedPrompt() => throw new NotSupportedException("handlers cannot enter a nested prompt");
    public override void ExitNestedPrompt() => throw new NotSupportedException("handlers cannot enter a nested prompt");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}
