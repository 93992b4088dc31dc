using System.CommandLine;
using System.Text;
using System.Text.Json;
using Packster.Deployments;
using Packster.Manifest;
using PackageManifest = Packster.Manifest.Manifest;

namespace Packster.Cli.Commands;

/// <summary>
/// <c>packster manifest check &lt;dir-or-file&gt; [--json]</c>: validate, then render a summary;
/// <c>packster manifest set &lt;key&gt; &lt;value&gt; [--json] [--manifest FILE|DIR]</c>: change one key, keeping the rest of the file;
/// <c>packster manifest init [DIR] [--id ID] [--version V] [--force]</c>: write a commented manifest for a folder.
/// </summary>
internal static class ManifestCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("manifest", "Work with packster-manifest.toml files");
        var dir = new Argument<string>("dir") { Description = "A package source folder (or its manifest file)" };
        var json = new Option<bool>("--json") { Description = "Print the validated manifest as JSON" };
        var check = new Command("check", "Validate a package's manifest; exit 0 when it is valid") { dir, json };
        check.SetAction(parse =>
        {
            var manifest = Load(context, parse.GetValue(dir)!);
            context.Out.Write(parse.GetValue(json) ? RenderJson(manifest) : RenderText(manifest));
            return ExitCodes.Success;
        });
        command.Subcommands.Add(check);
        command.Subcommands.Add(Set(context));
        command.Subcommands.Add(Init(context));
        return command;
    }

    private static Command Set(CliContext context)
    {
        var key = new Argument<string>("key") { Description = "The key, dotted for a key in a table (platform.os, parameters.port.default); a part with other characters than A-Z a-z 0-9 _ - in quotes (shims.\"my.tool\")" };
        var value = new Argument<string>("value") { Description = "The value, written as a TOML string unless --json is given" };
        var json = new Option<bool>("--json") { Description = "VALUE is JSON: a number (8080, 1.5), true/false, an array ([\"linux\"]), an object ({\"port\": 1}, an inline table) or a quoted string" };
        var manifest = new Option<string?>("--manifest") { HelpName = "FILE|DIR", Description = $"The manifest file, or the package folder holding {PackageManifest.FileName} (default: the current folder)" };
        var command = new Command("set", "Change one key of a manifest, keeping its comments, blank lines, number formats and key order; "
            + "nothing is written unless the result passes 'manifest check'") { key, value, json, manifest };
        command.SetAction(parse =>
        {
            var path = context.ResolvePath(parse.GetValue(manifest) ?? ".");
            if (Directory.Exists(path)) path = Path.Join(path, PackageManifest.FileName);
            var keyPath = ManifestEdit.ParseKey(parse.GetValue(key)!);
            var asJson = parse.GetValue(json);
            var result = ManifestEdit.Set(path, keyPath, ManifestEdit.ParseValue(parse.GetValue(value)!, asJson), valueIsPlainText: !asJson);
            context.Out.WriteLine(result.Changed
                ? $"set {result.KeyText} = {result.Value} in {result.File}"
                : $"{result.KeyText} is already {result.Value} in {result.File}; unchanged");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Init(CliContext context)
    {
        var dir = new Argument<string>("dir") { Description = "The package folder (default: the current folder)", Arity = ArgumentArity.ZeroOrOne };
        var id = new Option<string?>("--id") { Description = "The package id (default: the folder's name, lowercased, other characters as '-')" };
        var version = new Option<string?>("--version") { Description = $"The version, strict SemVer 2.0 or \"latest\" (default {ManifestScaffold.DefaultVersion})" };
        var force = new Option<bool>("--force") { Description = $"Replace an existing {PackageManifest.FileName}" };
        var command = new Command("init", $"Write a commented {PackageManifest.FileName} for a folder, with a shim for every executable under bin/ "
            + "(files with an execute bit; .exe, .cmd, .bat and .ps1 files, named without the extension)") { dir, id, version, force };
        command.SetAction(parse =>
        {
            var folder = context.ResolvePath(parse.GetValue(dir) ?? ".");
            var result = ManifestScaffold.Init(folder, parse.GetValue(id), parse.GetValue(version), parse.GetValue(force));
            context.Out.WriteLine($"{(result.Replaced ? "replaced" : "wrote")} {result.File}: {result.Id} {result.Version}");
            context.Out.WriteLine($"  shims: {(result.Shims.Count == 0 ? "none (no executables under bin/)" : string.Join(", ", result.Shims.Select(s => $"{s.Name} -> {s.Target}")))}");
            foreach (var skipped in result.Skipped) context.Out.WriteLine($"  skipped {TerminalText.Printable(skipped.Target)}: {TerminalText.Printable(skipped.Reason)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static PackageManifest Load(CliContext context, string argument)
    {
        var path = context.ResolvePath(argument);
        var manifest = Directory.Exists(path) ? ManifestReader.ReadFromDirectory(path)
            : File.Exists(path) ? ManifestReader.Read(path)
            : null;
        if (manifest is not null)
        {
            ManifestFiles.Check(manifest, Directory.Exists(path) ? path : Path.GetDirectoryName(path)!, beforePackHandlers: true);
            return manifest;
        }
        throw new PacksterException(ErrorCode.PathNotFound, $"'{argument}' does not exist",
            $"give a package source folder or its {PackageManifest.FileName}");
    }

    private static string RenderText(PackageManifest m)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{m.Id} {m.Version}: valid ({m.File})");
        if (m.Description is not null) sb.AppendLine($"  description: {TerminalText.Printable(m.Description)}");
        if (!m.Platform.IsAny) sb.AppendLine($"  platform:    {m.Platform}");
        sb.AppendLine($"  parameters:  {(m.Parameters.Count == 0 ? "none" : string.Join(", ", m.Parameters.Values.Select(Describe)))}");
        sb.AppendLine($"  shims:       {(m.Shims.Count == 0 ? "none" : string.Join(", ", m.Shims.Values.Select(s => $"{s.Name} -> {s.Target}")))}");
        sb.AppendLine($"  handlers:    {(m.Handlers.Count == 0 ? "none" : string.Join(", ", m.Handlers.Values.Select(h => $"{HandlerSpec.KeyOf(h.Action)}: {h.Script}")))}");
        if (m.Locators.Count > 0) sb.AppendLine($"  locator:     {string.Join(", ", m.Locators.Select(l => $"{l.Key} = {l.Value}"))}");
        if (m.Dependencies.Count > 0) sb.AppendLine($"  depends on:  {string.Join(", ", m.Dependencies)}");
        return sb.ToString();
    }

    private static string Describe(ParameterDeclaration p) =>
        $"{p.Name} ({p.TypeName}{(p.Default is { } d ? $" = {CanonicalJson.Serialize(d)}" : p.Required ? ", required" : "")})";

    private static string RenderJson(PackageManifest m)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("id", m.Id.Value);
            w.WriteString("version", m.Version.ToString());
            WriteOptional(w, "description", m.Description);
            WriteOptional(w, "license", m.License);
            WriteOptional(w, "homepage", m.Homepage is { } homepage ? HomepageUrl.Escaped(homepage) : null);
            WriteStrings(w, "authors", m.Authors);
            w.WriteStartObject("platform");
            WriteStrings(w, "os", m.Platform.Os);
            WriteStrings(w, "arch", m.Platform.Arch);
            if (m.Platform.Libc.Count > 0) WriteStrings(w, "libc", m.Platform.Libc);
            w.WriteEndObject();
            w.WriteStartObject("parameters");
            foreach (var p in m.Parameters.Values)
            {
                w.WriteStartObject(p.Name);
                w.WriteString("type", p.TypeName);
                if (p.Default is { } d)
                {
                    w.WritePropertyName("default");
                    d.WriteTo(w);
                }
                w.WriteBoolean("required", p.Required);
                WriteOptional(w, "description", p.Description);
                if (p.Enum is { } values)
                {
                    w.WriteStartArray("enum");
                    foreach (var v in values) v.WriteTo(w);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("handlers");
            foreach (var h in m.Handlers.Values)
            {
                w.WriteStartObject(HandlerSpec.KeyOf(h.Action));
                w.WriteString("script", h.Script.Value);
                if (h.Timeout is { } t) w.WriteNumber("timeoutSeconds", t.TotalSeconds);
                if (h.Executor is { } e) WriteStrings(w, "executor", e);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("shims");
            foreach (var s in m.Shims.Values)
            {
                w.WriteStartObject(s.Name.Value);
                w.WriteString("target", s.Target.Value);
                WriteStrings(w, "args", s.Args.Select(a => a.Text));
                WriteTemplates(w, "env", s.Env);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("provides");
            WriteTemplates(w, "env", m.Provides.Env);
            WriteStrings(w, "ports", m.Provides.Ports.Select(p => p.Text));
            WriteStrings(w, "shared-files", m.Provides.SharedFiles.Select(p => p.Text));
            WriteStrings(w, "shared-dirs", m.Provides.SharedDirs.Select(p => p.Text));
            w.WriteEndObject();
            if (m.Locators.Count > 0)
            {
                w.WriteStartObject("locator");
                foreach (var (name, pattern) in m.Locators) w.WriteString(name, pattern.Value);
                w.WriteEndObject();
            }
            WriteRequirements(w, "dependencies", m.Dependencies);
            WriteRequirements(w, "pack-location", m.PackLocation);
            w.WriteStartObject("install-bundle");
            foreach (var b in m.InstallBundle)
            {
                w.WriteStartObject(b.Id.Value);
                w.WriteString("version", b.Range.ToString());
                if (b.Parameters is { } p)
                {
                    w.WritePropertyName("parameters");
                    p.WriteTo(w);
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void WriteTemplates(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, Template> values)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in values) w.WriteString(k, v.Text);
        w.WriteEndObject();
    }

    private static void WriteRequirements(Utf8JsonWriter w, string name, IEnumerable<PackageRequirement> requirements)
    {
        w.WriteStartObject(name);
        foreach (var r in requirements) w.WriteString(r.Id.Value, r.Range.ToString());
        w.WriteEndObject();
    }
}
