using System.Text.Encodings.Web;
using System.Text.Json;

namespace Packster.Handlers;

/// <summary>
/// Builds the environment block a handler starts with: the minimal part of the caller's base environment (this
/// process's by default) that spec/handlers.md §Environment lists — never a credential a source reads from it —
/// plus the variables packster sets for handlers. Parameters reach handlers only as variables and a JSON file,
/// never through a command line or shell string.
/// </summary>
public static class HandlerEnvironment
{
    public const string Action = "PACKSTER_ACTION";
    public const string PackageId = "PACKSTER_PACKAGE_ID";
    public const string PackageVersion = "PACKSTER_PACKAGE_VERSION";
    public const string DeploymentPath = "PACKSTER_DEPLOYMENT_PATH";
    public const string LocationPath = "PACKSTER_LOCATION_PATH";
    public const string ParametersFile = "PACKSTER_PARAMETERS_FILE";
    public const string ParameterPrefix = "PACKSTER_PARAM_";
    public const string PreviousVersion = "PACKSTER_PREVIOUS_VERSION";
    public const string PreviousPath = "PACKSTER_PREVIOUS_PATH";

    /// <summary>Install/upgrade only (set by the installer): where the staging directory will be renamed to.</summary>
    public const string DeploymentFinalPath = "PACKSTER_DEPLOYMENT_FINAL_PATH";

    /// <summary>
    /// Set by the runner, not by <see cref="Build"/>: after the tokens of the runs it is part of, the token of the packster
    /// process (which the location lock's holder file records, for the next holder should packster die) and a random
    /// token per handler run, by which packster finds the run's processes whose parent exited (spec/handlers.md §Processes).
    /// </summary>
    public const string HandlerRun = "PACKSTER_HANDLER_RUN";

    /// <summary>Names more variables for handlers to inherit, separated by commas or white space: <c>HTTPS_PROXY,NPM_CONFIG_REGISTRY</c>.</summary>
    public const string PassVariable = "PACKSTER_PASS_ENV";

    /// <summary>
    /// What every handler inherits when the caller has it: where programs and home are, who the user is, locale, time
    /// zone, temp directories, the terminal, the user's service manager, and what Windows programs cannot start without.
    /// Also every <c>LC_*</c> and <c>PACKSTER_*</c> variable (a handler that runs packster finds the same configuration).
    /// </summary>
    public static readonly IReadOnlyList<string> InheritedVariables =
    [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "TERM", "XDG_RUNTIME_DIR",
        "SystemRoot", "SystemDrive", "windir", "ComSpec", "PATHEXT", "USERPROFILE", "USERNAME", "USERDOMAIN", "HOMEDRIVE", "HOMEPATH",
        "APPDATA", "LOCALAPPDATA", "ProgramData", "ProgramFiles", "ProgramFiles(x86)", "ProgramW6432", "CommonProgramFiles",
        "CommonProgramFiles(x86)", "CommonProgramW6432", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE", "OS", "PSModulePath",
    ];

    private static readonly string[] OwnVariables = [Action, PackageId, PackageVersion, DeploymentPath, DeploymentFinalPath, LocationPath, ParametersFile, PreviousVersion, PreviousPath];

    /// <summary>
    /// Writes the effective parameters as JSON to <paramref name="parametersFile"/> (owner-only on POSIX) and returns
    /// the full environment for the handlers of <paramref name="context"/>.
    /// </summary>
    /// <param name="baseEnvironment">The caller's environment; null means this process's. Only <see cref="Inherits"/> passes.</param>
    /// <param name="alsoInherit">More names to pass, beyond those of <see cref="PassVariable"/> (a pack location's activated keys).</param>
    public static IReadOnlyDictionary<string, string> Build(HandlerContext context, string parametersFile,
        IReadOnlyDictionary<string, string>? baseEnvironment = null, IEnumerable<string>? alsoInherit = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(parametersFile);
        var parameters = ScalarVariables(context.Parameters);

        var comparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var caller = baseEnvironment ?? CurrentProcessEnvironment();
        var passed = new HashSet<string>(PassedNames(caller), comparer);
        if (alsoInherit is not null) passed.UnionWith(alsoInherit);
        var environment = new Dictionary<string, string>(comparer);
        foreach (var (key, value) in caller)
        {
            if (Inherits(key) || passed.Contains(key)) environment[key] = value;
        }
        // A handler that runs packster again must not see its parent's parameters as its own.
        foreach (var key in environment.Keys.Where(IsOwn).ToList()) environment.Remove(key);

        environment[Action] = context.Action.ToName();
        environment[PackageId] = context.PackageId.Value;
        environment[PackageVersion] = context.PackageVersion.ToString();
        environment[DeploymentPath] = Path.GetFullPath(context.DeploymentPath);
        if (context.LocationPath is not null) environment[LocationPath] = Path.GetFullPath(context.LocationPath);
        if (context.PreviousVersion is not null) environment[PreviousVersion] = context.PreviousVersion.ToString();
        if (context.PreviousPath is not null) environment[PreviousPath] = Path.GetFullPath(context.PreviousPath);

        WriteParametersFile(context.Parameters, parametersFile);
        environment[ParametersFile] = Path.GetFullPath(parametersFile);
        foreach (var (variable, value) in parameters) environment[variable] = value;
        return environment;
    }

    /// <summary>Whether a handler inherits variable <paramref name="name"/> of its caller without being asked to.</summary>
    public static bool Inherits(string name) =>
        InheritedVariables.Contains(name, OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal)
        || name.StartsWith("LC_", StringComparison.Ordinal)
        || (name.StartsWith("PACKSTER_", StringComparison.OrdinalIgnoreCase) && !IsOwn(name));

    /// <summary>The names <see cref="PassVariable"/> lists in <paramref name="caller"/>.</summary>
    public static IReadOnlyList<string> PassedNames(IReadOnlyDictionary<string, string> caller) =>
        caller.TryGetValue(PassVariable, out var list)
            ? list.Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)
            : [];

    private static bool IsOwn(string key) =>
        key.StartsWith(ParameterPrefix, StringComparison.OrdinalIgnoreCase) || OwnVariables.Contains(key, StringComparer.OrdinalIgnoreCase);

    /// <summary><c>log-level</c> → <c>PACKSTER_PARAM_LOG_LEVEL</c>: upper-cased, every non-ASCII-alphanumeric as '_'.</summary>
    public static string ParameterVariable(string name) => Manifest.ParameterName.EnvironmentVariable(name);

    /// <summary>
    /// The <c>PACKSTER_PARAM_*</c> variables: strings verbatim, numbers in canonical form, booleans as true/false: the
    /// text a template's <c>{param.NAME}</c> gives and secret masking looks for. A number as given (<c>1.50</c>) made the
    /// install handler see another text than the uninstall handler, which gets the lockfile's canonical <c>1.5</c>, and
    /// escaped the masking of a secret. Null, arrays and objects are only in the JSON file.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ScalarVariables(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object) throw HandlerErrors.ParametersNotObject(parameters.ValueKind.ToString().ToLowerInvariant());
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var variables = new List<KeyValuePair<string, string>>();
        foreach (var property in parameters.EnumerateObject())
        {
            if (Deployments.EffectiveParameters.ScalarText(property.Value) is not { } value) continue;
            var variable = ParameterVariable(property.Name);
            if (owners.TryGetValue(variable, out var first)) throw HandlerErrors.ParameterNameCollision(variable, first, property.Name);
            if (value.Contains('\0', StringComparison.Ordinal)) throw HandlerErrors.ParameterHasNul(property.Name);
            owners[variable] = property.Name;
            variables.Add(new(variable, value));
        }
        return variables;
    }

    /// <summary>
    /// How <c>PACKSTER_PARAMETERS_FILE</c> escapes strings. Relaxed, so non-ASCII text stays readable: the file is read
    /// as JSON, never embedded in HTML. The handler log masks secrets in this form too (<see cref="HandlerLog.Masks"/>).
    /// </summary>
    internal static JavaScriptEncoder ParametersFileEncoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private static void WriteParametersFile(JsonElement parameters, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        // Parameters may be sensitive (tokens, passwords): only the owner may read the file.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = ParametersFileEncoder }))
        {
            WriteValue(writer, parameters);
        }
        stream.Write("\n"u8);
    }

    /// <summary>
    /// Writes <paramref name="value"/> with every number in its canonical text (spec/parameters.md § Canonical JSON): the
    /// text <c>PACKSTER_PARAM_*</c> gives and a secret number is masked by. A number as given (<c>1.2345e4</c>,
    /// <c>4711.00</c>) escaped the masking of a secret, and made the install handler read another text than the
    /// uninstall handler, whose parameters are the lockfile's canonical ones.
    /// </summary>
    private static void WriteValue(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteValue(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray()) WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(Deployments.CanonicalJson.Serialize(value), skipInputValidation: true);
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    internal static Dictionary<string, string> CurrentProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value) result[key] = value;
        }
        return result;
    }
}
