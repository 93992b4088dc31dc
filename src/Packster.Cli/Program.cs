using Packster.Cli;

// Listening first: from here on, SIGINT and SIGTERM cancel the command and end in an error line (spec/handlers.md §Interrupts).
var interrupts = Interrupts.Listen(Console.Error);
var code = PacksterApp.Run(args, CliContext.FromProcess(), interrupts);
GC.KeepAlive(interrupts);
return code;
