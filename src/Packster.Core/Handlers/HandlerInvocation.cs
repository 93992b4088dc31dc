using Packster.Model;

namespace Packster.Handlers;

/// <summary>
/// Everything needed to run one planned handler: the package it belongs to, the directory it runs in, its full
/// environment (see <see cref="HandlerEnvironment.Build"/>) and the log file its output is appended to.
/// </summary>
public sealed record HandlerInvocation(
    PlannedHandler Handler,
    PackageId PackageId,
    PackageVersion PackageVersion,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    string LogPath)
{
    /// <summary>One invocation per planned handler, in plan order, all running in the context's deployment path.</summary>
    public static IReadOnlyList<HandlerInvocation> ForPlan(HandlerPlan plan, HandlerContext context, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        if (plan.Action != context.Action) throw new ArgumentException($"the plan is for {plan.Action.ToName()} but the context is for {context.Action.ToName()}", nameof(context));
        return plan.Handlers
            .Select(handler => new HandlerInvocation(handler, context.PackageId, context.PackageVersion, context.DeploymentPath, environment, logPath) { Secrets = context.Secrets })
            .ToList();
    }

    /// <summary>Secret parameter values to mask in the handler's output (<see cref="HandlerContext.Secrets"/>).</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>The prefix of every output line on the console: <c>[hello install] </c>.</summary>
    public string OutputPrefix => $"[{PackageId} {Handler.Slot.ToName()}] ";
}
