using System.CommandLine;
using System.Text.Json;
using Packster.Sources;
using Packster.Sources.Config;

namespace Packster.Cli.Commands;

/// <summary><c>packster source add|list|remove|index</c>: edit the sources of the config file, or index a static folder.</summary>
internal static class SourceCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("source", "Configure where packages come from (folders, static HTTP(S) folders, Artifactory, OCI registries)");
        command.Subcommands.Add(Add(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Remove(context));
        command.Subcommands.Add(Index(context));
        return command;
    }

    /// <summary>The configuration a reading command uses: the user's file, else a trusted ./packster.toml (spec/sources.md §1.1).</summary>
    internal static SourceConfig LoadConfig(CliContext context) => context.Config;

    /// <summary>What sources may touch: the environment (credentials by variable name), stderr for warnings.</summary>
    internal static SourceContext SourceContextFor(CliContext context) =>
        new(context.Environment, context.Err, context.CurrentDirectory);

    private static Command Add(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The source's name (letters, digits, '-', '_')" };
        var type = new Option<string>("--type") { Description = "folder | http | artifactory | oci", Required = true };
        type.AcceptOnlyFromAmong("folder", "http", "artifactory", "oci");
        var url = new Option<string>("--url") { Description = "A folder path, or the https URL (Artifactory: https://host/artifactory/; OCI: the registry, https://ghcr.io)", Required = true };
        var repo = new Option<string?>("--repo") { Description = "Artifactory: the repository key; OCI: the repository path packages live under, one repository per id (org/packster)" };
        var tokenEnv = new Option<string?>("--token-env") { Description = "NAME of the environment variable holding an access token (sent as Bearer)" };
        var user = new Option<string?>("--user") { Description = "User name for Basic authentication" };
        var passwordEnv = new Option<string?>("--password-env") { Description = "NAME of the environment variable holding the user's password" };
        var priority = new Option<int?>("--priority")
        {
            Description = $"Lower is consulted first and wins ties (default {SourceDefinition.DefaultPriority})",
            CustomParser = r => CommonOptions.WholeNumber(r, "--priority"),
        };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM file with the private CA that signs the server's certificate" };
        var insecure = new Option<bool>("--insecure") { Description = "Allow plain http:// (packages and credentials travel unprotected)" };
        var replace = new Option<bool>("--replace") { Description = "Replace a source of the same name" };
        var command = new Command("add", "Add a source to the user config file; credentials are given as environment variable NAMES, never values")
        {
            name, type, url, repo, tokenEnv, user, passwordEnv, priority, caFile, insecure, replace,
        };
        command.SetAction(parse =>
        {
            if (!SourceKinds.TryParse(parse.GetValue(type), out var kind))
                throw new PacksterException(ErrorCode.InvalidArgument, $"--type '{parse.GetValue(type)}' is not folder, http, artifactory or oci");
            CredentialVariableName.Check("--token-env", parse.GetValue(tokenEnv));
            CredentialVariableName.Check("--password-env", parse.GetValue(passwordEnv));
            var location = parse.GetValue(url)!;
            var definition = new SourceDefinition
            {
                Name = parse.GetValue(name)!,
                Kind = kind,
                Url = kind == SourceKind.Folder ? context.ResolvePath(location) : location,
                Repo = parse.GetValue(repo),
                TokenEnv = parse.GetValue(tokenEnv),
                User = parse.GetValue(user),
                PasswordEnv = parse.GetValue(passwordEnv),
                Priority = parse.GetValue(priority) ?? SourceDefinition.DefaultPriority,
                CaFile = parse.GetValue(caFile) is { } ca ? context.ResolvePath(ca) : null,
                Insecure = parse.GetValue(insecure),
            };
            if (definition.CaFile is { } caPath) FileSystemErrors.RequireFile(caPath, "ca-file");
            if (kind == SourceKind.Folder) FileSystemErrors.RequireDirectory(definition.Url!, $"the folder of source '{definition.Name}'");
            // Always the user's own file, never a project file.
            var config = SourceConfig.Edit(context.Paths, context.Err, c => c.Add(definition, parse.GetValue(replace)));
            context.Out.WriteLine($"added source '{definition.Name}' ({Describe(definition)}) to {config.Path}");
            if (definition.Insecure && kind != SourceKind.Folder)
                context.Err.WriteLine($"warning: source '{definition.Name}' is INSECURE: plain http lets anyone on the path read and alter packages and credentials");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print the sources as JSON" };
        var command = new Command("list", "List the configured sources in the order they are consulted") { json };
        command.SetAction(parse =>
        {
            var config = LoadConfig(context);
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(RenderJson(config.Sources));
            }
            else if (config.Sources.Count == 0)
            {
                context.Out.WriteLine($"no sources configured ({config.Path})");
            }
            else
            {
                foreach (var s in config.Sources) context.Out.WriteLine($"{s.Name}\t{Describe(s)}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The source to remove" };
        var command = new Command("remove", "Remove a source from the user config file") { name };
        command.SetAction(parse =>
        {
            var config = SourceConfig.Edit(context.Paths, context.Err, c => c.Remove(parse.GetValue(name)!));
            context.Out.WriteLine($"removed source '{parse.GetValue(name)}' from {config.Path}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Index(CliContext context)
    {
        var dir = new Argument<string>("dir") { Description = "The folder to serve over HTTP(S); index.json is written into it" };
        var json = new Option<bool>("--json") { Description = "Print what was indexed as JSON" };
        var command = new Command("index", "Write index.json for a folder of .packster files served as a static HTTP source") { dir, json };
        command.SetAction(parse =>
        {
            var path = context.ResolvePath(parse.GetValue(dir)!);
            var items = HttpIndex.Write(path);
            if (parse.GetValue(json)) context.Out.Write(HttpIndex.Text(HttpIndex.Render(items)));
            else context.Out.WriteLine($"wrote {Path.Combine(path, HttpIndex.FileName)}: {items.Count} package file{(items.Count == 1 ? "" : "s")}, {items.Count(i => i.Signature is not null)} signed");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Describe(SourceDefinition s)
    {
        // Every value but the validated ones (name, priority, variable names, key ids) is the config's text, shown escaped.
        var parts = new List<string> { s.Kind.ToConfigText(), TerminalText.Printable(s.Url) };
        if (s.Repo is not null) parts.Add($"repo {TerminalText.Printable(s.Repo)}");
        parts.Add($"priority {s.Priority}");
        if (s.Kind != SourceKind.Folder) parts.Add(s.DescribeCredential());
        if (s.CaFile is not null) parts.Add($"ca-file {TerminalText.Printable(s.CaFile)}");
        if (s.Insecure) parts.Add("INSECURE");
        if (s.Signatures is { } mode) parts.Add($"signatures {Packster.Trust.TrustRules.ModeName(mode)}");
        if (s.TrustedKeys.Count > 0) parts.Add($"trusted keys {string.Join(" ", s.TrustedKeys)}");
        return string.Join(", ", parts);
    }

    private static string RenderJson(IReadOnlyList<SourceDefinition> sources)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var s in sources)
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                w.WriteString("type", s.Kind.ToConfigText());
                w.WriteString("url", s.Url);
                if (s.Repo is not null) w.WriteString("repo", s.Repo);
                if (s.TokenEnv is not null) w.WriteString("token-env", s.TokenEnv);
                if (s.User is not null) w.WriteString("user", s.User);
                if (s.PasswordEnv is not null) w.WriteString("password-env", s.PasswordEnv);
                w.WriteNumber("priority", s.Priority);
                if (s.CaFile is not null) w.WriteString("ca-file", s.CaFile);
                w.WriteBoolean("insecure", s.Insecure);
                if (s.Signatures is { } mode) w.WriteString("signatures", Packster.Trust.TrustRules.ModeName(mode));
                w.WriteStartArray("trusted-keys");
                foreach (var key in s.TrustedKeys) w.WriteStringValue(key);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
