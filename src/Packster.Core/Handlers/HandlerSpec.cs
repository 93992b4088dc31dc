namespace Packster.Handlers;

/// <summary>
/// One handler as the manifest declares it: a script path relative to the package root ('/'-separated),
/// an optional time limit and an optional executor (program + leading arguments; the script path is appended).
/// </summary>
public sealed record HandlerSpec(string ScriptPath, TimeSpan? Timeout = null, IReadOnlyList<string>? Executor = null);
