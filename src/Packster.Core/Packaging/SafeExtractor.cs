using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Packster.Locations;
using Packster.Model;

namespace Packster.Packaging;

/// <summary>
/// Extracts a package into a fresh, empty staging directory through a strict filter modelled on PEP 706's
/// <c>data</c> filter (spec/package-format.md §Extraction filter). The whole central directory is judged before the
/// first byte is written; any refusal, mismatch or cancellation removes everything written, leaving the staging
/// directory empty. Files are created with CreateNew under directories it made itself, never through a link.
/// </summary>
public static class SafeExtractor
{
    private const int ChunkSize = 256 << 10;

    /// <summary>
    /// Files from this size on are preallocated (one extent, early ENOSPC). Below it, fallocate only added system
    /// time on ext4 when extracting the SDK tree, whose files are mostly small.
    /// </summary>
    private const long PreallocationThreshold = 1L << 20;

    /// <summary>Files from this size on are a work list of their own (<see cref="WorkLists"/>).</summary>
    internal const long LargeFileSize = 1L << 20;
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static ExtractionResult Extract(string archivePath, string stagingDir, ExtractionLimits limits,
        IProgress<ExtractionProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(limits);
        using var archive = PackageArchive.Open(archivePath, limits.MaxEntries);
        return Extract(archive, stagingDir, limits, progress, ct);
    }

    /// <summary>As above, from an archive already open (the installer extracts the copy it verified, through one handle).</summary>
    public static ExtractionResult Extract(PackageArchive archive, string stagingDir, ExtractionLimits limits,
        IProgress<ExtractionProgress>? progress, CancellationToken ct) =>
        Extract(archive, stagingDir, limits, null, progress, ct);

    /// <summary>
    /// As above; each regular file is first offered to <paramref name="reuse"/> (entry, path to create), which may create
    /// it itself — a hardlink from the extracted-file store — and return what it wrote; null means extract it as usual.
    /// Every rule of §5 is judged on the whole archive before any file is written, reused or not.
    /// </summary>
    public static ExtractionResult Extract(PackageArchive archive, string stagingDir, ExtractionLimits limits,
        Func<PackageEntry, string, ExtractedFile?>? reuse, IProgress<ExtractionProgress>? progress, CancellationToken ct) =>
        Extract(archive, stagingDir, limits, reuse, forSharing: false, progress, ct);

    /// <summary>
    /// As above; <paramref name="forSharing"/> says the deployment's files end up read-only links of the extracted-file
    /// store (spec/lockfile.md § Extracted-file store): each file is then written with its read-only mode (0444, or
    /// 0555 with an execute bit) at once, and a regular file that shares another's data in the archive (§2 Shared data)
    /// with the same mode is made a hardlink of that file's copy instead of being inflated again.
    /// </summary>
    public static ExtractionResult Extract(PackageArchive archive, string stagingDir, ExtractionLimits limits,
        Func<PackageEntry, string, ExtractedFile?>? reuse, bool forSharing, IProgress<ExtractionProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(limits);
        stagingDir = Path.GetFullPath(stagingDir);
        RequireFreshStaging(stagingDir);

        var plan = Judge(archive, limits, ct);
        try
        {
            return Write(archive, plan, stagingDir, reuse, forSharing, progress, ct);
        }
        catch
        {
            EmptyDirectory(stagingDir);
            throw;
        }
    }

    private static void RequireFreshStaging(string stagingDir)
    {
        var info = new DirectoryInfo(stagingDir);
        if (!info.Exists || info.LinkTarget is not null)
        {
            throw new ArgumentException($"staging directory '{stagingDir}' must exist and be a real directory", nameof(stagingDir));
        }
        if (info.EnumerateFileSystemInfos().Any())
        {
            throw new ArgumentException($"staging directory '{stagingDir}' must be empty", nameof(stagingDir));
        }
    }

    private sealed record Plan(PackageEntry[] Entries, long[] DataOffsets, Dictionary<string, string> LinkTargets, long TotalSize);

    /// <summary>Every refusal rule, applied to the central directory (and link targets) before anything is written.</summary>
    private static Plan Judge(PackageArchive archive, ExtractionLimits limits, CancellationToken ct)
    {
        var name = archive.Name;
        var entries = archive.Entries.ToArray();
        limits.CheckEntryCount(name, entries.Length);
        if (entries.Length == 0 || entries[0].RawName != Packer.ManifestFileName || entries[0].Kind != PackageEntryKind.File)
        {
            throw ArchiveErrors.ManifestMissing(name, entries.Length == 0 ? "(none)" : entries[0].RawName, entries.Length == 0 ? PackageEntryKind.File : entries[0].Kind);
        }

        long total = 0;
        foreach (var entry in entries)
        {
            archive.CheckEntryFlags(entry);
            CheckType(name, entry);
            EntryPathRules.Check(name, entry.Path, entry.NameIsInvalidUtf8);
            if (entry.Kind == PackageEntryKind.Directory && (entry.Size != 0 || entry.CompressedSize != 0))
            {
                throw ArchiveErrors.UnsupportedEntry(name, entry.Path, "a directory with data");
            }
            if (entry.Kind == PackageEntryKind.Symlink && entry.Size > EntryPathRules.MaxPathBytes)
            {
                throw ArchiveErrors.UnsafeLink(name, entry.Path, "…", $"the target is longer than {EntryPathRules.MaxPathBytes} bytes");
            }
            // Subtraction form: total never exceeds the cap, so the cap minus it cannot wrap, whatever the entry declares.
            if (entry.Size > limits.MaxTotalSize - total)
            {
                throw ArchiveErrors.TooLarge(name, entry.Path, entry.Size > long.MaxValue - total ? long.MaxValue : total + entry.Size, limits.MaxTotalSize);
            }
            total += entry.Size;
        }
        limits.CheckRatio(name, total, archive.Length);
        EntryTreeRules.Check(name, entries.Select(e => (e.Path, e.Kind)));

        var offsets = new long[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            offsets[i] = archive.DataOffset(entries[i]);
        }

        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.Kind == PackageEntryKind.Symlink))
        {
            links[entry.Path] = ReadLinkTarget(archive, entry, offsets[entry.Index]);
        }
        var resolver = new LinkResolver(links);
        foreach (var (path, target) in links)
        {
            var why = resolver.UnsafeReason(path, target);
            if (why is not null) throw ArchiveErrors.UnsafeLink(name, path, target, why);
        }
        return new Plan(entries, offsets, links, total);
    }

    private static void CheckType(string archive, PackageEntry entry)
    {
        var what = (entry.RawUnixMode & ZipFormat.TypeMask) switch
        {
            0 or ZipFormat.TypeRegular or ZipFormat.TypeDirectory or ZipFormat.TypeSymlink => null,
            ZipFormat.TypeFifo => "a FIFO",
            ZipFormat.TypeCharDevice => "a character device",
            ZipFormat.TypeBlockDevice => "a block device",
            ZipFormat.TypeSocket => "a socket",
            var other => $"of unknown type {Convert.ToString(other >> 12, 8)}",
        };
        if (what is not null) throw ArchiveErrors.UnsupportedEntry(archive, entry.Path, what);
    }

    private static string ReadLinkTarget(PackageArchive archive, PackageEntry entry, long dataOffset)
    {
        using var data = archive.OpenEntry(entry, dataOffset);
        var bytes = new byte[entry.Size];
        data.ReadExactly(bytes);
        if (data.Read(new byte[1]) != 0) throw ArchiveErrors.SizeMismatch(archive.Name, entry.Path, entry.Size, "more");
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw ArchiveErrors.UnsafeLink(archive.Name, entry.Path, Encoding.Latin1.GetString(bytes), "the target is not valid UTF-8");
        }
    }

    private static ExtractionResult Write(PackageArchive archive, Plan plan, string stagingDir,
        Func<PackageEntry, string, ExtractedFile?>? reuse, bool forSharing, IProgress<ExtractionProgress>? progress, CancellationToken ct)
    {
        var entries = plan.Entries;
        CreateDirectories(stagingDir, entries);

        var results = new ExtractedFile[entries.Length];
        var files = entries.Where(e => e.Kind == PackageEntryKind.File).ToArray();
        var bytesTotal = files.Sum(e => e.Size);
        var filesDone = 0;
        long bytesDone = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
        var twins = forSharing && !OperatingSystem.IsWindows() ? Twins(files) : [];
        var twinSet = twins.Select(t => t.Twin.Index).ToHashSet();
        var lists = WorkLists(files.Where(e => !twinSet.Contains(e.Index)).ToArray(), plan.DataOffsets, archive.DataArrivesInOrder);
        void Done(PackageEntry entry)
        {
            var done = Interlocked.Increment(ref filesDone);
            var bytes = Interlocked.Add(ref bytesDone, entry.Size);
            progress?.Report(new ExtractionProgress(done, files.Length, bytes, bytesTotal));
        }
        try
        {
            Parallel.ForEach(Partitioner.Create(lists, EnumerablePartitionerOptions.NoBuffering), options, list =>
            {
                if (list[0].RunStart >= 0)
                {
                    WriteRun(archive, list, plan, stagingDir, reuse, forSharing, results, Done, ct);
                    return;
                }
                foreach (var entry in list)
                {
                    results[entry.Index] = reuse?.Invoke(entry, FullPath(stagingDir, entry.Path))
                        ?? WriteFile(archive, entry, plan.DataOffsets[entry.Index], stagingDir, forSharing, ct);
                    Done(entry);
                }
            });
        }
        catch (AggregateException e)
        {
            // Report the archive's fault if there is one, else the first I/O failure, not the wrapper.
            var first = e.InnerExceptions.OfType<PacksterException>().FirstOrDefault() ?? e.InnerExceptions[0];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
        // Each twin after the file whose data it shares: a link of that file's copy, whose bytes were hashed and
        // checked against the archive's CRC-32 a moment ago. A link that fails (a file system without them) inflates.
        foreach (var (twin, owner) in twins)
        {
            ct.ThrowIfCancellationRequested();
            var path = FullPath(stagingDir, twin.Path);
            var copied = results[owner.Index];
            results[twin.Index] = reuse?.Invoke(twin, path)
                ?? (Locations.PosixFiles.Link(FullPath(stagingDir, owner.Path), path) == 0
                    ? new ExtractedFile(twin.Path, PackageEntryKind.File, copied.Sha256, copied.Size, copied.Mode, null)
                    : WriteFile(archive, twin, plan.DataOffsets[twin.Index], stagingDir, forSharing, ct));
            progress?.Report(new ExtractionProgress(++filesDone, files.Length, bytesDone += twin.Size, bytesTotal));
        }

        foreach (var entry in entries)
        {
            if (entry.Kind == PackageEntryKind.Directory)
            {
                results[entry.Index] = new ExtractedFile(entry.Path, entry.Kind, null, 0, ZipFormat.ModeDirectory, null);
            }
            else if (entry.Kind == PackageEntryKind.Symlink)
            {
                ct.ThrowIfCancellationRequested();
                var target = plan.LinkTargets[entry.Path];
                var full = FullPath(stagingDir, entry.Path);
                File.CreateSymbolicLink(full, OperatingSystem.IsWindows() ? target.Replace('/', '\\') : target);
                results[entry.Index] = new ExtractedFile(entry.Path, entry.Kind, null, 0, ZipFormat.ModeSymlink, target);
            }
        }
        return new ExtractionResult(results, files.Length,
            entries.Count(e => e.Kind == PackageEntryKind.Directory), plan.LinkTargets.Count, bytesTotal);
    }

    /// <summary>
    /// Writes the members of one solid run (spec/package-format.md § Solid runs), which only decode front to back: each
    /// is first offered to <paramref name="reuse"/>; the run is then decoded up to the last member nobody reused, the
    /// reused ones before it decoded, checked and dropped. A run whose every member was reused is not read at all.
    /// </summary>
    private static void WriteRun(PackageArchive archive, PackageEntry[] members, Plan plan, string stagingDir,
        Func<PackageEntry, string, ExtractedFile?>? reuse, bool forSharing, ExtractedFile[] results, Action<PackageEntry> done, CancellationToken ct)
    {
        var lastNeeded = -1;
        for (var k = 0; k < members.Length; k++)
        {
            var reused = reuse?.Invoke(members[k], FullPath(stagingDir, members[k].Path));
            if (reused is null)
            {
                lastNeeded = k;
                continue;
            }
            results[members[k].Index] = reused;
            done(members[k]);
        }
        if (lastNeeded < 0) return;
        using var run = archive.OpenRun(members, members.Select(m => plan.DataOffsets[m.Index]).ToArray());
        for (var k = 0; k <= lastNeeded; k++)
        {
            ct.ThrowIfCancellationRequested();
            var member = members[k];
            if (results[member.Index] is not null)
            {
                run.Skip();
                continue;
            }
            results[member.Index] = WriteFile(member, () => run.Next(), stagingDir, forSharing, ct);
            done(member);
        }
    }

    /// <summary>
    /// The files to write, in lists a worker takes whole: the members of one solid run together, in the run's order
    /// (they only decode that way), the small files of one folder together, each large file alone. Creating a file locks its folder, and two workers creating small files in one folder spend their time
    /// waiting on each other (on Linux, spinning on the folder's lock) instead of writing elsewhere; a large file's time
    /// is its data, which another worker may write beside it. Largest lists first: a large one started last would leave
    /// the other workers idle at the end. Data that arrives front to back (a copy still being made) is read in file
    /// order instead, lists by their first file, so no worker waits for the far end.
    /// </summary>
    internal static List<PackageEntry[]> WorkLists(IEnumerable<PackageEntry> files, long[] offsets, bool inOrder)
    {
        var alone = files.Where(e => e.RunStart < 0).ToArray();
        var lists = alone.Where(e => e.Size >= LargeFileSize).Select(e => new[] { e })
            .Concat(alone.Where(e => e.Size < LargeFileSize)
                .GroupBy(e => Folder(e.Path), StringComparer.Ordinal)
                .Select(g => inOrder ? g.OrderBy(e => offsets[e.Index]).ToArray() : g.OrderByDescending(e => e.Size).ThenBy(e => e.Index).ToArray()))
            .Concat(files.Where(e => e.RunStart >= 0).GroupBy(e => e.RunStart).Select(g => g.OrderBy(e => e.Index).ToArray()));
        return (inOrder
            ? lists.OrderBy(l => offsets[l[0].Index])
            : lists.OrderByDescending(l => l.Sum(e => e.Size)).ThenBy(l => l[0].Index)).ToList();

        static string Folder(string path)
        {
            var slash = path.LastIndexOf('/');
            return slash < 0 ? "" : path[..slash];
        }
    }

    /// <summary>
    /// The regular files that share an earlier file's data (the reader proved method, CRC-32 and sizes identical) and
    /// its mode, each with that earlier file: a hardlink shares its mode, so a twin with another mode keeps its own copy.
    /// </summary>
    private static List<(PackageEntry Twin, PackageEntry Owner)> Twins(PackageEntry[] files)
    {
        var owners = new Dictionary<long, PackageEntry>();
        var twins = new List<(PackageEntry, PackageEntry)>();
        foreach (var file in files)
        {
            if (owners.TryGetValue(file.LocalHeaderOffset, out var owner) && owner.Mode == file.Mode)
            {
                twins.Add((file, owner));
            }
            else
            {
                owners.TryAdd(file.LocalHeaderOffset, file);
            }
        }
        return twins;
    }

    /// <summary>
    /// Creates every folder (explicit and implied) parents first, then checks each is a real directory: nothing in a
    /// fresh staging directory should be a link, and if something raced one in, we stop before writing files.
    /// </summary>
    private static void CreateDirectories(string stagingDir, PackageEntry[] entries)
    {
        var directories = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.Kind == PackageEntryKind.Directory) directories.Add(entry.Path);
            for (var slash = entry.Path.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = entry.Path.IndexOf('/', slash + 1))
            {
                directories.Add(entry.Path[..slash]);
            }
        }
        // Parents first, one after the other: ext4 makes one folder at a time whatever the threads (a depth's folders in
        // parallel measured no faster), so the cost is in the system calls per folder, which CreateDirectory keeps to two.
        foreach (var directory in directories.OrderBy(d => d.Count(c => c == '/')).ThenBy(d => d, StringComparer.Ordinal))
        {
            CreateDirectory(FullPath(stagingDir, directory));
        }
    }

    private static void CreateDirectory(string full)
    {
        // Where mkdir(2) itself made it, it is a real directory (it fails on anything already there, a link included):
        // two system calls instead of the half dozen of the checks below.
        if (!OperatingSystem.IsWindows() && PosixFiles.MakeDirectory(full, ZipFormat.ModeDirectory) == 0)
        {
            File.SetUnixFileMode(full, (UnixFileMode)ZipFormat.ModeDirectory);
            return;
        }
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(full);
        else Directory.CreateDirectory(full, (UnixFileMode)ZipFormat.ModeDirectory);
        var info = new DirectoryInfo(full);
        if (!info.Exists || info.LinkTarget is not null)
        {
            throw new IOException($"'{full}' is not a real directory after creating it; refusing to write through it");
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(full, (UnixFileMode)ZipFormat.ModeDirectory);
    }

    private static ExtractedFile WriteFile(PackageArchive archive, PackageEntry entry, long dataOffset, string stagingDir, bool readOnly, CancellationToken ct) =>
        WriteFile(entry, () => archive.OpenEntry(entry, dataOffset), stagingDir, readOnly, ct);

    private static ExtractedFile WriteFile(PackageEntry entry, Func<Stream> openData, string stagingDir, bool readOnly, CancellationToken ct)
    {
        var full = FullPath(stagingDir, entry.Path);
        var mode = readOnly ? Locations.ExtractedFileStore.ReadOnlyMode(entry.Mode) : entry.Mode;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            // Most files are small: there one open(2), the writes, an fchmod and a close are all the system calls.
            if (entry.Size < PreallocationThreshold && PosixFiles.TryCreateNew(full, mode) is { } created)
            {
                using (created) return Copy(entry, openData, created.Write, created.SetMode, mode, buffer, ct);
            }
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                // Not FileShare.None: on Unix that costs an flock per file, and the fresh staging directory is ours alone.
                Share = FileShare.ReadWrite,
                BufferSize = 0,
                PreallocationSize = entry.Size >= PreallocationThreshold ? entry.Size : 0,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = (UnixFileMode)mode;
            using var output = new FileStream(full, options);
            return Copy(entry, openData, output.Write, m =>
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(output.SafeFileHandle, (UnixFileMode)m);
            }, mode, buffer, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the entry's bytes through <paramref name="write"/>, hashing them, then gives the file its mode.</summary>
    private static ExtractedFile Copy(PackageEntry entry, Func<Stream> openData, SpanWriter write, Action<int> setMode, int mode, byte[] buffer, CancellationToken ct)
    {
        using var data = openData();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int read;
        while ((read = Fill(data, buffer)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            hash.AppendData(buffer, 0, read);
            write(buffer.AsSpan(0, read));
        }
        // The umask may have narrowed the create mode; the package's mode is the one we promise.
        setMode(mode);
        return new ExtractedFile(entry.Path, PackageEntryKind.File, Sha256Digest.FromBytes(hash.GetHashAndReset()), entry.Size, mode, null);
    }

    private delegate void SpanWriter(ReadOnlySpan<byte> bytes);

    /// <summary>Inflaters return a few KiB per call; gather a full chunk so each write is one big system call.</summary>
    private static int Fill(Stream data, byte[] buffer)
    {
        var filled = 0;
        int read;
        while (filled < ChunkSize && (read = data.Read(buffer, filled, ChunkSize - filled)) > 0) filled += read;
        return filled;
    }

    private static string FullPath(string stagingDir, string relative) =>
        Path.Join(stagingDir, OperatingSystem.IsWindows() ? relative.Replace('/', '\\') : relative);

    /// <summary>Removes everything under the staging directory (links are removed, never followed).</summary>
    internal static void EmptyDirectory(string stagingDir)
    {
        foreach (var info in new DirectoryInfo(stagingDir).EnumerateFileSystemInfos())
        {
            try
            {
                if (info is DirectoryInfo directory && info.LinkTarget is null) directory.Delete(recursive: true);
                else info.Delete();
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
