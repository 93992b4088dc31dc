using System.Globalization;

namespace Packster.Manifest;

/// <summary>
/// What a deployment claims while active (besides its shim names). Ports are either fixed numbers or a single
/// <c>{param.NAME}</c> of an integer parameter; every template references only declared parameters.
/// </summary>
public sealed record ProvidedResources(
    IReadOnlyDictionary<string, Template> Env,
    IReadOnlyList<Template> Ports,
    IReadOnlyList<Template> SharedFiles,
    IReadOnlyList<Template> SharedDirs)
{
    public static ProvidedResources None { get; } = new(new Dictionary<string, Template>(), [], [], []);

    /// <summary>
    /// The list variables this package extends (<c>LD_LIBRARY_PATH = { prepend = "{deployment}/lib" }</c>, spec/manifest.md
    /// § [provides]): several packages may extend one, in the order of spec/resources.md § List variables.
    /// </summary>
    public IReadOnlyDictionary<string, EnvListSpec> EnvLists { get; init; } = new Dictionary<string, EnvListSpec>();

    /// <summary>The port numbers for one set of template values; a value outside 1–65535 is an error naming the template.</summary>
    public IReadOnlyList<int> ExpandPorts(IReadOnlyDictionary<string, string> values)
    {
        // A loop into an array of the right size: a listing expands the ports of every deployment.
        var ports = new int[Ports.Count];
        for (var i = 0; i < ports.Length; i++)
        {
            var template = Ports[i];
            var text = template.Expand(values);
            ports[i] = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
                ? port
                : throw new PacksterException(ErrorCode.ParameterWrongType, $"provides.ports: '{template.Text}' expands to '{text}', which is not a port number (1-65535)");
        }
        return ports;
    }
}

/// <summary>One list variable a package extends: entries put before and after the value it had, and its priority (higher is nearer the front).</summary>
public sealed record EnvListSpec(IReadOnlyList<Template> Prepend, IReadOnlyList<Template> Append, int Priority);
