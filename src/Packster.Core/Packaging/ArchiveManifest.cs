using System.Text;
using Packster.Model;
using Packster.Toml.Editing;

namespace Packster.Packaging;

/// <summary>
/// The manifest <c>pack --from</c> adds to the archive's files (spec/pack-from.md §Manifest): the bytes of
/// <c>--manifest FILE</c> as they are, or a manifest generated from <c>--id</c>, <c>--version</c> and <c>--shim</c>, or
/// none (the archive brings its own). A generated manifest is canonical: the same flags, in any order, give the same bytes.
/// </summary>
internal static class ArchiveManifest
{
    /// <summary>The manifest bytes to add, or null when the archive must bring its own. Checks the flags first.</summary>
    public static byte[]? FromRequest(ArchivePackRequest request)
    {
        if (request.StripComponents < 0) throw Invalid($"--strip-components must be 0 or more, not {request.StripComponents}");
        var fromFlags = request.Id is not null || request.Version is not null || request.Shims.Count > 0;
        if (request.ManifestFile is not null)
        {
            if (fromFlags)
            {
                throw new PacksterException(ErrorCode.PackFromManifestConflict,
                    "--manifest gives the whole manifest; it cannot be combined with --id, --version or --shim",
                    "put the id, version and shims into the manifest file, or drop --manifest");
            }
            var path = Path.GetFullPath(request.ManifestFile);
            // A file named on the command line (spec/errors.md): missing is PST1002, a folder PST1001, not a source
            // folder's missing manifest or a package's entry.
            switch (FileSystemErrors.At(path, "cannot read the manifest", () => FileKinds.OfTarget(path)))
            {
                case FileKind.Missing:
                    throw new PacksterException(ErrorCode.PathNotFound, $"--manifest '{path}' does not exist", "give the manifest file to add to the archive's files");
                case FileKind.Directory:
                    throw new PacksterException(ErrorCode.InvalidArgument, $"--manifest '{path}' is a folder, not a file", "give the manifest file itself, not the folder that holds it");
            }
            // Judged where the user wrote it, so its errors name their file, line and column.
            Manifest.ManifestReader.Read(path);
            return Manifest.ManifestReader.ReadChecked(path);
        }
        if (!fromFlags) return null;
        if (request.Id is null || request.Version is null)
        {
            throw Invalid(request.Id is null ? "--version was given without --id" : "--id was given without --version");
        }
        var id = PackageId.Parse(request.Id);
        var version = PackageVersion.Parse(request.Version);
        var shims = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var shim in request.Shims)
        {
            var equals = shim.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == shim.Length - 1) throw Invalid($"--shim '{shim}' is not name=path (for example --shim node=bin/node)");
            var name = Manifest.ShimName.Parse(shim[..equals]).Value;
            if (!shims.TryAdd(name, shim[(equals + 1)..])) throw Invalid($"--shim '{name}' is given twice");
        }
        var text = new StringBuilder();
        text.Append("id = ").Append(Quote(id.Value)).Append('\n');
        text.Append("version = ").Append(Quote(version.ToString())).Append('\n');
        if (shims.Count > 0)
        {
            text.Append("\n[shims]\n");
            foreach (var (name, target) in shims) text.Append(Quote(name)).Append(" = ").Append(Quote(target)).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        // The generated text goes through the reader like any manifest: a bad shim path fails here, naming the flag's value.
        Manifest.ManifestReader.Parse(text.ToString(), "the manifest made from --id/--version/--shim");
        return bytes;
    }

    private static string Quote(string value) => TomlValue.String(value).Text;

    private static PacksterException Invalid(string what) =>
        new(ErrorCode.PackFromOptionInvalid, what, "see 'packster pack --help'");
}
