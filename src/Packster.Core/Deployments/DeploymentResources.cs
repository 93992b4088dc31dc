using Packster.Activation;
using Packster.Resources;

namespace Packster.Deployments;

/// <summary>
/// What one deployment brings while it is active, with every template expanded: its shims (absolute targets),
/// its environment, its ports and shared paths, and the resource claims all of that amounts to.
/// </summary>
public sealed record DeploymentResources(
    IReadOnlyList<ShimDefinition> Shims,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<int> Ports,
    IReadOnlyList<string> SharedFiles,
    IReadOnlyList<string> SharedDirs)
{
    /// <summary>The list variables it extends, expanded (spec/resources.md § List variables).</summary>
    public IReadOnlyDictionary<string, ListExtension> EnvLists { get; init; } = new Dictionary<string, ListExtension>();

    /// <summary>Its <c>[[service]]</c> processes, expanded (spec/activation.md § Services).</summary>
    public IReadOnlyList<ServiceDefinition> Services { get; init; } = [];

    /// <summary>The application menu entries it installs while active (spec/activation.md § Desktop entries).</summary>
    public IReadOnlyList<DesktopEntry> Desktop { get; init; } = [];

    /// <summary>Every resource this deployment claims while active: shim names, env keys, ports, shared files and dirs.</summary>
    public IReadOnlyList<ResourceClaim> Claims
    {
        get
        {
            var claims = new List<ResourceClaim>();
            claims.AddRange(Shims.Select(s => ResourceClaim.Shim(s.Name)));
            claims.AddRange(Env.Keys.Select(k => ResourceClaim.EnvKey(k)));
            claims.AddRange(EnvLists.Keys.Select(k => ResourceClaim.EnvList(k)));
            claims.AddRange(Ports.Select(ResourceClaim.Port));
            claims.AddRange(SharedFiles.Select(f => ResourceClaim.SharedFile(f)));
            claims.AddRange(SharedDirs.Select(d => ResourceClaim.SharedDir(d)));
            return claims.Distinct().ToList();
        }
    }

    /// <summary>Expands the manifest's shims and provides for a deployment at <paramref name="deploymentPath"/> in <paramref name="locationPath"/>.</summary>
    public static DeploymentResources For(Manifest.Manifest manifest, EffectiveParameters parameters, string deploymentPath, string locationPath)
    {
        var values = CheckedValues(manifest, parameters, deploymentPath, locationPath);
        var shims = manifest.Shims.Values
            .OrderBy(s => s.Name.Value, StringComparer.Ordinal)
            .Select(s => new ShimDefinition(
                s.Name.Value,
                s.Target.Under(deploymentPath),
                s.Args.Select(a => a.Expand(values)).ToList(),
                s.Env.ToDictionary(e => e.Key, e => e.Value.Expand(values), StringComparer.Ordinal)))
            .ToList();
        var env = ExpandEnv(manifest, values);
        CheckEnvironmentEntries(manifest, env);
        var ports = manifest.Provides.ExpandPorts(values);
        var files = manifest.Provides.SharedFiles.Select(t => Path.GetFullPath(t.Expand(values), locationPath)).ToList();
        var dirs = manifest.Provides.SharedDirs.Select(t => Path.GetFullPath(t.Expand(values), locationPath)).ToList();
        var lists = manifest.Provides.EnvLists.ToDictionary(e => e.Key,
            e => new ListExtension([.. e.Value.Prepend.Select(t => t.Expand(values))], [.. e.Value.Append.Select(t => t.Expand(values))], e.Value.Priority),
            StringComparer.Ordinal);
        var desktop = manifest.Desktop.Select(d => new DesktopEntry(d.Id, d.Name, d.Exec.Under(deploymentPath), [.. d.Args.Select(a => a.Expand(values))],
            d.Icon?.Under(deploymentPath), d.Categories, d.Comment, d.Terminal)).ToList();
        var services = manifest.Services.Select(s => new ServiceDefinition(s.Name, s.Exec.Under(deploymentPath), [.. s.Args.Select(a => a.Expand(values))],
            [.. s.Ports.Select(p => ports[manifest.Provides.Ports.ToList().FindIndex(q => q.Text == p.Text)])])).ToList();
        return new DeploymentResources(shims, env, ports, files, dirs) { EnvLists = lists, Desktop = desktop, Services = services };
    }

    /// <summary>
    /// What a listing shows of the resources <see cref="For"/> expands, and nothing else: shim names (sorted), the
    /// environment and the ports, after the same checks, so a deployment <see cref="For"/> refuses is refused alike.
    /// </summary>
    public static ResourceSummary Summary(Manifest.Manifest manifest, EffectiveParameters parameters, string deploymentPath, string locationPath)
    {
        var values = CheckedValues(manifest, parameters, deploymentPath, locationPath);
        var shims = new string[manifest.Shims.Count];
        var i = 0;
        foreach (var shim in manifest.Shims.Values) shims[i++] = shim.Name.Value;
        Array.Sort(shims, StringComparer.Ordinal);
        return new ResourceSummary(shims, ExpandEnv(manifest, values), manifest.Provides.ExpandPorts(values));
    }

    /// <summary>
    /// The template values of a deployment, once every parameter value is known to be writable where the manifest
    /// puts it. Refused here, before anything is planned or committed: a value that cannot be written into a shim or an
    /// activation script would otherwise fail only when the scripts are regenerated (spec/parameters.md).
    /// </summary>
    private static IReadOnlyDictionary<string, string> CheckedValues(Manifest.Manifest manifest, EffectiveParameters parameters, string deploymentPath, string locationPath)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(parameters);
        var values = parameters.TemplateValues(deploymentPath, locationPath);
        foreach (var (name, value) in parameters.Values)
        {
            // A scalar's text is what the template values hold for it (an array or object there is canonical JSON).
            var scalar = EffectiveParameters.IsScalar(value) ? values[EffectiveParameters.PlaceholderOf(name)] : null;
            if (Packster.Manifest.ValueRules.WhyNotParameterValue(manifest, name, value, scalar, out var tooLong) is { } why)
            {
                throw tooLong ? ParameterErrors.ValueTooLong(name, why) : ParameterErrors.ValueInvalid(name, why);
            }
        }
        return values;
    }

    /// <summary>
    /// Refuses a <c>[provides] env</c> value no process could be started with once activation exports it: every shim
    /// and shell of the location would fail with E2BIG (spec/parameters.md § Limits). Only a parameter makes one that long.
    /// </summary>
    private static void CheckEnvironmentEntries(Manifest.Manifest manifest, Dictionary<string, string> env)
    {
        foreach (var (key, value) in env)
        {
            if (Packster.Manifest.ValueRules.WhyNotEnvironmentEntry(key, value) is not { } why) continue;
            var name = manifest.Provides.Env[key].ParameterNames.FirstOrDefault() ?? key;
            throw ParameterErrors.ValueTooLong(name, $"{why}, and it is exported through provides.env.{key}");
        }
    }

    private static Dictionary<string, string> ExpandEnv(Manifest.Manifest manifest, IReadOnlyDictionary<string, string> values)
    {
        var env = new Dictionary<string, string>(manifest.Provides.Env.Count, StringComparer.Ordinal);
        foreach (var (key, template) in manifest.Provides.Env) env.Add(key, template.Expand(values));
        return env;
    }
}

/// <summary>A deployment's shim names, environment and ports, expanded: what <c>packster list</c> shows.</summary>
public sealed record ResourceSummary(IReadOnlyList<string> ShimNames, IReadOnlyDictionary<string, string> Env, IReadOnlyList<int> Ports);

/// <summary>One deployment's entries for a list variable: before and after the value it had, and its priority.</summary>
public sealed record ListExtension(IReadOnlyList<string> Prepend, IReadOnlyList<string> Append, int Priority);

/// <summary>One service of a deployment: its absolute executable, expanded arguments, and the ports that say it is up.</summary>
public sealed record ServiceDefinition(string Name, string Exec, IReadOnlyList<string> Args, IReadOnlyList<int> Ports);
