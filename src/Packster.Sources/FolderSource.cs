using System.IO.Enumeration;
using Packster.Model;
using Packster.Trust;

namespace Packster.Sources;

/// <summary>
/// A local (or mounted) directory of <c>.packster</c> files, searched recursively; files whose names do not parse are
/// ignored. Publishing copies the file to the folder's root through a temp file and a rename; a package's detached
/// signature lives beside it as <c>&lt;file&gt;.sig</c>.
/// </summary>
public sealed class FolderSource : IPackageSource
{
    public FolderSource(string name, string root, int priority = Config.SourceDefinition.DefaultPriority, bool canPublish = true,
        IReadOnlyList<TrustRules>? signatureRules = null)
    {
        CanPublish = canPublish;
        Name = name;
        Root = Path.GetFullPath(root);
        Priority = priority;
        SignatureRules = signatureRules ?? [];
    }

    public string Name { get; }
    public string Root { get; }
    public int Priority { get; }
    public bool CanPublish { get; }
    public IReadOnlyList<TrustRules> SignatureRules { get; }

    /// <summary>Whether a missing folder is an empty source: the download cache's, made on its first download.</summary>
    internal bool MissingFolderIsEmpty { get; init; }

    public async Task<bool> FetchSignatureAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default)
    {
        var signature = Find(file) + PackageSignature.Extension;
        if (!File.Exists(signature)) return false;
        var bytes = SmallFile.Read(signature, PackageSignature.MaxSize,
            why => SourceErrors.Protocol(Name, signature, $"not a signature file: {why}; a signature file is at most {PackageSignature.MaxSize} bytes"));
        await destination.WriteAsync(bytes, cancellationToken);
        return true;
    }

    public Task<IReadOnlyList<PackageEntry>> SearchAsync(string pattern, CancellationToken cancellationToken = default)
    {
        var match = new IdPattern(pattern);
        RequireRoot();
        return Task.FromResult<IReadOnlyList<PackageEntry>>([.. Scan(cancellationToken).Where(e => match.Matches(e.Entry.Id)).Select(e => e.Entry)]);
    }

    public Task<IReadOnlyList<PackageEntry>> ListVersionsAsync(PackageId id, CancellationToken cancellationToken = default)
    {
        RequireRoot();
        return Task.FromResult<IReadOnlyList<PackageEntry>>([.. Scan(cancellationToken).Where(e => e.Entry.Id == id).Select(e => e.Entry)]);
    }

    public async Task FetchAsync(PackageFileName file, Stream destination, CancellationToken cancellationToken = default)
    {
        var path = Find(file);
        Deployments.PackageFile.RequireRegularFile(path);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await stream.CopyToAsync(destination, cancellationToken);
    }

    public Task<PublishResult> PublishAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!CanPublish) throw new PacksterException(ErrorCode.SourceProtocol, $"source '{Name}' is read-only");
        return Publish(path, PackageFileCheck.VerifyPackage(path, sha1AndMd5: false), cancellationToken);
    }

    Task<PublishResult> IPackageSource.PublishVerifiedAsync(string path, PackageFileCheck verified, CancellationToken cancellationToken)
    {
        if (!CanPublish) throw new PacksterException(ErrorCode.SourceProtocol, $"source '{Name}' is read-only");
        return Publish(path, verified, cancellationToken);
    }

    private Task<PublishResult> Publish(string path, PackageFileCheck check, CancellationToken cancellationToken)
    {
        var signature = PackageSignature.ReadBeside(path, check.Name);
        var result = PublishPackage(path, check, cancellationToken);
        if (signature is null) return Task.FromResult(result);
        // A signature may be added or replaced (a key rotated) after the package was published; the package never changes.
        WriteAtomically(result.Location + PackageSignature.Extension, temp => File.WriteAllBytes(temp, signature));
        return Task.FromResult(result with { Signed = true });
    }

    private PublishResult PublishPackage(string path, PackageFileCheck check, CancellationToken cancellationToken)
    {
        var existing = Scan(cancellationToken).Where(e => e.Entry.Id == check.Name.Id && e.Entry.Version == check.Name.Version).ToList();
        var same = existing.FirstOrDefault(e => e.Entry.File == check.Name);
        if (same.Path is not null)
        {
            var held = Sha256Digest.ComputeFile(same.Path);
            if (held != check.Sha256)
                throw SourceErrors.PublishConflict(Name, check.Name.FileName, $"the folder already holds different bytes under that name (sha256 {held})");
            return new PublishResult(check.Name, PublishStatus.Unchanged, same.Path);
        }
        if (existing.Count > 0)
            throw SourceErrors.PublishConflict(Name, check.Name.FileName, $"{check.Name.Id} {check.Name.Version} is already published as {existing[0].Entry.File.FileName}");

        FileSystemErrors.CreateFolder(Root, $"folder of source '{Name}'", "point the source at a folder (packster source add --replace), or move what is there away");
        var target = Path.Combine(Root, check.Name.FileName);
        try
        {
            WriteAtomically(target, temp => File.Copy(path, temp), overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            // Another publisher (a parallel CI job) put the same name there first: its bytes decide, as above.
            var held = Sha256Digest.ComputeFile(target);
            if (held != check.Sha256)
                throw SourceErrors.PublishConflict(Name, check.Name.FileName, $"the folder already holds different bytes under that name (sha256 {held})");
            return new PublishResult(check.Name, PublishStatus.Unchanged, target);
        }
        return new PublishResult(check.Name, PublishStatus.Published, target);
    }

    /// <summary>Writes through a hidden temp file in the folder's root and a rename, so readers never see half a file.</summary>
    private void WriteAtomically(string target, Action<string> write, bool overwrite = true)
    {
        var temp = Path.Combine(Root, $".{Guid.NewGuid():N}.partial");
        try
        {
            write(temp);
            PausePoint.Hit("folder-publish.before-rename");
            File.Move(temp, target, overwrite);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private string Find(PackageFileName file) => FindOrNull(file) ?? throw SourceErrors.PackageFileNotFound(Name, file.FileName);

    /// <summary>
    /// A source whose folder is gone (an unmounted share, a typo) fails, like an unreachable server (spec/sources.md §5):
    /// counted as empty, it would let resolution silently pick an older version from another source. Publishing
    /// creates the folder instead.
    /// </summary>
    private void RequireRoot()
    {
        if (!MissingFolderIsEmpty && !Directory.Exists(Root)) throw SourceErrors.FolderMissing(Name, Root);
    }

    private string? FindOrNull(PackageFileName file)
    {
        RequireRoot();
        var direct = Path.Combine(Root, file.FileName);
        if (File.Exists(direct)) return direct;
        return Scan(CancellationToken.None).FirstOrDefault(e => e.Entry.File == file).Path;
    }

    private IEnumerable<(PackageEntry Entry, string Path)> Scan(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Root)) yield break;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        var pattern = "*" + PackageFileName.Extension;
        var files = new FileSystemEnumerable<FileInfo>(Root, static (ref FileSystemEntry e) => (FileInfo)e.ToFileSystemInfo(), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && FileSystemName.MatchesSimpleExpression(pattern, e.FileName, ignoreCase: OperatingSystem.IsWindows()),
            // A package file may be a link; a linked folder is not walked into: a loop of links would be walked around
            // until the path is too deep (two links back up a tree: two to the power of that depth).
            ShouldRecursePredicate = static (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        foreach (var info in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (PackageFileName.TryParse(info.Name, out var name)) yield return (new PackageEntry(name, info.Length, Name), info.FullName);
        }
    }
}
