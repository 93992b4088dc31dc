using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using Packster.Cli.Commands;
using Packster.Manifest;
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

    private const string Description = "Packster: pack folders into checksummed packages and deploy them into locations.";

    /// <summary>The command tree: every command, or, given the run's <paramref name="args"/>, only the one they name (<see cref="CommandCatalog.For"/>).</summary>
    public static Command Build(CliContext context, IReadOnlyList<string>? args = null)
    {
        // A root command brings --help, --version and the [suggest] directive, and making them reads System.CommandLine's
        // resources: a millisecond and a half of every run's start. A run that asks for none of them gets a plain root.
        var root = args is null || NeedsRootCommand(args) ? new RootCommand(Description) : new Command("packster", Description);
        root.Options.Add(Verbose);
        foreach (var command in args is null ? CommandCatalog.All(context) : CommandCatalog.For(context, args))
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>
    /// A command listed in its parent's help shows an argument it can go without as optional, <c>history [&lt;location&gt;]</c>,
    /// as its own usage line does; the parser's listing shows every argument as if required (and its layout cannot be
    /// customised), so the listing rows are rewritten, keeping the description column where it was when there is room.
    /// </summary>
    internal static string MarkOptionalArguments(string help, Command root)
    {
        var lines = help.Split('\n');
        foreach (var command in root.Subcommands)
        {
            var arguments = command.Arguments.Where(a => !a.Hidden).ToList();
            if (!arguments.Any(a => a.Arity.MinimumNumberOfValues == 0)) continue;
            var plain = string.Join(' ', arguments.Select(a => $"<{a.Name}>").Prepend(command.Name));
            var marked = string.Join(' ', arguments.Select(a => a.Arity.MinimumNumberOfValues == 0 ? $"[<{a.Name}>]" : $"<{a.Name}>").Prepend(command.Name));
            for (var i = 0; i < lines.Length; i++)
            {
                var row = Regex.Match(lines[i], $"^(?<indent> +){Regex.Escape(plain)}(?<pad> +|$)");
                if (!row.Success) continue;
                var pad = row.Groups["pad"].Value;
                var keep = pad.Length == 0 ? pad : pad.Length - (marked.Length - plain.Length) >= 2 ? pad[(marked.Length - plain.Length)..] : "  ";
                lines[i] = row.Groups["indent"].Value + marked + keep + lines[i][row.Length..];
            }
        }
        return string.Join('\n', Aligned(lines));
    }

    /// <summary>
    /// The rows of each listing (<c>Commands:</c>, <c>Arguments:</c>, <c>Options:</c>) with their descriptions in one
    /// column again, where a marked row grew past the room the others left.
    /// </summary>
    private static string[] Aligned(string[] lines)
    {
        var row = new Regex("^(?<indent>  )(?<name>\\S(?:\\S| (?! ))*)(?<pad>  +)(?<text>\\S.*)$");
        for (var start = 0; start < lines.Length; start++)
        {
            if (!lines[start].EndsWith(':') || lines[start].StartsWith(' ')) continue;
            var end = start + 1;
            while (end < lines.Length && lines[end].StartsWith("  ", StringComparison.Ordinal)) end++;
            var rows = Enumerable.Range(start + 1, end - start - 1).Select(i => (Index: i, Match: row.Match(lines[i]))).Where(r => r.Match.Success).ToList();
            if (rows.Count == 0) continue;
            var column = rows.Max(r => r.Match.Groups["name"].Length) + 2;
            if (rows.All(r => r.Match.Groups["name"].Length + r.Match.Groups["pad"].Length == column)) continue;
            foreach (var (index, match) in rows)
            {
                lines[index] = match.Groups["indent"].Value + match.Groups["name"].Value.PadRight(column) + match.Groups["text"].Value;
            }
            start = end - 1;
        }
        return lines;
    }

    /// <summary>Runs a command inside another process (tests): signals stay the host's.</summary>
    public static int Run(string[] args, CliContext context)
    {
        using var interrupts = Interrupts.None();
        return Run(args, context, interrupts);
    }

    /// <summary>
    /// Parsing takes the words as they are: an argument starting with <c>@</c> is an ordinary argument (a file or folder
    /// named so), never a response file to expand; packster documents none, and expanding one read any path named after
    /// the <c>@</c> before packster's own checks (a folder, <c>/dev/zero</c>).
    /// </summary>
    private static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    public static int Run(string[] args, CliContext context, Interrupts interrupts)
    {
        ParseResult parse;
        try
        {
            parse = Build(context, args).Parse(args, Parser);
        }
        catch (Exception e)
        {
            interrupts.Finish();
            context.EndCommand();
            return interrupts.ExitCodeFor(Report(e, context.Err, OptionWords(args).Any(a => a is "--verbose" or "-v"), interrupts.SignalName));
        }
        var verbose = parse.GetValue(Verbose);
        var help = IsHelpRequest(args);
        var unknown = help ? null : UnknownName(parse);
        if (unknown is not null || (parse.Errors.Count > 0 && !help))
        {
            interrupts.Finish();
            context.Err.WriteLine($"error[{ExitCodes.Format(ErrorCode.Usage)}]: {unknown ?? ParseErrorWords(parse.Errors[0], parse)}");
            context.Err.WriteLine($"hint: run '{CommandPath(parse)} --help' for usage");
            return ExitCodes.Usage;
        }
        // Recorded with each generation this command commits; parameter values are never recorded.
        Packster.Deployments.Generations.Command = Packster.Deployments.Generations.Redact(args);
        int code;
        var helpText = help ? new StringWriter() : null;
        try
        {
            // A signal before this point has already cancelled the token: the command stops at its first check.
            code = parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // Signals are handled by Interrupts for the whole run; System.CommandLine would start listening only
                // after the action first yields, and would end the run with 130 while a rollback is still going.
                ProcessTerminationTimeout = null,
                Output = helpText ?? context.Out,
                Error = context.Err,
            }, interrupts.Token).GetAwaiter().GetResult();
            if (helpText is not null) context.Out.Write(MarkOptionalArguments(helpText.ToString(), parse.CommandResult.Command));
            interrupts.Finish();
        }
        catch (Exception e)
        {
            interrupts.Finish();
            code = Report(e, context, verbose, interrupts.SignalName);
        }
        finally
        {
            context.EndCommand();
        }
        return interrupts.ExitCodeFor(code);
    }

    /// <summary>The words before <c>--</c>: after it every word is an operand, <c>-h</c> and <c>--help</c> included.</summary>
    private static IEnumerable<string> OptionWords(IReadOnlyList<string> args) => args.TakeWhile(a => a != "--");

    private static bool IsHelpRequest(string[] args) => OptionWords(args).Any(a => a is "--help" or "-h" or "-?");

    /// <summary>Whether a run needs what only a root command has: help, the version, a directive, or nothing given at all.</summary>
    private static bool NeedsRootCommand(IReadOnlyList<string> args) =>
        args.Count == 0 || args[0].StartsWith('[') || OptionWords(args).Any(a => a is "--help" or "-h" or "-?" or "/h" or "/?" or "--version");

    /// <summary>
    /// A misspelt command or option, said as such with the nearest real name ("unknown command 'instal-file'; did you
    /// mean 'install-file'?"), rather than the parser's "Required command was not provided". A word that looks like an
    /// option but landed in an argument (<c>install-file --forse x.packster</c>) is an unknown option too.
    /// </summary>
    private static string? UnknownName(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var optionValues = OptionValueTokens(parse.CommandResult);
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) break;
            if (token.Type == TokenType.Argument && LooksLikeOption(token.Value) && !optionValues.Contains(token)) return UnknownOption(token.Value, parse.CommandResult);
        }
        // After '--' every word is an operand: '-h' there is an argument the command does not take, not an option.
        var operands = parse.Tokens.SkipWhile(t => t.Type != TokenType.DoubleDash).Skip(1).Select(t => t.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var token in parse.UnmatchedTokens)
        {
            if (token == "--") break;
            if (LooksLikeOption(token) && !operands.Contains(token)) return UnknownOption(token, parse.CommandResult);
            if (command.Subcommands.Count > 0)
            {
                var names = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
                var suggestion = DidYouMean.Closest(token, names);
                var where = parse.CommandResult.Parent is null ? "" : $" of '{CommandPath(parse)}'";
                return $"unknown command '{token}'{where}" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?");
            }
            return $"unexpected argument '{token}': '{CommandPath(parse)}' takes no more arguments";
        }
        return null;
    }

    /// <summary>
    /// The parser's own error in packster's words, on one line (spec/errors.md: every failure prints one line): a value
    /// outside a fixed set, a missing argument, option value or subcommand, a required option left out, too many
    /// values, a value of the wrong type. Anything else is the parser's message with its lines joined.
    /// </summary>
    internal static string ParseErrorWords(ParseError error, ParseResult parse)
    {
        var message = error.Message;
        var path = CommandPath(parse);
        var symbol = error.SymbolResult;
        var option = symbol switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        var argument = symbol is ArgumentResult { Parent: not OptionResult } a ? a.Argument : null;
        string Who() => option is not null ? OptionNames(option) : argument is not null ? $"<{argument.Name}>" : $"'{path}'";

        if (message.StartsWith("Required command was not provided", StringComparison.Ordinal) && symbol is CommandResult commandResult)
        {
            var names = commandResult.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
            return $"'{CommandPathOf(commandResult)}' needs a subcommand: {string.Join(", ", names)}";
        }
        if (Regex.Match(message, @"^Argument '(?<value>.*)' not recognized\. Must be one of:(?<rest>.*)$", RegexOptions.Singleline) is { Success: true } notAmong)
        {
            var allowed = Regex.Matches(notAmong.Groups["rest"].Value, "'([^']*)'").Select(m => m.Groups[1].Value);
            return $"{Who()} must be one of {string.Join(", ", allowed)}, not '{notAmong.Groups["value"].Value}'";
        }
        if (message.StartsWith("Required argument missing for option", StringComparison.Ordinal) && option is not null)
        {
            return $"{OptionNames(option)} needs a value";
        }
        if (message.StartsWith("Required argument missing for command", StringComparison.Ordinal))
        {
            var command = symbol as CommandResult ?? parse.CommandResult;
            var missing = argument ?? command.Command.Arguments.FirstOrDefault(a => a.Arity.MinimumNumberOfValues > 0 && (command.GetResult(a)?.Tokens.Count ?? 0) < a.Arity.MinimumNumberOfValues);
            return missing is null ? $"'{CommandPathOf(command)}' needs more arguments" : $"'{CommandPathOf(command)}' needs its <{missing.Name}> argument";
        }
        if (Regex.Match(message, @"^Option '(?<name>[^']*)' is required") is { Success: true } required)
        {
            var named = option ?? parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == required.Groups["name"].Value || o.Aliases.Contains(required.Groups["name"].Value));
            return $"'{path}' needs {(named is null ? required.Groups["name"].Value : OptionNames(named))}";
        }
        if (message.Contains("expects a single argument", StringComparison.Ordinal) || message.Contains("expects at most", StringComparison.Ordinal))
        {
            return $"{Who()} takes {(option is not null ? "one value" : "fewer values")}, and was given more";
        }
        if (Regex.Match(message, @"^Cannot parse argument '(?<value>.*)' for (option|command) '[^']*' as expected type '(?<type>[^']*)'", RegexOptions.Singleline) is { Success: true } cannot)
        {
            var kind = cannot.Groups["type"].Value switch
            {
                "System.Int32" or "System.Int64" => "a whole number",
                "System.Boolean" => "true or false",
                _ => "a value of another kind",
            };
            return $"{Who()} takes {kind}, not '{cannot.Groups["value"].Value}'";
        }
        return Regex.Replace(message, @"\s*\n\s*", " ").Trim();
    }

    /// <summary>An option as people type it: its short aliases, then its name (<c>-l/--location</c>).</summary>
    private static string OptionNames(Option option) =>
        string.Join('/', option.Aliases.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Append(option.Name));

    private static string CommandPathOf(CommandResult result)
    {
        var names = new List<string>();
        for (var r = result; r is not null; r = r.Parent as CommandResult) names.Add(r.Command.Name);
        names.Reverse();
        names[0] = "packster";
        return string.Join(' ', names);
    }

    private static string UnknownOption(string token, CommandResult commandResult)
    {
        var name = token.Split('=', 2)[0];
        var options = new List<Option>(commandResult.Command.Options);
        for (var r = commandResult.Parent as CommandResult; r is not null; r = r.Parent as CommandResult)
        {
            options.AddRange(r.Command.Options.Where(o => o.Recursive));
        }
        var suggestion = DidYouMean.Closest(name, options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)));
        return $"unknown option '{name}'" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?");
    }

    /// <summary>Tokens given as values of options (<c>--to -1</c>): they may look like options and are not.</summary>
    private static HashSet<Token> OptionValueTokens(CommandResult commandResult)
    {
        var values = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        for (SymbolResult? r = commandResult; r is not null; r = r.Parent)
        {
            if (r is not CommandResult c) continue;
            foreach (var option in c.Children.OfType<OptionResult>()) values.UnionWith(option.Tokens);
        }
        return values;
    }

    /// <summary>"-x" or "--word", but not "-" (stdin), "-1" or "-0.5" (negative numbers).</summary>
    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && (char.IsAsciiLetter(token[1]) || (token[1] == '-' && token.Length > 2));

    private static string CommandPath(ParseResult parse) => CommandPathOf(parse.CommandResult);

    /// <summary>
    /// As <see cref="Report(Exception, TextWriter, bool, string?)"/>, with what the command's context knows: no source is
    /// configured because the project config file was ignored, so the hint is to trust that file, not to add a source.
    /// </summary>
    public static int Report(Exception exception, CliContext context, bool verbose, string? signal = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (exception is AggregateException { InnerExceptions.Count: 1 } one) exception = one.InnerExceptions[0];
        if (exception is PacksterException { Code: ErrorCode.SourceNotFound, Hint: Packster.Sources.SourceErrors.AddSourceHint } p
            && context.IgnoredProjectConfig is { } project)
        {
            exception = new PacksterException(p.Code, p.Message, Packster.Sources.Config.ConfigFiles.IgnoredProjectHint(project), p.InnerException);
        }
        return Report(exception, context.Err, verbose, signal);
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
                var tomlCode = t.IsNestingLimit ? ErrorCode.TomlTooDeep : ErrorCode.TomlSyntax;
                err.WriteLine($"error[{ExitCodes.Format(tomlCode)}]: {t.Message}");
                return ExitCodes.For(tomlCode);
            case OperationCanceledException:
                err.WriteLine($"error[{ExitCodes.Format(ErrorCode.Interrupted)}]: interrupted{(signal is null ? "" : " by " + signal)}; what it had begun and not committed was rolled back");
                return ExitCodes.Cancelled;
            case UnauthorizedAccessException or IOException:
                // What the OS refused (disk full, permission, another file system …) is classified, never a bug.
                return Report(FileSystemErrors.Classify(e)!, err, verbose);
            default:
                err.WriteLine($"error[{ExitCodes.Format(ErrorCode.Internal)}]: unexpected {e.GetType().Name}: {e.Message}");
                err.WriteLine(verbose ? e.ToString() : "hint: run again with --verbose for details, and report it");
                return ExitCodes.Failure;
        }
    }
}
