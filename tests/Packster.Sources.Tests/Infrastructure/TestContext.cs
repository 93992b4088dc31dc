using Packster.Sources.Http;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>A <see cref="SourceContext"/> whose retry waits are recorded instead of slept, with a captured warnings writer and optional smaller read limits.</summary>
public sealed class TestContext
{
    public TestContext(Dictionary<string, string>? environment = null, string? currentDirectory = null, SourceLimits? limits = null)
    {
        Environment = environment ?? new Dictionary<string, string>(StringComparer.Ordinal);
        Retry = new RetryPolicy
        {
            Delay = (delay, _) =>
            {
                lock (Delays) Delays.Add(delay);
                return Task.CompletedTask;
            },
        };
        Context = new SourceContext(Environment, Warnings, currentDirectory ?? System.Environment.CurrentDirectory, Retry, limits);
    }

    public Dictionary<string, string> Environment { get; }
    public StringWriter Warnings { get; } = new();
    public List<TimeSpan> Delays { get; } = [];
    public RetryPolicy Retry { get; }
    public SourceContext Context { get; }
}
