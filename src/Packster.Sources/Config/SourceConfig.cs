using Packster.Locations;
using Packster.Manifest;
using Packster.Toml;
using Packster.Toml.Editing;

namespace Packster.Sources.Config;

/// <summary>
/// The sources of the config file (<c>[sources.&lt;name&gt;]</c>), and its rules read from the same text
/// (<see cref="Rules"/>). Reading validates every source and rule; writing edits only
/// the sources that changed, in the file's syntax tree, so every other line (comments, blank lines, number formats,
/// key order) stays byte for byte (spec/toml.md §9), and replaces the file atomically.
/// </summary>
public sealed class SourceConfig
{
    private static readonly string[] KnownKeys = ["type", "url", "repo", "token-env", "user", "password-env", "priority", "ca-file", "insecure", "signatures", "trusted-keys"];

    private readonly string? _text;
    private readonly List<SourceDefinition> _read;
    private readonly List<SourceDefinition> _sources;

    private SourceConfig(string path, string? text, List<SourceDefinition> sources, ConfigRules rules)
    {
        Path = path;
        _text = text;
        _read = [.. sources];
        _sources = sources;
        Rules = rules;
    }

    public string Path { get; }

    /// <summary>
    /// The file's <c>[trust]</c>, <c>[licenses]</c> and <c>deny</c>, read from the same text as its sources: what stands
    /// for the user's rules beside a location's (spec/sources.md §1.1).
    /// </summary>
    public ConfigRules Rules { get; }

    /// <summary>The sources in the order they are consulted: ascending priority, then name.</summary>
    public IReadOnlyList<SourceDefinition> Sources =>
        [.. _sources.OrderBy(s => s.Priority).ThenBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>
    /// Keys a project config file may hold only when trusted with <c>--allow-credentials</c> (spec/sources.md §1.1).
    /// A project file may demand signatures, but may not name the keys to trust: that would let a repository vouch for
    /// any key the user ever imported.
    /// </summary>
    public static IReadOnlyList<string> ProjectRestrictedKeys { get; } = ["token-env", "password-env", "user", "ca-file", "insecure", "trusted-keys"];

    /// <summary>Reads the file; a missing file is an empty configuration, a folder in its place an error (PST9005).</summary>
    public static SourceConfig Load(string path)
    {
        var hint = RulesFile.UnreadableHint(RulesFileKind.UserConfig);
        return FileSystemErrors.FileExists(path, "cannot read", hint)
            ? Parse(EditedTomlFile.ReadText(path, ErrorCode.SourceConfigInvalid, hint), path, restricted: false)
            : new SourceConfig(path, null, [], ConfigRules.None(path));
    }

    /// <summary>
    /// Reads config text. <paramref name="restricted"/> (a project file not trusted with <c>--allow-credentials</c>):
    /// a source naming a credential, <c>ca-file</c> or <c>insecure = true</c>, and a <c>[trust]</c> table naming
    /// <c>trusted-keys</c>, are refused with <see cref="ErrorCode.ProjectConfigNotAllowed"/>. A top-level key that is
    /// not one of the config file's (<see cref="RulesFile.TopLevelKeys"/>) is refused with the error of the table it was probably meant to be, and so
    /// is an unknown key in <c>[trust]</c> or <c>[licenses]</c> (<see cref="RulesFile.CheckKeys"/>).
    /// </summary>
    public static SourceConfig Parse(string text, string path, bool restricted)
    {
        // Text that does not parse is the config file's error, as its other faults are (spec/toml.md §9.1).
        var document = TomlFileErrors.Parsing(ErrorCode.SourceConfigInvalid, () => TomlDocument.Parse(text, path, TomlVersion.V1_1));
        // The file's other tables belong to other readers, but a key none of them takes is refused here too, so that
        // every command reading the file stops at a misspelt [trust] or [licenses] rather than run without it.
        RulesFile.CheckKeys(document, path, RulesFileKind.UserConfig);
        var sources = new List<SourceDefinition>();
        if (document.TryGetValue("sources", out var node))
        {
            if (node is not TomlTable table) throw At(path, document.KeyPosition("sources"), "'sources' must be a table of [sources.<name>] tables");
            foreach (var (name, value) in table)
            {
                if (value is not TomlTable source) throw At(path, table.KeyPosition(name), $"'sources.{name}' must be a table");
                sources.Add(Read(path, name, source, restricted));
            }
        }
        // Naming the keys to trust would let a repository vouch for any key the user ever imported (spec/signing.md §
        // Trust policy): where no other table lists keys, the project's list would be the only one.
        if (restricted && document.TryGetValue("trust", out var trust) && trust is TomlTable trustTable && trustTable.ContainsKey("trusted-keys"))
            throw SourceErrors.ProjectTrustedKeysNotAllowed($"{path}:{trustTable.KeyPosition("trusted-keys")}");
        return new SourceConfig(path, text, sources, ConfigRules.Read(document, path));
    }

    public SourceDefinition Get(string name) =>
        _sources.FirstOrDefault(s => s.Name == name) ?? throw SourceErrors.NotFound(name, Sources.Select(s => s.Name));

    /// <summary>
    /// Adds a validated source; a name already present is an error unless <paramref name="replace"/>. A replaced
    /// source keeps the keys <paramref name="source"/> leaves unset that <c>source add</c> has no option for
    /// (<c>signatures</c>, <c>trusted-keys</c>): replacing changes the keys that differ (spec/sources.md §1), and a
    /// source's signature rules are never weakened by it (spec/signing.md § Per source).
    /// </summary>
    public void Add(SourceDefinition source, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        var existing = _sources.FindIndex(s => s.Name == source.Name);
        if (existing >= 0 && replace)
        {
            var old = _sources[existing];
            source = source with
            {
                Signatures = source.Signatures ?? old.Signatures,
                TrustedKeys = source.TrustedKeys.Count > 0 ? source.TrustedKeys : old.TrustedKeys,
            };
        }
        source.Validate();
        if (source.Kind != SourceKind.Folder && source.Url.StartsWith("http:", StringComparison.OrdinalIgnoreCase) && !source.Insecure)
            throw SourceErrors.Insecure(source.Name, source.Url);
        if (existing >= 0 && !replace)
            throw SourceErrors.ConfigInvalid($"a source named '{source.Name}' already exists in {Path}", "remove it first with 'packster source remove'");
        if (existing >= 0) _sources[existing] = source;
        else _sources.Add(source);
    }

    public void Remove(string name)
    {
        if (_sources.RemoveAll(s => s.Name == name) == 0) throw SourceErrors.NotFound(name, Sources.Select(s => s.Name));
    }

    /// <summary>
    /// The file's text with the sources that were added, replaced or removed edited in place, checked to read back as
    /// exactly these sources and everything else as it was; <see cref="ErrorCode.TomlEditRefused"/> otherwise.
    /// </summary>
    public string ToToml()
    {
        try
        {
            var editor = TomlEditor.Parse(_text ?? "", Path);
            foreach (var old in _read)
            {
                if (!_sources.Any(s => s.Name == old.Name)) editor.Remove(["sources", old.Name]);
            }
            foreach (var source in _sources)
            {
                var previous = _read.FirstOrDefault(r => r.Name == source.Name);
                if (previous == source) continue;
                var keys = Keys(source);
                foreach (var (key, value) in keys)
                {
                    string[] path = ["sources", source.Name, key];
                    // A replaced source that relied on the default priority keeps relying on it.
                    if (key == "priority" && previous is not null && source.Priority == SourceDefinition.DefaultPriority && !editor.Contains(path)) continue;
                    editor.Set(path, value);
                }
                foreach (var (key, _) in previous is null ? [] : Keys(previous))
                {
                    if (!keys.Any(k => k.Key == key)) editor.Remove(["sources", source.Name, key]);
                }
            }
            return editor.Verified();
        }
        catch (TomlEditException e)
        {
            throw EditedTomlFile.Refused(Path, e);
        }
    }

    /// <summary>
    /// Reads the user config file of <paramref name="paths"/>, applies <paramref name="change"/> and saves it, all under
    /// the file's lock (<see cref="FileLock.ForUserFile"/>, spec/sources.md §1), so that an edit by another process at
    /// the same time is read before this one is made, never overwritten by it. Returns the configuration as saved.
    /// </summary>
    public static SourceConfig Edit(PacksterPaths paths, TextWriter? waiting, Action<SourceConfig> change)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(change);
        using var held = FileLock.ForUserFile(paths, paths.UserConfigFile, waiting);
        var config = Load(paths.UserConfigFile);
        change(config);
        config.Save();
        return config;
    }

    /// <summary>
    /// Edits the file (see <see cref="ToToml"/>) and replaces it atomically, so readers see the old or the new file. The
    /// caller holds the file's lock from the read on (<see cref="Edit"/>).
    /// </summary>
    public void Save()
    {
        var text = ToToml();
        FileSystemErrors.CreateFolder(System.IO.Path.GetDirectoryName(Path)!, "config folder", $"move what is there away, or set {PacksterPaths.ConfigVariable} to a file in a folder");
        EditedTomlFile.Write(Path, text);
    }

    /// <summary>The keys a source is written with, in the order a new [sources.NAME] table lists them.</summary>
    private static List<(string Key, TomlValue Value)> Keys(SourceDefinition s)
    {
        var keys = new List<(string, TomlValue)> { ("type", TomlValue.String(s.Kind.ToConfigText())), ("url", TomlValue.String(s.Url)) };
        if (s.Repo is not null) keys.Add(("repo", TomlValue.String(s.Repo)));
        if (s.TokenEnv is not null) keys.Add(("token-env", TomlValue.String(s.TokenEnv)));
        if (s.User is not null) keys.Add(("user", TomlValue.String(s.User)));
        if (s.PasswordEnv is not null) keys.Add(("password-env", TomlValue.String(s.PasswordEnv)));
        keys.Add(("priority", TomlValue.Integer(s.Priority)));
        if (s.CaFile is not null) keys.Add(("ca-file", TomlValue.String(s.CaFile)));
        if (s.Insecure) keys.Add(("insecure", TomlValue.Boolean(true)));
        if (s.Signatures is { } mode) keys.Add(("signatures", TomlValue.String(Trust.TrustRules.ModeName(mode))));
        if (s.TrustedKeys.Count > 0) keys.Add(("trusted-keys", TomlValue.Strings(s.TrustedKeys)));
        return keys;
    }

    private static SourceDefinition Read(string file, string name, TomlTable table, bool restricted)
    {
        foreach (var key in table.Keys)
        {
            if (!KnownKeys.Contains(key))
            {
                var suggestion = DidYouMean.Closest(key, KnownKeys);
                throw At(file, table.KeyPosition(key), $"unknown key '{key}' in [sources.{name}]" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?"));
            }
        }
        if (restricted)
        {
            // A project file came with a repository: it may not choose which secret is sent, or weaken TLS.
            var refused = table.Keys.Where(k => ProjectRestrictedKeys.Contains(k) && table[k] is not TomlBoolean { Value: false }).ToList();
            if (refused.Count > 0) throw SourceErrors.ProjectConfigNotAllowed($"{file}:{table.KeyPosition(refused[0])}", name, refused);
        }
        string? Text(string key)
        {
            if (!table.TryGetValue(key, out var v)) return null;
            return v is TomlString s ? s.Value : throw At(file, v.Position, $"'sources.{name}.{key}' must be a string, found {v.TypeName}");
        }
        var typeText = Text("type") ?? throw At(file, table.Position, $"[sources.{name}] needs type = \"folder\" | \"http\" | \"artifactory\" | \"oci\"");
        if (!SourceKinds.TryParse(typeText, out var kind))
            throw At(file, table["type"].Position, $"'sources.{name}.type' is '{typeText}', expected \"folder\", \"http\", \"artifactory\" or \"oci\"");
        var priority = SourceDefinition.DefaultPriority;
        if (table.TryGetValue("priority", out var p))
        {
            priority = p switch
            {
                TomlInteger { Value: >= int.MinValue and <= int.MaxValue } i => (int)i.Value,
                TomlInteger i => throw At(file, p.Position,
                    $"'sources.{name}.priority' is {i.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}, out of range: it must be from {int.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture)} to {int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}"),
                _ => throw At(file, p.Position, $"'sources.{name}.priority' must be an integer, found {p.TypeName}"),
            };
        }
        var insecure = false;
        if (table.TryGetValue("insecure", out var b))
        {
            insecure = b is TomlBoolean flag ? flag.Value : throw At(file, b.Position, $"'sources.{name}.insecure' must be a boolean, found {b.TypeName}");
        }
        Trust.SignatureMode? signatures = null;
        if (Text("signatures") is { } modeText)
        {
            signatures = Trust.TrustRules.TryParseMode(modeText, out var mode) ? mode
                : throw At(file, table["signatures"].Position, $"'sources.{name}.signatures' is '{modeText}', expected \"off\", \"warn\" or \"require\"");
        }
        var trustedKeys = new List<string>();
        if (table.TryGetValue("trusted-keys", out var k))
        {
            if (k is not TomlArray array || array.Any(n => n is not TomlString))
                throw At(file, k.Position, $"'sources.{name}.trusted-keys' must be an array of key ids");
            trustedKeys.AddRange(array.Cast<TomlString>().Select(x => x.Value));
        }
        var definition = new SourceDefinition
        {
            Name = name,
            Kind = kind,
            Url = Text("url") ?? throw At(file, table.Position, $"[sources.{name}] needs 'url'"),
            Repo = Text("repo"),
            TokenEnv = Text("token-env"),
            User = Text("user"),
            PasswordEnv = Text("password-env"),
            Priority = priority,
            CaFile = Text("ca-file"),
            Insecure = insecure,
            Signatures = signatures,
            TrustedKeys = trustedKeys,
            Origin = file,
        };
        try
        {
            return definition.Validate();
        }
        catch (PacksterException e)
        {
            throw new PacksterException(e.Code, $"{file}:{table.Position}: {e.Message}", e.Hint);
        }
    }

    /// <summary>A fault of the file at <paramref name="position"/>; the names and values it quotes are the file's text, shown escaped.</summary>
    private static PacksterException At(string file, TomlPosition position, string message) =>
        SourceErrors.ConfigInvalid(TerminalText.Printable($"{file}:{position}: {message}"));
}
