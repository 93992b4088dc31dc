using System.Management.Automation;
using System.Reflection;
using Packster.Handlers;
using Packster.PowerShellHost;

// packster-pwsh-host: reads one request per line on stdin, runs the script, answers with output frames and one exit
// frame, and exits when stdin closes (spec/handlers.md §Hosted PowerShell). Started by packster, never by a user.
using var channel = ProtocolChannel.TakeOverStandardStreams();
using var runner = ScriptRunner.Open(channel);
channel.Send(new PowerShellHostFrame(PowerShellHostFrame.Ready, Pid: Environment.ProcessId,
    Version: PSVersionInfo()));
while (channel.ReadRequest() is { } request)
{
    int exitCode;
    try
    {
        exitCode = runner.Run(request);
    }
    catch (Exception e) when (e is PSInvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
    {
        // The script could not be started (its directory is gone, the path is not a script): a failed handler.
        channel.Send(new PowerShellHostFrame(PowerShellHostFrame.Output, Text: e.Message));
        exitCode = 1;
    }
    // Whatever the script left running in the host's process group goes with it (spec/handlers.md §Processes),
    // then the marker tells packster that every line the script's programs wrote to stderr is in.
    ProcessGroup.KillOthers();
    Console.Error.WriteLine(PowerShellHostFrame.EndOfScriptMarker);
    Console.Error.Flush();
    channel.Send(new PowerShellHostFrame(PowerShellHostFrame.Exit, Code: exitCode));
}

// The product version (7.6.10), which the assembly version (7.6.0) does not carry.
static string? PSVersionInfo() =>
    typeof(PSObject).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split(' ', '+')[0];
