using System.Text.Json;
using Packster.Deployments;
using Packster.Model;
using Packster.Toml;

namespace Packster.Manifest;

/// <summary>
/// Turns a parsed TOML document into a <see cref="Manifest"/>, checking every rule of spec/manifest.md. Unknown keys are
/// checked first at each level, then sections in a fixed order (parameters before everything that may reference them).
/// </summary>
internal sealed class ManifestBuilder
{
    private static readonly string[] RootKeys =
        ["id", "version", "description", "license", "authors", "homepage", "platform", "parameters", "handlers", "shims", "provides", "dependencies", "pack-location", "install-bundle", "locator", "desktop", "service"];
    private static readonly string[] PlatformKeys = ["os", "arch", "libc"];
    private static readonly string[] ParameterKeys = ["type", "default", "required", "description", "enum", "secret"];
    private static readonly string[] HandlerKeys = ["pack", "install", "upgrade", "uninstall", "test", "any"];
    private static readonly string[] HandlerTableKeys = ["script", "timeout", "executor"];
    private static readonly string[] ShimTableKeys = ["target", "args", "env"];
    private static readonly string[] ProvidesKeys = ["env", "ports", "shared-files", "shared-dirs"];
    private static readonly string[] BundleTableKeys = ["version", "parameters"];

    private readonly TomlTable _root;
    private readonly string _file;
    private Dictionary<string, ParameterDeclaration> _parameters = new(StringComparer.Ordinal);

    /// <summary>Every default and enum value as written, to judge them by where the finished manifest sends them.</summary>
    private readonly List<(string Parameter, TomlNode Node, string Path, JsonElement Value)> _declaredValues = [];

    public ManifestBuilder(TomlTable root, string file)
    {
        _root = root;
        _file = file;
    }

    public Manifest Build()
    {
        CheckKeys(_root, "", RootKeys);
        var id = ReadId();
        var version = ReadVersion();
        var description = OptionalString(_root, "", "description");
        var license = OptionalString(_root, "", "license");
        var authors = OptionalStringList(_root, "", "authors") ?? [];
        var homepage = ReadHomepage();
        var platform = OptionalTable(_root, "", "platform") is { } p ? ReadPlatform(p) : PlatformConstraint.Any;
        _parameters = OptionalTable(_root, "", "parameters") is { } ps ? ReadParameters(ps) : new(StringComparer.Ordinal);
        var handlers = OptionalTable(_root, "", "handlers") is { } hs ? ReadHandlers(hs) : new Dictionary<HandlerAction, HandlerSpec>();
        var shims = OptionalTable(_root, "", "shims") is { } ss ? ReadShims(ss) : new Dictionary<string, ShimSpec>(StringComparer.Ordinal);
        var provides = OptionalTable(_root, "", "provides") is { } pr ? ReadProvides(pr) : ProvidedResources.None;
        var dependencies = OptionalTable(_root, "", "dependencies") is { } ds ? ReadRequirements(ds, "dependencies") : [];
        var packLocation = OptionalTable(_root, "", "pack-location") is { } pl ? ReadRequirements(pl, "pack-location") : [];
        var bundle = OptionalTable(_root, "", "install-bundle") is { } ib ? ReadBundle(ib) : [];
        var locators = OptionalTable(_root, "", "locator") is { } lt ? ReadLocators(lt) : new Dictionary<string, LocatorPattern>(StringComparer.Ordinal);
        var desktop = _root.TryGetValue("desktop", out var dn) ? ReadDesktop(dn) : [];
        var services = _root.TryGetValue("service", out var sn) ? ReadServices(sn, provides) : [];
        var manifest = new Manifest(_file, id, version, description, license, authors, homepage, platform, _parameters, handlers, shims, provides,
            dependencies, packLocation, bundle, locators) { Desktop = desktop, Services = services };
        // Last: whether a default can be used depends on the templates that reference it (spec/parameters.md).
        foreach (var (parameter, node, path, value) in _declaredValues)
        {
            if (ValueRules.WhyNotParameterValue(manifest, parameter, value) is { } why) throw Invalid(ErrorCode.ManifestInvalid, node, path, why);
        }
        return manifest;
    }

    // ---- top level ----

    private PackageId ReadId()
    {
        var node = RequiredString(_root, "", "id");
        return PackageId.TryParse(node.Value, out var id, out var why) ? id
            : throw Invalid(ErrorCode.InvalidPackageId, node, "id", $"'{Packaging.ArchiveErrors.Printable(node.Value)}' is not a package id: {Packaging.ArchiveErrors.Printable(why)}",
                "ids use lowercase letters, digits, '.', '_' and '-', and never '-' followed by a digit");
    }

    private PackageVersion ReadVersion()
    {
        var node = RequiredString(_root, "", "version");
        if (node.Value.Length > PackageVersion.MaxLength)
        {
            throw Invalid(ErrorCode.InvalidVersion, node, "version",
                $"'{Packaging.ArchiveErrors.Printable(node.Value[..20])}…' is {node.Value.Length} characters long; a version has at most {PackageVersion.MaxLength}, so that the package file name fits a file system's 255 bytes");
        }
        return PackageVersion.TryParse(node.Value, out var v) ? v
            : throw Invalid(ErrorCode.InvalidVersion, node, "version", $"'{Packaging.ArchiveErrors.Printable(node.Value)}' is not strict SemVer 2.0 (e.g. 1.2.0, 2.0.0-rc.1) or \"latest\"");
    }

    private Uri? ReadHomepage()
    {
        if (OptionalNode<TomlString>(_root, "", "homepage", "a string") is not { } node) return null;
        if (!Uri.TryCreate(node.Value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw Invalid(ErrorCode.ManifestInvalid, node, "homepage", $"'{Packaging.ArchiveErrors.Printable(node.Value)}' is not an absolute http(s) URL");
        }
        // Written into the SBOMs as a URL their schemas accept (spec/bom.md): one that cannot be written so is refused here.
        return HomepageUrl.Unwritable(uri) is { } why
            ? throw Invalid(ErrorCode.ManifestInvalid, node, "homepage", $"'{Packaging.ArchiveErrors.Printable(node.Value)}' is not an absolute http(s) URL: {why}")
            : uri;
    }

    private PlatformConstraint ReadPlatform(TomlTable table)
    {
        CheckKeys(table, "platform", PlatformKeys);
        return new PlatformConstraint(ReadChoices(table, "os", PlatformConstraint.KnownOs, versioned: true), ReadChoices(table, "arch", PlatformConstraint.KnownArch, versioned: false))
        {
            Libc = ReadChoices(table, "libc", PlatformConstraint.KnownLibc, versioned: true),
        };
    }

    /// <summary>
    /// An array of known names; with <paramref name="versioned"/>, each may carry version bounds (<c>linux&gt;=5.4</c>,
    /// spec/manifest.md § [platform]). A name is listed once.
    /// </summary>
    private List<string> ReadChoices(TomlTable table, string key, IReadOnlyList<string> known, bool versioned)
    {
        var path = Join("platform", key);
        if (OptionalNode<TomlArray>(table, "platform", key, "an array of strings") is not { } array) return [];
        var values = new List<string>();
        var names = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            var s = Expect<TomlString>(array[i], $"{path}[{i}]", "a string");
            string name;
            if (versioned)
            {
                try
                {
                    name = PlatformRequirement.Parse(s.Value).Name;
                }
                catch (FormatException e)
                {
                    throw Invalid(ErrorCode.ManifestInvalid, s, path, e.Message);
                }
            }
            else
            {
                name = s.Value;
            }
            if (!known.Contains(name))
            {
                var suggestion = DidYouMean.Closest(name, known);
                throw Invalid(ErrorCode.ManifestInvalid, s, path,
                    $"unknown value '{s.Value}'; expected one of {string.Join(", ", known)}{(versioned ? ", optionally with version bounds such as >=5.4" : "")}"
                    + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)"));
            }
            if (names.Contains(name)) throw Invalid(ErrorCode.ManifestInvalid, s, path, $"'{name}' is listed twice");
            names.Add(name);
            values.Add(s.Value);
        }
        return values;
    }

    // ---- parameters ----

    private Dictionary<string, ParameterDeclaration> ReadParameters(TomlTable table)
    {
        var result = new Dictionary<string, ParameterDeclaration>(StringComparer.Ordinal);
        var envNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in table)
        {
            var path = Join("parameters", name);
            if (ParameterName.Why(name) is { } why) throw InvalidAtKey(ErrorCode.ManifestInvalid, table, name, path, why);
            var env = ParameterName.EnvironmentVariable(name);
            if (envNames.TryGetValue(env, out var other))
            {
                throw InvalidAtKey(ErrorCode.ManifestInvalid, table, name, path, $"'{name}' and '{other}' would both be passed to handlers as {env}");
            }
            envNames[env] = name;
            result[name] = ReadParameter(name, Expect<TomlTable>(node, path, "a table"), path);
        }
        return result;
    }

    private ParameterDeclaration ReadParameter(string name, TomlTable table, string path)
    {
        CheckKeys(table, path, ParameterKeys);
        if (!table.TryGetValue("type", out var typeNode)) throw ManifestException.MissingKey(_file, table.Position, Join(path, "type"));
        var typeString = Expect<TomlString>(typeNode, Join(path, "type"), "a string");
        if (!TypeNames.TryParse(typeString.Value, out var type))
        {
            var suggestion = DidYouMean.Closest(typeString.Value, TypeNames.All);
            throw Invalid(ErrorCode.ManifestInvalid, typeString, Join(path, "type"),
                $"unknown type '{typeString.Value}'; expected one of {string.Join(", ", TypeNames.All)}" + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)"));
        }
        var typeName = TypeNames.Of(type);

        JsonElement? defaultValue = null;
        if (table.TryGetValue("default", out var defaultNode))
        {
            defaultValue = TypedValue(defaultNode, Join(path, "default"), type, typeName);
            _declaredValues.Add((name, defaultNode, Join(path, "default"), defaultValue.Value));
        }
        var required = OptionalNode<TomlBoolean>(table, path, "required", "a boolean")?.Value ?? false;
        var secret = OptionalNode<TomlBoolean>(table, path, "secret", "a boolean")?.Value ?? false;
        var description = OptionalString(table, path, "description");

        List<JsonElement>? enumValues = null;
        if (OptionalNode<TomlArray>(table, path, "enum", "an array") is { } enumArray)
        {
            if (enumArray.Count == 0) throw Invalid(ErrorCode.ManifestInvalid, enumArray, Join(path, "enum"), "an enum must list at least one value");
            if (type is ParameterType.Array or ParameterType.Object)
            {
                throw Invalid(ErrorCode.ManifestInvalid, enumArray, Join(path, "enum"), $"enum is only allowed for scalar types, not {typeName}");
            }
            enumValues = [];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < enumArray.Count; i++)
            {
                var value = TypedValue(enumArray[i], $"{Join(path, "enum")}[{i}]", type, typeName);
                if (!seen.Add(CanonicalJson.Serialize(value)))
                {
                    throw Invalid(ErrorCode.ManifestInvalid, enumArray[i], $"{Join(path, "enum")}[{i}]", $"{CanonicalJson.Serialize(value)} is listed twice");
                }
                enumValues.Add(value);
                _declaredValues.Add((name, enumArray[i], $"{Join(path, "enum")}[{i}]", value));
            }
            if (defaultValue is { } d && !seen.Contains(CanonicalJson.Serialize(d)))
            {
                throw Invalid(ErrorCode.ManifestInvalid, defaultNode!, Join(path, "default"),
                    $"default {CanonicalJson.Serialize(d)} is not one of the enum values {string.Join(", ", enumValues.Select(CanonicalJson.Serialize))}");
            }
        }
        return new ParameterDeclaration(name, type, defaultValue, required, description, enumValues) { Secret = secret };
    }

    private JsonElement TypedValue(TomlNode node, string path, ParameterType type, string typeName)
    {
        var value = ToJson(node, path);
        if (!TypeNames.Matches(type, value))
        {
            throw Invalid(ErrorCode.ManifestWrongType, node, path, $"expected {ManifestException.Article(typeName)} (the declared type), found {ManifestException.Article(node.TypeName)}");
        }
        return value;
    }

    private JsonElement ToJson(TomlNode node, string path)
    {
        var depth = TomlJson.Depth(node);
        if (depth > ParameterInput.MaxValueDepth)
        {
            throw Invalid(ErrorCode.ParameterTooDeep, node, path,
                $"nests {depth} arrays or tables deep; parameter values nest at most {ParameterInput.MaxValueDepth} (spec/parameters.md § Limits)");
        }
        var json = TomlJson.Convert(node, out var nonFinite);
        return nonFinite is null ? json
            : throw Invalid(ErrorCode.ManifestInvalid, nonFinite, path, "nan and inf cannot be represented in JSON parameters");
    }

    // ---- handlers ----

    private Dictionary<HandlerAction, HandlerSpec> ReadHandlers(TomlTable table)
    {
        CheckKeys(table, "handlers", HandlerKeys);
        var result = new Dictionary<HandlerAction, HandlerSpec>();
        foreach (var (key, node) in table)
        {
            var action = (HandlerAction)Array.IndexOf(HandlerKeys, key);
            var path = Join("handlers", key);
            result[action] = node switch
            {
                TomlString s => new HandlerSpec(action, ReadPath(s, path), null, null),
                TomlTable t => ReadHandlerTable(action, t, path),
                _ => throw ManifestException.WrongType(_file, node, path, "a script path or a table { script, timeout, executor }"),
            };
        }
        return result;
    }

    private HandlerSpec ReadHandlerTable(HandlerAction action, TomlTable table, string path)
    {
        CheckKeys(table, path, HandlerTableKeys);
        var script = ReadPath(RequiredString(table, path, "script"), Join(path, "script"));
        TimeSpan? timeout = null;
        if (OptionalNode<TomlString>(table, path, "timeout", "a duration string such as \"90s\", \"5m\" or \"1h\"") is { } t)
        {
            timeout = Handlers.TimeSpanText.TryParse(t.Value, out var ts, out var why) ? ts : throw Invalid(ErrorCode.ManifestInvalid, t, Join(path, "timeout"), why);
        }
        List<string>? executor = null;
        if (OptionalNode<TomlArray>(table, path, "executor", "an array of strings") is { } e)
        {
            if (e.Count == 0) throw Invalid(ErrorCode.ManifestInvalid, e, Join(path, "executor"), "an executor needs at least the program to run");
            executor = StringItems(e, Join(path, "executor"), allowEmpty: false);
            // The rule install judges the program by: a path inside the package must be one, so no package is made that every install refuses.
            if (Handlers.ExecutorResolver.ExecutorProblem(executor[0]) is { } why)
            {
                throw Invalid(ErrorCode.InvalidPath, e[0], $"{Join(path, "executor")}[0]", $"'{Packaging.ArchiveErrors.Printable(executor[0])}' {why}",
                    "an executor is a program on PATH, a full path, or a relative '/' path inside the package");
            }
        }
        return new HandlerSpec(action, script, timeout, executor);
    }

    // ---- locator ----

    private Dictionary<string, LocatorPattern> ReadLocators(TomlTable table)
    {
        var result = new Dictionary<string, LocatorPattern>(StringComparer.Ordinal);
        foreach (var (name, node) in table)
        {
            var path = Join("locator", name);
            if (LocatorName.Why(name) is { } why) throw InvalidAtKey(ErrorCode.ManifestInvalid, table, name, path, why);
            var s = Expect<TomlString>(node, path, "a path or glob inside the deployment, such as \"bin/java\" or \"lib/python3*/site-packages\"");
            result[name] = LocatorPattern.TryParse(s.Value, out var pattern, out var bad) ? pattern : throw Invalid(ErrorCode.InvalidPath, s, path, $"'{s.Value}': {bad}");
        }
        return result;
    }

    // ---- shims ----

    private Dictionary<string, ShimSpec> ReadShims(TomlTable table)
    {
        var result = new Dictionary<string, ShimSpec>(StringComparer.Ordinal);
        var folded = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, node) in table)
        {
            var path = Join("shims", key);
            if (!ShimName.TryParse(key, out var name, out var why)) throw InvalidAtKey(ErrorCode.InvalidShimName, table, key, path, why);
            // Shims become files; on case-insensitive file systems two names differing only in case collide.
            if (folded.TryGetValue(key, out var other)) throw InvalidAtKey(ErrorCode.InvalidShimName, table, key, path, $"differs from shim '{other}' only in case");
            folded[key] = key;
            result[key] = node switch
            {
                TomlString s => new ShimSpec(name, ReadPath(s, path), [], new Dictionary<string, Template>(StringComparer.Ordinal)),
                TomlTable t => ReadShimTable(name, t, path),
                _ => throw ManifestException.WrongType(_file, node, path, "a target path or a table { target, args, env }"),
            };
        }
        return result;
    }

    private ShimSpec ReadShimTable(ShimName name, TomlTable table, string path)
    {
        CheckKeys(table, path, ShimTableKeys);
        var target = ReadPath(RequiredString(table, path, "target"), Join(path, "target"));
        var args = ReadArgs(table, path);
        var env = OptionalTable(table, path, "env") is { } e ? ReadEnv(e, Join(path, "env")) : new Dictionary<string, Template>(StringComparer.Ordinal);
        return new ShimSpec(name, target, args, env);
    }

    // ---- desktop ----

    private static readonly string[] DesktopKeys = ["id", "name", "exec", "args", "icon", "categories", "comment", "terminal"];

    /// <summary><c>[[desktop]]</c>: an array of tables, each a menu entry (spec/manifest.md § [[desktop]]).</summary>
    private List<DesktopSpec> ReadDesktop(TomlNode node)
    {
        var array = Expect<TomlArray>(node, "desktop", "an array of tables ([[desktop]])");
        var entries = new List<DesktopSpec>();
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"desktop[{i}]";
            var table = Expect<TomlTable>(array[i], path, "a table");
            CheckKeys(table, path, DesktopKeys);
            var name = RequiredString(table, path, "name");
            if (name.Value.Length == 0 || name.Value.Any(char.IsControl)) throw Invalid(ErrorCode.ManifestInvalid, name, Join(path, "name"), "a name is one line of text, not empty");
            var idNode = OptionalNode<TomlString>(table, path, "id", "a string");
            var id = idNode?.Value ?? Slug(name.Value);
            if (!IsDesktopId(id))
            {
                throw Invalid(ErrorCode.ManifestInvalid, (TomlNode?)idNode ?? name, Join(path, "id"),
                    $"'{id}' is not a desktop entry id: 1-64 lowercase ASCII letters, digits and '-', starting with a letter" + (idNode is null ? " (give id = \"…\")" : ""));
            }
            if (entries.Any(e => e.Id == id)) throw Invalid(ErrorCode.ManifestInvalid, (TomlNode?)idNode ?? name, Join(path, "id"), $"desktop entry id '{id}' is used twice");
            var exec = ReadPath(RequiredString(table, path, "exec"), Join(path, "exec"));
            var args = ReadArgs(table, path, menu: true);
            PackagePath? icon = OptionalNode<TomlString>(table, path, "icon", "a string") is { } ic ? ReadPath(ic, Join(path, "icon")) : null;
            var categories = new List<string>();
            if (OptionalNode<TomlArray>(table, path, "categories", "an array of strings") is { } cs)
            {
                for (var j = 0; j < cs.Count; j++)
                {
                    var c = Expect<TomlString>(cs[j], $"{Join(path, "categories")}[{j}]", "a string");
                    if (c.Value.Length == 0 || !c.Value.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-'))
                    {
                        throw Invalid(ErrorCode.ManifestInvalid, c, $"{Join(path, "categories")}[{j}]", $"'{c.Value}' is not a category: ASCII letters, digits and '-' (e.g. Development, Utility)");
                    }
                    categories.Add(c.Value);
                }
            }
            var comment = OptionalNode<TomlString>(table, path, "comment", "a string");
            if (comment is not null && comment.Value.Any(char.IsControl)) throw Invalid(ErrorCode.ManifestInvalid, comment, Join(path, "comment"), "a comment is one line of text");
            var terminal = OptionalNode<TomlBoolean>(table, path, "terminal", "a boolean")?.Value ?? false;
            entries.Add(new DesktopSpec(id, name.Value, exec, args, icon, categories, comment?.Value, terminal));
        }
        return entries;
    }

    private static readonly string[] ServiceKeys = ["name", "exec", "args", "ports"];

    /// <summary>
    /// <c>[[service]]</c>: each a named process with the ports that say it is up; every port must be one the package
    /// declares in <c>[provides] ports</c>, so the resource guard already holds it for the deployment.
    /// </summary>
    private List<ServiceSpec> ReadServices(TomlNode node, ProvidedResources provides)
    {
        var array = Expect<TomlArray>(node, "service", "an array of tables ([[service]])");
        var services = new List<ServiceSpec>();
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"service[{i}]";
            var table = Expect<TomlTable>(array[i], path, "a table");
            CheckKeys(table, path, ServiceKeys);
            var name = RequiredString(table, path, "name");
            if (!IsDesktopId(name.Value)) throw Invalid(ErrorCode.ManifestInvalid, name, Join(path, "name"), $"'{name.Value}' is not a service name: 1-64 lowercase ASCII letters, digits and '-', starting with a letter");
            if (services.Any(s => s.Name == name.Value)) throw Invalid(ErrorCode.ManifestInvalid, name, Join(path, "name"), $"service '{name.Value}' is declared twice");
            var exec = ReadPath(RequiredString(table, path, "exec"), Join(path, "exec"));
            var args = ReadArgs(table, path);
            var ports = new List<Template>();
            if (OptionalNode<TomlArray>(table, path, "ports", "an array of port numbers or \"{param.NAME}\" templates") is { } ps)
            {
                for (var j = 0; j < ps.Count; j++)
                {
                    var port = ReadPort(ps[j], $"{Join(path, "ports")}[{j}]");
                    if (!provides.Ports.Any(p => p.Text == port.Text))
                    {
                        throw Invalid(ErrorCode.ManifestInvalid, ps[j], $"{Join(path, "ports")}[{j}]",
                            $"port {port.Text} is not in [provides] ports: a service listens only on ports the package claims");
                    }
                    ports.Add(port);
                }
            }
            services.Add(new ServiceSpec(name.Value, exec, args, ports));
        }
        return services;
    }

    private static bool IsDesktopId(string id) =>
        id.Length is > 0 and <= 64 && char.IsAsciiLetterLower(id[0]) && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>The default id of an entry: its name in lowercase ASCII, other characters runs turned into '-'.</summary>
    private static string Slug(string name)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        return sb.ToString().Trim('-');
    }

    /// <summary><c>args</c> of a shim, desktop entry or service: templates, each one argument, written into generated files.</summary>
    /// <remarks>
    /// A desktop entry's (<paramref name="menu"/>) also go into a <c>.desktop</c> file or a shortcut, which carry no
    /// control character at all (C1 included), as its name and comment.
    /// </remarks>
    private List<Template> ReadArgs(TomlTable table, string path, bool menu = false)
    {
        var args = new List<Template>();
        if (OptionalNode<TomlArray>(table, path, "args", "an array of strings") is not { } a) return args;
        for (var i = 0; i < a.Count; i++)
        {
            var where = $"{Join(path, "args")}[{i}]";
            var node = Expect<TomlString>(a[i], where, "a string");
            if (menu && ValueRules.WhyNotMenuText(node.Value) is { } why) throw Invalid(ErrorCode.ManifestInvalid, node, where, why);
            args.Add(ReadScriptTemplate(node, where));
        }
        return args;
    }

    // ---- provides ----

    private ProvidedResources ReadProvides(TomlTable table)
    {
        CheckKeys(table, "provides", ProvidesKeys);
        var env = new Dictionary<string, Template>(StringComparer.Ordinal);
        var lists = new Dictionary<string, EnvListSpec>(StringComparer.Ordinal);
        if (OptionalTable(table, "provides", "env") is { } e)
        {
            // A table value is a list variable several packages may extend; a string sets the variable (spec/manifest.md § [provides]).
            foreach (var (key, node) in e)
            {
                if (node is TomlTable list) lists[key] = ReadEnvList(e, key, list);
            }
            foreach (var (key, value) in ReadEnv(e, "provides.env", skip: lists.Keys)) env[key] = value;
        }
        var ports = new List<Template>();
        if (OptionalNode<TomlArray>(table, "provides", "ports", "an array of port numbers or \"{param.NAME}\" templates") is { } pa)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < pa.Count; i++)
            {
                var port = ReadPort(pa[i], $"provides.ports[{i}]");
                if (!seen.Add(port.Text)) throw Invalid(ErrorCode.ManifestInvalid, pa[i], $"provides.ports[{i}]", $"port {port.Text} is listed twice");
                ports.Add(port);
            }
        }
        return new ProvidedResources(env, ports, ReadTemplateList(table, "provides", "shared-files"), ReadTemplateList(table, "provides", "shared-dirs"))
        {
            EnvLists = lists,
        };
    }

    private static readonly string[] EnvListKeys = ["prepend", "append", "priority"];

    /// <summary><c>NAME = { prepend = "…" | […], append = "…" | […], priority = N }</c>: at least one entry; each a path template.</summary>
    private EnvListSpec ReadEnvList(TomlTable env, string key, TomlTable table)
    {
        var path = Join("provides.env", key);
        CheckEnvironmentName(env, key, path);
        CheckKeys(table, path, EnvListKeys);
        var prepend = ReadListEntries(table, path, "prepend");
        var append = ReadListEntries(table, path, "append");
        if (prepend.Count + append.Count == 0)
        {
            throw InvalidAtKey(ErrorCode.ManifestInvalid, env, key, path, "a list variable needs at least one entry: prepend = \"{deployment}/lib\" or append = [...]");
        }
        var priority = 0;
        if (OptionalNode<TomlInteger>(table, path, "priority", "an integer") is { } integer)
        {
            if (integer.Value is < -1000 or > 1000) throw Invalid(ErrorCode.ManifestInvalid, integer, Join(path, "priority"), "a priority is an integer from -1000 to 1000");
            priority = (int)integer.Value;
        }
        return new EnvListSpec(prepend, append, priority);
    }

    private List<Template> ReadListEntries(TomlTable table, string path, string key)
    {
        var entries = new List<Template>();
        if (!table.TryGetValue(key, out var node)) return entries;
        var keyPath = Join(path, key);
        if (node is TomlString single)
        {
            entries.Add(ReadScriptTemplate(single, keyPath));
            return entries;
        }
        var array = Expect<TomlArray>(node, keyPath, "a string or an array of strings");
        for (var i = 0; i < array.Count; i++) entries.Add(ReadScriptTemplate(Expect<TomlString>(array[i], $"{keyPath}[{i}]", "a string"), $"{keyPath}[{i}]"));
        return entries;
    }

    private Template ReadPort(TomlNode node, string path)
    {
        switch (node)
        {
            case TomlInteger i when i.Value is >= 1 and <= 65535:
                return Template.Literal(i.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            case TomlInteger i:
                throw Invalid(ErrorCode.ManifestInvalid, i, path, $"{i.Value} is not a port number (1-65535)");
            case TomlString s:
                var t = ReadTemplate(s, path);
                if (!t.IsSinglePlaceholder || t.ParameterNames.SingleOrDefault() is not { } p)
                {
                    throw Invalid(ErrorCode.InvalidTemplate, s, path, $"'{s.Value}': a port template must be exactly \"{{param.NAME}}\"");
                }
                if (_parameters[p].Type != ParameterType.Integer)
                {
                    throw Invalid(ErrorCode.InvalidTemplate, s, path, $"parameter '{p}' is {ManifestException.Article(_parameters[p].TypeName)}; a port must come from an integer parameter");
                }
                return t;
            default:
                throw ManifestException.WrongType(_file, node, path, "a port number or a \"{param.NAME}\" string");
        }
    }

    private List<Template> ReadTemplateList(TomlTable table, string parent, string key)
    {
        var path = Join(parent, key);
        if (OptionalNode<TomlArray>(table, parent, key, "an array of strings") is not { } array) return [];
        var result = new List<Template>();
        for (var i = 0; i < array.Count; i++) result.Add(ReadTemplate(Expect<TomlString>(array[i], $"{path}[{i}]", "a string"), $"{path}[{i}]"));
        return result;
    }

    private Dictionary<string, Template> ReadEnv(TomlTable table, string path, IEnumerable<string>? skip = null)
    {
        var result = new Dictionary<string, Template>(StringComparer.Ordinal);
        var skipped = skip?.ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var (key, node) in table)
        {
            if (skipped.Contains(key)) continue;
            var keyPath = Join(path, key);
            CheckEnvironmentName(table, key, keyPath);
            result[key] = ReadScriptTemplate(Expect<TomlString>(node, keyPath, "a string"), keyPath);
        }
        return result;
    }

    /// <summary>
    /// An environment variable a manifest sets has a name activation lets a location set (spec/resources.md §2, the rule
    /// install applies): judged here, so that a package install would refuse is never packed.
    /// </summary>
    private void CheckEnvironmentName(TomlTable table, string key, string path)
    {
        if (string.Equals(key, "PATH", StringComparison.OrdinalIgnoreCase))
        {
            throw InvalidAtKey(ErrorCode.ManifestInvalid, table, key, path, "PATH is the location's own: its shims folder comes first; declare shims instead");
        }
        if (Resources.EnvKeyName.WhyNot(key) is null) return;
        throw InvalidAtKey(ErrorCode.ManifestInvalid, table, key, path,
            Resources.EnvKeyName.IsReserved(key) ? "the _PACKSTER_ prefix is activation's own"
            : Resources.EnvKeyName.ShellMeaning(key) is { } meaning ? $"{key} is a shell variable a package may not set: {meaning}"
            : key.Length > Resources.EnvKeyName.MaxLength ? $"an environment variable name is at most {Resources.EnvKeyName.MaxLength} characters"
            : "an environment variable name is ASCII letters, digits and '_', not starting with a digit");
    }

    /// <summary>A template whose expansion is written into shims and activation scripts: its own text may hold no control character.</summary>
    private Template ReadScriptTemplate(TomlString node, string path)
    {
        if (ValueRules.WhyNotScriptText(node.Value) is { } why) throw Invalid(ErrorCode.ManifestInvalid, node, path, why);
        return ReadTemplate(node, path);
    }

    private Template ReadTemplate(TomlString node, string path)
    {
        if (!Template.TryParse(node.Value, out var template, out var why)) throw Invalid(ErrorCode.InvalidTemplate, node, path, why);
        foreach (var name in template.ParameterNames)
        {
            if (!_parameters.TryGetValue(name, out var declaration))
            {
                var suggestion = DidYouMean.Closest(name, _parameters.Keys);
                throw Invalid(ErrorCode.InvalidTemplate, node, path,
                    $"'{{param.{name}}}' refers to an undeclared parameter" + (suggestion is null ? "" : $"; did you mean 'param.{suggestion}'?"));
            }
            // spec/parameters.md § Secret parameters: templates end up in activation scripts, shims and files.
            if (declaration.Secret)
            {
                throw Invalid(ErrorCode.InvalidTemplate, node, path,
                    $"'{{param.{name}}}' is a secret parameter: a secret reaches only handlers (PACKSTER_PARAM_*, the parameters file), never a template");
            }
        }
        return template;
    }

    // ---- requirements ----

    private List<PackageRequirement> ReadRequirements(TomlTable table, string section)
    {
        var result = new List<PackageRequirement>();
        foreach (var (key, node) in table)
        {
            var path = Join(section, key);
            var id = ReadRequirementId(table, key, path);
            var s = Expect<TomlString>(node, path, "a version range string");
            result.Add(new PackageRequirement(id, ReadRange(s, path)));
        }
        return result;
    }

    private List<BundleRequirement> ReadBundle(TomlTable table)
    {
        var result = new List<BundleRequirement>();
        foreach (var (key, node) in table)
        {
            var path = Join("install-bundle", key);
            var id = ReadRequirementId(table, key, path);
            switch (node)
            {
                case TomlString s:
                    result.Add(new BundleRequirement(id, ReadRange(s, path), null));
                    break;
                case TomlTable t:
                    CheckKeys(t, path, BundleTableKeys);
                    var range = ReadRange(RequiredString(t, path, "version"), Join(path, "version"));
                    JsonElement? parameters = OptionalTable(t, path, "parameters") is { } p ? ToJson(p, Join(path, "parameters")) : null;
                    result.Add(new BundleRequirement(id, range, parameters));
                    break;
                default:
                    throw ManifestException.WrongType(_file, node, path, "a version range string or a table { version, parameters }");
            }
        }
        return result;
    }

    private PackageId ReadRequirementId(TomlTable table, string key, string path) =>
        PackageId.TryParse(key, out var id, out var why) ? id : throw InvalidAtKey(ErrorCode.InvalidPackageId, table, key, path, $"'{Packaging.ArchiveErrors.Printable(key)}' is not a package id: {Packaging.ArchiveErrors.Printable(why)}");

    private VersionRange ReadRange(TomlString node, string path) =>
        VersionRange.TryParse(node.Value, out var range, out var why) ? range
            : throw Invalid(ErrorCode.InvalidVersionRange, node, path, $"'{node.Value}' is not a version range: {why}",
                "ranges look like 1.2.3, ^1.2, ~1.2.3, >=1.0 <2.0, 1.*, [1.0,2.0) or latest");

    private PackagePath ReadPath(TomlString node, string path) =>
        PackagePath.TryParse(node.Value, out var p, out var why) ? p : throw Invalid(ErrorCode.InvalidPath, node, path, $"'{node.Value}': {why}");

    // ---- generic access ----

    private void CheckKeys(TomlTable table, string path, IReadOnlyList<string> allowed)
    {
        foreach (var key in table.Keys)
        {
            if (!allowed.Contains(key))
            {
                throw ManifestException.UnknownKey(_file, table.KeyPosition(key), Join(path, key), DidYouMean.Closest(key, allowed));
            }
        }
    }

    private T Expect<T>(TomlNode node, string path, string expected) where T : TomlNode =>
        node as T ?? throw ManifestException.WrongType(_file, node, path, expected);

    private T? OptionalNode<T>(TomlTable table, string parent, string key, string expected) where T : TomlNode =>
        table.TryGetValue(key, out var node) ? Expect<T>(node, Join(parent, key), expected) : null;

    private TomlTable? OptionalTable(TomlTable table, string parent, string key) => OptionalNode<TomlTable>(table, parent, key, "a table");

    private string? OptionalString(TomlTable table, string parent, string key) => OptionalNode<TomlString>(table, parent, key, "a string")?.Value;

    private TomlString RequiredString(TomlTable table, string parent, string key) =>
        OptionalNode<TomlString>(table, parent, key, "a string") ?? throw ManifestException.MissingKey(_file, table.Position, Join(parent, key));

    private List<string>? OptionalStringList(TomlTable table, string parent, string key) =>
        OptionalNode<TomlArray>(table, parent, key, "an array of strings") is { } a ? StringItems(a, Join(parent, key), allowEmpty: true) : null;

    private List<string> StringItems(TomlArray array, string path, bool allowEmpty)
    {
        var result = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            var s = Expect<TomlString>(array[i], $"{path}[{i}]", "a string");
            if (!allowEmpty && s.Value.Length == 0) throw Invalid(ErrorCode.ManifestInvalid, s, $"{path}[{i}]", "must not be empty");
            result.Add(s.Value);
        }
        return result;
    }

    private ManifestException Invalid(ErrorCode code, TomlNode node, string path, string what, string? hint = null) =>
        ManifestException.Invalid(code, _file, node.Position, path, what, hint);

    private ManifestException InvalidAtKey(ErrorCode code, TomlTable table, string key, string path, string what) =>
        ManifestException.Invalid(code, _file, table.KeyPosition(key), path, what);

    /// <summary>A dotted key path; segments that are not bare TOML keys are quoted, as TOML would write them.</summary>
    internal static string Join(string parent, string key)
    {
        var segment = key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? key : Quote(key);
        return parent.Length == 0 ? segment : $"{parent}.{segment}";
    }

    /// <summary>A TOML basic string: quote, backslash and control characters escaped, everything else literal.</summary>
    private static string Quote(string key)
    {
        var sb = new System.Text.StringBuilder("\"");
        foreach (var c in key)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}
