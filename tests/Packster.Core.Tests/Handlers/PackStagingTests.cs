using System.Runtime.Versioning;
using System.Security.Cryptography;
using Packster.Handlers;
using Packster.Model;
using Packster.Testing;
using HandlerAction = Packster.Manifest.HandlerAction;

namespace Packster.Core.Tests.Handlers;

/// <summary>spec/handlers.md §Pack staging: pack handlers work on a copy, and the user's folder is never modified.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class PackStagingTests : IDisposable
{
    private static readonly DateTime Past = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private readonly TempDirectory _temp = new("packster-pack-staging");

    private string Source => _temp["source"];
    private string Staging => _temp["staging"];

    /// <summary>A source tree with text, an executable, a binary in a deep folder, an empty file and a relative link.</summary>
    private void MakeSource()
    {
        _temp.Write("source/packster-manifest.toml", "id = \"hello\"\nversion = \"1.0.0\"\n");
        _temp.Write("source/a.txt", "original a\n");
        _temp.Write("source/bin/tool", "#!/bin/sh\necho tool\n");
        File.SetUnixFileMode(_temp["source/bin/tool"], (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(_temp["source/sub/deep"]);
        File.WriteAllBytes(_temp["source/sub/deep/blob.bin"], RandomNumberGenerator.GetBytes(1 << 20));
        _temp.Write("source/empty.txt", "");
        File.CreateSymbolicLink(_temp["source/tool-link"], "bin/tool");
        File.CreateSymbolicLink(_temp["source/sub/up-link"], "../a.txt");
        foreach (var file in Directory.EnumerateFiles(Source, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).LinkTarget is null))
        {
            File.SetLastWriteTimeUtc(file, Past);
        }
        foreach (var dir in Directory.EnumerateDirectories(Source, "*", SearchOption.AllDirectories).Append(Source)) Directory.SetLastWriteTimeUtc(dir, Past);
    }

    /// <summary>Everything observable about a tree: per entry its kind, bytes (hashed), mode, mtime, link target.</summary>
    private static SortedDictionary<string, string> Snapshot(string root)
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var relative = Path.GetRelativePath(root, entry.FullName);
            var mode = File.GetUnixFileMode(entry.FullName);
            snapshot[relative] = entry switch
            {
                { LinkTarget: { } target } => $"link -> {target}",
                DirectoryInfo => $"dir {mode} {entry.LastWriteTimeUtc:O}",
                _ => $"file {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry.FullName)))} {mode} {entry.LastWriteTimeUtc:O}",
            };
        }
        snapshot["."] = $"root {Directory.GetLastWriteTimeUtc(root):O}";
        return snapshot;
    }

    [PosixFact]
    public void The_staging_copy_has_the_same_content_modes_times_and_links()
    {
        MakeSource();
        var result = PackStaging.Create(Source, Staging);

        var source = Snapshot(Source);
        var staging = Snapshot(Staging);
        source.Remove(".");
        staging.Remove(".");
        Assert.Equal(source, staging);
        Assert.Equal(5, result.Files);
        Assert.Equal(2, result.Links);
        Assert.Equal(3, result.Directories);
        Assert.Equal((1 << 20) + "original a\n".Length + "#!/bin/sh\necho tool\n".Length + "id = \"hello\"\nversion = \"1.0.0\"\n".Length, result.Bytes);
        // Links stay links, relative, pointing inside the copy.
        Assert.Equal("bin/tool", new FileInfo(Path.Combine(Staging, "tool-link")).LinkTarget);
    }

    [PosixFact]
    public void Staged_files_are_not_hard_links_to_the_source()
    {
        MakeSource();
        PackStaging.Create(Source, Staging);
        // Writing through the staged file in place must not show up in the source.
        using (var stream = new FileStream(Path.Combine(Staging, "a.txt"), FileMode.Open, FileAccess.Write))
        {
            stream.Write("CHANGED!!!\n"u8);
        }
        Assert.Equal("original a\n", File.ReadAllText(_temp["source/a.txt"]));
    }

    [RequiresProgramFact("sh", "sh is not installed")]
    public async Task A_pack_handler_that_rewrites_deletes_and_creates_files_leaves_the_source_untouched()
    {
        // spec/handlers.md §Pack staging: "the user's folder is never modified".
        MakeSource();
        _temp.Write("source/scripts/build.sh", """
            set -eu
            echo appended >> a.txt
            printf 'rewritten' > bin/tool
            chmod -x bin/tool
            echo through-link >> tool-link
            echo via-up-link >> sub/up-link
            rm sub/deep/blob.bin
            rm empty.txt
            rm tool-link
            mkdir -p out && echo built > out/artifact
            touch -d '2001-01-01' packster-manifest.toml
            chmod 700 sub
            """);
        File.SetLastWriteTimeUtc(_temp["source/scripts/build.sh"], Past);
        Directory.SetLastWriteTimeUtc(_temp["source/scripts"], Past);
        Directory.SetLastWriteTimeUtc(Source, Past);
        var before = Snapshot(Source);

        PackStaging.Create(Source, Staging);
        var handlers = new Dictionary<HandlerAction, HandlerSpec> { [HandlerAction.Pack] = new("scripts/build.sh") };
        var plan = ExecutorResolver.ForCurrentProcess().Plan(handlers, HandlerAction.Pack, Staging);
        var context = new HandlerContext(HandlerAction.Pack, PackageId.Parse("hello"), PackageVersion.Parse("1.0.0"), Staging, null,
            System.Text.Json.JsonDocument.Parse("{}").RootElement.Clone());
        var environment = HandlerEnvironment.Build(context, _temp["pack/params.json"]);
        await new HandlerRunner(TextWriter.Null).RunPlanAsync(plan, context, environment, _temp["pack/logs/pack.log"], CancellationToken.None);

        // The handler really changed the staging copy …
        Assert.Equal("built\n", File.ReadAllText(Path.Combine(Staging, "out/artifact")));
        Assert.StartsWith("original a\nappended\n", File.ReadAllText(Path.Combine(Staging, "a.txt")), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Staging, "sub/deep/blob.bin")));
        // … and the source is byte for byte, mode for mode and time for time what it was.
        Assert.Equal(before, Snapshot(Source));
    }

    [PosixFact]
    public void An_absolute_link_is_refused_because_a_handler_could_write_through_it()
    {
        MakeSource();
        File.CreateSymbolicLink(_temp["source/etc-link"], _temp["source/a.txt"]);
        var e = Assert.Throws<PacksterException>(() => PackStaging.Create(Source, Staging));
        Assert.Equal(ErrorCode.PackStagingUnsafeLink, e.Code);
        Assert.StartsWith($"symbolic link etc-link -> {_temp["source/a.txt"]} points outside the package source", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Staging));
    }

    [PosixFact]
    public void A_relative_link_that_leaves_the_source_is_refused()
    {
        MakeSource();
        File.CreateSymbolicLink(_temp["source/sub/escape"], "../../outside.txt");
        var e = Assert.Throws<PacksterException>(() => PackStaging.Create(Source, Staging));
        Assert.Equal(ErrorCode.PackStagingUnsafeLink, e.Code);
        Assert.Contains("sub/escape -> ../../outside.txt", e.Message, StringComparison.Ordinal);
    }

    [PosixFact]
    public void Staging_inside_the_source_or_into_a_non_empty_folder_is_refused()
    {
        MakeSource();
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PacksterException>(() => PackStaging.Create(Source, Path.Combine(Source, ".stage"))).Code);
        _temp.Write("staging/left-over", "x");
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<PacksterException>(() => PackStaging.Create(Source, Staging)).Code);
    }

    [LinuxFact]
    public void A_fifo_in_the_source_is_never_opened()
    {
        // Opening a FIFO for reading blocks until a writer appears; staging must not hang on one. spec/errors.md
        // PST4005: pack refuses a FIFO in the source by its type, checked before anything is opened.
        MakeSource();
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [_temp["source/pipe"]]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        var e = Assert.Throws<PacksterException>(() => PackStaging.Create(Source, Staging));
        Assert.Equal(ErrorCode.ArchiveUnsupportedEntry, e.Code);
        Assert.Contains("FIFO", e.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void A_name_that_is_not_utf8_is_refused_as_such()
    {
        // spec/errors.md PST4003: package names are UTF-8; .NET lists such a name with U+FFFD, by which it is not found again.
        MakeSource();
        NonUtf8Names.CreateFile(Source, "bad");
        var e = Assert.Throws<PacksterException>(() => PackStaging.Create(Source, Staging));
        Assert.Equal(ErrorCode.ArchiveUnsafePath, e.Code);
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Staging));
    }

    public void Dispose() => _temp.Dispose();
}
