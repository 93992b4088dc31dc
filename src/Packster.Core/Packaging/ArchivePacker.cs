using System.Buffers;
using Packster.Deployments;

namespace Packster.Packaging;

/// <summary>
/// What <c>pack --from</c> was given besides the archive: how many leading folders to strip and where the manifest
/// comes from — a file (<see cref="ManifestFile"/>), the flags (<see cref="Id"/>, <see cref="Version"/>,
/// <see cref="Shims"/>), or, when neither, the archive itself.
/// </summary>
public sealed record ArchivePackRequest
{
    public int StripComponents { get; init; }
    public string? ManifestFile { get; init; }
    public string? Id { get; init; }
    public string? Version { get; init; }
    public IReadOnlyList<string> Shims { get; init; } = [];
}

/// <summary>
/// <c>packster pack --from &lt;archive&gt;</c> (spec/pack-from.md): judges the archive's whole listing with the
/// extraction filter's rules, then writes it into a private staging folder that only this process uses, adds the
/// manifest, and packs that folder exactly as <c>packster pack</c> would, so the package is byte-identical to packing
/// the extracted folder. Any refusal or failure removes the staging folder; nothing reaches the output folder but a
/// finished package.
/// </summary>
public sealed class ArchivePacker(SourcePackerOptions options)
{
    private const int ChunkSize = 256 << 10;

    private const string VendorLimitHint = "packages have the same limits when packed and when installed (spec/package-format.md §6); the archive cannot be packed as it is: extract it and pack a part of it, or split it into several packages";

    private const string VendorHint = "the archive breaks the package rules (spec/pack-from.md §Rules); it cannot be packed as it is: ask its vendor, or extract, fix and 'packster pack' the folder";

    /// <summary>
    /// What to do when the package rules refuse what the staged archive became once its <c>.packsterignore</c> or pack
    /// handlers had their say (for a folder: <see cref="Packer.FolderHint"/> and the like): <c>--from</c> takes no
    /// ignore rules of its own and changes no entry, so the archive is made again, or extracted and packed as a folder.
    /// </summary>
    private const string AsItIs = "pack --from packs the archive as it is: make the archive again with it ";

    private const string OrAsAFolder = ", or listed in a .packsterignore at the archive's root (after --strip-components), or extract the archive, fix the folder and 'packster pack' that";

    private const string StagedHint = "a package holds only what every system packster runs on can install (spec/package-format.md §3); " + AsItIs + "renamed or removed" + OrAsAFolder;

    /// <summary>
    /// For a link the copy made for pack handlers refuses (PST7008): that copy holds the whole folder the archive was
    /// staged into, so a <c>.packsterignore</c> does not spare it; only the archive, or the folder packed instead, can change.
    /// </summary>
    private const string UnsafeLinkHint = "pack handlers get a copy of every entry of the archive, which a .packsterignore does not change: "
        + "make the archive again with the link relative and its target inside the archive, or without the link, or extract the archive, fix the folder and 'packster pack' that";

    /// <summary>As <see cref="StagedHint"/>, for the limits (<see cref="Packer.FolderLimitHint"/> for a folder).</summary>
    private const string StagedLimitHint = "packages have the same limits when packed and when installed (spec/package-format.md §6); pack --from packs the archive as it is: make the archive again with files listed in a .packsterignore at its root (after --strip-components), or extract it and pack a part of it, or split it into several packages";

    public async Task<(PackResult Result, Manifest.Manifest Manifest)> PackAsync(string archivePath, ArchivePackRequest request, string outputDir,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        archivePath = Path.GetFullPath(archivePath);
        if (Directory.Exists(archivePath)) throw new PacksterException(ErrorCode.InvalidArgument, $"'{archivePath}' is a folder; --from takes an archive file", "pack a folder with 'packster pack <folder>'");
        if (!File.Exists(archivePath)) throw new PacksterException(ErrorCode.PathNotFound, $"archive '{archivePath}' does not exist");
        if (FileKinds.OfTarget(archivePath) is var archiveKind and not (FileKind.Regular or FileKind.Missing or FileKind.Directory))
        {
            throw VendorArchive.NotRegular(archivePath, archiveKind);
        }
        // A file where the output folder belongs is refused before the archive is read, not after it was unpacked
        // (spec/pack-from.md §Equivalence); Packer checks again when it creates the folder.
        Packer.RefuseOutputThatIsNoFolder(Path.GetFullPath(outputDir));
        var manifestText = ArchiveManifest.FromRequest(request);
        if (manifestText is not null && options.Accept is { } accept)
        {
            // A manifest given on the command line is judged before the archive is even read; the archive's own is
            // judged once it is staged, before the output folder is touched (SourcePacker).
            using var given = new MemoryStream(manifestText, writable: false);
            accept(Manifest.ManifestReader.Read(given, request.ManifestFile ?? "the manifest made from --id/--version/--shim"));
        }

        using var archive = VendorArchive.Open(archivePath);
        VendorArchivePlan plan;
        try
        {
            plan = VendorArchivePlan.Judge(archive, request.StripComponents, ExtractionLimits.Default, cancellationToken);
        }
        catch (PacksterException e) when (e.Hint is ArchiveErrors.HostileHint or ArchiveErrors.LimitHint)
        {
            // The package rules' hints speak of packages and their publisher; a vendor archive is fixed by its vendor, or not packed.
            throw new PacksterException(e.Code, e.Message, ForTheArchive(e.Hint!), e);
        }
        var manifestEntry = plan.Entries.FirstOrDefault(e => e?.Path == Packer.ManifestFileName);
        if (manifestEntry is { Kind: VendorEntryKind.Symlink })
        {
            // Install takes the manifest only from a regular file (package-format.md §6); pack refuses a link (PST4005).
            throw new PacksterException(ErrorCode.ArchiveUnsupportedEntry,
                $"'{archive.Name}' holds {Packer.ManifestFileName} as a symlink ('{ArchiveErrors.Printable(manifestEntry.RawName)}' -> '{ArchiveErrors.Printable(manifestEntry.LinkTarget!)}'), not a regular file",
                "a package's manifest must be a regular file; give the manifest with --manifest FILE after extracting the archive and removing the link, or ask the archive's vendor");
        }
        var manifestIsFolder = manifestEntry is { Kind: VendorEntryKind.Directory }
            || plan.Entries.Any(e => e is not null && e.Path.StartsWith(Packer.ManifestFileName + "/", StringComparison.Ordinal));
        if (manifestIsFolder)
        {
            // spec/pack-from.md §Manifest: a folder is no manifest (PST2017), and it holds the place a given one would take (PST2018).
            throw manifestText is null
                ? new PacksterException(ErrorCode.PackFromManifestMissing,
                    $"'{archive.Name}' holds no {Packer.ManifestFileName} file: its {Packer.ManifestFileName} is a folder, and no manifest was given",
                    "give --manifest <file>, or --id <id> --version <version> (with --shim name=path for each command)")
                : new PacksterException(ErrorCode.PackFromManifestConflict,
                    $"'{archive.Name}' holds a folder named {Packer.ManifestFileName}, where the manifest from {(request.ManifestFile is not null ? "--manifest" : "--id/--version")} would go",
                    "repack the archive without that folder, or use --strip-components if it lies in a folder that is not packed");
        }
        var holdsManifest = manifestEntry is not null;
        if (holdsManifest && manifestText is not null)
        {
            throw new PacksterException(ErrorCode.PackFromManifestConflict,
                $"'{archive.Name}' holds its own {Packer.ManifestFileName}, and {(request.ManifestFile is not null ? "--manifest" : "--id/--version")} gives another",
                "drop --manifest/--id/--version/--shim to use the archive's manifest, or repack the archive without it");
        }
        if (!holdsManifest && manifestText is null)
        {
            throw new PacksterException(ErrorCode.PackFromManifestMissing,
                $"'{archive.Name}' holds no {Packer.ManifestFileName}{(request.StripComponents > 0 ? $" after --strip-components {request.StripComponents}" : "")}, and no manifest was given",
                "give --manifest <file>, or --id <id> --version <version> (with --shim name=path for each command)");
        }

        var staging = Path.Combine(Path.GetTempPath(), "packster-from-" + Guid.NewGuid().ToString("N"));
        using var work = UnfinishedWork.Begin();
        try
        {
            FileSystemErrors.At(staging, "cannot create the staging folder", () => OperatingSystem.IsWindows()
                ? Directory.CreateDirectory(staging)
                : Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
            try
            {
                Stage(archive, plan, staging, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Disk full or a permission refused in the temp folder: the operating system's refusal, classified (PST9xxx).
                throw FileSystemErrors.Classify(e, staging, "cannot extract the archive into")!;
            }
            if (manifestText is not null)
            {
                File.WriteAllBytes(Path.Combine(staging, Packer.ManifestFileName), manifestText);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(staging, Packer.ManifestFileName), (UnixFileMode)ZipFormat.ModeFile);
            }
            return await new SourcePacker(options).PackAsync(staging, outputDir, cancellationToken).ConfigureAwait(false);
        }
        catch (PacksterException e) when (SourcePacker.NamesTheCopy(e, staging))
        {
            // The staging folder is gone by the time the message is read: it names what the user gave instead, by its
            // path or, where the package rules name only the folder, by its bare name (spec/pack-from.md §Equivalence).
            var manifest = request.ManifestFile is { } file ? $"'{Path.GetFullPath(file)}'"
                : manifestText is not null ? "the manifest made from --id, --version and --shim"
                : $"the archive's {Packer.ManifestFileName}";
            string Renamed(string text) => SourcePacker.InPlaceOfTheCopy(
                text.Replace(Path.Combine(staging, Packer.ManifestFileName), manifest, StringComparison.Ordinal), staging, archive.Name, archive.Name);
            var hint = e.Code == ErrorCode.ManifestFileMissing && request.StripComponents == 0
                ? "paths name files inside the archive; if all its entries lie in one top folder, add --strip-components 1"
                : e.Hint is null ? null : ForTheArchive(Renamed(e.Hint));
            throw new PacksterException(e.Code, Renamed(e.Message), hint, e);
        }
        catch (PacksterException e) when (e.Hint is { } hint && ForTheArchive(hint) != hint)
        {
            throw new PacksterException(e.Code, e.Message, ForTheArchive(e.Hint!), e);
        }
        finally
        {
            Installer.Discard(staging);
        }
    }

    /// <summary>
    /// <paramref name="hint"/>, or when it is one of the package rules' hints (as install or <c>pack</c> of a folder give
    /// them, spec/pack-from.md § Equivalence) what the user can do about the archive: the folder it is packed from is
    /// gone by the time the hint is read, and no file in it can be renamed, removed or ignored but through the archive.
    /// </summary>
    private static string ForTheArchive(string hint) => hint switch
    {
        ArchiveErrors.HostileHint => VendorHint,
        ArchiveErrors.LimitHint => VendorLimitHint,
        Packer.FolderHint => StagedHint,
        Packer.FolderLimitHint => StagedLimitHint,
        SourceTree.SpecialFileHint => AsItIs + "removed" + OrAsAFolder,
        SourceTree.NotUtf8Hint => AsItIs + "renamed" + OrAsAFolder,
        Handlers.HandlerErrors.UnsafeLinkHint => UnsafeLinkHint,
        _ => hint,
    };

    /// <summary>Writes the judged entries: folders and files in archive order, then hard-link copies, then symlinks (so nothing is written through one).</summary>
    private static void Stage(VendorArchive archive, VendorArchivePlan plan, string staging, CancellationToken ct)
    {
        var index = 0;
        archive.ForEach(withData: true, (entry, data) =>
        {
            if (index >= plan.Entries.Length) throw VendorArchive.Unreadable(archive.Name, "it changed while it was being read");
            var planned = plan.Entries[index++];
            if (planned is null) return;
            if (planned.RawName != entry.Name || (planned.Kind != entry.Kind))
            {
                throw VendorArchive.Unreadable(archive.Name, "it changed while it was being read");
            }
            var full = FullPath(staging, planned.Path);
            switch (planned.Kind)
            {
                case VendorEntryKind.Directory:
                    CreateDirectory(full);
                    break;
                case VendorEntryKind.File:
                    CreateDirectory(Path.GetDirectoryName(full)!);
                    WriteFile(archive.Name, planned, data ?? Stream.Null, full, ct);
                    break;
            }
        }, ct);
        if (index != plan.Entries.Length) throw VendorArchive.Unreadable(archive.Name, "it changed while it was being read");

        foreach (var entry in plan.Entries)
        {
            if (entry?.Kind != VendorEntryKind.HardLink) continue;
            var full = FullPath(staging, entry.Path);
            CreateDirectory(Path.GetDirectoryName(full)!);
            var source = FullPath(staging, entry.LinkTarget!);
            File.Copy(source, full);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(full, File.GetUnixFileMode(source));
        }
        foreach (var entry in plan.Entries)
        {
            if (entry?.Kind != VendorEntryKind.Symlink) continue;
            var full = FullPath(staging, entry.Path);
            CreateDirectory(Path.GetDirectoryName(full)!);
            File.CreateSymbolicLink(full, OperatingSystem.IsWindows() ? entry.LinkTarget!.Replace('/', '\\') : entry.LinkTarget!);
        }
    }

    /// <summary>
    /// Copies exactly the declared size: more data than declared is a lie (a zip bomb's favourite), less is truncation.
    /// The mode is normalised as the packer will store it: 0755 when any execute bit is set, else 0644; setuid, setgid
    /// and sticky bits never survive.
    /// </summary>
    private static void WriteFile(string archive, PlannedEntry entry, Stream data, string full, CancellationToken ct)
    {
        var mode = (entry.Mode & ZipFormat.AnyExecuteBits) != 0 ? ZipFormat.ModeExecutable : ZipFormat.ModeFile;
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = (UnixFileMode)mode;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            using var output = new FileStream(full, fileOptions);
            var remaining = entry.Size;
            while (remaining > 0)
            {
                ct.ThrowIfCancellationRequested();
                var read = data.Read(buffer, 0, (int)Math.Min(ChunkSize, remaining));
                if (read == 0) throw ArchiveErrors.SizeMismatch(archive, entry.RawName, entry.Size, $"only {entry.Size - remaining}");
                output.Write(buffer, 0, read);
                remaining -= read;
            }
            if (data.Read(buffer, 0, 1) != 0) throw ArchiveErrors.SizeMismatch(archive, entry.RawName, entry.Size, "more");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(output.SafeFileHandle, (UnixFileMode)mode);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CreateDirectory(string full)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(full);
        else Directory.CreateDirectory(full, (UnixFileMode)ZipFormat.ModeDirectory);
    }

    private static string FullPath(string staging, string relative) =>
        Path.Join(staging, OperatingSystem.IsWindows() ? relative.Replace('/', '\\') : relative);
}
