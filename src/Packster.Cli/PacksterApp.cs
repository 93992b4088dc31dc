using System.CommandLine;
using Packster.Cli.Commands;
using Packster.Toml;

namespace Packster.Cli;

/// <summary>Builds the command tree and is the one place where failures become exit codes and one stderr line.</summary>
internal static class PacksterApp
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print more detail, including the cause of failures",
        Recursive = true,
    };

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("Packster: pack folders into checksummed packages and deploy them into locations.");
        root.Options.Add(Verbose);
        foreach (var command in CommandCatalog.All(context))
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>Runs a command inside another process (tests): signals stay the host's.</summary>
    public static int Run(string[] args, CliContext context)
    {
        using var interrupts = Interrupts.None();
        return Run(args, context, interrupts);
    }

    public static int Run(string[] args, CliContext context, Interrupts interrupts)
    {
        var root = Build(context);
        var parse = root.Parse(args);
        var verbose = parse.GetValue(Verbose);
        if (parse.Errors.Count > 0 && !IsHelpRequest(args))
        {
            interrupts.Finish();
            context.Err.WriteLine($"error[{ExitCodes.Format(ErrorCode.Usage)}]: {parse.Errors[0].Message}");
            context.Err.WriteLine($"hint: run '{CommandPath(parse)} --help' for usage");
            return ExitCodes.Usage;
        }
        int code;
        try
        {
            // A signal before this point has already cancelled the token: the command stops at its first check.
            code = parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // Signals are handled by Interrupts for the whole run; System.CommandLine would start listening only
                // after the action first yields, and would end the run with 130 while a rollback is still going.
                ProcessTerminationTimeout = null,
                Output = context.Out,
                Error = context.Err,
            }, interrupts.Token).GetAwaiter().GetResult();
            interrupts.Finish();
        }
        catch (Exception e)
        {
            interrupts.Finish();
            code = Report(e, context.Err, verbose, interrupts.SignalName);
        }
        return interrupts.ExitCodeFor(code);
    }

    private static bool IsHelpRequest(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(r.Command.Name);
        }
        names.Reverse();
        names[0] = "packster";
        return string.Join(' ', names);
    }

    /// <summary>Renders a failure as one line (plus an optional hint) and returns its exit code.</summary>
    public static int Report(Exception exception, TextWriter err, bool verbose, string? signal = null)
    {
        var e = exception is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : exception;
        switch (e)
        {
            case PacksterException p:
                err.WriteLine($"error[{ExitCodes.Format(p.Code)}]: {p.Message}");
                if (p.Hint is not null) err.WriteLine($"hint: {p.Hint}");
                if (verbose && p.InnerException is not null) err.WriteLine(p.InnerException.ToString());
                return p.ExitCode;
            case TomlException t:
                err.WriteLine($"error[{ExitCodes.Format(ErrorCode.TomlSyntax)}]: {t.Message}");
                return ExitCodes.For(ErrorCode.TomlSyntax);
            case OperationCanceledException:
                err.WriteLine($"error[{ExitCodes.Format(ErrorCode.Interrupted)}]: interrupted{(signal is null ? "" : " by " + signal)}; what it had begun and not committed was rolled back");
                return ExitCodes.Cancelled;
            case UnauthorizedAccessException or IOException:
                err.WriteLine($"error[{ExitCodes.Format(ErrorCode.Internal)}]: {e.Message}");
                if (verbose) err.WriteLine(e.ToString());
                return ExitCodes.Failure;
            default:
                err.WriteLine($"error[{ExitCodes.Format(ErrorCode.Internal)}]: unexpected {e.GetType().Name}: {e.Message}");
                err.WriteLine(verbose ? e.ToString() : "hint: run again with --verbose for details, and report it");
                return ExitCodes.Failure;
        }
    }
}
