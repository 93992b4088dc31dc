using Packster.Model;

namespace Packster.Packaging;

/// <summary>
/// Packs a source folder into <c>{id}-{version}-{sha256}.packster</c> (spec/package-format.md): the same folder
/// always gives the same bytes, files are compressed in parallel and written in order, and the final name only
/// ever appears on a complete, flushed file (temp file + rename); a failure leaves no temp file behind.
/// </summary>
public static class Packer
{
    public const string ManifestFileName = "packster-manifest.toml";
    public const string TempPrefix = ".packster-tmp-";

    /// <summary>
    /// Refuses an output path where something other than a folder already is, or is on its path (spec/errors.md
    /// PST9005), said to be what it is: "it already exists" read as a folder that could be used. Callers with work to do
    /// before packing (<c>pack --from</c> unpacks its archive) call it first, so a wrong <c>-o</c> costs nothing.
    /// </summary>
    internal static void RefuseOutputThatIsNoFolder(string outputDir) => FileSystemErrors.RefuseNoFolder(outputDir, OutputFolder, OutputFolderHint);

    private const string OutputFolder = "output folder";
    private const string OutputFolderHint = "give -o a folder, or a path where packster can create one";

    /// <summary>Packs <paramref name="sourceDir"/> into <paramref name="outputDir"/> (created if missing).</summary>
    public static PackResult Pack(string sourceDir, string outputDir, PackageId id, PackageVersion version,
        IProgress<PackProgress>? progress, CancellationToken ct) =>
        Pack(sourceDir, outputDir, id, version, PackOptions.Default, progress, ct);

    /// <summary>As <see cref="Pack(string, string, PackageId, PackageVersion, IProgress{PackProgress}?, CancellationToken)"/>, with tuning.</summary>
    public static PackResult Pack(string sourceDir, string outputDir, PackageId id, PackageVersion version,
        PackOptions options, IProgress<PackProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(options);
        sourceDir = Path.GetFullPath(sourceDir);
        outputDir = Path.GetFullPath(outputDir);
        if (!Directory.Exists(sourceDir))
        {
            throw new PacksterException(ErrorCode.PathNotFound, $"package source folder '{sourceDir}' does not exist");
        }
        // A folder in its place is there, and refused as one when the manifest is read, not said to be missing.
        if (Path.Combine(sourceDir, ManifestFileName) is var manifest && !File.Exists(manifest) && !Directory.Exists(manifest))
        {
            throw new PacksterException(ErrorCode.ManifestMissing, $"'{sourceDir}' has no {ManifestFileName}",
                $"create {ManifestFileName} at the root of the package folder");
        }
        FileSystemErrors.CreateFolder(outputDir, OutputFolder, OutputFolderHint);

        var sourceName = Path.GetFileName(sourceDir);
        var entries = SourceTree.Enumerate(sourceDir, PackageIgnore.Load(sourceDir), outputDir);
        // Install takes the first entry as the manifest only when it is a regular file (package-format.md §6: "every
        // package `pack` writes installs"), so a manifest that is a symlink is refused here, not stored as a link.
        if (entries.FirstOrDefault(e => e.RelativePath == ManifestFileName) is { Kind: not PackageEntryKind.File } manifestEntry)
        {
            throw new PacksterException(ErrorCode.ArchiveUnsupportedEntry,
                $"{ManifestFileName} in '{sourceName}' is {(manifestEntry.Kind == PackageEntryKind.Symlink ? "a symlink" : "a folder")}, not a regular file",
                $"replace the link with the file itself: {ManifestFileName} must be a regular file");
        }
        var limits = ExtractionLimits.Default;
        long total = 0;
        AsPacking(() =>
        {
            CheckEntries(sourceName, entries);
            limits.CheckEntryCount(sourceName, entries.Count);
            foreach (var entry in entries)
            {
                total += entry.Size;
                limits.CheckTotal(sourceName, entry.RelativePath, total);
            }
        });

        var tempPath = Path.Combine(outputDir, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            byte[] hash;
            long size;
            using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            using (var hashing = new HashingWriteStream(file))
            {
                var writer = new PackageWriter(hashing);
                var sharing = options.Compression == PackCompression.Zstd ? FindTwins(entries, ct) : null;
                WriteEntries(writer, entries, sharing, outputDir, options, progress, ct);
                writer.Finish();
                hashing.Flush();
                file.Flush(flushToDisk: true);
                hash = hashing.GetHash();
                size = writer.Position;
            }
            // The ratio install judges (declared sizes against the archive's bytes) is only known once written.
            AsPacking(() => limits.CheckRatio(sourceName, total, size));
            var name = new PackageFileName(id, version, Sha256Digest.FromBytes(hash));
            var finalPath = Path.Combine(outputDir, name.FileName);
            // Same name means same bytes, so replacing an existing file is harmless and keeps the rename atomic.
            File.Move(tempPath, finalPath, overwrite: true);
            return new PackResult(name, finalPath, size, entries.Count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Source files are classified where they are read; what is left is writing the package.
            TryDelete(tempPath);
            throw FileSystemErrors.Classify(e, outputDir, "cannot write the package into")!;
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    /// <summary>What to do about a folder the package rules refuse: it is the folder that changes, not a package.</summary>
    internal const string FolderHint =
        "a package holds only what every system packster runs on can install (spec/package-format.md §3); rename or remove it, or list it in .packsterignore";

    /// <summary>What to do about a folder over the limits every package is installed with.</summary>
    internal const string FolderLimitHint =
        "packages have the same limits when packed and when installed (spec/package-format.md §6); list files in .packsterignore, or split the folder into several packages";

    /// <summary>
    /// Runs the package rules' <paramref name="check"/> on the folder being packed. Their failures speak to whoever
    /// installs a package (it is damaged or hostile; ask its publisher): at pack time the hint says what to change in
    /// the folder instead; the code and message stay.
    /// </summary>
    private static void AsPacking(Action check)
    {
        try
        {
            check();
        }
        catch (PacksterException e) when (e.Hint is ArchiveErrors.HostileHint or ArchiveErrors.LimitHint)
        {
            throw new PacksterException(e.Code, e.Message, e.Hint == ArchiveErrors.LimitHint ? FolderLimitHint : FolderHint, e);
        }
    }

    /// <summary>Refuses at pack time whatever the extractor would refuse, so every package we write installs.</summary>
    private static void CheckEntries(string sourceName, List<SourceEntry> entries)
    {
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            EntryPathRules.Check(sourceName, entry.RelativePath);
            if (entry.Kind == PackageEntryKind.Symlink) links[entry.RelativePath] = entry.LinkTarget!;
        }
        EntryTreeRules.Check(sourceName, entries.Select(e => (e.RelativePath, e.Kind)));
        var resolver = new LinkResolver(links);
        foreach (var (path, target) in links)
        {
            var why = resolver.UnsafeReason(path, target);
            if (why is not null) throw ArchiveErrors.UnsafeLink(sourceName, path, target, why);
        }
    }

    /// <summary>
    /// Compressors run ahead of the writer on up to <see cref="PackOptions.DegreeOfParallelism"/> threads, bounded by
    /// <see cref="PackOptions.InFlightBytes"/>; the writer takes their results strictly in entry order.
    /// </summary>
    private static void WriteEntries(PackageWriter writer, List<SourceEntry> entries, int[]? twinOf, string spillDir, PackOptions options,
        IProgress<PackProgress>? progress, CancellationToken ct)
    {
        var scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, Math.Max(1, options.DegreeOfParallelism)).ConcurrentScheduler;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = new Task<CompressedEntry>?[entries.Count];
        var (runOf, runs) = PlanRuns(entries, twinOf, options);
        var runTasks = new Task<CompressedEntry[]>?[runs.Count];
        var totalBytes = entries.Sum(e => e.Size);
        var runSizes = runs.Select(r => r.Sum(m => entries[m].Size)).ToArray();
        var maxAhead = Math.Max(4, options.DegreeOfParallelism * 64);
        long inFlight = 0;
        long bytesDone = 0;
        var next = 0;
        // Tasks scheduled and not yet written: a run is one task however many members it has.
        var pending = 0;
        try
        {
            for (var i = 0; i < entries.Count; i++)
            {
                while (next < entries.Count && (next == i || NeedsNoTask(next)
                    || (pending < maxAhead && inFlight + (runOf[next].Run >= 0 ? runSizes[runOf[next].Run] : entries[next].Size) <= options.InFlightBytes)))
                {
                    var source = entries[next];
                    if (twinOf is not null && twinOf[next] >= 0)
                    {
                        next++;
                        continue;
                    }
                    if (runOf[next].Run >= 0)
                    {
                        // A run is compressed by one task, scheduled when the writer's look-ahead reaches its first member.
                        var (run, member) = runOf[next];
                        if (member == 0)
                        {
                            var members = runs[run];
                            runTasks[run] = Task.Factory.StartNew(() => CompressedEntry.CreateRun(members.Select(m => entries[m]).ToArray(), spillDir, options, cancel.Token),
                                cancel.Token, TaskCreationOptions.DenyChildAttach, scheduler);
                            inFlight += runSizes[run];
                            pending++;
                        }
                        next++;
                        continue;
                    }
                    tasks[next] = Task.Factory.StartNew(() => CompressedEntry.Create(source, spillDir, options, cancel.Token),
                        cancel.Token, TaskCreationOptions.DenyChildAttach, scheduler);
                    inFlight += source.Size;
                    pending++;
                    next++;
                }
                if (twinOf is not null && twinOf[i] >= 0)
                {
                    writer.ShareEntry(entries[i].NameBytes, entries[i].Kind, entries[i].Mode, twinOf[i]);
                    bytesDone += entries[i].Size;
                    progress?.Report(new PackProgress(i + 1, entries.Count, bytesDone, totalBytes));
                    continue;
                }
                var part = runOf[i];
                using (var compressed = part.Run >= 0 ? runTasks[part.Run]!.GetAwaiter().GetResult()[part.Member] : tasks[i]!.GetAwaiter().GetResult())
                {
                    tasks[i] = null;
                    // A run's task is done with once its last member is written.
                    if (part.Run < 0 || part.Member == runs[part.Run].Count - 1)
                    {
                        pending--;
                        if (part.Run >= 0) runTasks[part.Run] = null;
                    }
                    ct.ThrowIfCancellationRequested();
                    writer.BeginEntry(compressed.Source.NameBytes, compressed.Source.Kind, compressed.Source.Mode,
                        compressed.Method, compressed.Crc, compressed.CompressedSize, compressed.Size);
                    compressed.WriteTo(writer);
                }
                inFlight -= entries[i].Size;
                bytesDone += entries[i].Size;
                progress?.Report(new PackProgress(i + 1, entries.Count, bytesDone, totalBytes));
            }
        }
        catch
        {
            cancel.Cancel();
            foreach (var task in tasks)
            {
                if (task is null) continue;
                try
                {
                    task.GetAwaiter().GetResult().Dispose();
                }
                catch (Exception)
                {
                    // The first failure is the one reported; the others are consequences of cancelling.
                }
            }
            foreach (var task in runTasks)
            {
                if (task is null) continue;
                try
                {
                    foreach (var member in task.GetAwaiter().GetResult()) member.Dispose();
                }
                catch (Exception)
                {
                    // As above.
                }
            }
            throw;
        }

        // Entries with no task of their own: twins (nothing to compress) and the later members of a run (its first has it).
        bool NeedsNoTask(int index) => (twinOf is not null && twinOf[index] >= 0) || runOf[index].Member > 0;
    }

    /// <summary>
    /// The solid runs of a zstd package (spec/package-format.md § Solid runs), taken in entry order from its regular
    /// files of 1 to <see cref="SafeExtractor.LargeFileSize"/> − 1 bytes that are not already compressed, not the manifest
    /// (read alone before anything else), and neither share another file's data nor have theirs shared; a run closes
    /// once it holds <see cref="PackOptions.SolidRunSize"/> bytes, and a run of one file is no run. Returns, per entry,
    /// its run and place in it ((-1, -1) outside any), and each run's entries.
    /// </summary>
    internal static ((int Run, int Member)[] RunOf, List<List<int>> Runs) PlanRuns(List<SourceEntry> entries, int[]? twinOf, PackOptions options)
    {
        var runOf = new (int Run, int Member)[entries.Count];
        Array.Fill(runOf, (-1, -1));
        var runs = new List<List<int>>();
        if (options.Compression != PackCompression.Zstd || !options.Solid) return (runOf, runs);
        var shared = twinOf?.Where(t => t >= 0).ToHashSet() ?? [];
        var current = new List<int>();
        long size = 0;
        for (var i = 1; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Kind != PackageEntryKind.File || entry.Size == 0 || entry.Size >= SafeExtractor.LargeFileSize
                || CompressedEntry.IsPrecompressed(entry.RelativePath) || (twinOf is not null && twinOf[i] >= 0) || shared.Contains(i))
            {
                continue;
            }
            current.Add(i);
            size += entry.Size;
            if (size >= options.SolidRunSize) Close();
        }
        Close();
        for (var run = 0; run < runs.Count; run++)
        {
            for (var member = 0; member < runs[run].Count; member++) runOf[runs[run][member]] = (run, member);
        }
        return (runOf, runs);

        void Close()
        {
            if (current.Count > 1) runs.Add(current);
            current = [];
            size = 0;
        }
    }

    /// <summary>
    /// For each regular file whose bytes an earlier file of the package already holds, that file's position; -1 for
    /// the rest (spec/package-format.md § Shared data). Only files that share their size with another are hashed, on
    /// every core; the SHA-256 decides, so a twin is never a guess.
    /// </summary>
    private static int[] FindTwins(List<SourceEntry> entries, CancellationToken ct)
    {
        var twinOf = new int[entries.Count];
        Array.Fill(twinOf, -1);
        var candidates = Enumerable.Range(0, entries.Count)
            .Where(i => entries[i].Kind == PackageEntryKind.File && entries[i].Size > 0)
            .GroupBy(i => entries[i].Size)
            .Where(g => g.Count() > 1)
            .SelectMany(g => g)
            .ToArray();
        if (candidates.Length == 0) return twinOf;
        var hashes = new Sha256Digest[entries.Count];
        try
        {
            Parallel.ForEach(candidates, new ParallelOptions { CancellationToken = ct }, i =>
                hashes[i] = FileSystemErrors.At(entries[i].FullPath, "cannot read package source file", () => Sha256Digest.ComputeFile(entries[i].FullPath)));
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        var first = new Dictionary<(long Size, Sha256Digest Sha256), int>();
        foreach (var i in candidates.Order())
        {
            if (!first.TryAdd((entries[i].Size, hashes[i]), i)) twinOf[i] = first[(entries[i].Size, hashes[i])];
        }
        return twinOf;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
