using System.Collections;
using System.Management.Automation;
using System.Reflection;
using System.Management.Automation.Runspaces;
using Packster.Handlers;

namespace Packster.PowerShellHost;

/// <summary>
/// Runs scripts one at a time in one open runspace, each with exactly its request's environment and working
/// directory, as <c>pwsh -File</c> would: arguments after the path, <c>exit N</c> as the exit code, a terminating
/// error as exit 1 after the output it wrote so far. Between scripts the runspace's state is reset and the process
/// environment is emptied, so nothing one script set reaches the next.
/// </summary>
internal sealed class ScriptRunner : IDisposable
{
    private readonly Runspace _runspace;
    private readonly ProtocolChannel _channel;
    private readonly string _hostModulePath;
    private readonly HandlerHost _host;

    private ScriptRunner(Runspace runspace, HandlerHost host, ProtocolChannel channel, string hostModulePath)
    {
        _runspace = runspace;
        _host = host;
        _channel = channel;
        _hostModulePath = hostModulePath;
    }

    public static ScriptRunner Open(ProtocolChannel channel)
    {
        // CreateDefault loads the built-in commands from their assemblies; CreateDefault2 looks for module files,
        // which a published host does not have. The execution policy is left alone: on Linux setting it throws.
        var state = InitialSessionState.CreateDefault();
        state.ThreadOptions = PSThreadOptions.UseCurrentThread;
        var host = new HandlerHost();
        var runspace = RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        // Logs and the console get plain text, without the colour sequences pwsh adds for a terminal.
        using (var setup = PowerShell.Create(runspace))
        {
            setup.AddScript("$PSStyle.OutputRendering = 'PlainText'").Invoke();
        }
        // Opening the runspace put PowerShell's own module folders into the process's PSModulePath, as pwsh does at
        // start; each script gets them after its own (spec/handlers.md §Hosted PowerShell).
        return new ScriptRunner(runspace, host, channel, Environment.GetEnvironmentVariable("PSModulePath") ?? "");
    }

    public int Run(PowerShellHostRequest request)
    {
        SetEnvironment(request.Environment);
        try
        {
            Directory.SetCurrentDirectory(request.WorkingDirectory);
            _runspace.SessionStateProxy.Path.SetLocation(WildcardPattern.Escape(request.WorkingDirectory));
            return Invoke(request);
        }
        finally
        {
            SetEnvironment(new Dictionary<string, string>());
            _runspace.ResetRunspaceState();
        }
    }

    private int Invoke(PowerShellHostRequest request)
    {
        using var shell = PowerShell.Create(_runspace);
        shell.AddCommand(request.Script);
        foreach (var argument in request.Arguments) shell.AddArgument(argument);
        // Output, errors and Write-Host in order, formatted as the console formats them, one line at a time as it is
        // written; warnings, verbose and debug messages get the prefixes pwsh prints.
        shell.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
        shell.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Information, PipelineResultTypes.Output);
        shell.AddCommand("Out-String").AddParameter("Stream");
        shell.Streams.Warning.DataAdded += (_, e) => SendText("WARNING: " + shell.Streams.Warning[e.Index].Message);
        shell.Streams.Verbose.DataAdded += (_, e) => SendText("VERBOSE: " + shell.Streams.Verbose[e.Index].Message);
        shell.Streams.Debug.DataAdded += (_, e) => SendText("DEBUG: " + shell.Streams.Debug[e.Index].Message);

        using var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, e) => SendLines(output[e.Index]);
        _host.ExitCode = null;
        RethrowExit(_runspace, true);
        try
        {
            // This overload keeps what the script wrote before a terminating error in `output`.
            shell.Invoke(new PSDataCollection<PSObject>(), output);
        }
        catch (RuntimeException e)
        {
            Report(e.ErrorRecord);
            return 1;
        }
        finally
        {
            RethrowExit(_runspace, false);
        }
        // As with pwsh -File: `exit N` decides, else 0 (a native program's exit code alone does not).
        return _host.ExitCode ?? 0;
    }

    /// <summary>
    /// Makes <c>exit N</c> in the script file end the pipeline and reach <see cref="HandlerHost.SetShouldExit"/>, as
    /// it does under <c>pwsh -File</c>; otherwise PowerShell only sets <c>$LASTEXITCODE</c>, which a native program
    /// sets too. The switch is internal to PowerShell, hence reflection (the host is neither trimmed nor AOT-compiled);
    /// the first script command of a pipeline consumes it, so it is set before each run and cleared after.
    /// </summary>
    private static void RethrowExit(Runspace runspace, bool rethrow)
    {
        const BindingFlags anyInstance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var context = runspace.GetType().GetProperty("GetExecutionContext", anyInstance)?.GetValue(runspace)
            ?? throw new InvalidOperationException("this PowerShell has no execution context to configure");
        var property = context.GetType().GetProperty("ScriptCommandProcessorShouldRethrowExit", anyInstance)
            ?? throw new InvalidOperationException("this PowerShell cannot report `exit N` of a script file");
        property.SetValue(context, rethrow);
    }

    /// <summary>The terminating error as pwsh prints it (the session's error view), after the output.</summary>
    private void Report(ErrorRecord record)
    {
        using var format = PowerShell.Create(_runspace);
        format.AddCommand("Out-String").AddParameter("Stream").AddParameter("InputObject", record);
        try
        {
            var lines = format.Invoke().Select(line => line?.ToString() ?? "").ToList();
            // The error view ends with an empty line that pwsh does not print.
            while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            foreach (var line in lines) SendText(line);
        }
        catch (RuntimeException)
        {
            SendText(record.ToString());
        }
    }

    private void SendLines(PSObject? item)
    {
        if (item?.BaseObject is string text) SendText(text);
        else if (item is not null) SendText(item.ToString());
    }

    private void SendText(string text)
    {
        foreach (var line in text.Split('\n')) _channel.Send(new PowerShellHostFrame(PowerShellHostFrame.Output, Text: line.TrimEnd('\r')));
    }

    /// <summary>Makes the process environment exactly <paramref name="variables"/> (plus PowerShell's module path).</summary>
    private void SetEnvironment(IReadOnlyDictionary<string, string> variables)
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (!variables.ContainsKey(name)) Environment.SetEnvironmentVariable(name, null);
        }
        foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
        if (variables.Count > 0)
        {
            var own = variables.TryGetValue("PSModulePath", out var given) && given.Length > 0 ? given + Path.PathSeparator : "";
            Environment.SetEnvironmentVariable("PSModulePath", own + _hostModulePath);
        }
    }

    public void Dispose() => _runspace.Dispose();
}
