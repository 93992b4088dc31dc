namespace Packster.Handlers;

/// <summary>A handler that finished with exit code 0: how long it took and where its output was logged.</summary>
public sealed record HandlerResult(PlannedHandler Handler, int ExitCode, TimeSpan Duration, string LogPath);
