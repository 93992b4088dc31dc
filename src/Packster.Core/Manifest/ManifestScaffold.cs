using System.Text;
using Packster.Model;
using Packster.Toml;
using Packster.Toml.Editing;

namespace Packster.Manifest;

/// <summary>
/// <c>packster manifest init [DIR]</c> (spec/manifest.md § Starting a manifest): writes a commented
/// <c>packster-manifest.toml</c> for a folder, with a shim for every executable under <c>bin/</c>. The scaffold is a
/// commented template edited in its syntax tree like every other manifest edit, and must pass <c>manifest check</c>
/// before it is written.
/// </summary>
public static class ManifestScaffold
{
    /// <summary>The version a new manifest starts at when none is given.</summary>
    public const string DefaultVersion = "0.1.0";

    /// <summary>File names that are executable by their name on Windows; the shim is named without the extension.</summary>
    public static IReadOnlyList<string> WindowsExecutableExtensions { get; } = [".exe", ".cmd", ".bat", ".ps1"];

    /// <summary>An executable found under <c>bin/</c> that got no shim, and why.</summary>
    public sealed record Skipped(string Target, string Reason);

    /// <summary>What <see cref="Init"/> wrote.</summary>
    public sealed record Result(string File, PackageId Id, PackageVersion Version, IReadOnlyList<(ShimName Name, string Target)> Shims, IReadOnlyList<Skipped> Skipped, bool Replaced);

    private const string Template = """
        # packster-manifest.toml: what this folder is as a package. Every key is described in spec/manifest.md.
        # Check it with `packster manifest check`, change a key with `packster manifest set KEY VALUE`,
        # and pack the folder with `packster pack`.

        # The id: lowercase letters, digits, '.', '_' and '-', never '-' followed by a digit.
        id = ""
        # The version: strict SemVer 2.0 (1.2.0, 2.0.0-rc.1) or "latest".
        version = ""
        # description = "What it does, in one line"
        # license = "MIT"    # an SPDX expression
        # authors = ["Name <name@example.org>"]
        # homepage = "https://example.org/tool"

        # Where it runs (absent = anywhere):
        # [platform]
        # os = ["linux", "windows", "macos"]
        # arch = ["x64", "arm64"]


        """;

    private const string ShimsHeader = """
        # Commands put on PATH when the package is active: name = "path/inside/the/package".
        [shims]

        """;

    private const string NoShims = """
        # Commands put on PATH when the package is active (none were found under bin/):
        # [shims]
        # tool = "bin/tool"

        """;

    /// <summary>
    /// Writes the manifest of <paramref name="folder"/>. <paramref name="id"/> defaults to the folder's name made into an
    /// id, <paramref name="version"/> to <see cref="DefaultVersion"/>. An existing manifest is replaced only with
    /// <paramref name="force"/> (<see cref="ErrorCode.ManifestExists"/> otherwise).
    /// </summary>
    public static Result Init(string folder, string? id, string? version, bool force)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw File.Exists(folder)
                ? new PacksterException(ErrorCode.NotADirectory, $"'{folder}' is a file, not a package folder")
                : new PacksterException(ErrorCode.PathNotFound, $"'{folder}' does not exist", "create the folder (with its bin/ and files) first");
        }
        var path = Path.Join(folder, Manifest.FileName);
        var exists = File.Exists(path) || Directory.Exists(path);
        if (exists && !force)
        {
            throw new PacksterException(ErrorCode.ManifestExists, $"{path} already exists; not replaced",
                "change it with 'packster manifest set KEY VALUE', or give --force to replace it with a new scaffold");
        }
        var packageId = id is null ? IdFromFolderName(folder) : PackageId.Parse(id);
        var packageVersion = PackageVersion.Parse(version ?? DefaultVersion);
        var (shims, skipped) = FindShims(folder);

        var template = Template + (shims.Count > 0 ? ShimsHeader : NoShims);
        var editor = TomlEditor.Parse(template, path);
        string text;
        try
        {
            editor.Set(["id"], TomlValue.String(packageId.Value));
            editor.Set(["version"], TomlValue.String(packageVersion.ToString()));
            foreach (var (name, target) in shims) editor.Set(["shims", name.Value], TomlValue.String(target));
            text = editor.Verified();
        }
        catch (TomlEditException e)
        {
            throw EditedTomlFile.Refused(path, e);
        }
        var manifest = ManifestReader.Parse(text, path);
        ManifestFiles.Check(manifest, folder, beforePackHandlers: true);
        EditedTomlFile.Write(path, text);
        return new Result(path, packageId, packageVersion, shims, skipped, exists);
    }

    /// <summary>
    /// The folder's name as a package id: lowercased, every other character as '-', '-' before a digit as '_', trimmed;
    /// <see cref="ErrorCode.InvalidPackageId"/> (with a hint to give --id) when nothing usable is left.
    /// </summary>
    public static PackageId IdFromFolderName(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        var sb = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            var ok = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-';
            var next = ok ? c : '-';
            if (next == '-' && sb.Length > 0 && sb[^1] == '-') continue;
            sb.Append(next);
        }
        for (var i = 0; i + 1 < sb.Length; i++)
        {
            if (sb[i] == '-' && char.IsAsciiDigit(sb[i + 1])) sb[i] = '_';
        }
        var text = sb.ToString().TrimStart('-', '.', '_').TrimEnd('-', '.');
        if (text.Length > PackageId.MaxLength) text = text[..PackageId.MaxLength].TrimEnd('-', '.');
        if (PackageId.TryParse(text, out var id, out var why)) return id;
        throw new PacksterException(ErrorCode.InvalidPackageId, $"the folder name '{name}' does not make a package id ({why})",
            "give one with --id (lowercase letters, digits, '.', '_' and '-')");
    }

    /// <summary>
    /// Executables under <c>bin/</c>, in ordinal path order: files with an execute bit (on Unix) and files named
    /// <c>.exe</c>, <c>.cmd</c>, <c>.bat</c> or <c>.ps1</c> (on any system: the package may be for Windows). The shim is
    /// named after the file, without a Windows extension; when two files give one name, the first keeps it.
    /// </summary>
    public static (IReadOnlyList<(ShimName Name, string Target)> Shims, IReadOnlyList<Skipped> Skipped) FindShims(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var shims = new List<(ShimName, string)>();
        var skipped = new List<Skipped>();
        var bin = Path.Join(folder, "bin");
        if (!Directory.Exists(bin)) return (shims, skipped);
        var files = FilesUnder(bin).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal);
        var taken = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var target in files)
        {
            var fileName = target[(target.LastIndexOf('/') + 1)..];
            var extension = WindowsExecutableExtensions.FirstOrDefault(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));
            if (extension is null && !HasExecuteBit(Path.Join(folder, target))) continue;
            var name = extension is null ? fileName : fileName[..^extension.Length];
            if (!ShimName.TryParse(name, out var shim, out var why))
            {
                skipped.Add(new Skipped(target, $"'{name}' is not a shim name: {why}"));
                continue;
            }
            // Shim names are compared without case: on Windows two of them would be one file.
            if (taken.TryGetValue(name, out var first))
            {
                skipped.Add(new Skipped(target, $"the shim '{name}' already runs {first}"));
                continue;
            }
            taken[name] = target;
            shims.Add((shim, target));
        }
        return (shims, skipped);
    }

    /// <summary>Files (a link to a file included) at any depth, without going through links to folders, which may loop.</summary>
    private static IEnumerable<string> FilesUnder(string dir)
    {
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var file in Directory.EnumerateFiles(dir, "*", options)) yield return file;
        foreach (var sub in Directory.EnumerateDirectories(dir, "*", options))
        {
            if (new DirectoryInfo(sub).LinkTarget is not null) continue;
            foreach (var file in FilesUnder(sub)) yield return file;
        }
    }

    private static bool HasExecuteBit(string file)
    {
        if (OperatingSystem.IsWindows()) return false;
        return (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
