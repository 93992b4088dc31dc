using System.Text;
using Packster.Locations;
using Packster.Model;
using Packster.Packaging;

namespace Packster.Sources.Config;

/// <summary>
/// Which config file a command reads (spec/sources.md §1, §1.1): the user's own file (<c>PACKSTER_CONFIG</c>, else the
/// XDG/APPDATA one) when set or present; else <c>./packster.toml</c>, but only once the user has trusted those exact
/// bytes with <c>packster config trust</c>. An untrusted or changed project file is ignored with one warning line.
/// </summary>
public static class ConfigFiles
{
    public const string ProjectFileName = "packster.toml";

    /// <summary>The project config file of <paramref name="paths"/>' working directory (it may not exist).</summary>
    public static string ProjectFile(PacksterPaths paths) => Path.Combine(paths.CurrentDirectory, ProjectFileName);

    /// <summary>The configuration a reading command uses; warnings about an ignored project file go to <paramref name="warnings"/>.</summary>
    public static SourceConfig LoadEffective(PacksterPaths paths, TextWriter warnings) => LoadEffective(paths, warnings, out _);

    /// <summary>As above; <paramref name="ignored"/> is the project file ignored (untrusted or changed), else null.</summary>
    public static SourceConfig LoadEffective(PacksterPaths paths, TextWriter warnings, out string? ignored)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(warnings);
        ignored = null;
        // Anything where the user's file belongs (a folder, a FIFO, a link that leads nowhere) is refused by Load, not
        // passed over for the project file.
        if (paths.Get(PacksterPaths.ConfigVariable) is not null || FileKinds.Of(paths.UserConfigFile) != FileKind.Missing) return SourceConfig.Load(paths.UserConfigFile);
        var project = ProjectFile(paths);
        if (!File.Exists(project)) return SourceConfig.Load(paths.UserConfigFile);
        // Never read when it is not a regular file: a FIFO would hold every command here until someone writes to it. The
        // open cannot wait on one either (RegularFile), should one be put there after this check.
        if (FileKinds.OfTarget(project) is var kind and not (FileKind.Regular or FileKind.Missing)) return Ignoring(kind);

        // Hashed and parsed from one read, so the bytes checked are the bytes used.
        var bytes = RegularFile.TryReadAllBytes(project, out kind);
        if (bytes is null) return Ignoring(kind);
        var record = ConfigTrust.Load(paths).Find(project);
        if (record is null || record.Sha256 != Sha256Digest.Compute(bytes))
        {
            var why = record is null ? "a project config file is not trusted" : "it changed since it was trusted";
            warnings.WriteLine($"warning: ignoring {project}: {why}; review it, then run 'packster config trust' in {paths.CurrentDirectory} to use it");
            ignored = project;
            return SourceConfig.Load(paths.UserConfigFile);
        }
        return SourceConfig.Parse(Decode(bytes), project, restricted: !record.AllowCredentials);

        // Whether found so by its type first or by its open, not read: the user's config is.
        SourceConfig Ignoring(FileKind what)
        {
            warnings.WriteLine($"warning: ignoring {project}: it is {what.Describe()}, not a regular file");
            return SourceConfig.Load(paths.UserConfigFile);
        }
    }

    /// <summary>
    /// The hint for "no source is configured" when the sources would have come from <paramref name="project"/>, which
    /// was ignored (spec/sources.md §1.1): trusting it is what to do. <c>source add</c> would write the user's config,
    /// which is then read instead of any project file, so the project's sources would stay unused.
    /// </summary>
    public static string IgnoredProjectHint(string project)
    {
        ArgumentNullException.ThrowIfNull(project);
        return $"{project} was ignored, so none of its sources was read: review it, then run 'packster config trust' in "
            + $"{Path.GetDirectoryName(project)} to use them ('packster source add' writes your user config, which is then read instead of it)";
    }

    /// <summary>
    /// Trusts <paramref name="file"/> as it is now: it must parse, and without <paramref name="allowCredentials"/> name no
    /// credential, <c>insecure</c>, <c>ca-file</c> or key to trust (else nothing is recorded). Returns the record and the sources it holds.
    /// The records are read, changed and written under their lock (<see cref="ConfigTrust.Edit"/>); a wait for it is said
    /// on <paramref name="waiting"/>.
    /// </summary>
    public static (ConfigTrust.Record Record, SourceConfig Config) Trust(PacksterPaths paths, string file, bool allowCredentials, TextWriter? waiting = null)
    {
        var path = Path.GetFullPath(file, paths.CurrentDirectory);
        FileSystemErrors.RequireFile(path, "config file");
        // Before it is opened: opening a FIFO waits for a writer, and a device's bytes never end. Neither could give
        // the same bytes to every later command, which is what trusting records.
        var kind = FileKinds.OfTarget(path);
        if (kind is not (FileKind.Regular or FileKind.Missing)) throw NotRegular(kind);
        var bytes = RegularFile.ReadAllBytes(path, NotRegular);
        var config = SourceConfig.Parse(Decode(bytes), path, restricted: !allowCredentials);
        var record = ConfigTrust.Edit(paths, waiting, trust => trust.Trust(path, Sha256Digest.Compute(bytes), allowCredentials));
        return (record, config);

        PacksterException NotRegular(FileKind kind) =>
            new(ErrorCode.InvalidArgument, $"config file '{path}' is {kind.Describe()}, not a regular file",
                "trust the packster.toml file itself: every later command reads it again and must find the bytes that were reviewed");
    }

    /// <summary>Forgets the trust in <paramref name="file"/> (under the records' lock); false when it was not trusted.</summary>
    public static bool Untrust(PacksterPaths paths, string file, TextWriter? waiting = null) =>
        ConfigTrust.Edit(paths, waiting, trust => trust.Untrust(Path.GetFullPath(file, paths.CurrentDirectory)));

    /// <summary>UTF-8, a byte order mark skipped: what File.ReadAllText reads for the user's file.</summary>
    private static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
