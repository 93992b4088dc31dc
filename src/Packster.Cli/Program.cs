using Packster.Cli;

// A thread-pool worker is started now, on another core, while the command line is parsed and the location read: a
// command that works on every core (recovery's check of each deployment, a listing, an extraction) otherwise waited
// for the pool to make its first worker right when it needed it.
if (Environment.ProcessorCount > 1) ThreadPool.UnsafeQueueUserWorkItem(static _ => { }, null);

// Listening first: from here on, SIGINT and SIGTERM cancel the command and end in an error line (spec/handlers.md §Interrupts).
var interrupts = Interrupts.Listen(Console.Error);
var code = PacksterApp.Run(args, CliContext.FromProcess(), interrupts);
GC.KeepAlive(interrupts);
return code;
