using System.Text.Json;
using Packster.Deployments;
using Packster.Handlers;
using Packster.Locations;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Packaging;

/// <summary>
/// <c>packster pack</c>: validates the manifest, runs the pack handlers (when there are any) in a staging copy of
/// the source so the user's folder is never modified, then packs what they produced (spec/handlers.md § pack).
/// </summary>
public sealed class SourcePacker
{
    private readonly SourcePackerOptions _options;

    public SourcePacker(SourcePackerOptions options) => _options = options;

    public async Task<(PackResult Result, Manifest.Manifest Manifest)> PackAsync(string sourceDir, string outputDir, CancellationToken cancellationToken = default)
    {
        sourceDir = Path.GetFullPath(sourceDir);
        if (File.Exists(sourceDir)) throw new PacksterException(ErrorCode.NotADirectory, $"'{sourceDir}' is a file; pack takes the package's source folder");
        if (!Directory.Exists(sourceDir)) throw new PacksterException(ErrorCode.PathNotFound, $"package source folder '{sourceDir}' does not exist");
        var manifest = Manifest.ManifestReader.ReadFromDirectory(sourceDir);
        // Before the output folder is created or a handler runs: a refusal here writes nothing (pack --platform).
        _options.Accept?.Invoke(manifest);
        var specs = HandlerSpecs.From(manifest);
        Manifest.ManifestFiles.Check(manifest, sourceDir, beforePackHandlers: true);
        if (!specs.ContainsKey(HandlerAction.Pack) && !specs.ContainsKey(HandlerAction.Any))
        {
            return (Packer.Pack(sourceDir, outputDir, manifest.Id, manifest.Version, _options.Pack, _options.Progress, cancellationToken), manifest);
        }

        // Before the handlers run (they may take minutes): a wrong -o costs nothing (spec/handlers.md §Pack staging).
        Packer.RefuseOutputThatIsNoFolder(Path.GetFullPath(outputDir));
        var staging = Path.Combine(Path.GetTempPath(), "packster-pack-" + Guid.NewGuid().ToString("N"));
        PackEnvironment? packEnvironment = null;
        // The staging copy (and the pack location) must be deleted: an interrupt lets this unwind rather than end the process.
        using var work = UnfinishedWork.Begin();
        try
        {
            packEnvironment = await PreparePackLocationAsync(manifest, cancellationToken).ConfigureAwait(false);
            // An executor (python3, dotnet…) may be a shim of the pack location: search the PATH the handlers will get.
            var executors = packEnvironment is null ? _options.Executors : _options.Executors.WithSearch(ExecutableSearch.ForEnvironment(packEnvironment.Variables));
            var plan = executors.Plan(specs, HandlerAction.Pack, staging, _options.HandlerTimeout);
            PackStaging.Create(sourceDir, staging, cancellationToken);
            // Nobody gives parameters to pack: its handlers get the declared defaults. A required parameter without one
            // is simply absent here; resolving as for an install would refuse to pack such a package at all.
            var defaults = EffectiveParameters.Resolve(
                manifest.Parameters.Where(p => p.Value.Default is not null).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), null);
            // Next to the staging copy, not inside it: the handlers must not find it among the package's files.
            // HandlerEnvironment.Build creates it owner-only.
            var parametersFile = staging + ".parameters.json";
            var context = new HandlerContext(HandlerAction.Pack, manifest.Id, manifest.Version, staging, null, defaults.Json);
            var logPath = PackLogPath(manifest);
            try
            {
                var env = packEnvironment is null
                    ? HandlerEnvironment.Build(context, parametersFile, _options.BaseEnvironment)
                    : HandlerEnvironment.Build(context, parametersFile, packEnvironment.Variables, Activated(packEnvironment.Variables));
                await new HandlerRunner(_options.HandlerOutput) { PackLog = true }.RunPlanAsync(plan, context, env, logPath, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                packEnvironment?.Dispose();
                File.Delete(parametersFile);
            }
            // The handlers may not rename the package: its identity comes from the manifest the user wrote.
            var produced = Manifest.ManifestReader.ReadFromDirectory(staging);
            if (produced.Id != manifest.Id || produced.Version != manifest.Version)
            {
                throw new PacksterException(ErrorCode.ManifestInvalid,
                    $"the pack handlers changed the manifest's id or version ({manifest.Id} {manifest.Version} → {produced.Id} {produced.Version})");
            }
            Manifest.ManifestFiles.Check(produced, staging, beforePackHandlers: false);
            return (Packer.Pack(staging, outputDir, manifest.Id, manifest.Version, _options.Pack, _options.Progress, cancellationToken), manifest);
        }
        catch (PacksterException e) when (NamesTheCopy(e, staging))
        {
            throw InTheSource(e, staging, sourceDir);
        }
        finally
        {
            packEnvironment?.Dispose();
            Installer.Discard(staging);
        }
    }

    /// <summary>
    /// Whether <paramref name="error"/> names the staging copy (its path, or its folder name as the package rules give it)
    /// rather than something outside it: a full disk or a read-only file system in the temp folder is about that folder
    /// and keeps its path, and so does the parameters file beside the copy. <c>pack --from</c> asks the same of its
    /// own staging folder.
    /// </summary>
    internal static bool NamesTheCopy(PacksterException error, string staging) =>
        error.Code is not (ErrorCode.DiskFull or ErrorCode.ReadOnlyFileSystem or ErrorCode.CrossDevice)
        && !error.Message.Contains(staging + ".parameters.json", StringComparison.Ordinal)
        && error.Message.Contains(Path.GetFileName(staging), StringComparison.Ordinal);

    /// <summary>
    /// An error about the staging copy, said of the folder the user gave (spec/handlers.md § Pack staging): the copy is
    /// deleted by the time the message is read, and its name means nothing to the user. The folder's path (or its name,
    /// where the package rules name only the folder) takes the copy's, so a file is named relative to the user's folder;
    /// the words say it was found after the pack handlers ran, as the folder itself may not hold what the copy did.
    /// The code and the hint stay.
    /// </summary>
    private static PacksterException InTheSource(PacksterException error, string staging, string sourceDir)
    {
        var source = Path.TrimEndingDirectorySeparator(sourceDir);
        string Renamed(string text) => InPlaceOfTheCopy(text, staging, source, Path.GetFileName(source));
        return new PacksterException(error.Code, $"{Renamed(error.Message)} (found after the pack handlers ran, in their copy of the folder)",
            error.Hint is null ? null : Renamed(error.Hint), error);
    }

    /// <summary>
    /// <paramref name="text"/> with the staging copy's path said as <paramref name="path"/> and its bare folder name (which
    /// the package rules give: <c>symlink 'x' -> '/etc' in 'packster-pack-…'</c>) as <paramref name="name"/>: what the
    /// user gave instead of a folder deleted by the time the message is read.
    /// </summary>
    internal static string InPlaceOfTheCopy(string text, string staging, string path, string name) =>
        text.Replace(staging, path, StringComparison.Ordinal).Replace(Path.GetFileName(staging), name, StringComparison.Ordinal);

    /// <summary>The variables the pack location's activation set or changed: its env keys pass to the handlers like PATH.</summary>
    private IEnumerable<string> Activated(IReadOnlyDictionary<string, string> activated) =>
        activated.Where(kv => (_options.BaseEnvironment is { } caller
            ? caller.GetValueOrDefault(kv.Key)
            : Environment.GetEnvironmentVariable(kv.Key)) != kv.Value).Select(kv => kv.Key);

    /// <summary>
    /// <c>&lt;data&gt;/logs/&lt;id&gt;-&lt;version&gt;-pack.log</c> (spec/handlers.md §Logs): a per-user directory that outlives the
    /// staging copy, rather than a fixed name in the shared system temp directory that another user could pre-create.
    /// </summary>
    private string PackLogPath(Manifest.Manifest manifest)
    {
        var directory = _options.LogDirectory
            ?? Path.Combine((_options.BaseEnvironment is { } env ? new PacksterPaths(env, OperatingSystem.IsWindows(), Environment.CurrentDirectory) : PacksterPaths.FromProcess()).DataHome, "logs");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $"{manifest.Id}-{manifest.Version}-pack.log");
    }

    /// <summary>
    /// A manifest with <c>[pack-location]</c> requirements needs them installed and active while its pack handlers run;
    /// resolving them needs sources, which this assembly does not know, so the caller provides the hook.
    /// </summary>
    private async Task<PackEnvironment?> PreparePackLocationAsync(Manifest.Manifest manifest, CancellationToken cancellationToken)
    {
        if (manifest.PackLocation.Count == 0) return null;
        if (_options.PackEnvironment is null)
        {
            throw new PacksterException(ErrorCode.InvalidArgument,
                $"{manifest.Id} {manifest.Version} has [pack-location] requirements ({string.Join(", ", manifest.PackLocation)}) but nothing here can install them",
                "pack with the packster command line, which installs them from the configured sources");
        }
        return await _options.PackEnvironment(manifest, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// The environment pack handlers run in when the package has <c>[pack-location]</c> requirements: the base environment
/// with a temporary location activated. Dispose removes whatever was created for it.
/// </summary>
public sealed class PackEnvironment : IDisposable
{
    private readonly Action? _cleanup;

    public PackEnvironment(IReadOnlyDictionary<string, string> variables, Action? cleanup = null)
    {
        Variables = variables;
        _cleanup = cleanup;
    }

    public IReadOnlyDictionary<string, string> Variables { get; }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cleanup?.Invoke();
    }
}

/// <summary>The outside world a <see cref="SourcePacker"/> talks to.</summary>
public sealed record SourcePackerOptions
{
    public TextWriter HandlerOutput { get; init; } = TextWriter.Null;
    public IProgress<PackProgress>? Progress { get; init; }
    public ExecutorResolver Executors { get; init; } = ExecutorResolver.ForCurrentProcess();
    public IReadOnlyDictionary<string, string>? BaseEnvironment { get; init; }
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>How the package is compressed (format tuning: the default is <see cref="PackOptions.Default"/>).</summary>
    public PackOptions Pack { get; init; } = PackOptions.Default;

    /// <summary>Installs a manifest's <c>[pack-location]</c> requirements and returns the environment to pack in (see spec/sources.md § pack-location).</summary>
    public Func<Manifest.Manifest, CancellationToken, Task<PackEnvironment>>? PackEnvironment { get; init; }

    /// <summary>
    /// Judges the package's manifest once it is read and before anything is written (<c>pack --platform</c>, spec/manifest.md
    /// § [platform]): no output folder is created, no pack handler runs and no file is replaced unless it returns.
    /// </summary>
    public Action<Manifest.Manifest>? Accept { get; init; }

    /// <summary>Where pack handler logs go; null: <c>&lt;data&gt;/logs</c> of the base environment (PACKSTER_DATA_HOME, XDG_DATA_HOME, …).</summary>
    public string? LogDirectory { get; init; }
}
